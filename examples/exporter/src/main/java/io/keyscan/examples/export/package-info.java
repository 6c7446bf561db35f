/**
 * A command-line tool that exports Redis keys matching a pattern to NDJSON, and imports such files: see
 * {@link io.keyscan.examples.export.KeyExportTool} and {@code docs/export.md}.
 */
package io.keyscan.examples.export;
