package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.bench.FaultLoad.Answer;
import io.github.aksauthproxy.bench.FaultLoad.Outcome;
import io.github.aksauthproxy.bench.FaultRun.Phase;
import io.github.aksauthproxy.bench.FaultRun.ReadinessSample;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * RELIABILITY.md: per session mode and fault, what the users saw (valid sessions sent to sign in, answers outside
 * the expected set, 503s with Retry-After, sign-ins), the token requests Entra received and the service made, the time
 * to recover, and how many replicas were ready. The correctness targets (no valid session answered 401, no unexpected
 * answer) are what {@link Results} carries for the CI test.
 */
final class FaultReport {
    static final long RECOVERY_TARGET_MS = 5_000;

    private final FaultOptions o;
    private final String mode;
    private final List<Phase> phases;
    private final List<Answer> answers;
    private final List<FaultLoad.SignIn> signIns;
    private final List<Acquisitions> acquisitions;
    private final List<FaultLoad.Session> sessions;
    private final List<Long> tokenRequests;
    private final Map<String, NginxAuthLog.Auth> auth;
    private final List<ReadinessSample> readiness;
    private final List<String> shutdownNotes;
    private final String chart;
    private final long elapsedMs;
    private final List<String> missed = new ArrayList<>();
    private final Map<String, PhaseResult> byPhase = new TreeMap<>();
    private int totalValidSignIns;
    private int totalUnexpected;

    /** What the CI test asserts: per fault and in all. */
    record Results(int answers, int validSignIns, int unexpected, Map<String, PhaseResult> phases, List<String> missed) {
        String summary() {
            return String.format(Locale.ROOT, "faults: %d answers, %d valid sessions sent to sign in, %d unexpected answers; %s", answers,
                    validSignIns, unexpected, missed.isEmpty() ? "every target met" : "missed: " + String.join("; ", missed));
        }
    }

    /**
     * One fault's figures. {@code signedInAgain}: sessions that signed in again, after being sent to, while the fault or
     * its quiet lasted; {@code signInsFailed}: those sign-ins that failed (each is tried again on the next call).
     */
    record PhaseResult(int answers, int ok, int validSignIns, int invalidSignIns, int unavailable, int unexpected, long firstRecoveryMs,
                       long allRecoveryMs, int unrecovered, int signedInAgain, int signInsFailed) {
    }

    /**
     * One replica's count of the token requests it made to Entra, any outcome ({@code aks_auth_proxy_token_acquisitions_seconds_count}
     * summed), at one time of the run.
     */
    record Acquisitions(long ms, int replica, double count) {
        private static final String SERIES = "aks_auth_proxy_token_acquisitions_seconds_count{";

        /** This replica's count now, or empty while it does not answer (stopped, restarting). */
        static java.util.Optional<Acquisitions> scrape(long ms, int replica, int internalPort) {
            try {
                double sum = BenchRun.metrics(internalPort, java.time.Duration.ofSeconds(3)).lines().filter(l -> l.startsWith(SERIES))
                        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
                return java.util.Optional.of(new Acquisitions(ms, replica, sum));
            } catch (IOException | RuntimeException down) {
                return java.util.Optional.empty();
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                return java.util.Optional.empty();
            }
        }
    }

    FaultReport(FaultOptions o, String mode, List<Phase> phases, List<Answer> answers, List<FaultLoad.SignIn> signIns, List<FaultLoad.Session> sessions,
                List<Long> tokenRequests, List<Acquisitions> acquisitions, Map<String, NginxAuthLog.Auth> auth, List<ReadinessSample> readiness,
                List<String> shutdownNotes, String chart, long elapsedMs) {
        this.o = o;
        this.mode = mode;
        this.phases = phases;
        this.answers = answers.stream().sorted(Comparator.comparingLong(Answer::startMs)).toList();
        this.signIns = signIns.stream().sorted(Comparator.comparingLong(FaultLoad.SignIn::startMs)).toList();
        this.acquisitions = attempts(acquisitions);
        this.sessions = sessions;
        this.tokenRequests = tokenRequests.stream().sorted().toList();
        this.auth = auth;
        this.readiness = readiness;
        this.shutdownNotes = shutdownNotes;
        this.chart = chart;
        this.elapsedMs = elapsedMs;
    }

    /** A user's answer that is none of: 200 with a token, a sign-in for an invalid session, a 503 with Retry-After from a replica. */
    boolean unexpected(Answer a) {
        return switch (a.outcome()) {
            case OK -> false;
            case SIGN_IN -> false; // counted apart: a valid session's sign-in is the worst failure, an invalid one's is right
            case UNAVAILABLE -> {
                // nginx shows the 503 page for any failure of the auth subrequest; behind it a replica must have said 503.
                NginxAuthLog.Auth behind = auth.get(a.requestId());
                yield behind == null || !behind.last().equals("503") || behind.retryAfter().isEmpty() || behind.retryAfter().equals("-");
            }
            // No rule refuses these users (the stand-in API server lets them in): a 403 is wrong here.
            case FORBIDDEN, OTHER, HANG, RESET -> true;
        };
    }

    String mode() {
        return mode;
    }

    /** The top of RELIABILITY.md: how it was made and what is expected, for every mode alike. */
    static String header(FaultOptions o, String javaBin, List<FaultReport> reports, long elapsedMs) throws IOException, InterruptedException {
        StringBuilder s = new StringBuilder("# Reliability under faults\n\n");
        if (o.shortRun()) {
            s.append("**This is a short run** (`--short`, every fault a few seconds, the faults both modes share run in cookie mode only, "
                    + "for CI): it proves the harness and the correctness targets, its times and rates are not the full run's.\n\n");
        }
        s.append("Written by `").append(o.command()).append("` (bench/faults/README.md explains the harness). ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, `")
                .append(BenchRun.run(List.of(javaBin, "-version")).lines().findFirst().orElse("java").strip()).append("`, `")
                .append(BenchRun.run(List.of(BenchRun.which("nginx"), "-v")).strip()).append("`; the run took ")
                .append(elapsedMs / 1000).append(" s (");
        for (int i = 0; i < reports.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(reports.get(i).mode).append(" mode ").append(reports.get(i).elapsedMs / 1000).append(" s");
        }
        s.append(").\n\n");
        s.append(String.format(Locale.ROOT, "- %d sessions, each a real sign-in through nginx (%d of them the sign-ins whose refresh tokens "
                        + "Entra refuses in the invalid_grant fault; every %dth of the others calls the rbac-gated app), each calling through "
                        + "nginx at %.1f req/s for the whole run. A user sent to sign in signs in again at once, the whole way through nginx "
                        + "and the IdP, before calling on.%n", o.users(), FaultRun.VICTIM_SESSIONS, FaultRun.RBAC_EVERY, o.ratePerSecond()));
        s.append("- nginx is `ingress/nginx/nginx.conf.template` rendered from `ingress/ingress-nginx/protected-app.yaml` (as the tests render it), "
                + "its auth and public locations pointed at one upstream holding both replicas (nginx's defaults: round robin, the next "
                + "replica tried on a connection error).\n");
        s.append("- cookie mode: the session is in the encrypted cookie. redis mode (`AKS_AUTH_PROXY_SESSION_STORE=redis`): the cookie holds "
                + "a ticket, sessions and tokens are in a Redis master with one replica, found through three Sentinels "
                + "(`AKS_AUTH_PROXY_REDIS_SENTINELS`; Debian's redis-server and redis-sentinel; the master judged down after 1 s).\n");
        s.append(String.format(Locale.ROOT, "- tokens from the stand-in live %d s (the service renews one in use from 5 minutes before its "
                + "expiry and serves it until 1 minute before), so every active session's token is renewed about every %d s and each fault "
                + "falls inside renewals; session idle timeout %d s (cookies renewed every %d s); an answer later than %d s is a hang (a token request to Entra at its 5 s connect and 15 s read timeouts, "
                + "then an RBAC check at its 5 s for a connection and 5 s for the answer).%n",
                o.tokenLifetime(), o.tokenLifetime() - 300, o.idleTimeout(), o.idleTimeout() / 8, o.hangSeconds()));
        s.append("- Expected answers: 200 from the app with a bearer token; a redirect to sign in (the auth subrequest's 401) only for a session "
                + "that is no longer valid; 503 with Retry-After, and only when a replica answered 503 with Retry-After behind it "
                + "(nginx's auth log). Everything else is unexpected: a 500 or 502 behind the 503 page, a 403 (no rule refuses these "
                + "users), a 200 without a token, a reset, a hang.\n\n");
        return s.toString();
    }

    /** This mode's part of RELIABILITY.md. */
    String section() {
        StringBuilder s = new StringBuilder("## " + Character.toUpperCase(mode.charAt(0)) + mode.substring(1) + " mode\n\n");
        s.append(String.format(Locale.ROOT, "%d answers recorded in %d s.%n%n", answers.size(), elapsedMs / 1000));
        s.append("### Targets, per fault\n\n");
        s.append("The baseline is start-up (every session's first token minted at once while the replicas warm up): shown, "
                + "not judged. Recovery counts the valid sessions that had an answer other than 200 in the fault. Sessions sent to sign "
                + "in are distinct sessions whose request was answered with the redirect to sign in; signed in again, those whose "
                + "sign-in that followed worked (failed attempts in brackets: each is tried again on the next call).\n\n");
        s.append("| fault | answers | valid sessions sent to sign in (target 0) | unexpected (target 0) | 503 + Retry-After | "
                + "invalid sessions sent to sign in | signed in again (failed) | recovery: first / all 200 (target <= 5 s) | max latency | "
                + "ready replicas (min) |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            List<Answer> in = within(p.startMs(), p.quietEndMs());
            PhaseResult r = result(p, in);
            byPhase.put(p.name(), r);
            int maxLatency = in.stream().mapToInt(Answer::latencyMs).max().orElse(0);
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %d | %d (%d) | %s | %d ms | %s |%n", p.name(), r.answers(),
                    bold(r.validSignIns()), bold(r.unexpected()), r.unavailable(), r.invalidSignIns(), r.signedInAgain(), r.signInsFailed(),
                    recovery(r), maxLatency, minReady(p)));
            if (p.kind() == FaultRun.Kind.BASELINE) {
                // Start-up: every session's first token minted at once, on a machine also starting two JVMs.
                continue;
            }
            totalValidSignIns += r.validSignIns();
            totalUnexpected += r.unexpected();
            if (r.validSignIns() > 0) {
                missed.add(p.name() + ": " + r.validSignIns() + " valid sessions sent to sign in");
            }
            if (r.unexpected() > 0) {
                missed.add(p.name() + ": " + r.unexpected() + " unexpected answers");
            }
            if (r.unrecovered() > 0 || r.allRecoveryMs() > RECOVERY_TARGET_MS) {
                missed.add(p.name() + ": recovery " + recovery(r));
            }
            if (p.kind() == FaultRun.Kind.REDIS_EMPTY && (r.invalidSignIns() < sessions.size() || r.signedInAgain() < sessions.size())) {
                missed.add(p.name() + ": " + r.invalidSignIns() + " of " + sessions.size() + " sessions sent to sign in, " + r.signedInAgain()
                        + " signed in again");
            }
        }
        s.append('\n');
        s.append(missed.isEmpty() ? "Every target met.\n\n" : "**Missed:**\n\n" + missed.stream().map(m -> "- " + m + "\n").reduce("", String::concat) + "\n");

        s.append("### Requests to Entra\n\n");
        s.append("Token requests (sign-ins' code redemptions and renewals) counted twice: at the IdP front, answered or not, where a "
                + "refused or black-holed connection never arrives; and by the service itself, every replica's "
                + "`aks_auth_proxy_token_acquisitions_seconds_count` read every 5 s, which counts those too (one count can be two HTTP "
                + "requests: MSAL4J retries a 5xx once). Per minute is the count scaled to a minute; peak is the busiest 10 s at the "
                + "front, scaled the same.\n\n");
        s.append("| period | at the front | per minute | peak per minute (busiest 10 s) | made by the service (its metrics) | per minute |\n"
                + "|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            if (p.kind() == FaultRun.Kind.ENTRA || p.kind() == FaultRun.Kind.BASELINE || p.kind() == FaultRun.Kind.TOKEN_FILE
                    || p.kind() == FaultRun.Kind.REDIS_EMPTY) {
                s.append(rateRow(p.name() + ", during", p.startMs(), p.endMs()));
                if (p.quietEndMs() > p.endMs()) {
                    s.append(rateRow(p.name() + ", after", p.endMs(), p.quietEndMs()));
                }
            }
        }
        s.append(String.format(Locale.ROOT, "%nWith Retry-After honoured, a session whose renewal was refused asks again no sooner than "
                + "Retry-After (10 s in the 429 fault) plus up to 20%% jitter, from each replica (each remembers its own refusals), so at "
                + "most %d sessions x 2 replicas x 6 = %d requests per minute can reach Entra during it; without backoff every request "
                + "of every session would (%d per minute).%n%n",
                sessions.size(), sessions.size() * 12, Math.round(sessions.size() * o.ratePerSecond() * 60)));

        s.append("### Readiness and shutdown\n\n");
        s.append("Each replica's `/readyz`, every second: the fewest replicas ready at once in each fault is in the table above (a replica "
                + "that is down counts as not ready). Kubernetes takes a pod whose readiness fails out of the Service: zero ready "
                + "replicas is an outage even when the service could have answered.\n\n");
        for (String note : shutdownNotes) {
            s.append("- ").append(note).append('\n');
        }
        s.append("- the chart: ").append(chart).append(".\n\n");
        long retried = answers.stream().map(a -> auth.get(a.requestId())).filter(x -> x != null && x.retried()).count();
        s.append("nginx moved an auth subrequest to the other replica after a connection error ").append(retried).append(" times.\n\n");

        s.append("### The faults\n\n");
        for (Phase p : phases) {
            s.append(String.format(Locale.ROOT, "- **%s** (%.0f s from %.0f s of the run, then %.0f s quiet): %s.%s%n", p.name(),
                    (p.endMs() - p.startMs()) / 1000.0, p.startMs() / 1000.0, (p.quietEndMs() - p.endMs()) / 1000.0, p.what(), detail(p)));
        }
        s.append('\n');
        List<Answer> bad = answers.stream().filter(a -> unexpected(a) || a.outcome() == Outcome.SIGN_IN && a.valid()).limit(20).toList();
        if (!bad.isEmpty()) {
            s.append("### First unexpected answers\n\n| at (ms) | session | path | status | outcome | valid | behind (replica answers) |\n")
                    .append("|---|---|---|---|---|---|---|\n");
            for (Answer a : bad) {
                NginxAuthLog.Auth behind = auth.get(a.requestId());
                s.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %s | %s | %s |%n", a.startMs(), a.session(), a.path(), a.status(),
                        a.outcome(), a.valid(), behind == null ? "-" : String.join(", ", behind.statuses())));
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** Every answer, one line each, for a closer look than the report's (the harness's work directory). */
    void writeAnswers(java.nio.file.Path file) throws IOException {
        StringBuilder csv = new StringBuilder("start_ms,latency_ms,session,path,status,outcome,valid,request_id,replica_answers\n");
        for (Answer a : answers) {
            NginxAuthLog.Auth behind = auth.get(a.requestId());
            csv.append(a.startMs()).append(',').append(a.latencyMs()).append(',').append(a.session()).append(',').append(a.path()).append(',')
                    .append(a.status()).append(',').append(a.outcome()).append(',').append(a.valid()).append(',').append(a.requestId()).append(',')
                    .append(behind == null ? "" : String.join(" ", behind.statuses())).append('\n');
        }
        java.nio.file.Files.writeString(file, csv);
    }

    /** Each replica's cumulative counts as the requests made since its previous sample (a restarted replica counts from 0). */
    private static List<Acquisitions> attempts(List<Acquisitions> samples) {
        Map<Integer, Double> last = new HashMap<>();
        List<Acquisitions> made = new ArrayList<>();
        for (Acquisitions a : samples.stream().sorted(Comparator.comparingLong(Acquisitions::ms)).toList()) {
            double before = last.getOrDefault(a.replica(), 0.0);
            made.add(new Acquisitions(a.ms(), a.replica(), a.count() >= before ? a.count() - before : a.count()));
            last.put(a.replica(), a.count());
        }
        return made;
    }

    Results results() {
        return new Results(answers.size(), totalValidSignIns, totalUnexpected, Map.copyOf(byPhase), List.copyOf(missed));
    }

    private List<Answer> within(long fromMs, long toMs) {
        return answers.stream().filter(a -> a.startMs() >= fromMs && a.startMs() < toMs).toList();
    }

    private PhaseResult result(Phase p, List<Answer> in) {
        int ok = 0;
        int validSignIns = 0;
        int unavailable = 0;
        int unexpected = 0;
        for (Answer a : in) {
            switch (a.outcome()) {
                case OK -> ok++;
                case SIGN_IN -> {
                    if (a.valid()) {
                        validSignIns++;
                    }
                }
                case UNAVAILABLE -> unavailable++;
                default -> { }
            }
            if (unexpected(a)) {
                unexpected++;
            }
        }
        // Recovery: for every valid session that had an answer other than 200 in this fault, from the fault's end to its
        // first 200 after its last failure.
        Map<Integer, Long> lastFailure = new HashMap<>();
        for (Answer a : in) {
            if (a.valid() && a.outcome() != Outcome.OK) {
                lastFailure.put(a.session(), a.startMs());
            }
        }
        long first = Long.MAX_VALUE;
        long all = 0;
        int unrecovered = 0;
        for (Map.Entry<Integer, Long> e : lastFailure.entrySet()) {
            long after = e.getValue();
            // Its first 200 may come after the quiet period (a short run's is a few seconds): looked for in the whole run.
            long recovered = answers.stream().filter(a -> a.session() == e.getKey() && a.startMs() > after && a.outcome() == Outcome.OK)
                    .mapToLong(Answer::startMs).min().orElse(-1);
            if (recovered < 0) {
                unrecovered++;
                continue;
            }
            long ms = Math.max(0, recovered - p.endMs());
            first = Math.min(first, ms);
            all = Math.max(all, ms);
        }
        List<FaultLoad.SignIn> tried = signIns.stream().filter(x -> x.startMs() >= p.startMs() && x.startMs() < p.quietEndMs()).toList();
        int signedInAgain = (int) tried.stream().filter(FaultLoad.SignIn::ok).map(FaultLoad.SignIn::session).distinct().count();
        int signInsFailed = (int) tried.stream().filter(x -> !x.ok()).count();
        int sessionsSentInvalid = (int) in.stream().filter(a -> a.outcome() == Outcome.SIGN_IN && !a.valid()).map(Answer::session).distinct().count();
        return new PhaseResult(in.size(), ok, validSignIns, sessionsSentInvalid, unavailable, unexpected, first == Long.MAX_VALUE ? 0 : first, all,
                unrecovered, signedInAgain, signInsFailed);
    }

    private String detail(Phase p) {
        List<Answer> in = within(p.startMs(), p.quietEndMs());
        StringBuilder d = new StringBuilder();
        if (p.kind() == FaultRun.Kind.API_SERVER) {
            long rbacOk = in.stream().filter(a -> a.path().startsWith("/rbac")).filter(a -> a.outcome() == Outcome.OK).count();
            long rbac = in.stream().filter(a -> a.path().startsWith("/rbac")).count();
            long otherNotOk = in.stream().filter(a -> !a.path().startsWith("/rbac") && a.valid() && a.outcome() != Outcome.OK).count();
            d.append(String.format(Locale.ROOT, " Profile rbac: %d of %d answers 200 (the rest 503 with Retry-After or unexpected, above); "
                    + "the default profile: %d answers to valid sessions other than 200 (target 0).", rbacOk, rbac, otherNotOk));
        }
        if (p.kind() == FaultRun.Kind.ENTRA || p.kind() == FaultRun.Kind.TOKEN_FILE) {
            long during = within(p.startMs(), p.endMs()).stream().filter(Answer::valid).count();
            long okDuring = within(p.startMs(), p.endMs()).stream().filter(Answer::valid).filter(a -> a.outcome() == Outcome.OK).count();
            d.append(String.format(Locale.ROOT, " While it lasted, %d of %d answers to valid sessions were 200 from cached tokens.", okDuring,
                    during));
        }
        return d.toString();
    }

    private String rateRow(String label, long fromMs, long toMs) {
        long count = tokenRequests.stream().filter(t -> t >= fromMs && t < toMs).count();
        double minutes = Math.max(1, toMs - fromMs) / 60_000.0;
        long peak10 = 0;
        for (long w = fromMs; w < toMs; w += 1_000) {
            long start = w;
            long n = tokenRequests.stream().filter(t -> t >= start && t < Math.min(toMs, start + 10_000)).count();
            peak10 = Math.max(peak10, n);
        }
        double made = acquisitions.stream().filter(a -> a.ms() > fromMs && a.ms() <= toMs).mapToDouble(Acquisitions::count).sum();
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %d | %.0f | %.0f |%n", label, count, count / minutes, peak10 * 6, made,
                made / minutes);
    }

    private String minReady(Phase p) {
        Map<Long, Integer> readyPerSecond = new TreeMap<>();
        for (ReadinessSample r : readiness) {
            if (r.ms() >= p.startMs() && r.ms() < p.quietEndMs()) {
                readyPerSecond.merge(r.ms() / 1000, r.ready() ? 1 : 0, Integer::sum);
            }
        }
        int min = readyPerSecond.values().stream().mapToInt(Integer::intValue).min().orElse(-1);
        long zero = readyPerSecond.values().stream().filter(n -> n == 0).count();
        return min < 0 ? "-" : min + (zero > 0 ? " (**none ready for " + zero + " s**)" : "");
    }

    private static String recovery(PhaseResult r) {
        String s = r.firstRecoveryMs() / 1000.0 + " s / " + r.allRecoveryMs() / 1000.0 + " s";
        return r.unrecovered() > 0 ? s + ", **" + r.unrecovered() + " sessions never again**" : s;
    }

    private static String bold(int n) {
        return n == 0 ? "0" : "**" + n + "**";
    }
}
