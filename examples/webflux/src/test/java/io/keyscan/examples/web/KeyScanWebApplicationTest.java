package io.keyscan.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyScanWebApplicationTest {

    @Test
    void redisUrlMayFollowAsTheNextArgument() {
        assertThat(KeyScanWebApplication.joinRedisUrl(new String[] {"--redis-url", "redis://h:1", "--server.port=0"}))
                .containsExactly("--redis-url=redis://h:1", "--server.port=0");
        assertThat(KeyScanWebApplication.joinRedisUrl(new String[] {"--redis-url=redis://h:1"}))
                .containsExactly("--redis-url=redis://h:1");
        assertThat(KeyScanWebApplication.joinRedisUrl(new String[] {"--redis-url"})).containsExactly("--redis-url");
    }
}
