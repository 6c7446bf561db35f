package io.keyscan.examples.snippets;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The code of docs/SCAN_MIGRATION.md. */
final class MigrationGuideSnippets {

    private MigrationGuideSnippets() {
    }

    static KeyScanOptions optionsInCode() {
        // tag::options-in-code[]
        KeyScanOptions options = KeyScanOptions.builder()
                .useScan(true)                                  // SCAN instead of KEYS
                .scanCountAutoTune(true)                        // keyscan picks COUNT (the default)
                .scanCallBudget(Duration.ofMillis(2))           // server time one SCAN call aims to stay under
                .commandTimeout(Duration.ofSeconds(15))         // per SCAN/KEYS command, not per listing
                .retryMaxAttempts(4)                            // attempts per command, counting the first
                .build();
        // end::options-in-code[]
        return options;
    }

    static KeyScanOptions fixedCount() {
        // tag::fixed-count[]
        KeyScanOptions options = KeyScanOptions.builder()
                .useScan(true)
                .scanCountAutoTune(false)   // send exactly scanCount on every call
                .scanCount(1000)
                .build();
        // end::fixed-count[]
        return options;
    }

    static KeyScanOptions environmentOverCode() {
        // tag::environment-over-code[]
        // Code sets the application's choice; KEYSCAN_* variables, when set, win over it (operators can roll back):
        KeyScanOptions options = KeyScanOptions.builder()
                .useScan(true)
                .commandTimeout(Duration.ofSeconds(20))
                .environment(System.getenv())
                .build();
        // end::environment-over-code[]
        return options;
    }

    // tag::path-listener[]
    /** Logs which command each listing used, and how long it took. */
    static final class PathLogger implements KeyScanListener {
        private static final Logger log = LoggerFactory.getLogger(PathLogger.class);

        @Override
        public void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
            log.info("listing by {}: {} keys in {} ms{}", path, keys, duration.toMillis(),
                    error == null ? "" : " (failed: " + error.getMessage() + ")");
        }
    }
    // end::path-listener[]

    static KeyScanner whichPath(StatefulRedisConnection<String, String> connection) {
        // tag::which-path[]
        KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.fromEnvironment().mutate()
                .listener(new PathLogger())
                .build());
        boolean scanning = scanner.options().useScan();   // what this scanner was built with
        // end::which-path[]
        return scanner;
    }
}
