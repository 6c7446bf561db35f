package io.keyscan.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.Patterns;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.RedisServers;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint and every refusal, through WebTestClient against a real Redis holding rails_performance-shaped keys
 * and a few keys whose names are glob characters.
 */
// whole listings are read into one String here: more than the client's default 256 KiB
@SpringBootTest(properties = "spring.http.codecs.max-in-memory-size=16MB")
@AutoConfigureWebTestClient
@DirtiesContext
class KeyEndpointsIT {

    static final RedisServer redis = RedisServers.start();

    /** Request ids that are glob syntax; each has a key of its own, which its lookup must return alone. */
    static final List<String> GLOB_REQUEST_IDS = List.of("*", "?", "[ab]", "a", "b", "\\", "a*");

    static final String HASH_KEY = "performance|hash|1";
    static final String QUOTED_KEY = "performance|value|quoted";
    static final String QUOTED_VALUE = "a \"quoted\" value\nwith a newline and \u00e9";

    static RailsPerformanceDataset dataset;
    /** Every string key under the allowed prefix. */
    static TreeSet<String> performanceStrings;

    @Autowired
    WebTestClient client;

    private final JsonMapper json = JsonMapper.builder().build();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> redis.redisUri().getHost());
        registry.add("spring.data.redis.port", () -> redis.redisUri().getPort());
    }

    @BeforeAll
    static void load() {
        redis.flushAll();
        dataset = RailsPerformanceDataset.generate(3000, 6);
        dataset.load(redis);
        performanceStrings = new TreeSet<>(dataset.sortedKeys(entry -> entry.key().startsWith("performance|")));
        for (String id : GLOB_REQUEST_IDS) {
            String key = requestKey(id);
            redis.admin().set(key, "1");
            performanceStrings.add(key);
        }
        redis.admin().set(QUOTED_KEY, QUOTED_VALUE);
        performanceStrings.add(QUOTED_KEY);
        redis.admin().hset(HASH_KEY, "field", "value");
        redis.admin().set("app:outside", "1");
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    static String requestKey(String requestId) {
        return "performance|controller|GlobController|action|show|format|json|status|200|datetime|20260204T0000"
                + "|datetimei|1770163200|method|GET|path|/glob|request_id|" + requestId + "|END|1.0.2";
    }

    // ---- GET /keys

    @Test
    void keysStreamsEveryMatchingKeyAsNdjsonLines() {
        EntityExchangeResult<String> result = get(uri("/keys", "pattern", "performance|*"))
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                .expectBody(String.class).returnResult();
        List<String> keys = jsonStrings(result.getResponseBody());
        Set<String> expected = new HashSet<>(performanceStrings);
        expected.add(HASH_KEY);
        assertThat(keys).doesNotHaveDuplicates().hasSameSizeAs(expected);
        assertThat(new HashSet<>(keys)).isEqualTo(expected);
    }

    @Test
    void keysOfOneType() {
        String body = get(uri("/keys", "pattern", "performance|*", "type", "hash"))
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(jsonStrings(body)).containsExactly(HASH_KEY);
        String upper = get(uri("/keys", "pattern", "performance|h*", "type", "HASH"))
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(jsonStrings(upper)).containsExactly(HASH_KEY);
    }

    @Test
    void keysOfAnUnknownTypeIsABadRequestNamingTheType() {
        assertBadRequest(uri("/keys", "pattern", "performance|*", "type", "bogus"),
                "query parameter 'type': unknown key type 'bogus': expected one of string, hash, list, set, zset, "
                        + "stream");
    }

    @Test
    void anEmptyListingIsAnEmptyStream() {
        get(uri("/keys", "pattern", "performance|nothing|*")).expectStatus().isOk()
                .expectBody().isEmpty();
    }

    // ---- refusals shared by the pattern endpoints

    @ParameterizedTest
    @ValueSource(strings = {"/keys", "/keys/sorted", "/keys/values"})
    void aMissingPatternIsABadRequest(String path) {
        assertBadRequest(URI.create(path),
                "query parameter 'pattern' is required, e.g. pattern=performance|*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/keys", "/keys/sorted", "/keys/values"})
    void anOverLongPatternIsABadRequestNamingTheLimit(String path) {
        String pattern = "performance|" + "x".repeat(Patterns.MAX_PATTERN_BYTES);
        String error = errorOf(get(uri(path, "pattern", pattern)).expectStatus().isBadRequest());
        assertThat(error).contains("pattern is " + (pattern.length()) + " bytes long, more than the "
                + Patterns.MAX_PATTERN_BYTES + " allowed").contains("'performance|xxx");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/keys", "/keys/sorted", "/keys/values"})
    void tooManyWildcardsIsABadRequestNamingTheCount(String path) {
        String pattern = "performance|" + "*|".repeat(Patterns.MAX_STARS + 1);
        String error = errorOf(get(uri(path, "pattern", pattern)).expectStatus().isBadRequest());
        assertThat(error).startsWith("pattern has " + (Patterns.MAX_STARS + 1) + " '*' wildcards, more than the "
                + Patterns.MAX_STARS + " allowed").contains(pattern);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "perf*", "performance?*", "[p]erformance|*", "sidekiq|*", "app:*", "Performance|*", ""})
    void aPatternOutsideTheAllowedPrefixIsABadRequest(String pattern) {
        for (String path : List.of("/keys", "/keys/sorted", "/keys/values")) {
            assertBadRequest(uri(path, "pattern", pattern), "pattern '" + pattern + "' must start with the allowed "
                    + "prefix 'performance|' literally (no '*', '?' or '[' before the prefix ends), e.g. "
                    + "'performance|*'");
        }
    }

    @Test
    void aPrefixSpelledWithEscapesIsStillThePrefix() {
        List<String> keys = sortedKeys(uri("/keys/sorted", "pattern", "performanc\\e|value|*"));
        assertThat(keys).containsExactly(QUOTED_KEY);
    }

    // ---- GET /keys/sorted

    @Test
    void sortedIsTheSortedDistinctListWithItsTotal() {
        EntityExchangeResult<String> result = get(uri("/keys/sorted", "pattern", "performance|*", "type", "string",
                "limit", "100000"))
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectHeader().valueEquals(KeyEndpoints.TOTAL_HEADER, Integer.toString(performanceStrings.size()))
                .expectHeader().valueEquals(KeyEndpoints.TRUNCATED_HEADER, "false")
                .expectBody(String.class).returnResult();
        assertThat(jsonArray(result.getResponseBody())).containsExactlyElementsOf(performanceStrings);
    }

    @Test
    void sortedWithoutLimitAnswersTheFirstThousand() {
        List<String> all = new ArrayList<>(performanceStrings);
        all.add(HASH_KEY);
        all.sort(null);
        assertThat(all).hasSizeGreaterThan(KeyEndpoints.DEFAULT_LIMIT);
        List<String> keys = jsonArray(get(uri("/keys/sorted", "pattern", "performance|*"))
                .expectStatus().isOk()
                .expectHeader().valueEquals(KeyEndpoints.TOTAL_HEADER, Integer.toString(all.size()))
                .expectHeader().valueEquals(KeyEndpoints.TRUNCATED_HEADER, "true")
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(keys).containsExactlyElementsOf(all.subList(0, KeyEndpoints.DEFAULT_LIMIT));
    }

    @Test
    void aLimitCutsTheSortedListAndSaysSo() {
        List<String> keys = jsonArray(get(uri("/keys/sorted", "pattern", "performance|controller|*", "limit", "5"))
                .expectStatus().isOk()
                .expectHeader().valueEquals(KeyEndpoints.TRUNCATED_HEADER, "true")
                .expectBody(String.class).returnResult().getResponseBody());
        List<String> controllers = performanceStrings.stream().filter(k -> k.startsWith("performance|controller|"))
                .collect(Collectors.toList());
        assertThat(keys).containsExactlyElementsOf(controllers.subList(0, 5));
        get(uri("/keys/sorted", "pattern", "performance|controller|*", "limit", "5")).expectStatus().isOk()
                .expectHeader().valueEquals(KeyEndpoints.TOTAL_HEADER, Integer.toString(controllers.size()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "100001", "abc", "1.5", "", "99999999999"})
    void aLimitOutOfRangeIsABadRequestNamingTheValue(String limit) {
        assertBadRequest(uri("/keys/sorted", "pattern", "performance|*", "limit", limit),
                "query parameter 'limit' must be a whole number from 1 to 100000, was '" + limit + "'");
    }

    @Test
    void sortedOfAnUnknownTypeIsABadRequest() {
        assertBadRequest(uri("/keys/sorted", "pattern", "performance|*", "type", "json"),
                "query parameter 'type': unknown key type 'json': expected one of string, hash, list, set, zset, "
                        + "stream");
    }

    // ---- GET /keys/values

    @Test
    void valuesStreamsEveryStringKeyWithItsValue() {
        EntityExchangeResult<String> result = get(uri("/keys/values", "pattern", "performance|*"))
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                .expectBody(String.class).returnResult();
        List<KeyValueLine> lines = lines(result.getResponseBody()).stream()
                .map(line -> json.readValue(line, KeyValueLine.class)).collect(Collectors.toList());
        Map<String, String> values = lines.stream().collect(Collectors.toMap(KeyValueLine::key, KeyValueLine::value));
        assertThat(lines).hasSameSizeAs(values.keySet()); // each key once
        assertThat(values.keySet()).isEqualTo(performanceStrings); // the hash is not a string: skipped
        assertThat(values.get(QUOTED_KEY)).isEqualTo(QUOTED_VALUE);
        assertThat(values).containsEntry(performanceStrings.first(), "1");
    }

    // ---- GET /requests/{requestId}/keys

    @Test
    void aRequestIdListsThatRequestsKeys() {
        String id = dataset.someRequestId(100);
        List<String> expected = dataset.sortedKeys(entry -> entry.requestId().equals(id));
        assertThat(expected).isNotEmpty();
        assertThat(sortedKeys(URI.create("/requests/" + id + "/keys"))).isEqualTo(expected);
    }

    @Test
    void aRequestIdThatIsGlobSyntaxMatchesOnlyItself() {
        for (String id : GLOB_REQUEST_IDS) {
            URI uri = new org.springframework.web.util.DefaultUriBuilderFactory().builder()
                    .path("/requests/{id}/keys").build(id);
            assertThat(sortedKeys(uri)).as("request id %s", id).containsExactly(requestKey(id));
        }
    }

    @Test
    void anUnknownRequestIdIsAnEmptyList() {
        assertThat(sortedKeys(URI.create("/requests/no-such-request/keys"))).isEmpty();
    }

    @Test
    void theRequestLookupTakesALimitToo() {
        assertBadRequest(URI.create("/requests/x/keys?limit=0"),
                "query parameter 'limit' must be a whole number from 1 to 100000, was '0'");
    }

    @Test
    void unknownPathsAnswerJsonToo() {
        assertThat(errorOf(get(URI.create("/nothing")).expectStatus().isNotFound())).contains("/nothing");
    }

    // ---- helpers

    private WebTestClient.ResponseSpec get(URI uri) {
        return client.get().uri(uri).exchange();
    }

    private WebTestClient.ResponseSpec get(Function<UriBuilder, URI> uri) {
        return client.get().uri(uri).exchange();
    }

    /** A URI whose query values are encoded strictly, so that {@code *}, {@code |}, {@code +} and {@code \} arrive. */
    private static Function<UriBuilder, URI> uri(String path, String... nameValues) {
        return builder -> {
            builder.path(path);
            Object[] values = new Object[nameValues.length / 2];
            for (int i = 0; i < nameValues.length; i += 2) {
                builder.queryParam(nameValues[i], "{v" + i + "}");
                values[i / 2] = nameValues[i + 1];
            }
            return builder.build(values);
        };
    }

    private List<String> sortedKeys(URI uri) {
        return jsonArray(get(uri).expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    private List<String> sortedKeys(Function<UriBuilder, URI> uri) {
        return jsonArray(get(uri).expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    private void assertBadRequest(URI uri, String error) {
        assertThat(errorOf(get(uri).expectStatus().isBadRequest())).isEqualTo(error);
    }

    private void assertBadRequest(Function<UriBuilder, URI> uri, String error) {
        assertThat(errorOf(get(uri).expectStatus().isBadRequest())).isEqualTo(error);
    }

    /** The error message of a JSON error answer, after checking its shape and that its status is the response's. */
    private String errorOf(WebTestClient.ResponseSpec response) {
        EntityExchangeResult<String> result = response
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(String.class).returnResult();
        ErrorBody error = json.readValue(result.getResponseBody(), ErrorBody.class);
        assertThat(error.status()).isEqualTo(result.getStatus().value());
        assertThat(HttpStatus.resolve(error.status())).isNotNull();
        return error.error();
    }

    private List<String> jsonStrings(String ndjson) {
        return lines(ndjson).stream().map(line -> json.readValue(line, String.class)).collect(Collectors.toList());
    }

    private List<String> jsonArray(String body) {
        return Arrays.asList(json.readValue(body, String[].class));
    }

    private static List<String> lines(String ndjson) {
        assertThat(ndjson).as("NDJSON ends each line with a newline").endsWith("\n");
        return Arrays.asList(ndjson.split("\n"));
    }
}
