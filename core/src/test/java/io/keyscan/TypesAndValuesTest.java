package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.keyscan.spi.ScanRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The TYPE filter on both of its routes, and MGET values, over scripted nodes. */
class TypesAndValuesTest {

    private static final KeyScanOptions SCAN = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false)
            .build();
    private static final KeyScanOptions KEYS = KeyScanOptions.builder().useScan(false).build();

    /** Three pages; keys ending in "h" are hashes, the rest strings. */
    private static ScriptedNode mixedNode() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a:1", "a:2h"), List.of("a:3h", "a:4"),
                List.of("a:5h")));
        for (String key : List.of("a:2h", "a:3h", "a:5h")) {
            node.types.put(key, "hash");
        }
        return node;
    }

    private static DefaultKeyScanner scanner(ScriptedNode node, KeyScanOptions options) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), options, () -> 0.5);
    }

    private static List<String> typesSent(ScriptedNode node) {
        List<String> types = new ArrayList<>();
        for (ScanRequest request : node.scans) {
            types.add(String.valueOf(request.type()));
        }
        return types;
    }

    @Test
    void keyTypeNamesAreCheckedOnEveryServer() {
        assertThat(KeyType.of("Hash")).isEqualTo(KeyType.HASH);
        assertThat(KeyType.of(" zset ")).isEqualTo(KeyType.ZSET);
        assertThatIllegalArgumentException().isThrownBy(() -> KeyType.of("hashes"))
                .withMessage("unknown key type 'hashes': expected one of string, hash, list, set, zset, stream");
        assertThatNullPointerException().isThrownBy(() -> scanner(mixedNode(), SCAN).scan("a:*", null));
    }

    @Test
    void sendsTypeToServersThatTakeItFromTheFirstPageOn() {
        ScriptedNode node = mixedNode().product("redis").version("7.0.15");

        StepVerifier.create(scanner(node, SCAN).scan("a:*", KeyType.HASH))
                .expectNext("a:2h", "a:3h", "a:5h")
                .verifyComplete();
        // The first page too, before the INFO sent with it tells the version: the server never looks at keys of
        // other types (and does not expire them).
        assertThat(typesSent(node)).containsExactly("hash", "hash", "hash");
        assertThat(node.typeCalls).as("no TYPE calls").hasValue(0);
    }

    @Test
    void checksTypesItselfOnServersThatRefuseTheTypeArgument() {
        ScriptedNode node = mixedNode().product("redis").version("5.0.14");

        StepVerifier.create(scanner(node, SCAN).scan("a:*", KeyType.HASH))
                .expectNext("a:2h", "a:3h", "a:5h")
                .verifyComplete();
        // The first SCAN ... TYPE is refused ("ERR syntax error"), asked again without it, and so are the rest.
        assertThat(typesSent(node)).containsExactly("hash", "null", "null", "null");
        assertThat(node.typeCalls).hasValue(5);
    }

    @Test
    void aRefusalThatIsNotAboutTheTypeArgumentIsStillReported() {
        ScriptedNode node = mixedNode().product("redis").version("7.0.15");
        node.thenReply(request -> Mono.error(new IllegalStateException("NOPERM this user has no permissions")));
        node.thenReply(request -> Mono.error(new IllegalStateException("NOPERM this user has no permissions")));

        StepVerifier.create(scanner(node, SCAN).scan("a:*", KeyType.HASH))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("NOPERM"))
                .verify();
        assertThat(typesSent(node)).containsExactly("hash", "null");
    }

    @Test
    void checksTypesItselfOnUnknownServers() {
        ScriptedNode node = mixedNode().product("dragonfly").version("9.9.9");

        StepVerifier.create(scanner(node, SCAN).scan("a:*", KeyType.STRING))
                .expectNext("a:1", "a:4")
                .verifyComplete();
        // TYPE goes out with the first page; once the server is known to be of an unknown kind, it no longer does,
        // and every page's keys are checked with TYPE calls (the first page's too, in case the argument was ignored).
        assertThat(typesSent(node)).containsExactly("string", "null", "null");
        assertThat(node.typeCalls).hasValue(4);
    }

    @Test
    void scanBytesFiltersByTypeKeepingKeysThatAreNotUtf8() {
        ScriptedNode node = new ScriptedNode().product("redis").version("5.0.14");
        byte[] binary = {'b', (byte) 0xFF, 'h'};
        node.pages(List.of(List.of("a:1")));
        node.thenReply(request -> Mono.just(io.keyscan.spi.ScanPage.of("0", List.of(binary, "a:2h".getBytes(
                StandardCharsets.UTF_8), "a:1".getBytes(StandardCharsets.UTF_8)))));
        node.types.put(new String(binary, StandardCharsets.UTF_8), "hash");
        node.types.put("a:2h", "hash");

        StepVerifier.create(scanner(node, SCAN).scanBytes("*", KeyType.HASH).map(key -> List.of(key)))
                .assertNext(key -> assertThat(key.get(0)).containsExactly(binary))
                .assertNext(key -> assertThat(new String(key.get(0), StandardCharsets.UTF_8)).isEqualTo("a:2h"))
                .verifyComplete();
    }

    @Test
    void keysPathFiltersByTypeAndGivesTheSameList() {
        ScriptedNode node = mixedNode().product("redis");
        node.keysReply(Mono.just(ScriptedNode.bytes(List.of("a:5h", "a:1", "a:2h", "a:3h", "a:4"))));

        List<String> byKeys = scanner(node, KEYS).fetchKeys("a:*", KeyType.HASH).block();
        List<String> byScan = scanner(mixedNode().product("redis"), SCAN).fetchKeys("a:*", KeyType.HASH).block();

        assertThat(byKeys).containsExactly("a:2h", "a:3h", "a:5h").isEqualTo(byScan);
    }

    @Test
    void literalPatternChecksTheOneKeysType() {
        ScriptedNode node = mixedNode();
        node.existing.add("a:2h");

        assertThat(scanner(node, SCAN).fetchKeys("a:2h", KeyType.HASH).block()).containsExactly("a:2h");
        assertThat(scanner(node, SCAN).fetchKeys("a:2h", KeyType.LIST).block()).isEmpty();
        assertThat(node.scans).isEmpty();
    }

    @Test
    void valuesSkipKeysThatVanishedOrHoldNoString() {
        ScriptedNode node = mixedNode();
        node.values.put("a:1", "one");
        node.values.put("a:4", "four"); // a:2h, a:3h, a:5h are hashes: MGET answers nil for them

        StepVerifier.create(scanner(node, SCAN).scanValues("a:*"))
                .expectNext(KeyValue.of("a:1", "one"), KeyValue.of("a:4", "four"))
                .verifyComplete();
    }

    @Test
    void fetchValuesIsSortedAndDistinctOnBothPaths() {
        ScriptedNode scanned = new ScriptedNode().pages(List.of(List.of("k:3", "k:1"), List.of("k:2", "k:1")));
        ScriptedNode listed = new ScriptedNode().keysReply(Mono.just(ScriptedNode.bytes(List.of("k:2", "k:3",
                "k:1"))));
        for (ScriptedNode node : List.of(scanned, listed)) {
            node.values.put("k:1", "v1");
            node.values.put("k:3", "v3"); // k:2 expired before MGET
        }

        List<KeyValue> byScan = scanner(scanned, SCAN).fetchValues("k:*").block();
        List<KeyValue> byKeys = scanner(listed, KEYS).fetchValues("k:*").block();

        assertThat(byScan).containsExactly(KeyValue.of("k:1", "v1"), KeyValue.of("k:3", "v3")).isEqualTo(byKeys);
    }

    @Test
    void valuesAreReadInBoundedBatchesAsDemandNeedsThem() {
        List<List<String>> pages = new ArrayList<>();
        ScriptedNode node = new ScriptedNode();
        for (int p = 0; p < 100; p++) {
            List<String> page = new ArrayList<>();
            for (int k = 0; k < 100; k++) {
                String key = "v:" + p + ":" + k;
                page.add(key);
                node.values.put(key, "x");
            }
            pages.add(page);
        }
        node.pages(pages);
        ScriptedKeyspace keyspace = new ScriptedKeyspace(node);
        DefaultKeyScanner scanner = new DefaultKeyScanner(keyspace, SCAN, () -> 0.5);
        int ahead = DefaultKeyScanner.VALUE_CONCURRENCY;

        StepVerifier.create(scanner.scanValues("v:*"), 0)
                .thenRequest(1)
                .expectNextCount(1)
                .then(() -> {
                    assertThat(keyspace.mgets).as("MGET batches read for one pair").hasSizeLessThanOrEqualTo(ahead)
                            .allSatisfy(size -> assertThat(size).isEqualTo(DefaultKeyScanner.VALUE_BATCH));
                    assertThat(node.scans.size()).as("pages read for one pair")
                            .isLessThanOrEqualTo(ahead * DefaultKeyScanner.VALUE_BATCH / 100 + 1);
                })
                .thenCancel()
                .verify();
        assertThat(scanner.fetchValues("v:*").block()).hasSize(10_000);
        assertThat(keyspace.mgets).as("the 10,000 keys of fetchValues in batches").contains(500).doesNotContain(501);
    }

    @Test
    void valueThatIsNotUtf8IsAnErrorNotAChangedString() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("bin")));
        node.values.put("bin", new String(new byte[] {(byte) 0xC3, (byte) 0x28}, StandardCharsets.ISO_8859_1));
        // ScriptedKeyspace encodes values as UTF-8, which would make this valid: give it raw bytes instead.
        ScriptedKeyspace keyspace = new ScriptedKeyspace(node) {
            @Override
            public Mono<List<byte @org.jspecify.annotations.Nullable []>> values(List<byte[]> keys) {
                List<byte @org.jspecify.annotations.Nullable []> answer = new ArrayList<>();
                answer.add(new byte[] {(byte) 0xC3, (byte) 0x28});
                return Mono.just(answer);
            }
        };

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).scanValues("b*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("the value of key \"bin\" is not valid UTF-8"))
                .verify();
    }
}
