package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryClassTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', quoteCharacter = '"', value = {
        // rails_performance's own query shapes
        "performance|*datetime|20260204*|*END|1.0.2 DATE_SCOPED",
        "performance|*|request_id|182c77e786a6a04b000003ca|* LOOKUP",
        "performance|controller|UsersController|* BROAD",
        "rails_performance:records:events:* BROAD",
        "* MATCH_ALL",
        "*** MATCH_ALL",
        // literal: no unescaped wildcard or class at all
        "performance|controller|Home|END LITERAL",
        "user\\*1 LITERAL",
        "\"\" LITERAL",
        // dates
        "logs:2026-02-04:* DATE_SCOPED",
        "logs:*:19700101 DATE_SCOPED",
        "sess:*:20261340 BROAD",
        "ts:1770182580:* BROAD",
        "ts:202602041:* BROAD",
        "x:2026-02-041* BROAD",
        "[2]0260204* BROAD",
        // identifiers
        "job:550e8400-e29b-41d4-a716-446655440000:* LOOKUP",
        "cache:*:abcdefghijklmnop BROAD",
        "cache:*:abcdefghijklmno1 LOOKUP",
        "cache:*:abcdefghijklmn1 BROAD",
        "Api::V1::ItemsController:* BROAD",
        "a?b BROAD",
        "[abc]* BROAD",
    })
    void classifiesByTheDocumentedRule(String pattern, QueryClass expected) {
        assertThat(QueryClass.of(pattern)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "a*b|c?d a,b|c,d",
        "x\\*y*z x*y,z",
        "[a-z]id:*:end id:,:end",
        "[^\\]]k k",
    })
    void literalRunsAreTheTextBetweenWildcardsWithoutEscapes(String pattern, String runs) {
        assertThat(String.join(",", QueryClass.literalRuns(pattern))).isEqualTo(runs);
    }
}
