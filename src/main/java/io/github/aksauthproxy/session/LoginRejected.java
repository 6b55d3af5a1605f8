package io.github.aksauthproxy.session;

/** Why a callback cannot be matched to a sign-in this browser started. */
public enum LoginRejected {
    BAD_STATE("the callback carries no well-formed state parameter"),
    NO_LOGIN_COOKIE("no sign-in cookie for this state: the sign-in was started in another browser, already completed, or its cookie expired"),
    UNREADABLE_LOGIN_COOKIE("the sign-in cookie cannot be decrypted (tampered, or made with a key no longer configured)"),
    STATE_MISMATCH("the sign-in cookie belongs to another state"),
    TOO_OLD("the sign-in took longer than 10 minutes"),
    REPLAYED("this state was already used by a completed sign-in (replayed callback)");

    private final String reason;

    LoginRejected(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
