package io.github.aksauthproxy.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders charts with the helm embedded in helm-java, in one child JVM ({@link HelmRenderWorker})
 * shared by every test in this JVM, against a {@link FakeKubernetesApi}.
 *
 * <p>Why a child JVM: helm-java's {@code template} lets {@code lookup} call the cluster named by
 * KUBECONFIG (or localhost:8080), and the native library reads the environment only when it loads.
 * In this JVM a render could reach a developer's real cluster, or fail for lack of one.
 */
final class HelmRenderer {

    /** A version AKS supports; helm-java would otherwise assume 1.20 and fail the chart's kubeVersion. */
    static final String KUBE_VERSION = "1.33.0";

    private static HelmRenderer shared;

    private final FakeKubernetesApi cluster;
    private final Process worker;
    private final Writer requests;
    private final BufferedReader answers;

    private HelmRenderer() throws IOException {
        // Under target/ so that the worker's log can be read after a failure and `mvn clean` removes it;
        // one directory per test JVM so that parallel forks never share a kubeconfig.
        Path workDir = Files.createDirectories(Path.of("target", "helm-render-worker",
                String.valueOf(ProcessHandle.current().pid())).toAbsolutePath());
        cluster = new FakeKubernetesApi(workDir);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                HelmRenderWorker.class.getName());
        builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
        // Keep helm away from the user's own helm configuration and caches.
        for (String dir : List.of("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")) {
            builder.environment().put(dir, Files.createDirectories(workDir.resolve(dir.toLowerCase())).toString());
        }
        builder.redirectError(workDir.resolve("worker-stderr.log").toFile());
        worker = builder.start();
        requests = new OutputStreamWriter(worker.getOutputStream(), StandardCharsets.UTF_8);
        answers = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.destroy();
            cluster.close();
        }));
    }

    static synchronized HelmRenderer shared() {
        if (shared == null) {
            try {
                shared = new HelmRenderer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    FakeKubernetesApi cluster() {
        return cluster;
    }

    /** The outcome of one request: the rendered text, or helm's error message. */
    record Outcome(boolean succeeded, String text) {
    }

    synchronized Outcome run(String command, List<String> options) {
        List<String> words = new ArrayList<>();
        words.add(command);
        words.addAll(options);
        String line = words.stream()
                .map(w -> Base64.getEncoder().encodeToString(w.getBytes(StandardCharsets.UTF_8)))
                .collect(Collectors.joining(" "));
        try {
            requests.write(line + "\n");
            requests.flush();
            for (String answer = answers.readLine(); answer != null; answer = answers.readLine()) {
                if (answer.startsWith(HelmRenderWorker.RESULT_PREFIX)) {
                    String[] parts = answer.substring(HelmRenderWorker.RESULT_PREFIX.length()).split(" ", 2);
                    String text = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                    return new Outcome(parts[0].equals("OK"), text);
                }
            }
            throw new IllegalStateException("the helm render worker exited; see worker-stderr.log under "
                    + cluster.kubeconfig().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
