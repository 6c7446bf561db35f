/**
 * keyscan: list Redis keys safely from reactive applications.
 *
 * <p>Start with {@link io.keyscan.KeyScanner} and {@link io.keyscan.KeyScanOptions}; build patterns from user
 * input with {@link io.keyscan.Patterns}.
 */
@NullMarked
package io.keyscan;

import org.jspecify.annotations.NullMarked;
