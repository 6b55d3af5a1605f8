package io.github.aksauthproxy.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.AllowRules;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The allow rules of a profile, as documented in the README. */
class IdentityRulesTest {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String OID = "11111111-2222-3333-4444-555555555555";
    static final String GROUP = "aaaaaaaa-0000-0000-0000-000000000001";

    static Subject user(String address, String... groups) {
        return new Subject("sid", OID, TENANT, List.of(address), List.of(groups));
    }

    static AllowRules users(String... rules) {
        return new AllowRules(Set.of(), Set.of(), List.of(rules));
    }

    @Test
    void noRulesLetEveryoneIn() {
        assertThat(IdentityRules.unmet(AllowRules.ANYONE, user("alice@contoso.com"))).isEmpty();
    }

    @Test
    void tenantRuleAdmitsOnlyListedTenants() {
        assertThat(IdentityRules.unmet(new AllowRules(Set.of(TENANT), Set.of(), List.of()), user("alice@contoso.com"))).isEmpty();
        assertThat(IdentityRules.unmet(new AllowRules(Set.of("00000000-0000-0000-0000-000000000001"), Set.of(), List.of()),
                user("alice@contoso.com"))).hasValue("tenant " + TENANT + " is not in allow.tenants");
    }

    @Test
    void groupRuleAdmitsMembersOnly() {
        AllowRules rules = new AllowRules(Set.of(), Set.of(GROUP), List.of());
        assertThat(IdentityRules.unmet(rules, user("alice@contoso.com", GROUP.toUpperCase()))).isEmpty();
        assertThat(IdentityRules.unmet(rules, user("alice@contoso.com", "aaaaaaaa-0000-0000-0000-000000000002")))
                .hasValue("no allow.groups or allow.users entry matches the user");
    }

    @Test
    void tenantAndGroupRulesMustBothHold() {
        AllowRules rules = new AllowRules(Set.of("00000000-0000-0000-0000-000000000001"), Set.of(GROUP), List.of());
        assertThat(IdentityRules.unmet(rules, user("alice@contoso.com", GROUP))).isPresent();
    }

    @Test
    void userRuleMatchesObjectIdAddressOrDomain() {
        assertThat(IdentityRules.unmet(users(OID), user("x@y.com"))).isEmpty();
        assertThat(IdentityRules.unmet(users("alice@contoso.com"), user("Alice@Contoso.com"))).isEmpty();
        assertThat(IdentityRules.unmet(users("@contoso.com"), user("bob@contoso.com"))).isEmpty();
        assertThat(IdentityRules.unmet(users("@contoso.com"), user("bob@evilcontoso.com"))).isPresent();
        assertThat(IdentityRules.unmet(users("@contoso.com"), user("bob@sub.contoso.com"))).isPresent();
        assertThat(IdentityRules.unmet(users("alice@contoso.com"), user("bob@contoso.com"))).isPresent();
    }

    @Test
    void addressWithTwoAtSignsMatchesNoAddressOrDomainRule() {
        assertThat(IdentityRules.unmet(users("@contoso.com"), user("mallory@evil.example@contoso.com"))).isPresent();
        assertThat(IdentityRules.unmet(users("alice@contoso.com"), user("alice@contoso.com@evil.example"))).isPresent();
        assertThat(IdentityRules.unmet(users("@contoso.com"), user("\"x@evil.example\"@contoso.com"))).isPresent();
    }

    @Test
    void groupOrUserRuleIsEnough() {
        AllowRules rules = new AllowRules(Set.of(), Set.of(GROUP), List.of("bob@contoso.com"));
        assertThat(IdentityRules.unmet(rules, user("bob@contoso.com"))).isEmpty();
        assertThat(IdentityRules.unmet(rules, user("carol@contoso.com", GROUP))).isEmpty();
        assertThat(IdentityRules.unmet(rules, user("carol@contoso.com"))).isPresent();
    }
}
