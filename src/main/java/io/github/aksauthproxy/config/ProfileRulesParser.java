package io.github.aksauthproxy.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code allow} and {@code rbac} keys of a profile in the YAML file, strictly: unknown keys are problems, and so
 * is a rule that says nothing (an empty {@code allow} or list would let everyone in, where its author meant to let
 * someone in).
 */
final class ProfileRulesParser {
    private static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
    private static final Pattern LOCAL_PART = Pattern.compile("[^@\\s\"(),:;<>\\[\\]\\\\]+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9*][A-Za-z0-9.*_:-]{0,252}");
    private static final Set<String> ALLOW_KEYS = Set.of("tenants", "groups", "users");
    private static final Set<String> RBAC_KEYS = Set.of("verb", "group", "resource", "subresource", "namespace", "name", "on_error");

    private ProfileRulesParser() {
    }

    /** The profile's {@code allow} rules; {@link AllowRules#ANYONE} when it has none (or they are wrong). */
    static AllowRules allow(String where, Map<?, ?> profile, List<ConfigProblem> problems) {
        if (!profile.containsKey("allow")) {
            return AllowRules.ANYONE;
        }
        Object value = profile.get("allow");
        String at = where + ": allow";
        if (value != null && !(value instanceof Map<?, ?>)) {
            problems.add(new ConfigProblem(at, "must be a mapping with tenants, groups and/or users"));
            return AllowRules.ANYONE;
        }
        Map<?, ?> map = value == null ? Map.of() : (Map<?, ?>) value;
        if (ALLOW_KEYS.stream().allMatch(k -> map.get(k) == null || map.get(k) instanceof List<?> l && l.isEmpty())) {
            problems.add(new ConfigProblem(at, "'allow' of profile '" + profile.get("name") + "' lists no tenant, group or user, which "
                    + "would let everyone with a session in; list at least one, or remove 'allow'"));
        } else {
            ALLOW_KEYS.stream().sorted().filter(k -> map.get(k) instanceof List<?> l && l.isEmpty()).forEach(k -> problems.add(new ConfigProblem(
                    at + "." + k, "is an empty list, which sets no condition; list at least one entry, or remove '" + k + "'")));
        }
        unknownKeys(at, map, ALLOW_KEYS, "'allow' has", problems);
        Set<String> tenants = guids(at + ".tenants", map.get("tenants"), "is not a tenant id; write the directory (tenant) id, a GUID", problems);
        Set<String> groups = guids(at + ".groups", map.get("groups"), "is not a group object id; Entra tokens carry groups as GUIDs", problems);
        List<String> users = new ArrayList<>();
        for (String u : strings(at + ".users", map.get("users"), problems)) {
            String rule = u.toLowerCase(Locale.ROOT);
            if (GUID.matcher(rule).matches() || isAddressRule(rule)) {
                users.add(rule);
            } else {
                problems.add(new ConfigProblem(at + ".users", "'" + u + "' is not a user rule; write an object id, an address "
                        + "like alice@contoso.com (exactly one '@') or a domain like @contoso.com"));
            }
        }
        return new AllowRules(tenants, groups, users);
    }

    private static Set<String> guids(String at, Object value, String notOne, List<ConfigProblem> problems) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : strings(at, value, problems)) {
            if (GUID.matcher(id.toLowerCase(Locale.ROOT)).matches()) {
                ids.add(id.toLowerCase(Locale.ROOT));
            } else {
                problems.add(new ConfigProblem(at, "'" + id + "' " + notOne));
            }
        }
        return ids;
    }

    /** {@code local@domain} or {@code @domain}, with exactly one {@code @}. */
    private static boolean isAddressRule(String rule) {
        int at = rule.indexOf('@');
        if (at < 0 || at != rule.lastIndexOf('@')) {
            return false;
        }
        return (at == 0 || LOCAL_PART.matcher(rule.substring(0, at)).matches()) && DOMAIN.matcher(rule.substring(at + 1)).matches();
    }

    /** The profile's {@code rbac} rule, if it has one (and it is right). */
    static Optional<RbacRequirement> rbac(String where, Map<?, ?> profile, List<ConfigProblem> problems) {
        if (!profile.containsKey("rbac")) {
            return Optional.empty();
        }
        Object value = profile.get("rbac");
        String at = where + ": rbac";
        if (value == null) {
            problems.add(new ConfigProblem(at, "'rbac' of profile '" + profile.get("name") + "' is empty; write a rule like {verb: get, "
                    + "resource: services, subresource: proxy, namespace: monitoring, name: grafana}, or remove 'rbac'"));
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem(at, "must be a mapping like {verb: get, resource: services, subresource: proxy, "
                    + "namespace: monitoring, name: grafana}"));
            return Optional.empty();
        }
        int before = problems.size();
        unknownKeys(at, map, RBAC_KEYS, "'rbac' has", problems);
        Optional<String> verb = name(at, map, "verb", problems);
        Optional<String> resource = name(at, map, "resource", problems);
        if (verb.isEmpty()) {
            problems.add(new ConfigProblem(at, "'verb' is required, like get, list or create"));
        }
        if (resource.isEmpty()) {
            problems.add(new ConfigProblem(at, "'resource' is required, like services or pods (plural, lower case)"));
        }
        Optional<String> group = name(at, map, "group", problems);
        Optional<String> subresource = name(at, map, "subresource", problems);
        Optional<String> namespace = name(at, map, "namespace", problems);
        Optional<String> objectName = name(at, map, "name", problems);
        Object onError = map.containsKey("on_error") ? map.get("on_error") : "deny";
        if (!"deny".equals(onError) && !"allow".equals(onError)) {
            problems.add(new ConfigProblem(at, "'on_error' must be deny (the default: 503 while the API server cannot answer) or allow"));
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new RbacRequirement(verb.get(), group.orElse(""), resource.get(), subresource, namespace, objectName,
                "allow".equals(onError)));
    }

    private static Optional<String> name(String at, Map<?, ?> map, String key, List<ConfigProblem> problems) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s) || !NAME.matcher(s).matches()) {
            problems.add(new ConfigProblem(at, "'" + key + "' must be a Kubernetes name like get, services, proxy or monitoring, not '" + v + "'"));
            return Optional.empty();
        }
        return Optional.of(s);
    }

    private static List<String> strings(String at, Object value, List<ConfigProblem> problems) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add(new ConfigProblem(at, "must be a list"));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (o instanceof String s && !s.isBlank()) {
                out.add(s.trim());
            } else {
                problems.add(new ConfigProblem(at, "'" + o + "' is not a text entry"));
            }
        }
        return out;
    }

    private static void unknownKeys(String at, Map<?, ?> map, Set<String> known, String what, List<ConfigProblem> problems) {
        map.keySet().stream().filter(k -> !known.contains(String.valueOf(k))).forEach(k -> problems.add(
                new ConfigProblem(at, "unknown key '" + k + "'; " + what + " " + String.join(", ", new TreeSet<>(known)))));
    }
}
