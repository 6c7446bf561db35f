package io.keyscan.examples.snippets.spring;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The Java blocks of docs/spring-boot.md, compiled here (DocSnippetsTest checks the docs are copies). A package
 * outside {@code io.keyscan.examples.web}, so the example application's component scan never picks them up.
 */
final class SpringBootSnippets {

    private SpringBootSnippets() {
    }

    // tag::spring-boot-controller[]
    @RestController
    class Keys {
        private final KeyScanner scanner;

        Keys(KeyScanner scanner) {
            this.scanner = scanner;
        }

        @GetMapping("/keys")
        Mono<List<String>> keys() {
            return scanner.fetchKeys("performance|*");
        }
    }
    // end::spring-boot-controller[]

    static class OwnScanner {
        // tag::spring-boot-own-scanner[]
        @Bean(destroyMethod = "close")
        KeyScanner keyScanner(KeyScanOptions options) {
            return LettuceKeyScanner.create(RedisURI.create("redis://redis-master.internal:6379"), options);
        }
        // end::spring-boot-own-scanner[]
    }
}
