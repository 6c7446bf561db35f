package io.keyscan.examples.web;

/**
 * The JSON of every error this application answers, {@code {"error": "...", "status": 400}}; also the last line of
 * an NDJSON stream that failed after it started.
 */
record ErrorBody(String error, int status) {
}
