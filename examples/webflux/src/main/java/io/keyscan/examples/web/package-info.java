/**
 * A Spring WebFlux application that lists Redis keys over HTTP with keyscan: NDJSON streams that follow the
 * client's pace, sorted lists, values, and request-id lookups whose input cannot widen the listing.
 *
 * <p>{@link io.keyscan.examples.web.KeyScanWebApplication} starts it; {@code KeyRoutes} lists the endpoints.
 */
@NullMarked
package io.keyscan.examples.web;

import org.jspecify.annotations.NullMarked;
