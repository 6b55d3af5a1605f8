package io.github.aksauthproxy.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.RedisProcess;
import io.github.aksauthproxy.session.CookieCodec;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionRejected;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions in a real redis-server, through their ticket cookies, as two replicas would see them. */
class RedisSessionsTest {
    static final Duration IDLE = Duration.ofMinutes(80);
    static final String OID = "0f5e4a1c-1111-4222-8333-944445555666";
    static final String RT = "0.AXkA-refresh-token-of-alice-" + "r".repeat(40);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final CookieKey KEY = CookieKey.of(bytes(32));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    @RegisterExtension
    final RedisServerExtension redis = new RedisServerExtension("--appendonly", "yes");
    private RedisProcess server;
    private RedisSessions replicaA;
    private RedisSessions replicaB;

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static Session alice(Instant now) {
        return new Session("", OID, "tenant-1", "alice@contoso.example", "Alice Example", "alice@contoso.example",
                List.of("group-a", "group-b"), new Secret(RT), now, now.plus(Duration.ofHours(12)), now);
    }

    @BeforeEach
    void start() {
        server = redis.server();
        replicaA = sessions(List.of(KEY));
        replicaB = sessions(List.of(KEY));
    }

    RedisSessions sessions(List<CookieKey> keys) {
        return new RedisSessions(redis.client(), new RedisKeyring(keys), clock, RANDOM, IDLE, List.of("aks", "monitor"));
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void sessionCreatedOnOneReplicaLoadsOnTheOtherFromATicketUnder200Bytes() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));

        RedisSessions.Lookup got = await(replicaB.load(created.cookieValue()));

        assertThat(created.cookieValue().length()).isLessThan(200);
        assertThat(got.rejected()).isNull();
        assertThat(got.session()).isEqualTo(created.session());
        assertThat(got.session().id()).isEqualTo(created.ref().name()).hasSize(32);
        assertThat(got.session().refreshToken().value()).isEqualTo(RT);
        assertThat(got.ref()).isEqualTo(created.ref());
    }

    @Test
    void upnVerifiedEmailAndStepUpSurviveTheRoundTripThroughRedis() throws Exception {
        Session fields = alice(clock.instant());
        Session stepped = new Session("", fields.oid(), fields.tid(), fields.user(), fields.name(), fields.email(), fields.groups(),
                fields.refreshToken(), fields.createdAt(), fields.expiresAt(), fields.lastSeen(), "alice@contoso.example", true,
                Optional.of("monitor"));

        Session got = await(replicaB.load(await(replicaA.create(stepped)).cookieValue())).session();

        assertThat(got.upn()).isEqualTo("alice@contoso.example");
        assertThat(got.emailVerified()).isTrue();
        assertThat(got.stepUp()).hasValue("monitor");
    }

    @Test
    void recordLivesForWhatIsLeftOfTheLifetime() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant().minus(Duration.ofHours(2)))));

        long ttl = Long.parseLong(server.command("PTTL", created.ref().recordKey()).substring(1));
        assertThat(ttl).isBetween(Duration.ofHours(10).minusSeconds(5).toMillis(), Duration.ofHours(10).toMillis());
    }

    @Test
    void tamperedTruncatedAndForeignTicketsAreRejectedWithTheirReason() throws Exception {
        String ticket = await(replicaA.create(alice(clock.instant()))).cookieValue();
        char last = ticket.charAt(ticket.length() - 2);
        String tampered = ticket.substring(0, ticket.length() - 2) + (last == 'A' ? 'B' : 'A') + ticket.charAt(ticket.length() - 1);
        RedisSessions otherKey = sessions(List.of(CookieKey.of(bytes(32))));
        String cookieStoreValue = new CookieCodec(List.of(KEY)).encrypt("session", new JsonObject().put("sid", "x"));

        assertThat(await(replicaA.load(tampered)).rejected()).isEqualTo(SessionRejected.DECRYPTION_FAILED);
        assertThat(await(replicaA.load(ticket.substring(0, ticket.length() - 10))).rejected()).isEqualTo(SessionRejected.MALFORMED);
        assertThat(await(replicaA.load(ticket.substring(0, 20))).rejected()).isEqualTo(SessionRejected.MALFORMED);
        assertThat(await(otherKey.load(ticket)).rejected()).isEqualTo(SessionRejected.UNKNOWN_KEY);
        assertThat(await(replicaA.load(cookieStoreValue)).rejected()).isEqualTo(SessionRejected.MALFORMED);
        assertThat(await(replicaA.load("t1.%%%.***")).rejected()).isIn(SessionRejected.UNKNOWN_KEY, SessionRejected.MALFORMED);
    }

    /** Opened tickets are kept by cookie value: one altered anywhere is opened (and refused) on its own. */
    @Test
    void ticketAlteredAfterTheOriginalWasAcceptedIsRefused() throws Exception {
        String ticket = await(replicaA.create(alice(clock.instant()))).cookieValue();
        assertThat(await(replicaA.load(ticket)).ok()).isTrue();
        for (int at : new int[] {ticket.length() / 2, ticket.length() - 2}) {
            String altered = ticket.substring(0, at) + (ticket.charAt(at) == 'A' ? 'B' : 'A') + ticket.substring(at + 1);

            RedisSessions.Lookup refused = await(replicaA.load(altered));

            assertThat(refused.ok()).as("altered at %d", at).isFalse();
            assertThat(refused.rejected()).isIn(SessionRejected.DECRYPTION_FAILED, SessionRejected.MALFORMED, SessionRejected.UNKNOWN_KEY);
        }
        assertThat(await(replicaA.load(ticket)).ok()).isTrue();
    }

    @Test
    void ticketSurvivesCookieKeyRotation() throws Exception {
        String ticket = await(replicaA.create(alice(clock.instant()))).cookieValue();
        RedisSessions rotated = sessions(List.of(CookieKey.of(bytes(32)), KEY));

        assertThat(await(rotated.load(ticket)).ok()).isTrue();
    }

    @Test
    void afterARotationATicketIsResealedWithTheNewKeyWhichAloneOpensItForTheSameSession() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        String ticket = created.cookieValue();
        CookieKey next = CookieKey.of(bytes(32));
        RedisSessions rotated = sessions(List.of(next, KEY));
        RedisSessions oldKeyDropped = sessions(List.of(next));

        assertThat(replicaA.resealed(ticket)).as("sealed with the current key already").isEmpty();
        String resealed = rotated.resealed(ticket).orElseThrow();

        assertThat(resealed).isNotEqualTo(ticket).startsWith("t1." + next.id() + ".");
        assertThat(rotated.resealed(resealed)).as("moved on once only").isEmpty();
        RedisSessions.Lookup lookup = await(oldKeyDropped.load(resealed));
        assertThat(lookup.ok()).isTrue();
        assertThat(lookup.session().id()).isEqualTo(created.session().id());
        assertThat(await(oldKeyDropped.load(ticket)).rejected()).as("the old ticket once its key is gone").isEqualTo(SessionRejected.UNKNOWN_KEY);
        assertThat(rotated.resealed("t1." + KEY.id() + ".not-a-ticket")).as("garbage is never resealed").isEmpty();
        assertThat(rotated.resealed(ticket.substring(0, ticket.length() - 2) + (ticket.endsWith("A") ? "BB" : "AA")))
                .as("an altered ticket is never resealed").isEmpty();
    }

    @Test
    void tamperedRecordIsATypedRejectionNotAnException() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        server.changeByte(created.ref().recordKey(), 40);

        assertThat(await(replicaB.load(created.cookieValue())).rejected()).isEqualTo(SessionRejected.RECORD_TAMPERED);
    }

    @Test
    void aPendingStepUpIsReadAtAnotherReplicaSealedAndIgnoredWhenChangedOrCopied() throws Exception {
        RedisSessions.Created alice = await(replicaA.create(alice(clock.instant())));
        RedisSessions.Created other = await(replicaA.create(alice(clock.instant())));
        io.github.aksauthproxy.entra.StepUp stepUp = new io.github.aksauthproxy.entra.StepUp("monitor",
                List.of("https://prometheus.monitor.azure.com/.default"), Optional.of("{\"access_token\":{\"acrs\":{\"values\":[\"c1\"]}}}"));

        await(replicaA.rememberStepUp(alice.ref(), stepUp, Duration.ofHours(1)));

        assertThat(await(replicaB.pendingStepUp(alice.cookieValue()))).hasValue(stepUp);
        assertThat(await(replicaB.pendingStepUp(other.cookieValue()))).as("another session's").isEmpty();
        assertThat(server.command("GET", alice.ref().stepUpKey())).doesNotContain("acrs").doesNotContain("monitor");
        long ttl = Long.parseLong(server.command("PTTL", alice.ref().stepUpKey()).substring(1));
        assertThat(ttl).isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis());

        server.command("COPY", alice.ref().stepUpKey(), other.ref().stepUpKey(), "REPLACE");
        assertThat(await(replicaB.pendingStepUp(other.cookieValue()))).as("copied under another session").isEmpty();
        server.changeByte(alice.ref().stepUpKey(), 30);
        assertThat(await(replicaB.pendingStepUp(alice.cookieValue()))).as("changed").isEmpty();
    }

    @Test
    void recordCopiedUnderAnotherSessionsNameFailsAuthentication() throws Exception {
        RedisSessions.Created alice = await(replicaA.create(alice(clock.instant())));
        RedisSessions.Created other = await(replicaA.create(alice(clock.instant())));
        server.command("COPY", alice.ref().recordKey(), other.ref().recordKey(), "REPLACE");

        assertThat(await(replicaB.load(other.cookieValue())).rejected()).isEqualTo(SessionRejected.RECORD_TAMPERED);
    }

    @Test
    void lastSeenIsWrittenOnlyOnceAnEighthOfTheIdleTimeoutHasPassed() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        String before = server.command("GET", created.ref().recordKey());

        clock.advance(IDLE.dividedBy(8).minusSeconds(1));
        assertThat(await(replicaB.load(created.cookieValue())).session().lastSeen()).isEqualTo(created.session().lastSeen());
        assertThat(server.command("GET", created.ref().recordKey())).isEqualTo(before);

        clock.advance(Duration.ofSeconds(1));
        assertThat(await(replicaB.load(created.cookieValue())).session().lastSeen()).isEqualTo(clock.instant());
        assertThat(server.command("GET", created.ref().recordKey())).isNotEqualTo(before);
        assertThat(await(replicaA.load(created.cookieValue())).session().lastSeen()).isEqualTo(clock.instant());
    }

    @Test
    void idleSessionEndsAndIsDeleted() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        await(replicaB.load(created.cookieValue()));
        clock.advance(IDLE);

        RedisSessions.Lookup idle = await(replicaB.load(created.cookieValue()));

        assertThat(idle.rejected()).isEqualTo(SessionRejected.IDLE_EXPIRED);
        assertThat(idle.expired().user()).isEqualTo("alice@contoso.example");
        assertThat(server.command("EXISTS", created.ref().recordKey())).isEqualTo(":0");
        assertThat(await(replicaA.load(created.cookieValue())).rejected()).isEqualTo(SessionRejected.NOT_IN_STORE);
    }

    @Test
    void sessionPastItsLifetimeIsExpiredEvenWhenActive() throws Exception {
        Instant start = clock.instant();
        RedisSessions.Created created = await(replicaA.create(alice(start)));
        for (int hour = 1; hour <= 12; hour++) {
            clock.advance(Duration.ofHours(1));
            RedisSessions.Lookup l = await(replicaA.load(created.cookieValue()));
            assertThat(l.rejected()).as("hour %d", hour).isEqualTo(hour < 12 ? null : SessionRejected.EXPIRED);
        }
    }

    @Test
    void requestsOfOneSessionThatMissAtOnceShareOneRead() throws Exception {
        // Replica B's revocation subscription first: reads are shared only within one revocation generation, and the
        // subscription's confirmation starts a new one (CI once saw 4 GETs when it arrived among the 32 loads). A load
        // that made no GET does not show it: a load can share a read that has just ended.
        Within.until(Duration.ofSeconds(5), "replica B to hear revocations", replicaB::hearsRevocations);
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        long gets = calls(server, "get");

        List<CompletableFuture<RedisSessions.Lookup>> loads = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            loads.add(replicaB.load(created.cookieValue()).toCompletableFuture());
        }

        for (CompletableFuture<RedisSessions.Lookup> l : loads) {
            assertThat(await(l).session()).isEqualTo(created.session());
        }
        assertThat(calls(server, "get") - gets).as("GETs for 32 requests that missed at once").isEqualTo(1);
    }

    @Test
    void revocationOnOneReplicaEndsTheSessionKeptInMemoryOnTheOtherWithinOneSecond() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        List<String> told = new CopyOnWriteArrayList<>();
        replicaB.onRevoked(told::add);
        Within.until(Duration.ofSeconds(5), "replica B to hear revocations", replicaB::hearsRevocations);
        assertThat(await(replicaB.load(created.cookieValue())).ok()).isTrue();
        long gets = calls(server, "get");
        assertThat(await(replicaB.load(created.cookieValue())).ok()).isTrue();
        assertThat(calls(server, "get")).as("replica B answers from memory").isEqualTo(gets);

        assertThat(await(replicaA.revoke(created.ref()))).isTrue();

        Duration took = Within.until(Duration.ofSeconds(1), "replica B to refuse the revoked session",
                () -> await(replicaB.load(created.cookieValue())).rejected() == SessionRejected.NOT_IN_STORE);
        assertThat(took).isLessThan(Duration.ofSeconds(1));
        // The message drops the kept copy first, then tells the listeners (the token cache), on Redis's thread: a
        // request can be refused a moment before they are told.
        Within.until(Duration.ofSeconds(1), "replica B's listeners to be told", () -> !told.isEmpty());
        assertThat(told).containsExactly(created.session().id());
        assertThat(server.command("HLEN", created.ref().indexKey())).isEqualTo(":0");
    }

    /** How often the server has run a command, from INFO commandstats. */
    static long calls(RedisProcess server, String command) {
        for (String line : server.command("INFO", "commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    void redisStoppedIsAFailureNeverAMissingSessionAndTheSessionIsBackWithRedis() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));
        server.stop();

        assertThatThrownBy(() -> await(replicaB.load(created.cookieValue()))).isInstanceOf(RedisUnavailable.class);

        server.startAgain();
        Within.until(Duration.ofSeconds(10), "the session to load again", () -> await(replicaB.load(created.cookieValue())).ok());
    }

    @Test
    void operatorListsAndRevokesAUsersSessionsByObjectIdOrName() throws Exception {
        RedisSessions.Created one = await(replicaA.create(alice(clock.instant())));
        RedisSessions.Created two = await(replicaB.create(alice(clock.instant())));
        Session bob = new Session("", "9a9a9a9a-1111-4222-8333-944445555666", "tenant-1", "bob@contoso.example", "Bob", "",
                List.of(), new Secret("rt-bob"), clock.instant(), clock.instant().plus(Duration.ofHours(1)), clock.instant());
        RedisSessions.Created bobs = await(replicaA.create(bob));
        SessionAdmin admin = new SessionAdmin(redis.client(), replicaA, clock);

        assertThat(await(admin.list(Optional.of(OID)))).extracting(SessionAdmin.Summary::user)
                .containsExactly("alice@contoso.example", "alice@contoso.example");
        assertThat(await(admin.list(Optional.empty()))).hasSize(3);
        assertThat(await(admin.list(Optional.of("ALICE@contoso.example")))).extracting(SessionAdmin.Summary::sidHash)
                .containsExactlyInAnyOrder(io.github.aksauthproxy.session.Session.sidHash(one.session().id()), io.github.aksauthproxy.session.Session.sidHash(two.session().id()));

        assertThat(await(admin.revokeUser("alice@contoso.example"))).hasSize(2);
        assertThat(await(replicaA.load(one.cookieValue())).rejected()).isEqualTo(SessionRejected.NOT_IN_STORE);
        assertThat(await(replicaB.load(two.cookieValue())).rejected()).isEqualTo(SessionRejected.NOT_IN_STORE);
        assertThat(await(replicaA.load(bobs.cookieValue())).ok()).isTrue();

        assertThat(await(admin.revokeSession(io.github.aksauthproxy.session.Session.sidHash(bobs.session().id())))).extracting(SessionAdmin.Summary::user).containsExactly("bob@contoso.example");
        assertThat(await(replicaA.load(bobs.cookieValue())).rejected()).isEqualTo(SessionRejected.NOT_IN_STORE);
        assertThat(await(admin.list(Optional.empty()))).isEmpty();
    }

    @Test
    void userIndexKeyNamesNoUser() throws Exception {
        RedisSessions.Created created = await(replicaA.create(alice(clock.instant())));

        assertThat(server.command("KEYS", "*")).doesNotContain(OID).doesNotContain("alice")
                .contains(created.ref().indexKey()).contains(created.ref().recordKey());
        assertThat(Base64.getUrlDecoder().decode(created.cookieValue().split("\\.")[2])).hasSize(12 + 60 + 16);
    }
}
