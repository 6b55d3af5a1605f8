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
 * RELIABILITY.md: per fault, what the users saw (valid sessions sent to sign in, answers outside the expected set,
 * 503s with Retry-After), the token requests Entra received, the time to recover, and how many replicas were ready.
 * The correctness targets (no valid session answered 401, no unexpected answer) are what {@link Results} carries for
 * the CI test.
 */
final class FaultReport {
    static final long RECOVERY_TARGET_MS = 5_000;

    private final FaultOptions o;
    private final List<Phase> phases;
    private final List<Answer> answers;
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

    /** One fault's figures. */
    record PhaseResult(int answers, int ok, int validSignIns, int invalidSignIns, int unavailable, int unexpected, long firstRecoveryMs,
                       long allRecoveryMs, int unrecovered) {
    }

    FaultReport(FaultOptions o, List<Phase> phases, List<Answer> answers, List<FaultLoad.Session> sessions, List<Long> tokenRequests,
                Map<String, NginxAuthLog.Auth> auth, List<ReadinessSample> readiness, List<String> shutdownNotes, String chart, long elapsedMs) {
        this.o = o;
        this.phases = phases;
        this.answers = answers.stream().sorted(Comparator.comparingLong(Answer::startMs)).toList();
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

    String markdown(String javaBin) throws IOException, InterruptedException {
        StringBuilder s = new StringBuilder("# Reliability under faults\n\n");
        if (o.shortRun()) {
            s.append("**This is a short run** (`--short`, every fault a few seconds, for CI): it proves the harness and the correctness "
                    + "targets, its times and rates are not the full run's.\n\n");
        }
        s.append("Written by `").append(o.command()).append("` (bench/faults/README.md explains the harness). ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, `")
                .append(BenchRun.run(List.of(javaBin, "-version")).lines().findFirst().orElse("java").strip()).append("`, `")
                .append(BenchRun.run(List.of(BenchRun.which("nginx"), "-v")).strip()).append("`; the run took ")
                .append(elapsedMs / 1000).append(" s.\n\n");
        s.append(String.format(Locale.ROOT, "- %d sessions (%d of them one user's whose refresh token Entra refuses in the invalid_grant fault; "
                        + "every %dth of the others calls the rbac-gated app), each calling through nginx at %.1f req/s for the whole run: "
                        + "**%d answers recorded**.%n", sessions.size(), FaultRun.VICTIM_SESSIONS, FaultRun.RBAC_EVERY, o.ratePerSecond(),
                answers.size()));
        s.append("- nginx is `ingress/nginx/nginx.conf.template` rendered from `ingress/ingress-nginx/protected-app.yaml` (as the tests render it), "
                + "its auth and public locations pointed at one upstream holding both replicas (nginx's defaults: round robin, the next "
                + "replica tried on a connection error).\n");
        s.append(String.format(Locale.ROOT, "- tokens from the stand-in live %d s (the service renews one in use from 5 minutes before its "
                + "expiry and serves it until 1 minute before), so every active session's token is renewed about every %d s and each fault "
                + "falls inside renewals; session idle timeout %d s (cookies renewed every %d s); an answer later than %d s is a hang (a token request to Entra at its 5 s connect and 15 s read timeouts, "
                + "then an RBAC check at its 5 s for a connection and 5 s for the answer).%n",
                o.tokenLifetime(), o.tokenLifetime() - 300, o.idleTimeout(), o.idleTimeout() / 8, o.hangSeconds()));
        s.append("- Expected answers: 200 from the app with a bearer token; a redirect to sign in (the auth subrequest's 401) only for a session "
                + "that is no longer valid; 503 with Retry-After, and only when a replica answered 503 with Retry-After behind it "
                + "(nginx's auth log). Everything else is unexpected: a 500 or 502 behind the 503 page, a 403 (no rule refuses these "
                + "users), a 200 without a token, a reset, a hang.\n\n");

        s.append("## Targets, per fault\n\n");
        s.append("The baseline is start-up (every session's first token minted at once while the replicas warm up): shown, "
                + "not judged. Recovery counts the valid sessions that had an answer other than 200 in the fault.\n\n");
        s.append("| fault | answers | valid sessions sent to sign in (target 0) | unexpected (target 0) | 503 + Retry-After | "
                + "invalid sessions sent to sign in | recovery: first / all 200 (target <= 5 s) | max latency | ready replicas (min) |\n");
        s.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            List<Answer> in = within(p.startMs(), p.quietEndMs());
            PhaseResult r = result(p, in);
            byPhase.put(p.name(), r);
            int maxLatency = in.stream().mapToInt(Answer::latencyMs).max().orElse(0);
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %d | %s | %d ms | %s |%n", p.name(), r.answers(),
                    bold(r.validSignIns()), bold(r.unexpected()), r.unavailable(), r.invalidSignIns(), recovery(r), maxLatency, minReady(p)));
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
        }
        s.append('\n');
        s.append(missed.isEmpty() ? "Every target met.\n\n" : "**Missed:**\n\n" + missed.stream().map(m -> "- " + m + "\n").reduce("", String::concat) + "\n");

        s.append("## Requests to Entra\n\n");
        s.append("Token requests the service made (counted at the IdP front, answered or not; a refused or black-holed connection is not "
                + "a request and is not counted). Per minute is the count scaled to a minute; peak is the busiest 10 s, scaled the same.\n\n");
        s.append("| period | token requests | per minute | peak per minute (busiest 10 s) |\n|---|---|---|---|\n");
        for (Phase p : phases) {
            if (p.kind() == FaultRun.Kind.ENTRA || p.kind() == FaultRun.Kind.BASELINE || p.kind() == FaultRun.Kind.TOKEN_FILE) {
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

        s.append("## Readiness and shutdown\n\n");
        s.append("Each replica's `/readyz`, every second: the fewest replicas ready at once in each fault is in the table above (a replica "
                + "that is down counts as not ready). Kubernetes takes a pod whose readiness fails out of the Service: zero ready "
                + "replicas is an outage even when the service could have answered.\n\n");
        for (String note : shutdownNotes) {
            s.append("- ").append(note).append('\n');
        }
        s.append("- the chart: ").append(chart).append(".\n\n");
        long retried = answers.stream().map(a -> auth.get(a.requestId())).filter(x -> x != null && x.retried()).count();
        s.append("nginx moved an auth subrequest to the other replica after a connection error ").append(retried).append(" times.\n\n");

        s.append("## The faults\n\n");
        for (Phase p : phases) {
            s.append(String.format(Locale.ROOT, "- **%s** (%.0f s from %.0f s of the run, then %.0f s quiet): %s.%s%n", p.name(),
                    (p.endMs() - p.startMs()) / 1000.0, p.startMs() / 1000.0, (p.quietEndMs() - p.endMs()) / 1000.0, p.what(), detail(p)));
        }
        s.append('\n');
        List<Answer> bad = answers.stream().filter(a -> unexpected(a) || a.outcome() == Outcome.SIGN_IN && a.valid()).limit(20).toList();
        if (!bad.isEmpty()) {
            s.append("## First unexpected answers\n\n| at (ms) | session | path | status | outcome | valid | behind (replica answers) |\n")
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

    Results results() {
        return new Results(answers.size(), totalValidSignIns, totalUnexpected, Map.copyOf(byPhase), List.copyOf(missed));
    }

    private List<Answer> within(long fromMs, long toMs) {
        return answers.stream().filter(a -> a.startMs() >= fromMs && a.startMs() < toMs).toList();
    }

    private PhaseResult result(Phase p, List<Answer> in) {
        int ok = 0;
        int validSignIns = 0;
        int invalidSignIns = 0;
        int unavailable = 0;
        int unexpected = 0;
        for (Answer a : in) {
            switch (a.outcome()) {
                case OK -> ok++;
                case SIGN_IN -> {
                    if (a.valid()) {
                        validSignIns++;
                    } else {
                        invalidSignIns++;
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
        return new PhaseResult(in.size(), ok, validSignIns, invalidSignIns, unavailable, unexpected, first == Long.MAX_VALUE ? 0 : first, all,
                unrecovered);
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
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %d |%n", label, count, count / minutes, peak10 * 6);
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
