package io.github.aksauthproxy.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.fuzz.ClientValues;
import io.github.aksauthproxy.fuzz.FuzzBudget;
import io.github.aksauthproxy.session.SessionRejected;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The redis store's ticket cookie, fed what a client can send: a ticket or a typed rejection, never an exception; a
 * ticket changed anywhere is rejected unless the change left its sealed bytes as they were.
 */
@AddLifecycleHook(FuzzBudget.class)
class TicketCodecPropertyTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final CookieKey KEY = CookieKey.of(bytes(32));
    private static final CookieKey OLD_KEY = CookieKey.of(bytes(32));
    private static final TicketCodec CODEC = new TicketCodec(new RedisKeyring(List.of(KEY, OLD_KEY)), RANDOM);
    private static final SessionTicket TICKET = new SessionTicket(bytes(16), bytes(32), bytes(12));
    private static final String VALID = CODEC.encode(TICKET);
    private static final String OLD_KEY_VALUE = new TicketCodec(new RedisKeyring(List.of(OLD_KEY)), RANDOM).encode(TICKET);
    private static final String OTHER_SERVICE = new TicketCodec(new RedisKeyring(List.of(CookieKey.of(bytes(32)))), RANDOM).encode(TICKET);

    @Property(tries = 800)
    void anyValueIsATicketOrATypedRejection(@ForAll("clientValues") String value) {
        TicketCodec.Decoded d = CODEC.decode(value);
        assertThat(d.ok()).as("exactly one of ticket and rejection").isEqualTo(d.rejected() == null);
        if (d.ok()) {
            assertThat(sameBytes(VALID, value) || sameBytes(OLD_KEY_VALUE, value)).as("accepted only as a ticket that was sealed").isTrue();
            assertThat(d.ticket()).isEqualTo(TICKET);
        }
    }

    @Property(tries = 800)
    void aChangedTicketIsRejectedUnlessItsSealedBytesAreUnchanged(@ForAll("tampered") String value) {
        TicketCodec.Decoded d = CODEC.decode(value);
        // Two changes may splice the whole of the old key's ticket in: that one is as valid as the original.
        if (d.ok()) {
            assertThat(sameBytes(VALID, value) || sameBytes(OLD_KEY_VALUE, value)).as("accepted only unchanged").isTrue();
            assertThat(d.ticket()).isEqualTo(TICKET);
        }
    }

    @Property(tries = 200)
    void everyTicketSurvivesTheRoundTripUnderItsKeyOnly(@ForAll("tickets") SessionTicket ticket) {
        String value = CODEC.encode(ticket);
        assertThat(CODEC.decode(value).ticket()).isEqualTo(ticket);
        assertThat(new TicketCodec(new RedisKeyring(List.of(OLD_KEY)), RANDOM).decode(value).rejected()).isEqualTo(SessionRejected.UNKNOWN_KEY);
    }

    @Provide
    Arbitrary<String> clientValues() {
        return Arbitraries.oneOf(ClientValues.junk(), ClientValues.forged(), tampered(), Arbitraries.of(VALID, OLD_KEY_VALUE, OTHER_SERVICE));
    }

    @Provide
    Arbitrary<String> tampered() {
        return ClientValues.tampered(VALID, List.of(OLD_KEY_VALUE, OTHER_SERVICE));
    }

    @Provide
    Arbitrary<SessionTicket> tickets() {
        Arbitrary<byte[]> id = Arbitraries.bytes().array(byte[].class).ofSize(16);
        Arbitrary<byte[]> key = Arbitraries.bytes().array(byte[].class).ofSize(32);
        Arbitrary<byte[]> tag = Arbitraries.bytes().array(byte[].class).ofSize(12);
        return Combinators.combine(id, key, tag).as(SessionTicket::new);
    }

    /** The version and key id must be as written (they are the associated data); the sealed part may differ only in unused bits. */
    private static boolean sameBytes(String original, String candidate) {
        return ClientValues.sameBytes(original, candidate, 2, s -> Base64.getUrlDecoder().decode(s));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
