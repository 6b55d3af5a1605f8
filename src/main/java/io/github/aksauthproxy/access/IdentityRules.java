package io.github.aksauthproxy.access;

import io.github.aksauthproxy.config.AllowRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A profile's {@code allow} rules against who the subject is. Pure and cheap: no I/O.
 *
 * <p>Address and domain entries match only addresses Entra vouches for (Microsoft: "Migrate away from using email
 * claims for user identification or authorization"): the UPN of a user of the configured tenant, whose
 * administrators decide it, and the e-mail when Entra marks its domain verified ({@code xms_edov}). An unverified
 * {@code email} is whatever a user without a mailbox, or another tenant's admin, typed in; another tenant's UPN or
 * {@code preferred_username} is that tenant's to choose. Object ids always count.
 */
final class IdentityRules {
    private IdentityRules() {
    }

    /**
     * Empty when the rules let the subject in, else the rule that did not.
     *
     * @param homeTenant the configured tenant's id; when unknown, no UPN is matched
     */
    static Optional<String> unmet(AllowRules rules, Subject s, Optional<String> homeTenant) {
        if (!tenantAllowed(rules, s)) {
            return Optional.of("tenant " + s.tid() + " is not in allow.tenants");
        }
        if (rules.groups().isEmpty() && rules.users().isEmpty()) {
            return Optional.empty();
        }
        if (s.groups().stream().map(IdentityRules::lower).anyMatch(rules.groups()::contains)) {
            return Optional.empty();
        }
        String oid = lower(s.oid());
        if (rules.users().stream().anyMatch(oid::equals)) {
            return Optional.empty();
        }
        List<String> addresses = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        if (!s.upn().isEmpty()) {
            if (homeTenant.isPresent() && homeTenant.get().equals(lower(s.tid()))) {
                addresses.add(lower(s.upn()));
            } else {
                ignored.add(homeTenant.isEmpty() ? "the UPN is not matched: the configured tenant's id is not known yet"
                        : "the UPN is not matched: tenant " + s.tid() + " is not the configured tenant");
            }
        }
        if (!s.email().isEmpty()) {
            if (s.emailVerified()) {
                addresses.add(lower(s.email()));
            } else {
                ignored.add("the e-mail is not matched: Entra does not mark its domain verified (xms_edov)");
            }
        }
        // An address counts only with exactly one '@': "alice@contoso.com"@evil.example must not pass as contoso.com.
        if (rules.users().stream().filter(rule -> rule.indexOf('@') >= 0).anyMatch(rule -> addresses.stream()
                .filter(IdentityRules::singleAt).anyMatch(a -> rule.startsWith("@") ? a.endsWith(rule) : a.equals(rule)))) {
            return Optional.empty();
        }
        boolean addressRules = rules.users().stream().anyMatch(rule -> rule.indexOf('@') >= 0);
        return Optional.of("no allow.groups or allow.users entry matches the user"
                + (addressRules && !ignored.isEmpty() ? " (" + String.join("; ", ignored) + ")" : ""));
    }

    /** The tenant rule alone: no {@code allow.tenants}, or it lists the subject's tenant. */
    static boolean tenantAllowed(AllowRules rules, Subject s) {
        return rules.tenants().isEmpty() || rules.tenants().contains(lower(s.tid()));
    }

    private static boolean singleAt(String address) {
        int at = address.indexOf('@');
        return at > 0 && at == address.lastIndexOf('@') && at < address.length() - 1;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
