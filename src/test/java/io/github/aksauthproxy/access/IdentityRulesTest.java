package io.github.aksauthproxy.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.AllowRules;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The allow rules of a profile, as documented in the README. */
class IdentityRulesTest {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String OID = "11111111-2222-3333-4444-555555555555";
    static final String GROUP = "aaaaaaaa-0000-0000-0000-000000000001";

    static final Optional<String> HOME = Optional.of(TENANT);

    /** A user of the configured tenant with that UPN. */
    static Subject user(String upn, String... groups) {
        return new Subject("sid", OID, TENANT, upn, "", false, List.of(groups));
    }

    static Optional<String> unmet(AllowRules rules, Subject s) {
        return IdentityRules.unmet(rules, s, HOME);
    }

    static AllowRules users(String... rules) {
        return new AllowRules(Set.of(), Set.of(), List.of(rules));
    }

    @Test
    void noRulesLetEveryoneIn() {
        assertThat(unmet(AllowRules.ANYONE, user("alice@contoso.com"))).isEmpty();
    }

    @Test
    void tenantRuleAdmitsOnlyListedTenants() {
        assertThat(unmet(new AllowRules(Set.of(TENANT), Set.of(), List.of()), user("alice@contoso.com"))).isEmpty();
        assertThat(unmet(new AllowRules(Set.of("00000000-0000-0000-0000-000000000001"), Set.of(), List.of()),
                user("alice@contoso.com"))).hasValue("tenant " + TENANT + " is not in allow.tenants");
    }

    @Test
    void groupRuleAdmitsMembersOnly() {
        AllowRules rules = new AllowRules(Set.of(), Set.of(GROUP), List.of());
        assertThat(unmet(rules, user("alice@contoso.com", GROUP.toUpperCase()))).isEmpty();
        assertThat(unmet(rules, user("alice@contoso.com", "aaaaaaaa-0000-0000-0000-000000000002")))
                .hasValue("no allow.groups or allow.users entry matches the user");
    }

    @Test
    void tenantAndGroupRulesMustBothHold() {
        AllowRules rules = new AllowRules(Set.of("00000000-0000-0000-0000-000000000001"), Set.of(GROUP), List.of());
        assertThat(unmet(rules, user("alice@contoso.com", GROUP))).isPresent();
    }

    @Test
    void userRuleMatchesObjectIdAddressOrDomain() {
        assertThat(unmet(users(OID), user("x@y.com"))).isEmpty();
        assertThat(unmet(users("alice@contoso.com"), user("Alice@Contoso.com"))).isEmpty();
        assertThat(unmet(users("@contoso.com"), user("bob@contoso.com"))).isEmpty();
        assertThat(unmet(users("@contoso.com"), user("bob@evilcontoso.com"))).isPresent();
        assertThat(unmet(users("@contoso.com"), user("bob@sub.contoso.com"))).isPresent();
        assertThat(unmet(users("alice@contoso.com"), user("bob@contoso.com"))).isPresent();
    }

    @Test
    void addressWithTwoAtSignsMatchesNoAddressOrDomainRule() {
        assertThat(unmet(users("@contoso.com"), user("mallory@evil.example@contoso.com"))).isPresent();
        assertThat(unmet(users("alice@contoso.com"), user("alice@contoso.com@evil.example"))).isPresent();
        assertThat(unmet(users("@contoso.com"), user("\"x@evil.example\"@contoso.com"))).isPresent();
    }

    @Test
    void groupOrUserRuleIsEnough() {
        AllowRules rules = new AllowRules(Set.of(), Set.of(GROUP), List.of("bob@contoso.com"));
        assertThat(unmet(rules, user("bob@contoso.com"))).isEmpty();
        assertThat(unmet(rules, user("carol@contoso.com", GROUP))).isEmpty();
        assertThat(unmet(rules, user("carol@contoso.com"))).isPresent();
    }

    @Test
    void upnOfAnotherTenantMatchesNoAddressRule() {
        Subject foreign = new Subject("sid", OID, "00000000-0000-0000-0000-000000000001", "bob@contoso.com", "", false, List.of());
        assertThat(unmet(users("bob@contoso.com"), foreign)).hasValue("no allow.groups or allow.users entry matches the user "
                + "(the UPN is not matched: tenant 00000000-0000-0000-0000-000000000001 is not the configured tenant)");
        assertThat(unmet(users(OID), foreign)).as("the object id always counts").isEmpty();
    }

    @Test
    void upnMatchesNoAddressRuleWhileTheConfiguredTenantsIdIsUnknown() {
        assertThat(IdentityRules.unmet(users("bob@contoso.com"), user("bob@contoso.com"), Optional.empty())).isPresent();
    }

    @Test
    void emailCountsOnlyWhenEntraMarksItsDomainVerified() {
        Subject unverified = new Subject("sid", OID, TENANT, "mallory@fabrikam.com", "bob@contoso.com", false, List.of());
        Subject verified = new Subject("sid", OID, TENANT, "bob.smith@fabrikam.com", "bob@contoso.com", true, List.of());
        assertThat(unmet(users("bob@contoso.com"), unverified)).hasValue("no allow.groups or allow.users entry matches the user "
                + "(the e-mail is not matched: Entra does not mark its domain verified (xms_edov))");
        assertThat(unmet(users("@contoso.com"), unverified)).isPresent();
        assertThat(unmet(users("bob@contoso.com"), verified)).isEmpty();
        assertThat(unmet(users("@contoso.com"), verified)).isEmpty();
    }
}
