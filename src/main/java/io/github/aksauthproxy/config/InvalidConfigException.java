package io.github.aksauthproxy.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in the configuration, reported together. */
public final class InvalidConfigException extends Exception {
    private final List<ConfigProblem> problems;

    public InvalidConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n  ", "invalid configuration:\n  ", "")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
