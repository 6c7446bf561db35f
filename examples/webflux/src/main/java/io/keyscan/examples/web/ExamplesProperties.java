package io.keyscan.examples.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The application's own settings, {@code keyscan.examples.*}.
 *
 * @param allowedPrefix the namespace the endpoints keep to: every pattern must start with it literally. The
 *     default fits the rails_performance keys the application loads when it starts its own Redis; empty allows
 *     every pattern.
 * @param requestPattern the pattern {@code GET /requests/{requestId}/keys} lists, with {@value #REQUEST_ID}
 *     standing for the escaped request id; it must contain that placeholder once and keep to the allowed prefix
 */
@ConfigurationProperties("keyscan.examples")
record ExamplesProperties(
        @DefaultValue("performance|") String allowedPrefix,
        @DefaultValue("performance|*|request_id|" + REQUEST_ID + "|*") String requestPattern) {

    /** The placeholder of {@link #requestPattern()}. */
    static final String REQUEST_ID = "{requestId}";
}
