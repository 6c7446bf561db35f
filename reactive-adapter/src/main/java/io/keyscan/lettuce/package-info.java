/**
 * keyscan over Lettuce: start with {@link io.keyscan.lettuce.LettuceKeyScanner}.
 */
@NullMarked
package io.keyscan.lettuce;

import org.jspecify.annotations.NullMarked;
