package io.github.aksauthproxy.deploy;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kubernetes objects of one render, parsed with SnakeYAML into maps and lists. */
final class Manifests {

    private final List<Map<String, Object>> objects;

    private Manifests(List<Map<String, Object>> objects) {
        this.objects = objects;
    }

    @SuppressWarnings("unchecked")
    static Manifests parse(String yamlStream) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(yamlStream)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return new Manifests(objects);
    }

    List<Map<String, Object>> all() {
        return objects;
    }

    List<String> kinds() {
        return objects.stream().map(o -> (String) o.get("kind")).sorted().toList();
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The only object of that kind; fails the test when there is none or more than one. */
    Map<String, Object> one(String kind) {
        List<Map<String, Object>> found = ofKind(kind);
        assertThat(found).as("objects of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    Map<String, Object> deployment() {
        return one("Deployment");
    }

    /** The Deployment's only container. */
    Map<String, Object> container() {
        List<Map<String, Object>> containers = list(deployment(), "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** The container's env entries by name (each the whole entry, {@code value} or {@code valueFrom}). */
    Map<String, Map<String, Object>> env() {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (Map<String, Object> entry : Manifests.<Map<String, Object>>list(container(), "env")) {
            Object previous = byName.put((String) entry.get("name"), entry);
            assertThat(previous).as("env var %s set twice", entry.get("name")).isNull();
        }
        return byName;
    }

    /** The container port number a probe or Service refers to by name (or the number itself). */
    int containerPort(Object nameOrNumber) {
        if (nameOrNumber instanceof Integer number) {
            return number;
        }
        for (Map<String, Object> port : Manifests.<Map<String, Object>>list(container(), "ports")) {
            if (Objects.equals(port.get("name"), nameOrNumber)) {
                return (Integer) port.get("containerPort");
            }
        }
        throw new AssertionError("no container port named " + nameOrNumber);
    }

    /**
     * The value at a path of map keys (strings) and list indexes (integers), or null when any step is
     * missing. Keys are whole keys, so {@code "azure.workload.identity/use"} is one step.
     */
    @SuppressWarnings("unchecked")
    static <T> T at(Object root, Object... path) {
        Object current = root;
        for (Object step : path) {
            if (current == null) {
                return null;
            }
            if (step instanceof Integer index) {
                List<Object> list = (List<Object>) current;
                current = index < list.size() ? list.get(index) : null;
            } else {
                current = ((Map<String, Object>) current).get((String) step);
            }
        }
        return (T) current;
    }

    static <T> List<T> list(Object root, Object... path) {
        List<T> found = at(root, path);
        return found == null ? List.of() : found;
    }

    static Map<String, Object> map(Object root, Object... path) {
        Map<String, Object> found = at(root, path);
        return found == null ? Map.of() : found;
    }
}
