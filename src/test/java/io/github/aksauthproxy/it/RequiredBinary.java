package io.github.aksauthproxy.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a program the end-to-end tests run for real (nginx, caddy, chromium). A missing one fails the test with the
 * Debian package to install; it never skips it. {@code ./scripts/test} installs them all.
 */
final class RequiredBinary {
    private RequiredBinary() {
    }

    static Path find(String name, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name);
            }
        }
        throw new AssertionError(name + " is not installed, and this test runs it for real: install the Debian package '"
                + debianPackage + "' (./scripts/test installs it with apt-get)"
                + ("true".equals(System.getenv("CI")) ? "; CI=true, so a missing binary fails the run" : ""));
    }
}
