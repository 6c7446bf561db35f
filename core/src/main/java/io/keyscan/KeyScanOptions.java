package io.keyscan;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Immutable settings of a {@link KeyScanner}: which command lists keys, how SCAN pages are sized, and how
 * long each Redis command may take and be retried.
 *
 * <p>Instances are safe to share. {@link #builder()} starts from the defaults, {@link #mutate()} from an
 * existing instance; every setter validates its argument at once and names it in the error.
 * {@link #fromEnvironment()} reads {@code KEYSCAN_*} environment variables over the defaults, so operators
 * can switch from KEYS to SCAN, or back, without a code change:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>environment variable</th><th>default</th><th>allowed</th></tr>
 *   <tr><td>{@code useScan}</td><td>{@code KEYSCAN_USE_SCAN}</td><td>{@code false} (KEYS)</td>
 *       <td>{@code true}, {@code false}</td></tr>
 *   <tr><td>{@code scanCount}</td><td>{@code KEYSCAN_SCAN_COUNT}</td><td>{@code 10}</td>
 *       <td>1..10000; outside it a WARN names the value, below 1 the default is used</td></tr>
 *   <tr><td>{@code scanCountAutoTune}</td><td>{@code KEYSCAN_SCAN_COUNT_AUTO_TUNE}</td><td>{@code true}</td>
 *       <td>{@code true}, {@code false}</td></tr>
 *   <tr><td>{@code scanCallBudget}</td><td>{@code KEYSCAN_SCAN_CALL_BUDGET}</td><td>2 ms</td>
 *       <td>100 us..1 s: the server time one auto-tuned SCAN call aims to stay under</td></tr>
 *   <tr><td>{@code scanCountMin}, {@code scanCountMax}</td><td>{@code KEYSCAN_SCAN_COUNT_MIN},
 *       {@code KEYSCAN_SCAN_COUNT_MAX}</td><td>10, 10000</td><td>1..10000, min at most max: auto-tuning's
 *       bounds</td></tr>
 *   <tr><td>{@code scanParallelism}</td><td>{@code KEYSCAN_SCAN_PARALLELISM}</td><td>0 (automatic)</td>
 *       <td>0..16: cursor ranges walked at once per server by {@code fetchKeys}; 1 turns it off</td></tr>
 *   <tr><td>{@code nodeConcurrency}</td><td>{@code KEYSCAN_NODE_CONCURRENCY}</td><td>0 (all)</td>
 *       <td>0..1024: cluster nodes scanned at once</td></tr>
 *   <tr><td>{@code readFromReplicas}</td><td>{@code KEYSCAN_READ_FROM_REPLICAS}</td><td>{@code false}</td>
 *       <td>on a cluster, scan one replica per shard instead of its master</td></tr>
 *   <tr><td>{@code distinctScan}</td><td>{@code KEYSCAN_DISTINCT_SCAN}</td><td>{@code true}</td>
 *       <td>{@code true}, {@code false}</td></tr>
 *   <tr><td>{@code distinctMemoryLimit}</td><td>{@code KEYSCAN_DISTINCT_MEMORY_LIMIT}</td><td>a quarter of the
 *       maximum heap</td><td>64 KB..1 TB ({@code 64MB}, {@code 512KB}, {@code 2GB} or bytes): memory one
 *       listing may hold to de-duplicate and sort its keys</td></tr>
 *   <tr><td>{@code commandTimeout}</td><td>{@code KEYSCAN_COMMAND_TIMEOUT}</td><td>15 s</td>
 *       <td>positive, at most 10 min; 10-30 s recommended</td></tr>
 *   <tr><td>{@code retryMaxAttempts}</td><td>{@code KEYSCAN_RETRY_MAX_ATTEMPTS}</td><td>{@code 4}</td>
 *       <td>1..100 (1 = no retry)</td></tr>
 *   <tr><td>{@code retryFirstBackoff}</td><td>{@code KEYSCAN_RETRY_FIRST_BACKOFF}</td><td>100 ms</td>
 *       <td>0..1 min</td></tr>
 *   <tr><td>{@code retryMaxBackoff}</td><td>{@code KEYSCAN_RETRY_MAX_BACKOFF}</td><td>2 s</td>
 *       <td>at least {@code retryFirstBackoff}, at most 10 min</td></tr>
 * </table>
 *
 * <p>Durations in the environment take a unit ({@code 800us}, {@code 500ms}, {@code 15s}, {@code 2m}) or ISO-8601
 * ({@code PT15S}). An empty variable counts as unset; a malformed one fails with an
 * {@link IllegalArgumentException} naming the variable and its value.
 */
public final class KeyScanOptions {

    /** Default of {@code useScan}: KEYS, until the application opts in to SCAN. */
    public static final boolean DEFAULT_USE_SCAN = false;

    /** Default of {@code scanCount}: Redis' own default COUNT. */
    public static final int DEFAULT_SCAN_COUNT = 10;

    /** Smallest {@code scanCount} used without a warning. */
    public static final int MIN_SCAN_COUNT = 1;

    /** Largest {@code scanCount} used without a warning. */
    public static final int MAX_SCAN_COUNT = 10_000;

    /** Default of {@code scanCountAutoTune}. */
    public static final boolean DEFAULT_SCAN_COUNT_AUTO_TUNE = true;

    /** Default of {@code scanCallBudget}: the server time one auto-tuned SCAN call aims to stay under. */
    public static final Duration DEFAULT_SCAN_CALL_BUDGET = Duration.ofMillis(2);

    /** Default of {@code scanCountMin}: the smallest COUNT auto-tuning sends. */
    public static final int DEFAULT_SCAN_COUNT_MIN = 10;

    /** Default of {@code scanCountMax}: the largest COUNT auto-tuning sends. */
    public static final int DEFAULT_SCAN_COUNT_MAX = 10_000;

    /** Default of {@code scanParallelism}: automatic. */
    public static final int DEFAULT_SCAN_PARALLELISM = 0;

    /** Default of {@code nodeConcurrency}: every node of a cluster at once. */
    public static final int DEFAULT_NODE_CONCURRENCY = 0;

    /** Default of {@code readFromReplicas}: masters. */
    public static final boolean DEFAULT_READ_FROM_REPLICAS = false;

    /** Default of {@code distinctScan}: {@code scan} emits each key once. */
    public static final boolean DEFAULT_DISTINCT_SCAN = true;

    /**
     * Default of {@code distinctMemoryLimit}: 0, meaning a quarter of the JVM's maximum heap
     * ({@link Runtime#maxMemory()}), read when the options are built.
     */
    public static final long DEFAULT_DISTINCT_MEMORY_LIMIT = 0;

    /** Smallest {@code distinctMemoryLimit}: 64 KB. */
    public static final long MIN_DISTINCT_MEMORY_LIMIT = 64L << 10;

    /** Largest {@code distinctMemoryLimit}: 1 TB. */
    public static final long MAX_DISTINCT_MEMORY_LIMIT = 1L << 40;

    /** Default of {@code commandTimeout}: the middle of the recommended 10-30 s range. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(15);

    /** Default of {@code retryMaxAttempts}, counting the first attempt. */
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 4;

    /** Default of {@code retryFirstBackoff}. */
    public static final Duration DEFAULT_RETRY_FIRST_BACKOFF = Duration.ofMillis(100);

    /** Default of {@code retryMaxBackoff}. */
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(2);

    static final Duration MIN_SCAN_CALL_BUDGET = Duration.ofNanos(100_000);
    static final Duration MAX_SCAN_CALL_BUDGET = Duration.ofSeconds(1);
    static final int MAX_SCAN_PARALLELISM = 16;
    static final int MAX_NODE_CONCURRENCY = 1024;
    static final Duration MAX_COMMAND_TIMEOUT = Duration.ofMinutes(10);
    static final Duration MAX_FIRST_BACKOFF = Duration.ofMinutes(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    static final int MAX_RETRY_ATTEMPTS = 100;


    private static final Logger log = LoggerFactory.getLogger(KeyScanOptions.class);

    /** The listener of options that were given none. */
    static final KeyScanListener NO_LISTENER = new KeyScanListener() {
    };

    private static final KeyScanOptions DEFAULTS = new KeyScanOptions(new Builder());

    private final boolean useScan;
    private final int scanCount;
    private final boolean scanCountAutoTune;
    private final Duration scanCallBudget;
    private final int scanCountMin;
    private final int scanCountMax;
    private final int scanParallelism;
    private final int nodeConcurrency;
    private final boolean readFromReplicas;
    private final boolean distinctScan;
    private final long distinctMemoryLimit;
    private final boolean distinctMemoryLimitSet;
    /** {@code null}: {@link Schedulers#parallel()}, looked up at use (it may have been replaced since). */
    private final @Nullable Scheduler resultScheduler;
    private final KeyScanListener listener;
    private final Duration commandTimeout;
    private final int retryMaxAttempts;
    private final Duration retryFirstBackoff;
    private final Duration retryMaxBackoff;

    private KeyScanOptions(Builder builder) {
        this.useScan = builder.useScan;
        this.scanCount = builder.scanCount;
        this.scanCountAutoTune = builder.scanCountAutoTune;
        this.scanCallBudget = builder.scanCallBudget;
        this.scanCountMin = builder.scanCountMin;
        this.scanCountMax = builder.scanCountMax;
        this.scanParallelism = builder.scanParallelism;
        this.nodeConcurrency = builder.nodeConcurrency;
        this.readFromReplicas = builder.readFromReplicas;
        this.distinctScan = builder.distinctScan;
        this.distinctMemoryLimit = builder.distinctMemoryLimit != DEFAULT_DISTINCT_MEMORY_LIMIT
                ? builder.distinctMemoryLimit
                : Math.max(MIN_DISTINCT_MEMORY_LIMIT, Runtime.getRuntime().maxMemory() / 4);
        this.distinctMemoryLimitSet = builder.distinctMemoryLimit != DEFAULT_DISTINCT_MEMORY_LIMIT;
        this.resultScheduler = builder.resultScheduler;
        this.listener = builder.listener;
        this.commandTimeout = builder.commandTimeout;
        this.retryMaxAttempts = builder.retryMaxAttempts;
        this.retryFirstBackoff = builder.retryFirstBackoff;
        this.retryMaxBackoff = builder.retryMaxBackoff;
    }

    /** {@return the defaults: KEYS, COUNT 10 with auto-tuning on, 15 s per command, 4 attempts} */
    public static KeyScanOptions defaults() {
        return DEFAULTS;
    }

    /** {@return a builder holding the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the defaults overridden by the process environment's {@code KEYSCAN_*} variables} */
    public static KeyScanOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The defaults overridden by the {@code KEYSCAN_*} entries of {@code environment}, read exactly like
     * {@link #fromEnvironment()} reads the process environment. Unknown {@code KEYSCAN_*} names are logged at
     * WARN (a typo must not go unnoticed) and otherwise ignored.
     *
     * @param environment variables by name, e.g. {@link System#getenv()}
     * @return the options
     * @throws IllegalArgumentException naming the variable and its value when a value is malformed or not
     *     allowed
     */
    public static KeyScanOptions fromEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        return builder().environment(environment).build();
    }

    /** {@return a builder holding this instance's settings} */
    public Builder mutate() {
        return new Builder(this);
    }

    /** {@return {@code true} to list keys with SCAN, {@code false} with KEYS (deprecated, kept as a safety valve)} */
    public boolean useScan() {
        return useScan;
    }

    /** {@return the COUNT sent with every SCAN when {@link #scanCountAutoTune()} is off} */
    public int scanCount() {
        return scanCount;
    }

    /** {@return whether keyscan chooses COUNT per pattern and per page instead of sending {@link #scanCount()}} */
    public boolean scanCountAutoTune() {
        return scanCountAutoTune;
    }

    /**
     * The server time one auto-tuned SCAN call aims to stay under. Auto-tuning sizes COUNT so that a call takes
     * about three quarters of it, measured as the call's round trip less the connection's idle round trip.
     *
     * @return the server time budget of one auto-tuned SCAN call
     */
    public Duration scanCallBudget() {
        return scanCallBudget;
    }

    /** {@return the smallest COUNT auto-tuning sends} */
    public int scanCountMin() {
        return scanCountMin;
    }

    /** {@return the largest COUNT auto-tuning sends} */
    public int scanCountMax() {
        return scanCountMax;
    }

    /**
     * How many cursor ranges {@code fetchKeys} walks at once on one server, so that round trips overlap: 0
     * (the default) lets auto-tuning choose from the round trip it sees to the server (4 up to about 0.75 ms with
     * the default budget, 8 or 16 over longer ones; 1 on a small keyspace), 1 turns it off, 2-16 asks for that many
     * (rounded down to a power of two). Ranges are used only where the server's cursor layout is known to allow
     * them: Redis and Valkey in standalone mode, and cluster nodes whose cursor carries the slot (slot ranges).
     * Elsewhere one cursor is used. {@code scan} always walks one cursor per server, to follow demand.
     *
     * @return the cursor ranges per server: 0 automatic, 1 off, 2-16
     */
    public int scanParallelism() {
        return scanParallelism;
    }

    /**
     * How many nodes of a cluster are scanned at once: 0 (the default) means all of them. Each node reads at most
     * a page ahead of demand either way; fewer at once means less load spread over the cluster at a time.
     *
     * @return the cluster nodes scanned at once, 0 for all
     */
    public int nodeConcurrency() {
        return nodeConcurrency;
    }

    /**
     * On a cluster, whether each shard is scanned, and its values read, on one of its replicas instead of its
     * master, to keep the load off the masters. Keys written moments before the listing may not have reached the
     * replica yet (replication lag); a shard without a replica is read on its master.
     *
     * @return {@code true} to scan replicas, {@code false} to scan masters
     */
    public boolean readFromReplicas() {
        return readFromReplicas;
    }

    /**
     * Whether {@link KeyScanner#scan(String)} and {@link KeyScanner#scanBytes(String)} emit each key once per
     * subscription ({@code true}, the default), remembering a 16-byte fingerprint of every key emitted (about
     * 32 MB per million keys); or stream SCAN's pages as they come ({@code false}), in constant memory, with the
     * duplicates SCAN itself may return and, after a server restart or failover, the keys emitted before it
     * again. Nothing is lost either way; {@code fetchKeys} is always distinct.
     *
     * @return {@code true} if {@code scan} emits each key once
     */
    public boolean distinctScan() {
        return distinctScan;
    }

    /**
     * The memory, in bytes, that one listing may hold to de-duplicate its keys ({@code scan} with
     * {@link #distinctScan()}: 16-byte fingerprints in tables that double, 21-43 bytes a key) or to collect, decode
     * and sort them ({@code fetchKeys} and the other {@code fetch*} methods, estimated at 80 bytes plus twice the
     * key's length a key, values included for {@code fetchValues}). A listing that would pass it fails at once with
     * a {@link KeyScanException} naming the limit and the keys seen, and sends no further SCAN (on the KEYS path the
     * limit is checked as each server's reply arrives, which KEYS delivers whole). Explicitly set,
     * or a quarter of the JVM's maximum heap, as read when these options were built.
     *
     * @return the memory limit of one listing, in bytes
     */
    public long distinctMemoryLimit() {
        return distinctMemoryLimit;
    }

    /**
     * The scheduler the collected result of a {@code fetch*} listing is decoded, de-duplicated and sorted on, and
     * delivered from: {@link Schedulers#parallel()} by default, so that sorting a large listing never runs on the
     * client's I/O thread (a Netty event loop with Lettuce) that every other Redis command of the application
     * shares. {@code scan}'s keys are not moved: they are emitted where the page arrived, to keep exact demand.
     *
     * @return the scheduler of {@code fetch*} results
     */
    public Scheduler resultScheduler() {
        Scheduler scheduler = resultScheduler;
        return scheduler != null ? scheduler : Schedulers.parallel();
    }

    /** {@return what the scanner reports its work to (for metrics); one that ignores everything by default} */
    public KeyScanListener listener() {
        return listener;
    }

    /** {@return how long one SCAN or KEYS command may take before it is abandoned and, if attempts remain, retried} */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** {@return how many times one command is tried in all, counting the first attempt} */
    public int retryMaxAttempts() {
        return retryMaxAttempts;
    }

    /** {@return the pause before the first retry; each further retry doubles it, up to {@link #retryMaxBackoff()}} */
    public Duration retryFirstBackoff() {
        return retryFirstBackoff;
    }

    /** {@return the longest pause between two attempts} */
    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KeyScanOptions)) {
            return false;
        }
        KeyScanOptions that = (KeyScanOptions) o;
        return useScan == that.useScan
                && scanCount == that.scanCount
                && scanCountAutoTune == that.scanCountAutoTune
                && scanCountMin == that.scanCountMin
                && scanCountMax == that.scanCountMax
                && scanParallelism == that.scanParallelism
                && nodeConcurrency == that.nodeConcurrency
                && readFromReplicas == that.readFromReplicas
                && distinctScan == that.distinctScan
                && distinctMemoryLimit == that.distinctMemoryLimit
                && resultScheduler == that.resultScheduler
                && listener == that.listener
                && scanCallBudget.equals(that.scanCallBudget)
                && retryMaxAttempts == that.retryMaxAttempts
                && commandTimeout.equals(that.commandTimeout)
                && retryFirstBackoff.equals(that.retryFirstBackoff)
                && retryMaxBackoff.equals(that.retryMaxBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(useScan, scanCount, scanCountAutoTune, scanCallBudget, scanCountMin, scanCountMax,
                scanParallelism, nodeConcurrency, readFromReplicas, distinctScan, distinctMemoryLimit, commandTimeout,
                retryMaxAttempts,
                retryFirstBackoff, retryMaxBackoff);
    }

    @Override
    public String toString() {
        return "KeyScanOptions{useScan=" + useScan
                + ", scanCount=" + scanCount
                + ", scanCountAutoTune=" + scanCountAutoTune
                + ", scanCallBudget=" + scanCallBudget
                + ", scanCountMin=" + scanCountMin
                + ", scanCountMax=" + scanCountMax
                + ", scanParallelism=" + scanParallelism
                + ", nodeConcurrency=" + nodeConcurrency
                + ", readFromReplicas=" + readFromReplicas
                + ", distinctScan=" + distinctScan
                + ", distinctMemoryLimit=" + distinctMemoryLimit
                + ", commandTimeout=" + commandTimeout
                + ", retryMaxAttempts=" + retryMaxAttempts
                + ", retryFirstBackoff=" + retryFirstBackoff
                + ", retryMaxBackoff=" + retryMaxBackoff + '}';
    }

    /**
     * Builds {@link KeyScanOptions}. Not thread-safe; each setter validates its argument at once and
     * {@link #build()} checks the rules that span several settings.
     */
    public static final class Builder {

        private boolean useScan = DEFAULT_USE_SCAN;
        private int scanCount = DEFAULT_SCAN_COUNT;
        private boolean scanCountSet;
        private boolean scanCountAutoTune = DEFAULT_SCAN_COUNT_AUTO_TUNE;
        private Duration scanCallBudget = DEFAULT_SCAN_CALL_BUDGET;
        private int scanCountMin = DEFAULT_SCAN_COUNT_MIN;
        private int scanCountMax = DEFAULT_SCAN_COUNT_MAX;
        private int scanParallelism = DEFAULT_SCAN_PARALLELISM;
        private int nodeConcurrency = DEFAULT_NODE_CONCURRENCY;
        private boolean readFromReplicas = DEFAULT_READ_FROM_REPLICAS;
        private boolean distinctScan = DEFAULT_DISTINCT_SCAN;
        private long distinctMemoryLimit = DEFAULT_DISTINCT_MEMORY_LIMIT;
        private @Nullable Scheduler resultScheduler;
        private KeyScanListener listener = NO_LISTENER;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int retryMaxAttempts = DEFAULT_RETRY_MAX_ATTEMPTS;
        private Duration retryFirstBackoff = DEFAULT_RETRY_FIRST_BACKOFF;
        private Duration retryMaxBackoff = DEFAULT_RETRY_MAX_BACKOFF;

        private Builder() {
        }

        private Builder(KeyScanOptions options) {
            this.useScan = options.useScan;
            this.scanCount = options.scanCount;
            this.scanCountAutoTune = options.scanCountAutoTune;
            this.scanCallBudget = options.scanCallBudget;
            this.scanCountMin = options.scanCountMin;
            this.scanCountMax = options.scanCountMax;
            this.scanParallelism = options.scanParallelism;
            this.nodeConcurrency = options.nodeConcurrency;
            this.readFromReplicas = options.readFromReplicas;
            this.distinctScan = options.distinctScan;
            this.distinctMemoryLimit = options.distinctMemoryLimitSet ? options.distinctMemoryLimit
                    : DEFAULT_DISTINCT_MEMORY_LIMIT;
            this.resultScheduler = options.resultScheduler;
            this.listener = options.listener;
            this.commandTimeout = options.commandTimeout;
            this.retryMaxAttempts = options.retryMaxAttempts;
            this.retryFirstBackoff = options.retryFirstBackoff;
            this.retryMaxBackoff = options.retryMaxBackoff;
        }

        /**
         * {@code true} lists keys with SCAN, {@code false} (the default) with KEYS.
         *
         * @param useScan {@code true} for SCAN, {@code false} for KEYS
         * @return this builder
         */
        public Builder useScan(boolean useScan) {
            this.useScan = useScan;
            return this;
        }

        /**
         * The COUNT hint for every SCAN call when auto-tuning is off. Values outside 1..10000 are logged at WARN
         * by {@link #build()}; values below 1, which Redis rejects, are replaced by the default 10.
         *
         * @param scanCount the COUNT hint
         * @return this builder
         */
        public Builder scanCount(int scanCount) {
            this.scanCount = scanCount;
            this.scanCountSet = true;
            return this;
        }

        /**
         * Whether keyscan picks COUNT itself (the default); {@code false} sends exactly {@code scanCount}.
         *
         * @param scanCountAutoTune {@code true} to let keyscan choose COUNT
         * @return this builder
         */
        public Builder scanCountAutoTune(boolean scanCountAutoTune) {
            this.scanCountAutoTune = scanCountAutoTune;
            return this;
        }

        /**
         * The server time one auto-tuned SCAN call aims to stay under: 100 us to 1 s, 2 ms by default.
         *
         * @param scanCallBudget the budget
         * @return this builder
         */
        public Builder scanCallBudget(Duration scanCallBudget) {
            Duration checked = checkDuration("scanCallBudget", scanCallBudget, false, MAX_SCAN_CALL_BUDGET);
            if (checked.compareTo(MIN_SCAN_CALL_BUDGET) < 0) {
                throw new IllegalArgumentException("scanCallBudget must be at least " + MIN_SCAN_CALL_BUDGET + ", was "
                        + checked);
            }
            this.scanCallBudget = checked;
            return this;
        }

        /**
         * The smallest COUNT auto-tuning sends: 1 to 10000, at most {@code scanCountMax}.
         *
         * @param scanCountMin the smallest COUNT
         * @return this builder
         */
        public Builder scanCountMin(int scanCountMin) {
            this.scanCountMin = checkCountBound("scanCountMin", scanCountMin);
            return this;
        }

        /**
         * The largest COUNT auto-tuning sends: 1 to 10000, at least {@code scanCountMin}.
         *
         * @param scanCountMax the largest COUNT
         * @return this builder
         */
        public Builder scanCountMax(int scanCountMax) {
            this.scanCountMax = checkCountBound("scanCountMax", scanCountMax);
            return this;
        }

        /**
         * Cursor ranges per server for {@code fetchKeys}: 0 automatic (default), 1 off, 2-16.
         *
         * @param scanParallelism the cursor ranges per server
         * @return this builder
         */
        public Builder scanParallelism(int scanParallelism) {
            if (scanParallelism < 0 || scanParallelism > MAX_SCAN_PARALLELISM) {
                throw new IllegalArgumentException("scanParallelism must be between 0 (automatic) and "
                        + MAX_SCAN_PARALLELISM + ", was " + scanParallelism);
            }
            this.scanParallelism = scanParallelism;
            return this;
        }

        /**
         * Cluster nodes scanned at once: 0 (all, the default) to 1024.
         *
         * @param nodeConcurrency the nodes scanned at once, 0 for all
         * @return this builder
         */
        public Builder nodeConcurrency(int nodeConcurrency) {
            if (nodeConcurrency < 0 || nodeConcurrency > MAX_NODE_CONCURRENCY) {
                throw new IllegalArgumentException("nodeConcurrency must be between 0 (all nodes) and "
                        + MAX_NODE_CONCURRENCY + ", was " + nodeConcurrency);
            }
            this.nodeConcurrency = nodeConcurrency;
            return this;
        }

        /**
         * On a cluster, scan one replica per shard ({@code true}) or the masters ({@code false}, the default).
         *
         * @param readFromReplicas {@code true} to scan replicas
         * @return this builder
         */
        public Builder readFromReplicas(boolean readFromReplicas) {
            this.readFromReplicas = readFromReplicas;
            return this;
        }

        /**
         * {@code true} (the default): {@code scan} emits each key once, at 16 bytes of memory per key;
         * {@code false}: constant memory, keys may repeat. See {@link KeyScanOptions#distinctScan()}.
         *
         * @param distinctScan {@code true} to emit each key once
         * @return this builder
         */
        public Builder distinctScan(boolean distinctScan) {
            this.distinctScan = distinctScan;
            return this;
        }

        /**
         * The memory one listing may hold to de-duplicate and sort its keys, in bytes: 64 KB to 1 TB, or 0 (the
         * default) for a quarter of the JVM's maximum heap. See {@link KeyScanOptions#distinctMemoryLimit()}.
         *
         * @param bytes the limit in bytes, or 0 for the default
         * @return this builder
         */
        public Builder distinctMemoryLimit(long bytes) {
            if (bytes != DEFAULT_DISTINCT_MEMORY_LIMIT
                    && (bytes < MIN_DISTINCT_MEMORY_LIMIT || bytes > MAX_DISTINCT_MEMORY_LIMIT)) {
                throw new IllegalArgumentException("distinctMemoryLimit must be between " + MIN_DISTINCT_MEMORY_LIMIT
                        + " bytes (64 KB) and " + MAX_DISTINCT_MEMORY_LIMIT + " bytes (1 TB), or 0 for a quarter of "
                        + "the maximum heap, was " + bytes);
            }
            this.distinctMemoryLimit = bytes;
            return this;
        }

        /**
         * Where {@code fetch*} results are decoded, sorted and delivered; {@link Schedulers#parallel()} by default.
         * Not read from the environment. See {@link KeyScanOptions#resultScheduler()}.
         *
         * @param resultScheduler the scheduler
         * @return this builder
         */
        public Builder resultScheduler(Scheduler resultScheduler) {
            this.resultScheduler = Objects.requireNonNull(resultScheduler, "resultScheduler");
            return this;
        }

        /**
         * Where the scanner reports its work, e.g. a Micrometer binding; not read from the environment.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(KeyScanListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * How long one SCAN or KEYS command may take. Positive and at most 10 minutes; 10-30 s is recommended
         * for production. The key stream itself has no timeout: a slow consumer is not an error.
         *
         * @param commandTimeout the timeout of one command
         * @return this builder
         */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = checkDuration("commandTimeout", commandTimeout, false, MAX_COMMAND_TIMEOUT);
            return this;
        }

        /**
         * Attempts per command, counting the first: 1 (no retry) to 100.
         *
         * @param retryMaxAttempts the attempts per command
         * @return this builder
         */
        public Builder retryMaxAttempts(int retryMaxAttempts) {
            if (retryMaxAttempts < 1 || retryMaxAttempts > MAX_RETRY_ATTEMPTS) {
                throw new IllegalArgumentException("retryMaxAttempts must be between 1 and " + MAX_RETRY_ATTEMPTS
                        + ", was " + retryMaxAttempts);
            }
            this.retryMaxAttempts = retryMaxAttempts;
            return this;
        }

        /**
         * The pause before the first retry: zero to 1 minute.
         *
         * @param retryFirstBackoff the first pause
         * @return this builder
         */
        public Builder retryFirstBackoff(Duration retryFirstBackoff) {
            this.retryFirstBackoff = checkDuration("retryFirstBackoff", retryFirstBackoff, true, MAX_FIRST_BACKOFF);
            return this;
        }

        /**
         * The longest pause between attempts: at least {@code retryFirstBackoff}, at most 10 minutes.
         *
         * @param retryMaxBackoff the longest pause
         * @return this builder
         */
        public Builder retryMaxBackoff(Duration retryMaxBackoff) {
            this.retryMaxBackoff = checkDuration("retryMaxBackoff", retryMaxBackoff, true, MAX_BACKOFF);
            return this;
        }

        /**
         * Applies the {@code KEYSCAN_*} entries of {@code environment} over what this builder holds.
         *
         * @param environment variables by name, e.g. {@link System#getenv()}
         * @return this builder
         * @throws IllegalArgumentException naming the variable and its value when a value is malformed
         */
        public Builder environment(Map<String, String> environment) {
            KeyScanEnvironment.apply(Objects.requireNonNull(environment, "environment"), this);
            return this;
        }

        /**
         * Checks the rules spanning several settings and builds the options. Logs at WARN when {@code scanCount}
         * is outside 1..10000 (and uses the default below 1), and when a {@code scanCount} was set while
         * auto-tuning, which ignores it, is on.
         *
         * @return the options
         * @throws IllegalArgumentException when {@code retryMaxBackoff} is shorter than {@code retryFirstBackoff}
         */
        public KeyScanOptions build() {
            if (retryMaxBackoff.compareTo(retryFirstBackoff) < 0) {
                throw new IllegalArgumentException("retryMaxBackoff (" + retryMaxBackoff
                        + ") must not be shorter than retryFirstBackoff (" + retryFirstBackoff + ")");
            }
            if (scanCountMin > scanCountMax) {
                throw new IllegalArgumentException("scanCountMin (" + scanCountMin
                        + ") must not be larger than scanCountMax (" + scanCountMax + ")");
            }
            if (scanCount < MIN_SCAN_COUNT) {
                log.warn("scanCount={} is below {} and Redis rejects it; using the default {} instead", scanCount,
                        MIN_SCAN_COUNT, DEFAULT_SCAN_COUNT);
                scanCount = DEFAULT_SCAN_COUNT;
            } else if (scanCount > MAX_SCAN_COUNT) {
                log.warn("scanCount={} is above {}: one SCAN call may hold the Redis server for many milliseconds",
                        scanCount, MAX_SCAN_COUNT);
            }
            if (scanCountSet && scanCountAutoTune && scanCount != DEFAULT_SCAN_COUNT) {
                log.warn("scanCount={} is ignored while scanCountAutoTune=true; set scanCountAutoTune=false "
                        + "(KEYSCAN_SCAN_COUNT_AUTO_TUNE=false) to send a fixed COUNT", scanCount);
            }
            return new KeyScanOptions(this);
        }

        private static int checkCountBound(String name, int value) {
            if (value < MIN_SCAN_COUNT || value > MAX_SCAN_COUNT) {
                throw new IllegalArgumentException(name + " must be between " + MIN_SCAN_COUNT + " and " + MAX_SCAN_COUNT
                        + ", was " + value);
            }
            return value;
        }

        private static Duration checkDuration(String name, @Nullable Duration value, boolean zeroAllowed,
                Duration max) {
            if (value == null) {
                throw new NullPointerException(name + " must not be null");
            }
            if (value.isNegative() || (!zeroAllowed && value.isZero())) {
                throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "zero or positive" : "positive")
                        + ", was " + value);
            }
            if (value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be at most " + max + ", was " + value);
            }
            return value;
        }
    }
}
