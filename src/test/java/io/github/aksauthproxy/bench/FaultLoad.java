package io.github.aksauthproxy.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The harness's users: each session calls the protected app through nginx at a steady rate for the whole run, as a
 * browser does (its cookie jar follows every {@code Set-Cookie} nginx passes on), and every answer is recorded with
 * its time, status, session, and whether the session was valid from when it was sent until it was answered. A user
 * sent to sign in signs in again, as a person would: the whole sign-in through nginx and the IdP, before its next
 * call; each attempt is recorded too. Not a load test: the rate is steady and low, the point is what each answer was.
 */
final class FaultLoad implements AutoCloseable {
    /** What a user saw. */
    enum Outcome {
        /** 200 from the app, which received a bearer token. */
        OK,
        /** 302 to /oauth2/start: the auth subrequest answered 401 and nginx sent the browser to sign in. */
        SIGN_IN,
        /** 403: a rule refused. */
        FORBIDDEN,
        /** 503 with Retry-After: the service's "try again" page. */
        UNAVAILABLE,
        /** Anything else: a 500, a 502, a 503 without Retry-After, a 200 without a token. */
        OTHER,
        /** No answer within the hang bound. */
        HANG,
        /** The connection was reset or closed without an answer. */
        RESET
    }

    /** One answer. {@code valid}: the session was one the service should accept from the request's start to its answer. */
    record Answer(long startMs, int latencyMs, int session, String path, int status, Outcome outcome, boolean valid, String requestId) {
    }

    /** One sign-in a user made after being sent to sign in; {@code error} is empty when it worked. */
    record SignIn(long startMs, int latencyMs, int session, String error) {
        boolean ok() {
            return error.isEmpty();
        }
    }

    /** A whole sign-in as a browser makes it (blocking); the browser's cookies for the service afterwards. */
    interface Browser {
        Map<String, String> signIn() throws Exception;
    }

    /** One user's session: its path (which profile) and its cookie jar. */
    static final class Session {
        final int index;
        final String path;
        final Map<String, String> jar = new LinkedHashMap<>();
        /** From this time on (ms of the run) the session is no longer valid: Entra refused its refresh token. */
        volatile long invalidFromMs = Long.MAX_VALUE;
        final AtomicBoolean inFlight = new AtomicBoolean();
        long sent;

        Session(int index, String path, Map<String, String> cookies) {
            this.index = index;
            this.path = path;
            jar.putAll(cookies);
        }

        /** A new sign-in's cookies replace the jar, and the session is valid again. */
        synchronized void signedIn(Map<String, String> cookies) {
            jar.clear();
            jar.putAll(cookies);
            invalidFromMs = Long.MAX_VALUE;
        }

        synchronized String cookieHeader() {
            return jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
        }

        synchronized void setCookies(List<String> setCookies) {
            for (String set : setCookies) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String value = pair.substring(eq + 1);
                if (set.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty()) {
                    jar.remove(pair.substring(0, eq));
                } else {
                    jar.put(pair.substring(0, eq), value);
                }
            }
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final int nginxPort;
    private final long startNanos;
    private final int hangMs;
    private final List<Session> sessions;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SignIn> signIns = new ConcurrentLinkedQueue<>();
    private final Browser browser;
    private final List<Long> timers = new ArrayList<>();
    private volatile boolean stopped;

    FaultLoad(Vertx vertx, int nginxPort, long startNanos, int hangSeconds, List<Session> sessions, Browser browser) {
        this.vertx = vertx;
        this.browser = browser;
        this.nginxPort = nginxPort;
        this.startNanos = startNanos;
        this.hangMs = hangSeconds * 1000;
        this.sessions = sessions;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxHeaderSize(64 * 1024),
                new PoolOptions().setHttp1MaxSize(sessions.size() + 16).setMaxWaitQueueSize(-1));
    }

    /** Every session starts calling, spread evenly over one period so the rate is steady. */
    void start(double ratePerSecond) {
        long period = Math.max(1, Math.round(1000 / ratePerSecond));
        for (Session s : sessions) {
            long offset = 1 + period * s.index / sessions.size();
            vertx.setTimer(offset, first -> {
                if (!stopped) {
                    synchronized (timers) {
                        timers.add(vertx.setPeriodic(period, id -> call(s)));
                    }
                    call(s);
                }
            });
        }
    }

    long nowMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void call(Session s) {
        // One request at a time per user: a hanging answer is recorded once, when the bound is reached.
        if (stopped || !s.inFlight.compareAndSet(false, true)) {
            return;
        }
        long start = nowMs();
        String requestId = "fault-" + s.index + "-" + (++s.sent);
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(nginxPort).setURI(s.path)
                .putHeader("Cookie", s.cookieHeader()).putHeader("X-Request-ID", requestId).setTimeout(hangMs);
        client.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(body -> {
            s.setCookies(resp.headers().getAll("set-cookie"));
            return classify(resp, body.toString());
        })).onComplete(ar -> {
            long end = nowMs();
            int latency = (int) (end - start);
            // Valid only when it was so all along: a session that became invalid while its request was out may be refused.
            boolean valid = end < s.invalidFromMs;
            Outcome outcome;
            if (ar.succeeded()) {
                outcome = Outcome.values()[ar.result()[1]];
                answers.add(new Answer(start, latency, s.index, s.path, ar.result()[0], outcome, valid, requestId));
            } else {
                boolean hang = latency >= hangMs - 50 || String.valueOf(ar.cause()).contains("imeout");
                outcome = hang ? Outcome.HANG : Outcome.RESET;
                answers.add(new Answer(start, latency, s.index, s.path, 0, outcome, valid, requestId));
            }
            if (outcome == Outcome.SIGN_IN && !stopped) {
                signInAgain(s);
            } else {
                s.inFlight.set(false);
            }
        });
    }

    /** The user follows the redirect: a whole sign-in, off the event loop, before its next call. */
    private void signInAgain(Session s) {
        long start = nowMs();
        vertx.<Map<String, String>>executeBlocking(browser::signIn, false).onComplete(ar -> {
            if (ar.succeeded()) {
                s.signedIn(ar.result());
            }
            String error = ar.succeeded() ? "" : String.valueOf(ar.cause().getMessage());
            signIns.add(new SignIn(start, (int) (nowMs() - start), s.index, error));
            s.inFlight.set(false);
        });
    }

    /** [status, outcome ordinal] */
    private static int[] classify(HttpClientResponse resp, String body) {
        int status = resp.statusCode();
        Outcome o;
        if (status == 200) {
            o = body.startsWith(FaultRun.APP_WITH_TOKEN) ? Outcome.OK : Outcome.OTHER;
        } else if (status == 302 && String.valueOf(resp.getHeader("location")).contains("/oauth2/start")) {
            o = Outcome.SIGN_IN;
        } else if (status == 403) {
            o = Outcome.FORBIDDEN;
        } else if (status == 503 && resp.getHeader("retry-after") != null) {
            o = Outcome.UNAVAILABLE;
        } else {
            o = Outcome.OTHER;
        }
        return new int[] {status, o.ordinal()};
    }

    List<Answer> answers() {
        return List.copyOf(answers);
    }

    List<SignIn> signIns() {
        return List.copyOf(signIns);
    }

    List<Session> sessions() {
        return sessions;
    }

    /** Stops the timers and waits (bounded) for the answers in flight. */
    void stop() throws InterruptedException {
        stopped = true;
        synchronized (timers) {
            timers.forEach(vertx::cancelTimer);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(hangMs + 2_000L);
        while (System.nanoTime() < deadline && sessions.stream().anyMatch(s -> s.inFlight.get())) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        client.close().await(10, TimeUnit.SECONDS);
    }
}
