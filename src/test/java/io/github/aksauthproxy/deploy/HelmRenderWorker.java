package io.github.aksauthproxy.deploy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Runs in a child JVM started by {@link HelmRenderer}, so that the embedded helm (a Go library,
 * which reads its environment once when it loads) sees a KUBECONFIG naming {@link FakeKubernetesApi}.
 * helm-java's template command lets {@code lookup} talk to whatever cluster the environment names.
 *
 * <p>Protocol, one request per line on stdin: space-separated base64 words, the first one the
 * command ({@code template} or {@code notes}), then {@code key=value} options. One answer per
 * request on stdout: {@code @@RESULT OK <base64>} or {@code @@RESULT ERR <base64>}; other lines
 * (anything the native library prints) are ignored by the parent.
 */
public final class HelmRenderWorker {

    static final String RESULT_PREFIX = "@@RESULT ";

    private HelmRenderWorker() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            List<String> words = new ArrayList<>();
            for (String word : line.trim().split(" ")) {
                words.add(new String(Base64.getDecoder().decode(word), StandardCharsets.UTF_8));
            }
            String answer;
            try {
                answer = "OK " + encode(run(words.get(0), words.subList(1, words.size())));
            } catch (Exception e) {
                answer = "ERR " + encode(String.valueOf(e.getMessage()));
            }
            protocol.println(RESULT_PREFIX + answer);
        }
    }

    private static String run(String command, List<String> options) {
        Path chart = null;
        String name = null;
        String namespace = null;
        String kubeVersion = null;
        List<Path> valuesFiles = new ArrayList<>();
        List<String[]> sets = new ArrayList<>();
        for (String option : options) {
            String[] kv = option.split("=", 2);
            switch (kv[0]) {
                case "chart" -> chart = Path.of(kv[1]);
                case "name" -> name = kv[1];
                case "namespace" -> namespace = kv[1];
                case "kubeVersion" -> kubeVersion = kv[1];
                case "values" -> valuesFiles.add(Path.of(kv[1]));
                case "set" -> sets.add(kv[1].split("=", 2));
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        switch (command) {
            case "template" -> {
                var template = new Helm(chart).template().withName(name).withNamespace(namespace).withKubeVersion(kubeVersion);
                for (Path file : valuesFiles) {
                    template = template.withValuesFile(file);
                }
                for (String[] set : sets) {
                    template = template.set(set[0], set[1]);
                }
                return template.call();
            }
            case "notes" -> {
                // A client-side dry-run install prints the rendered NOTES.txt, which template omits.
                var install = new Helm(chart).install().withName(name).withNamespace(namespace).withKubeVersion(kubeVersion)
                        .dryRun().withDryRunOption(DryRun.CLIENT).clientOnly();
                for (Path file : valuesFiles) {
                    install = install.withValuesFile(file);
                }
                for (String[] set : sets) {
                    install = install.set(set[0], set[1]);
                }
                return install.call().getOutput();
            }
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
