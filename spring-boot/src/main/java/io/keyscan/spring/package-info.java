/**
 * keyscan for Spring Boot: {@code keyscan.*} properties ({@link io.keyscan.spring.KeyScanProperties}), a
 * {@link io.keyscan.KeyScanner} built from {@code spring.data.redis.*}, and optional Micrometer metrics
 * ({@link io.keyscan.spring.KeyScanAutoConfiguration}). See {@code docs/spring-boot.md}.
 */
@NullMarked
package io.keyscan.spring;

import org.jspecify.annotations.NullMarked;
