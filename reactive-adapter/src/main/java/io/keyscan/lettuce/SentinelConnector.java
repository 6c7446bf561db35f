package io.keyscan.lettuce;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens keyscan's connection to a master set that Redis Sentinel manages: to its master through Lettuce's own
 * Sentinel support (which asks the Sentinels for the master at every connect and reconnect, so a failover is
 * followed), or, with {@code readFromReplicas}, straight to one replica that a Sentinel reports healthy.
 *
 * <p>A replica connection stays on that replica: if it goes away, commands fail until the retry budget is spent, and
 * the listing ends with an error naming the replica and the master set, never with a shorter list. (Following the
 * Sentinels to another replica would need a rescan there; a scanner created again picks a healthy replica.)
 */
final class SentinelConnector {

    private static final Logger log = LoggerFactory.getLogger(SentinelConnector.class);

    private SentinelConnector() {
    }

    /** Whether {@code uri} names a Sentinel-managed master set. */
    static boolean isSentinel(RedisURI uri) {
        return !uri.getSentinels().isEmpty();
    }

    /**
     * Lettuce's default client options, but commands sent while the connection is down fail at once instead of
     * waiting in Lettuce's queue: after a master is killed, Lettuce reconnects in the background while the Sentinels
     * elect a new one, and keyscan's retries (with their backoff) then decide how long to wait. A KEYS call queued
     * instead would time out and, since a KEYS that timed out may still be running, not be retried.
     */
    static ClientOptions defaultClientOptions() {
        return ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build();
    }

    /** {@code sentinel master set 'name'}, for messages. */
    static String describe(RedisURI uri) {
        return "sentinel master set '" + uri.getSentinelMasterId() + "'";
    }

    /** {@code [host:port, ...]} of the Sentinels: never their URIs, which may carry passwords. */
    static String sentinels(RedisURI uri) {
        List<String> addresses = new ArrayList<>();
        for (RedisURI sentinel : uri.getSentinels()) {
            addresses.add(sentinel.getSocket() != null ? sentinel.getSocket()
                    : sentinel.getHost() + ":" + sentinel.getPort());
        }
        return addresses.toString();
    }

    /**
     * A connection to the master of {@code uri}'s master set, resolved through the Sentinels now and at every
     * reconnect.
     *
     * @throws RedisConnectionException if no Sentinel answers or none knows the master set; the message names the
     *     master set and the Sentinels, never a password
     */
    static StatefulRedisConnection<String, String> connectMaster(RedisClient client, RedisURI uri) {
        if (uri.getSentinelMasterId() == null || uri.getSentinelMasterId().isEmpty()) {
            throw new IllegalArgumentException("A Sentinel URI must name the master set (redis-sentinel://host:port"
                    + "#mymaster, or sentinelMasterId=mymaster); the Sentinels " + sentinels(uri) + " were given "
                    + "without one");
        }
        try {
            return client.connect(uri);
        } catch (RuntimeException e) {
            throw new RedisConnectionException("Cannot connect to the master of " + describe(uri) + " through the "
                    + "Sentinels " + sentinels(uri) + ": " + e.getMessage(), e);
        }
    }

    /**
     * A connection straight to one replica of {@code uri}'s master set that a Sentinel reports up (not flagged
     * {@code s_down}, {@code o_down} or {@code disconnected}) and in sync ({@code master-link-status ok}); the
     * Sentinels are asked in order until one answers.
     *
     * @return the connection and the replica's {@code host:port}
     * @throws RedisConnectionException if no Sentinel answers, or none reports a healthy replica
     */
    static Replica connectReplica(RedisClient client, RedisURI uri) {
        String masterSet = uri.getSentinelMasterId();
        RuntimeException failure = null;
        List<Map<String, String>> replicas = null;
        for (RedisURI sentinel : uri.getSentinels()) {
            RedisURI sentinelUri = RedisURI.builder(sentinel).withTimeout(uri.getTimeout()).build();
            try (StatefulRedisSentinelConnection<String, String> connection = client.connectSentinel(sentinelUri)) {
                replicas = connection.sync().replicas(masterSet);
                break;
            } catch (RuntimeException e) {
                log.debug("Sentinel {}:{} could not list the replicas of {}", sentinel.getHost(), sentinel.getPort(),
                        describe(uri), e);
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (replicas == null) {
            throw new RedisConnectionException("Cannot list the replicas of " + describe(uri) + ": no Sentinel of "
                    + sentinels(uri) + " answered" + (failure == null ? "" : " (" + failure.getMessage() + ")"),
                    failure);
        }
        List<String> unhealthy = new ArrayList<>();
        for (Map<String, String> replica : replicas) {
            String address = replica.get("ip") + ":" + replica.get("port");
            if (!isHealthy(replica)) {
                unhealthy.add(address + " (flags " + replica.get("flags") + ", master-link-status "
                        + replica.get("master-link-status") + ")");
                continue;
            }
            RedisURI target = RedisURI.builder(uri).withHost(replica.get("ip"))
                    .withPort(Integer.parseInt(replica.get("port"))).build();
            try {
                return new Replica(client.connect(target), address);
            } catch (RuntimeException e) {
                log.warn("Replica {} of {} could not be connected to, trying another: {}", address, describe(uri),
                        e.getMessage());
                unhealthy.add(address + " (" + e.getMessage() + ")");
            }
        }
        throw new RedisConnectionException("No replica of " + describe(uri) + " is up and in sync, so "
                + "readFromReplicas cannot be served" + (unhealthy.isEmpty() ? " (the Sentinels know none)"
                : ": " + unhealthy) + ". Wait for a replica, or list on the master (readFromReplicas = false)");
    }

    private static boolean isHealthy(Map<String, String> replica) {
        String flags = String.valueOf(replica.get("flags")).toLowerCase(Locale.ROOT);
        return !flags.contains("s_down") && !flags.contains("o_down") && !flags.contains("disconnected")
                && "ok".equalsIgnoreCase(replica.get("master-link-status"))
                && replica.get("ip") != null && replica.get("port") != null;
    }

    /** A connection to a replica and its {@code host:port}. */
    static final class Replica {
        final StatefulRedisConnection<String, String> connection;
        final String address;

        Replica(StatefulRedisConnection<String, String> connection, String address) {
            this.connection = connection;
            this.address = address;
        }
    }

    /** A label for the node's messages: {@code master of sentinel master set 'name'} or {@code replica of ...}. */
    static String role(RedisURI uri, boolean replica) {
        return (replica ? "replica of " : "master of ") + describe(uri);
    }
}
