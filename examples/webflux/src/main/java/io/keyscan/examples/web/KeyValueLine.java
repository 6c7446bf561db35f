package io.keyscan.examples.web;

/** One line of {@code GET /keys/values}: {@code {"key": "...", "value": "..."}}. */
record KeyValueLine(String key, String value) {
}
