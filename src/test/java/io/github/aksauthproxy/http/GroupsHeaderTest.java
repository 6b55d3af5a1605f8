package io.github.aksauthproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The groups header never exceeds its bounds, and says so when it holds less than all of the user's groups. */
class GroupsHeaderTest {
    static final List<String> HUNDRED_FIFTY = IntStream.range(0, 150).mapToObj(i -> "aaaaaaaa-0000-0000-0000-%012d".formatted(i)).toList();
    static final Set<String> RULES = Set.of(HUNDRED_FIFTY.get(3), HUNDRED_FIFTY.get(140), "bbbbbbbb-0000-0000-0000-000000000001");

    @Test
    void groupsWithinBothBoundsAreSentWhole() {
        GroupsHeader.Value v = new GroupsHeader(100, 4096, RULES).of(HUNDRED_FIFTY.subList(0, 100), true);
        assertThat(v.groups()).isEqualTo(String.join(",", HUNDRED_FIFTY.subList(0, 100)));
        assertThat(v.groups().length()).isEqualTo(3699);
        assertThat(v.truncated()).isFalse();
    }

    @Test
    void overTheByteCapOnlyTheRuleGroupsTheUserIsInAreSentAndMarked() {
        GroupsHeader.Value v = new GroupsHeader(1000, 4096, RULES).of(HUNDRED_FIFTY, true);
        assertThat(v.groups()).isEqualTo(HUNDRED_FIFTY.get(3) + "," + HUNDRED_FIFTY.get(140));
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void overTheCountOnlyTheRuleGroupsAreSentAndMarked() {
        GroupsHeader.Value v = new GroupsHeader(100, 32768, RULES).of(HUNDRED_FIFTY.subList(0, 101), true);
        assertThat(v.groups()).isEqualTo(HUNDRED_FIFTY.get(3));
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void ruleGroupsThemselvesOverTheCapAreCutToIt() {
        GroupsHeader.Value v = new GroupsHeader(1000, 256, Set.copyOf(HUNDRED_FIFTY)).of(HUNDRED_FIFTY, true);
        assertThat(v.groups()).isEqualTo(String.join(",", HUNDRED_FIFTY.subList(0, 6)));
        assertThat(v.groups().length()).isLessThanOrEqualTo(256);
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void groupsKnownToBeIncompleteAreMarkedEvenWhenFew() {
        GroupsHeader.Value v = new GroupsHeader(100, 4096, RULES).of(List.of(), false);
        assertThat(v.groups()).isEmpty();
        assertThat(v.truncated()).isTrue();
    }
}
