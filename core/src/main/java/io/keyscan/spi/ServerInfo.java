package io.keyscan.spi;

import java.util.Objects;

/**
 * What the engine needs to know about the server process behind a connection, from {@code INFO server}: its
 * {@code run_id} (which changes at every start, so a changed one means cursors are void) and what kind of
 * server it is (which decides whether its SCAN cursor may be split into ranges). Immutable.
 */
public final class ServerInfo {

    private final String runId;
    private final String product;
    private final String version;
    private final String mode;

    private ServerInfo(String runId, String product, String version, String mode) {
        this.runId = runId;
        this.product = product;
        this.version = version;
        this.mode = mode;
    }

    /**
     * @param runId the process' {@code run_id}
     * @param product {@code redis}, {@code valkey}, {@code dragonfly}... in lower case
     * @param version the product's version, e.g. {@code 7.0.15}, or empty if unknown
     * @param mode {@code standalone}, {@code cluster} or {@code sentinel}, or empty if unknown
     * @return the server info
     */
    public static ServerInfo of(String runId, String product, String version, String mode) {
        if (Objects.requireNonNull(runId, "runId").isEmpty()) {
            throw new IllegalArgumentException("runId must not be empty");
        }
        return new ServerInfo(runId, Objects.requireNonNull(product, "product"), Objects.requireNonNull(version,
                "version"), Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Reads the reply of {@code INFO server}. The product is {@code server_name} where the server sends one
     * (Valkey), {@code dragonfly} when a {@code dragonfly_version} is present, else {@code redis}.
     *
     * @param infoServer the reply of {@code INFO server}
     * @return the server info
     * @throws IllegalArgumentException if the reply has no {@code run_id}
     */
    public static ServerInfo parse(String infoServer) {
        String runId = null;
        String product = null;
        String redisVersion = "";
        String productVersion = null;
        String mode = "";
        for (String line : infoServer.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.startsWith("#")) {
                continue;
            }
            String field = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            switch (field) {
                case "run_id":
                    runId = value;
                    break;
                case "redis_version":
                    redisVersion = value;
                    break;
                case "redis_mode":
                case "server_mode":
                    mode = value;
                    break;
                case "server_name":
                    product = value.toLowerCase(java.util.Locale.ROOT);
                    break;
                default:
                    if (field.endsWith("_version") && !field.startsWith("redis_") && !field.startsWith("lua")
                            && !field.startsWith("gcc") && !field.startsWith("rdb") && productVersion == null) {
                        productVersion = value;
                        if (product == null) {
                            product = field.substring(0, field.length() - "_version".length());
                        }
                    }
            }
        }
        if (runId == null || runId.isEmpty()) {
            throw new IllegalArgumentException("INFO server reply has no run_id");
        }
        String name = product == null ? "redis" : product;
        String version = name.equals("redis") || productVersion == null ? redisVersion : productVersion;
        return new ServerInfo(runId, name, version, mode);
    }

    /** {@return the process' {@code run_id}} */
    public String runId() {
        return runId;
    }

    /** {@return the kind of server, in lower case: {@code redis}, {@code valkey}, {@code dragonfly}..} */
    public String product() {
        return product;
    }

    /** {@return the product's version, or empty} */
    public String version() {
        return version;
    }

    /** {@return the mode: {@code standalone}, {@code cluster}, {@code sentinel}, or empty} */
    public String mode() {
        return mode;
    }

    @Override
    public String toString() {
        return product + " " + version + " (" + mode + ", run_id " + runId + ")";
    }
}
