/**
 * The service provider interface that Redis client adapters implement. keyscan's engine drives it; applications
 * do not call it. It may change between minor versions until 1.0.
 */
@NullMarked
package io.keyscan.spi;

import org.jspecify.annotations.NullMarked;
