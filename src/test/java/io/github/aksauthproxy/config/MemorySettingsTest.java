package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES and the caches' shares of the heap. */
class MemorySettingsTest {
    static final long HEAP = 384L << 20;

    private static List<String> problems(String value) {
        List<ConfigProblem> problems = new ArrayList<>();
        MemorySettings.parse(Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", value), HEAP, problems);
        return problems.stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void unsetIsAQuarterOfTheHeap() throws Exception {
        assertThat(MemorySettings.parse(Map.of(), HEAP, new ArrayList<>()).tokenCacheBytes()).isEqualTo(HEAP / 4);
        assertThat(ConfigLoader.load(ConfigLoaderTest.minimal()).memory().tokenCacheBytes())
                .isEqualTo(Runtime.getRuntime().maxMemory() * MemoryBudget.TOKEN_CACHE_PERCENT / 100);
    }

    @Test
    void sizesAreBytesOrBinaryUnits() {
        List<ConfigProblem> none = new ArrayList<>();
        assertThat(MemorySettings.parse(Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "64m"), HEAP, none).tokenCacheBytes()).isEqualTo(64L << 20);
        assertThat(MemorySettings.parse(Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "100Mi"), HEAP, none).tokenCacheBytes()).isEqualTo(100L << 20);
        assertThat(MemorySettings.parse(Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "2048K"), HEAP, none).tokenCacheBytes()).isEqualTo(2L << 20);
        assertThat(MemorySettings.parse(Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "10485760"), HEAP, none).tokenCacheBytes())
                .isEqualTo(10L << 20);
        assertThat(MemorySettings.parse(Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "1g"), 2L << 30, none).tokenCacheBytes()).isEqualTo(1L << 30);
        assertThat(none).isEmpty();
    }

    @Test
    void aValueThatIsNoSizeIsNamedWithHowToWriteIt() {
        assertThat(problems("64 MB")).containsExactly(
                "AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES: '64 MB' is not a size; write bytes (67108864) or 64m, 512Mi, 1g");
        assertThat(problems("-5m")).hasSize(1);
        assertThat(problems("99999999999999999g")).hasSize(1);
    }

    @Test
    void lessThanOneMibOrMoreThanThreeQuartersOfTheHeapIsRefused() {
        assertThat(problems("512k")).containsExactly(
                "AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES: '512k' is less than 1m; a cache that small holds a few hundred tokens");
        assertThat(problems("300m")).containsExactly("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES: '300m' is more than 75% of the heap (384 MiB): "
                + "the JVM would run out of memory before the cache is full; lower it or raise the memory limit");
        assertThat(problems("288m")).isEmpty();
    }
}
