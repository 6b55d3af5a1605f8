package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's configuration table and the settings the service reads cannot drift apart. */
class ReadmeConfigurationTableTest {
    @Test
    void everySettingHasExactlyItsRowInTheReadmeAndNoOtherVariableIsListed() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting s : Setting.values()) {
            assertThat(readme).contains("| `" + s.name() + "` | " + s.meaning() + " | " + s.defaultValue() + " |");
        }
        Matcher m = Pattern.compile("(?m)^\\| `([A-Z][A-Z0-9_]+)` \\|").matcher(readme);
        List<String> names = Arrays.stream(Setting.values()).map(Setting::name).toList();
        while (m.find()) {
            assertThat(names).as("README lists a variable the service does not read").contains(m.group(1));
        }
    }
}
