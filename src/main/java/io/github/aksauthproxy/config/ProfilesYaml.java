package io.github.aksauthproxy.config;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The profiles file as YAML, without SnakeYAML's silent "last key wins": a second {@code allow:} in a profile would
 * otherwise replace the first without a word, and a {@code groups} rule would be gone. Every repeated key is a
 * problem named by its place in the file, its lines and its profile.
 */
final class ProfilesYaml {
    /** Deeper than any profiles file goes; stops a walk through self-referencing aliases. */
    private static final int MAX_DEPTH = 20;

    private ProfilesYaml() {
    }

    /** The document as maps, lists and scalars (null when empty); repeated keys are added to {@code problems}. */
    static Object load(String text, String where, List<ConfigProblem> problems) {
        int before = problems.size();
        Node root = yaml(true).compose(new StringReader(text));
        if (root != null) {
            repeatedKeys(root, where, null, 0, problems);
        }
        // The walk above names every repeated key; refusing them here too is the backstop should it ever miss one. Where
        // it found some, they are let through so that the file's other problems are reported in the same run.
        return yaml(problems.size() > before).load(text);
    }

    private static Yaml yaml(boolean allowDuplicateKeys) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(allowDuplicateKeys);
        return new Yaml(new SafeConstructor(options));
    }

    /**
     * @param at the place in the problems' own words: {@code file}, {@code file: profiles[1]}, {@code file: profiles[1]: allow}
     * @param profile the name of the profile {@code node} is in, if known
     */
    private static void repeatedKeys(Node node, String at, String profile, int depth, List<ConfigProblem> problems) {
        if (depth > MAX_DEPTH) {
            return;
        }
        if (node instanceof SequenceNode seq) {
            List<Node> items = seq.getValue();
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                repeatedKeys(item, at + "[" + i + "]", profile == null && depth == 1 ? nameOf(item) : profile, depth + 1, problems);
            }
            return;
        }
        if (!(node instanceof MappingNode map)) {
            return;
        }
        Map<String, Integer> firstLine = new HashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            if (key == null) {
                continue;
            }
            int line = t.getKeyNode().getStartMark().getLine() + 1;
            Integer first = firstLine.putIfAbsent(key, line);
            if (first != null) {
                problems.add(new ConfigProblem(at, "'" + key + "' is given twice (" + (first == line ? "line " + line : "lines " + first + " and " + line)
                        + ")" + (profile == null ? "" : " in profile '" + profile + "'")
                        + ": YAML keeps only the last one, so a rule could be lost without a word; give each key once"));
            }
            String child = depth == 0 ? at + ": " + key : at.endsWith("]") ? at + ": " + key : at + "." + key;
            repeatedKeys(t.getValueNode(), child, profile, depth + 1, problems);
        }
    }

    /** A profile's {@code name}, for problems inside it. */
    private static String nameOf(Node profile) {
        if (profile instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && "name".equals(k.getValue()) && t.getValueNode() instanceof ScalarNode v) {
                    return v.getValue();
                }
            }
        }
        return null;
    }
}
