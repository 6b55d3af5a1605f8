package io.github.aksauthproxy.access;

import io.github.aksauthproxy.config.AllowRules;
import java.util.Locale;
import java.util.Optional;

/** A profile's {@code allow} rules against who the subject is. Pure and cheap: no I/O. */
final class IdentityRules {
    private IdentityRules() {
    }

    /** Empty when the rules let the subject in, else the rule that did not. */
    static Optional<String> unmet(AllowRules rules, Subject s) {
        if (!rules.tenants().isEmpty() && !rules.tenants().contains(lower(s.tid()))) {
            return Optional.of("tenant " + s.tid() + " is not in allow.tenants");
        }
        if (rules.groups().isEmpty() && rules.users().isEmpty()) {
            return Optional.empty();
        }
        if (s.groups().stream().map(IdentityRules::lower).anyMatch(rules.groups()::contains)) {
            return Optional.empty();
        }
        if (rules.users().stream().anyMatch(rule -> matchesUser(rule, s))) {
            return Optional.empty();
        }
        return Optional.of("no allow.groups or allow.users entry matches the user");
    }

    private static boolean matchesUser(String rule, Subject s) {
        if (rule.indexOf('@') < 0) {
            return rule.equals(lower(s.oid()));
        }
        // An address counts only with exactly one '@': "alice@contoso.com"@evil.example must not pass as contoso.com.
        return s.addresses().stream().map(IdentityRules::lower).filter(IdentityRules::singleAt)
                .anyMatch(a -> rule.startsWith("@") ? a.endsWith(rule) : a.equals(rule));
    }

    private static boolean singleAt(String address) {
        int at = address.indexOf('@');
        return at > 0 && at == address.lastIndexOf('@') && at < address.length() - 1;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
