package io.keyscan.spring;

import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code keyscan.*} configuration properties: one for each setting of {@link io.keyscan.KeyScanOptions}, with
 * the same defaults. Relaxed binding applies, so {@code keyscan.use-scan} is also read from the environment variable
 * {@code KEYSCAN_USE_SCAN} (the name {@code KeyScanOptions.fromEnvironment()} reads) or {@code KEYSCAN_USESCAN}.
 * Durations take a unit ({@code 800us}, {@code 2ms}, {@code 15s}, {@code 2m}) or ISO-8601 ({@code PT15S}); a bare
 * number is milliseconds. An empty value leaves the default, as {@code KeyScanOptions.fromEnvironment()} treats an
 * empty variable as unset (hence the wrapper types: a primitive cannot be left unbound).
 *
 * <p>The values are checked when the {@code KeyScanOptions} bean is built, at startup: a value outside its range
 * fails startup with a message naming the property, the value and what is allowed. The field initialisers below are
 * literals, not references to {@code KeyScanOptions.DEFAULT_*}, so that the configuration processor can publish them
 * as defaults in the IDE metadata; a test checks they equal {@code KeyScanOptions.defaults()}.
 */
@ConfigurationProperties("keyscan")
public class KeyScanProperties {

    /**
     * Whether keys are listed with SCAN (true) or with KEYS (false, deprecated: it holds the Redis server for the
     * whole listing, about a second per million keys; kept as a safety valve).
     */
    private Boolean useScan = false;

    /**
     * COUNT sent with every SCAN call when scan-count-auto-tune is false. Outside 1..10000 a warning names the value;
     * below 1 (which Redis rejects) the default is used instead.
     */
    private Integer scanCount = 10;

    /**
     * Whether keyscan chooses COUNT itself per pattern and page, measured against scan-call-budget, and answers
     * literal patterns with one EXISTS. False sends scan-count with every SCAN call.
     */
    private Boolean scanCountAutoTune = true;

    /** Server time one auto-tuned SCAN call aims to stay under: 100us to 1s. */
    private Duration scanCallBudget = Duration.ofMillis(2);

    /** Smallest COUNT auto-tuning sends: 1 to 10000, at most scan-count-max. */
    private Integer scanCountMin = 10;

    /** Largest COUNT auto-tuning sends: 1 to 10000, at least scan-count-min. */
    private Integer scanCountMax = 10000;

    /**
     * Cursor ranges fetchKeys walks at once on one standalone server, so that round trips overlap: 0 automatic, 1
     * off, 2 to 16 that many (rounded down to a power of two).
     */
    private Integer scanParallelism = 0;

    /** Cluster nodes scanned at once: 0 (all of them) to 1024. */
    private Integer nodeConcurrency = 0;

    /**
     * On a cluster, whether each shard is scanned on one of its replicas instead of its master; through Sentinel,
     * whether listings go to one replica of the master set (picked at startup) instead of its master. Keys written
     * moments before may not have reached the replica yet.
     */
    private Boolean readFromReplicas = false;

    /**
     * Whether scan emits each key once (remembering a 16-byte fingerprint per key, about 32 MB per million keys).
     * False: constant memory, keys may repeat. fetchKeys is always distinct.
     */
    private Boolean distinctScan = true;

    /**
     * Memory one listing may hold to de-duplicate its keys (scan) or to collect and sort them (fetchKeys): 64KB to
     * 1TB, e.g. 64MB. A listing that would pass it fails at once, naming the limit. Unset: a quarter of the maximum
     * heap.
     */
    private @Nullable DataSize distinctMemoryLimit;

    /**
     * How long one SCAN or KEYS command may take before it is abandoned and, if attempts remain, retried: positive,
     * at most 10m; 10s to 30s is recommended. The key stream itself has no timeout.
     */
    private Duration commandTimeout = Duration.ofSeconds(15);

    /** Attempts per command, counting the first: 1 (no retry) to 100. */
    private Integer retryMaxAttempts = 4;

    /** Pause before the first retry, doubled for each further one (with jitter): 0 to 1m. */
    private Duration retryFirstBackoff = Duration.ofMillis(100);

    /** Longest pause between two attempts: at least retry-first-backoff, at most 10m. */
    private Duration retryMaxBackoff = Duration.ofSeconds(2);

    /** {@return the value of {@code keyscan.use-scan}} */
    public Boolean getUseScan() {
        return useScan;
    }

    /**
     * Sets {@code keyscan.use-scan}.
     *
     * @param useScan the value, checked when the options are built
     * @throws IllegalArgumentException if {@code useScan} is {@code null}
     */
    public void setUseScan(@Nullable Boolean useScan) {
        this.useScan = required("keyscan.use-scan", useScan);
    }

    /** {@return the value of {@code keyscan.scan-count}} */
    public Integer getScanCount() {
        return scanCount;
    }

    /**
     * Sets {@code keyscan.scan-count}.
     *
     * @param scanCount the value, checked when the options are built
     * @throws IllegalArgumentException if {@code scanCount} is {@code null}
     */
    public void setScanCount(@Nullable Integer scanCount) {
        this.scanCount = required("keyscan.scan-count", scanCount);
    }

    /** {@return the value of {@code keyscan.scan-count-auto-tune}} */
    public Boolean getScanCountAutoTune() {
        return scanCountAutoTune;
    }

    /**
     * Sets {@code keyscan.scan-count-auto-tune}.
     *
     * @param scanCountAutoTune the value, checked when the options are built
     * @throws IllegalArgumentException if {@code scanCountAutoTune} is {@code null}
     */
    public void setScanCountAutoTune(@Nullable Boolean scanCountAutoTune) {
        this.scanCountAutoTune = required("keyscan.scan-count-auto-tune", scanCountAutoTune);
    }

    /** {@return the value of {@code keyscan.scan-call-budget}} */
    public Duration getScanCallBudget() {
        return scanCallBudget;
    }

    /**
     * Sets {@code keyscan.scan-call-budget}.
     *
     * @param scanCallBudget the value, checked when the options are built
     * @throws IllegalArgumentException if {@code scanCallBudget} is {@code null}
     */
    public void setScanCallBudget(@Nullable Duration scanCallBudget) {
        this.scanCallBudget = required("keyscan.scan-call-budget", scanCallBudget);
    }

    /** {@return the value of {@code keyscan.scan-count-min}} */
    public Integer getScanCountMin() {
        return scanCountMin;
    }

    /**
     * Sets {@code keyscan.scan-count-min}.
     *
     * @param scanCountMin the value, checked when the options are built
     * @throws IllegalArgumentException if {@code scanCountMin} is {@code null}
     */
    public void setScanCountMin(@Nullable Integer scanCountMin) {
        this.scanCountMin = required("keyscan.scan-count-min", scanCountMin);
    }

    /** {@return the value of {@code keyscan.scan-count-max}} */
    public Integer getScanCountMax() {
        return scanCountMax;
    }

    /**
     * Sets {@code keyscan.scan-count-max}.
     *
     * @param scanCountMax the value, checked when the options are built
     * @throws IllegalArgumentException if {@code scanCountMax} is {@code null}
     */
    public void setScanCountMax(@Nullable Integer scanCountMax) {
        this.scanCountMax = required("keyscan.scan-count-max", scanCountMax);
    }

    /** {@return the value of {@code keyscan.scan-parallelism}} */
    public Integer getScanParallelism() {
        return scanParallelism;
    }

    /**
     * Sets {@code keyscan.scan-parallelism}.
     *
     * @param scanParallelism the value, checked when the options are built
     * @throws IllegalArgumentException if {@code scanParallelism} is {@code null}
     */
    public void setScanParallelism(@Nullable Integer scanParallelism) {
        this.scanParallelism = required("keyscan.scan-parallelism", scanParallelism);
    }

    /** {@return the value of {@code keyscan.node-concurrency}} */
    public Integer getNodeConcurrency() {
        return nodeConcurrency;
    }

    /**
     * Sets {@code keyscan.node-concurrency}.
     *
     * @param nodeConcurrency the value, checked when the options are built
     * @throws IllegalArgumentException if {@code nodeConcurrency} is {@code null}
     */
    public void setNodeConcurrency(@Nullable Integer nodeConcurrency) {
        this.nodeConcurrency = required("keyscan.node-concurrency", nodeConcurrency);
    }

    /** {@return the value of {@code keyscan.read-from-replicas}} */
    public Boolean getReadFromReplicas() {
        return readFromReplicas;
    }

    /**
     * Sets {@code keyscan.read-from-replicas}.
     *
     * @param readFromReplicas the value, checked when the options are built
     * @throws IllegalArgumentException if {@code readFromReplicas} is {@code null}
     */
    public void setReadFromReplicas(@Nullable Boolean readFromReplicas) {
        this.readFromReplicas = required("keyscan.read-from-replicas", readFromReplicas);
    }

    /** {@return the value of {@code keyscan.distinct-scan}} */
    public Boolean getDistinctScan() {
        return distinctScan;
    }

    /**
     * Sets {@code keyscan.distinct-scan}.
     *
     * @param distinctScan the value, checked when the options are built
     * @throws IllegalArgumentException if {@code distinctScan} is {@code null}
     */
    public void setDistinctScan(@Nullable Boolean distinctScan) {
        this.distinctScan = required("keyscan.distinct-scan", distinctScan);
    }

    /** {@return the value of {@code keyscan.distinct-memory-limit}, or {@code null} for a quarter of the heap} */
    public @Nullable DataSize getDistinctMemoryLimit() {
        return distinctMemoryLimit;
    }

    /**
     * Sets {@code keyscan.distinct-memory-limit}.
     *
     * @param distinctMemoryLimit the value, checked when the options are built; {@code null} for the default
     */
    public void setDistinctMemoryLimit(@Nullable DataSize distinctMemoryLimit) {
        this.distinctMemoryLimit = distinctMemoryLimit;
    }

    /** {@return the value of {@code keyscan.command-timeout}} */
    public Duration getCommandTimeout() {
        return commandTimeout;
    }

    /**
     * Sets {@code keyscan.command-timeout}.
     *
     * @param commandTimeout the value, checked when the options are built
     * @throws IllegalArgumentException if {@code commandTimeout} is {@code null}
     */
    public void setCommandTimeout(@Nullable Duration commandTimeout) {
        this.commandTimeout = required("keyscan.command-timeout", commandTimeout);
    }

    /** {@return the value of {@code keyscan.retry-max-attempts}} */
    public Integer getRetryMaxAttempts() {
        return retryMaxAttempts;
    }

    /**
     * Sets {@code keyscan.retry-max-attempts}.
     *
     * @param retryMaxAttempts the value, checked when the options are built
     * @throws IllegalArgumentException if {@code retryMaxAttempts} is {@code null}
     */
    public void setRetryMaxAttempts(@Nullable Integer retryMaxAttempts) {
        this.retryMaxAttempts = required("keyscan.retry-max-attempts", retryMaxAttempts);
    }

    /** {@return the value of {@code keyscan.retry-first-backoff}} */
    public Duration getRetryFirstBackoff() {
        return retryFirstBackoff;
    }

    /**
     * Sets {@code keyscan.retry-first-backoff}.
     *
     * @param retryFirstBackoff the value, checked when the options are built
     * @throws IllegalArgumentException if {@code retryFirstBackoff} is {@code null}
     */
    public void setRetryFirstBackoff(@Nullable Duration retryFirstBackoff) {
        this.retryFirstBackoff = required("keyscan.retry-first-backoff", retryFirstBackoff);
    }

    /** {@return the value of {@code keyscan.retry-max-backoff}} */
    public Duration getRetryMaxBackoff() {
        return retryMaxBackoff;
    }

    /**
     * Sets {@code keyscan.retry-max-backoff}.
     *
     * @param retryMaxBackoff the value, checked when the options are built
     * @throws IllegalArgumentException if {@code retryMaxBackoff} is {@code null}
     */
    public void setRetryMaxBackoff(@Nullable Duration retryMaxBackoff) {
        this.retryMaxBackoff = required("keyscan.retry-max-backoff", retryMaxBackoff);
    }

    /**
     * Binding never passes null (an empty value leaves the default, as {@code KeyScanOptions.fromEnvironment()} treats
     * an empty variable as unset); code calling the setters might.
     */
    private static <T> T required(String property, @Nullable T value) {
        if (value == null) {
            throw new IllegalArgumentException(property + " must not be null");
        }
        return value;
    }
}
