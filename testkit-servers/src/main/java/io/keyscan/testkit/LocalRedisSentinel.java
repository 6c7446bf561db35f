package io.keyscan.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Sentinel deployment of processes this JVM starts ({@link LocalRedisServer}s from
 * {@link RedisBinary#find()}): one master, one replica and three Sentinels monitoring them as master set
 * {@value #MASTER_NAME} (quorum 2), all on free loopback ports and addressed as {@code 127.0.0.1}.
 * {@link #start()} returns once every Sentinel reports the master, knows the replica as healthy and knows the two
 * other Sentinels, and the replica is in sync (see {@link #awaitHealthy()}): a few seconds.
 *
 * <p>Sentinels run with {@code down-after-milliseconds 2000} and {@code failover-timeout 3000}, so a killed master is
 * replaced within a few seconds. On Redis 7+ and Valkey the Sentinels' internal periods are shortened too
 * ({@code SENTINEL DEBUG}: hellos every 750 ms, INFO every 500 ms), so that the old master of a {@link #failover()}
 * is turned into a replica (and its clients disconnected) within about 4 s rather than the 8 to 18 s of Sentinel's
 * fixed periods, which Redis 6.2 keeps.
 *
 * <p>Tests may break it on purpose: {@link #failover()} and {@link #killMaster()} each wait, bounded, until all three
 * Sentinels name the new master and the other node is its replica in sync, and on a timeout throw an error carrying
 * what every Sentinel and data node reports, and where their logs are. Roles change, so
 * {@link #master()} and {@link #replica()} ask the servers each time.
 */
public final class LocalRedisSentinel implements AutoCloseable {

    /** The name of the master set the Sentinels monitor. */
    public static final String MASTER_NAME = "mymaster";

    private static final Logger log = LoggerFactory.getLogger(LocalRedisSentinel.class);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
    /** {@code SENTINEL FAILOVER} requests per {@link #failover()}, see there. */
    private static final int FAILOVER_ATTEMPTS = 3;
    /**
     * {@code down-after-milliseconds}: twice Sentinel's 1 s ping and reconnect period, so that a master whose link
     * Sentinel just re-created (at every switch of master) is not found down before the
     * first PING went out, nor one that a loaded machine kept from answering for a moment.
     */
    static final int DOWN_AFTER_MILLIS = 2000;
    /** How long a Sentinel must have known a master before a stopped data node is started again as its replica. */
    private static final long SETTLE_MILLIS = 2000;
    /** {@code failover-timeout}; a Sentinel that lost an election tries again after twice this. */
    static final int FAILOVER_TIMEOUT_MILLIS = 3000;
    private static final String HOST = "127.0.0.1";

    private final List<LocalRedisServer> dataNodes;
    private final List<LocalRedisServer> sentinels;
    private final RedisBinary binary;
    private final String dataPassword;
    private final String sentinelPassword;
    private final RedisClient sentinelClient = RedisClient.create();
    private final Map<LocalRedisServer, StatefulRedisSentinelConnection<String, String>> sentinelConnections =
            new HashMap<>();

    private LocalRedisSentinel(List<LocalRedisServer> dataNodes, List<LocalRedisServer> sentinels, RedisBinary binary,
            String dataPassword, String sentinelPassword) {
        this.dataNodes = List.copyOf(dataNodes);
        this.sentinels = List.copyOf(sentinels);
        this.binary = binary;
        this.dataPassword = dataPassword;
        this.sentinelPassword = sentinelPassword;
    }

    /** A builder for a deployment from {@link RedisBinary#find()}, without passwords. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a deployment without passwords and waits until it is healthy. The caller closes it. */
    public static LocalRedisSentinel start() {
        return builder().start();
    }

    /** Where the processes come from and their ports, e.g. for a log line. */
    public String source() {
        List<Integer> data = new ArrayList<>();
        dataNodes.forEach(node -> data.add(node.port()));
        List<Integer> sentinelPorts = new ArrayList<>();
        sentinels.forEach(node -> sentinelPorts.add(node.port()));
        return "Redis Sentinel deployment from " + binary.source() + " (" + binary.path() + ", " + binary.version()
                + "): data nodes on ports " + data + ", Sentinels on ports " + sentinelPorts;
    }

    /** The master set's name, {@value #MASTER_NAME}. */
    public String masterName() {
        return MASTER_NAME;
    }

    /** The master and the replica as started (roles change: see {@link #master()}), running or not. */
    public List<LocalRedisServer> dataNodes() {
        return dataNodes;
    }

    /** The three Sentinels. */
    public List<LocalRedisServer> sentinels() {
        return sentinels;
    }

    /**
     * {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3#mymaster} as a {@link RedisURI}, with the data
     * nodes' password and each Sentinel's password where set: what a client connects with.
     */
    public RedisURI redisUri() {
        RedisURI.Builder uri = RedisURI.builder().withSentinelMasterId(MASTER_NAME);
        for (LocalRedisServer sentinel : sentinels) {
            if (sentinelPassword != null) {
                uri.withSentinel(HOST, sentinel.port(), sentinelPassword);
            } else {
                uri.withSentinel(HOST, sentinel.port());
            }
        }
        if (dataPassword != null) {
            uri.withPassword(dataPassword.toCharArray());
        }
        return uri.build();
    }

    /** {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/0#mymaster}, without credentials. */
    public String uri() {
        List<String> hosts = new ArrayList<>();
        sentinels.forEach(sentinel -> hosts.add(HOST + ":" + sentinel.port()));
        return "redis-sentinel://" + String.join(",", hosts) + "/0#" + MASTER_NAME;
    }

    /** The running data node that the first Sentinel names as the master now. */
    public LocalRedisServer master() {
        return node(masterAddress(sentinels.get(0)));
    }

    /** The running data node that is not the master. */
    public LocalRedisServer replica() {
        LocalRedisServer master = master();
        for (LocalRedisServer node : dataNodes) {
            if (node != master && node.isRunning()) {
                return node;
            }
        }
        throw new IllegalStateException("no running replica of " + label(master) + "\n" + describeState());
    }

    /**
     * Waits, up to 60 s, until the deployment is healthy: every running Sentinel names the same running master,
     * flags it neither down nor failing over, knows every other running data node as a connected replica whose link
     * to the master is ok, and knows the other running Sentinels; the master reports {@code role:master}, every
     * replica {@code master_link_status:up} to it.
     */
    public void awaitHealthy() {
        await("the Sentinel deployment to be healthy", this::healthProblem);
    }

    /**
     * {@code SENTINEL FAILOVER mymaster}: the replica is promoted (Sentinel waits for it to have the master's writes,
     * so nothing is lost) and the old master becomes its replica, which disconnects the old master's clients. Starts
     * from a healthy deployment and returns once it is healthy again around the promoted node: all three Sentinels
     * name it, and the old master is a replica of it in sync, as every Sentinel and the node itself report.
     *
     * <p>Sentinel may refuse ({@code -INPROG}, {@code -NOGOODSLAVE} while a replica's state is being refreshed) or give
     * up on a failover (it is aborted, or undone by a Sentinel that had not heard of it yet): the request is then
     * repeated once the deployment settled, a few times at most, and a deployment that settles on the old master
     * each time is an error carrying what every Sentinel and data node reports.
     *
     * @return the new master
     */
    public LocalRedisServer failover() {
        awaitHealthy();
        LocalRedisServer oldMaster = master();
        LocalRedisServer promoted = replica();
        String what = "the failover from " + label(oldMaster) + " to " + label(promoted);
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            requestFailover(what);
            LocalRedisServer settled = awaitSettled(what);
            if (settled == promoted) {
                log.info("Failed over {} to {} in {} ms ({} SENTINEL FAILOVER)", label(oldMaster), label(promoted),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), attempt);
                return promoted;
            }
            if (attempt == FAILOVER_ATTEMPTS) {
                throw new IllegalStateException(what + " was given up: after " + attempt + " SENTINEL FAILOVER the "
                        + "Sentinels settled on " + label(settled) + " each time\n" + describeState());
            }
            log.warn("The Sentinels settled on {} again after SENTINEL FAILOVER (attempt {} of {}); asking again:\n{}",
                    label(settled), attempt, FAILOVER_ATTEMPTS, describeState());
        }
    }

    /**
     * Sends {@code SENTINEL FAILOVER} to a Sentinel, trying the next one and again while they answer
     * {@code -INPROG} (a failover is running) or {@code -NOGOODSLAVE} (no replica qualifies yet).
     */
    private void requestFailover(String what) {
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        while (true) {
            List<String> refusals = new ArrayList<>();
            for (LocalRedisServer sentinel : sentinels) {
                try {
                    sentinel(sentinel).failover(MASTER_NAME);
                    log.info("{} accepted SENTINEL FAILOVER {}", label(sentinel), MASTER_NAME);
                    return;
                } catch (RedisCommandExecutionException refused) { // -INPROG, -NOGOODSLAVE: nothing was started
                    refusals.add(label(sentinel) + ": " + refused.getMessage());
                }
                // any other failure (a timeout: it may have been started) is not retried on another Sentinel
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("timed out after " + HEALTH_TIMEOUT.toSeconds() + " s waiting for "
                        + what + " to be accepted by a Sentinel; last: " + refusals + "\n" + describeState());
            }
            Convergence.pause(what);
        }
    }

    /**
     * Waits until the deployment is healthy again after a change (see {@link #awaitHealthy()}) and returns its master.
     * A Sentinel flags a failover it runs at once ({@code failover_in_progress}), so a deployment found healthy
     * after {@code SENTINEL FAILOVER} was accepted has finished that failover, one way or the other.
     */
    private LocalRedisServer awaitSettled(String what) {
        LocalRedisServer[] settled = new LocalRedisServer[1];
        await(what + " to settle", () -> {
            String problem = healthProblem();
            if (problem == null) {
                settled[0] = master();
            }
            return problem;
        });
        return settled[0];
    }

    /**
     * Kills the master ({@code kill -9}) once the replica has every write it acknowledged ({@code WAIT}), then waits
     * until the Sentinels have promoted the replica and all of them name it, and it accepts writes: a few seconds
     * ({@code down-after-milliseconds}, an election, the promotion). The killed node stays down;
     * {@link #restartStoppedDataNodes()} (or {@link LocalRedisServer#startAgain}) brings it back, as a replica of the
     * new master.
     *
     * @return the new master
     */
    public LocalRedisServer killMaster() {
        awaitHealthy();
        LocalRedisServer oldMaster = master();
        LocalRedisServer promoted = replica();
        long acknowledged = oldMaster.admin().waitForReplication(1, 5000);
        if (acknowledged < 1) {
            throw new IllegalStateException("the replica " + label(promoted) + " did not acknowledge the writes of "
                    + label(oldMaster) + " within 5 s\n" + describeState());
        }
        long started = System.nanoTime();
        oldMaster.kill();
        await("the Sentinels to replace the killed " + label(oldMaster) + " with " + label(promoted), () -> {
            String problem = healthProblem();
            if (problem == null && master() != promoted) {
                return "the Sentinels settled on " + label(master());
            }
            return problem;
        });
        log.info("Killed {}; {} took over in {} ms", label(oldMaster), label(promoted),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return promoted;
    }

    /**
     * Starts the data nodes a test stopped or killed again, each as a replica of the master the Sentinels name
     * ({@code --replicaof}), as the Sentinels would reconfigure it (a killed master would otherwise come back as a
     * second, empty master until they do), then waits until the deployment is healthy. If a master was just killed,
     * this first waits until every Sentinel names a running one.
     */
    public void restartStoppedDataNodes() {
        List<LocalRedisServer> stopped = new ArrayList<>();
        for (LocalRedisServer node : dataNodes) {
            if (!node.isRunning()) {
                stopped.add(node);
            }
        }
        if (!stopped.isEmpty()) {
            LocalRedisServer master;
            if (stopped.size() == dataNodes.size()) {
                master = master(); // nothing runs: the one the Sentinels name comes back as the master
                master.startAgain(true, "--replicaof", "no", "one");
                stopped.remove(master);
            } else {
                LocalRedisServer[] named = new LocalRedisServer[1];
                await("every Sentinel to name a running master, settled", () -> {
                    LocalRedisServer first = null;
                    for (LocalRedisServer sentinel : sentinels) {
                        LocalRedisServer node = node(masterAddress(sentinel));
                        if (!node.isRunning()) {
                            return label(sentinel) + " names the stopped " + label(node) + " as the master";
                        }
                        if (first != null && node != first) {
                            return label(sentinel) + " names " + label(node) + ", another Sentinel " + label(first);
                        }
                        first = node;
                        // Right after a switch a Sentinel may briefly flag the new master down, and with the other
                        // Sentinels' answers about the killed one still fresh, start an election at once: it is
                        // aborted for want of a replica, which a node restarted then would have been.
                        Map<String, String> state = sentinel(sentinel).master(MASTER_NAME);
                        if (!"master".equals(state.get("flags"))
                                || Long.parseLong(state.get("role-reported-time")) < SETTLE_MILLIS) {
                            return label(sentinel) + " flags the master " + label(node) + " " + state.get("flags")
                                    + ", role reported " + state.get("role-reported-time") + " ms ago";
                        }
                    }
                    named[0] = first;
                    return null;
                });
                master = named[0];
            }
            for (LocalRedisServer node : stopped) {
                node.startAgain(true, "--replicaof", HOST, Integer.toString(master.port()));
                log.info("Started {} again as a replica of {}", label(node), label(master));
            }
        }
        awaitHealthy();
    }

    @Override
    public void close() {
        for (StatefulRedisSentinelConnection<String, String> connection : sentinelConnections.values()) {
            connection.close();
        }
        sentinelClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        for (LocalRedisServer node : sentinels) {
            node.stop();
        }
        for (LocalRedisServer node : dataNodes) {
            node.stop();
        }
    }

    // ---- state

    /**
     * Null if the deployment is healthy, else what is not: every running Sentinel names the same running master,
     * flags it just {@code master} (not down, no failover in progress), has seen it report {@code role:master} with
     * its current run id, knows the other running Sentinels, and knows every other running data node as a replica
     * (flags just {@code slave}) that it has seen, with its current run id, report {@code role:slave} to that master
     * with the link up; the data nodes agree ({@code role:master}, {@code master_link_status:up} to it, no sync in
     * progress, the master lists each replica {@code online}). Sentinel's own {@code flags} alone would not do: they
     * are the role Sentinel assigns, which may differ from the one the node last reported to it, e.g. for a killed
     * master that came back, which a Sentinel that has not seen it since would still take for a master.
     */
    private String healthProblem() {
        Map<LocalRedisServer, String> runIds = new HashMap<>();
        Map<LocalRedisServer, Map<String, String>> replication = new HashMap<>();
        for (LocalRedisServer node : dataNodes) {
            if (node.isRunning()) {
                runIds.put(node, Convergence.infoFields(node.admin().info("server")).get("run_id"));
                replication.put(node, Convergence.infoFields(node.admin().info("replication")));
            }
        }
        LocalRedisServer master = null;
        for (LocalRedisServer sentinel : sentinels) {
            if (!sentinel.isRunning()) {
                continue;
            }
            LocalRedisServer named = node(masterAddress(sentinel));
            if (master == null) {
                master = named;
            } else if (named != master) {
                return label(sentinel) + " names " + label(named) + " as the master, another Sentinel "
                        + label(master);
            }
            if (!named.isRunning()) {
                return label(sentinel) + " names the stopped " + label(named) + " as the master";
            }
            RedisSentinelCommands<String, String> commands = sentinel(sentinel);
            Map<String, String> state = commands.master(MASTER_NAME);
            String flags = state.get("flags");
            if (!"master".equals(flags)) {
                return label(sentinel) + " flags the master " + label(named) + " " + flags + ", failover-state "
                        + state.get("failover-state");
            }
            if (!"master".equals(state.get("role-reported")) || !runIds.get(named).equals(state.get("runid"))) {
                return label(sentinel) + " last saw the master " + label(named) + " report role:"
                        + state.get("role-reported") + " with run id " + state.get("runid") + " (it runs "
                        + runIds.get(named) + ")";
            }
            int otherSentinels = 0;
            for (LocalRedisServer other : sentinels) {
                if (other != sentinel && other.isRunning()) {
                    otherSentinels++;
                }
            }
            if (Integer.parseInt(state.get("num-other-sentinels")) < otherSentinels) {
                return label(sentinel) + " knows " + state.get("num-other-sentinels") + " other Sentinels, not "
                        + otherSentinels;
            }
            List<Map<String, String>> replicas = commands.replicas(MASTER_NAME);
            for (LocalRedisServer node : dataNodes) {
                if (node == named || !node.isRunning()) {
                    continue;
                }
                Map<String, String> replica = find(replicas, node);
                if (replica == null) {
                    return label(sentinel) + " does not know " + label(node) + " as a replica";
                }
                if (!"slave".equals(replica.get("flags")) || !"slave".equals(replica.get("role-reported"))
                        || !runIds.get(node).equals(replica.get("runid"))
                        || !HOST.equals(replica.get("master-host"))
                        || !Integer.toString(named.port()).equals(replica.get("master-port"))
                        || !"ok".equals(replica.get("master-link-status"))) {
                    return label(sentinel) + " reports replica " + label(node) + " with flags "
                            + replica.get("flags") + ", role-reported " + replica.get("role-reported") + ", run id "
                            + replica.get("runid") + " (it runs " + runIds.get(node) + "), master "
                            + replica.get("master-host") + ":" + replica.get("master-port") + ", master-link-status "
                            + replica.get("master-link-status");
                }
            }
        }
        if (master == null) {
            return "no Sentinel runs";
        }
        Map<String, String> masterReplication = replication.get(master);
        if (!"master".equals(masterReplication.get("role"))) {
            return label(master) + " is not a master yet";
        }
        for (LocalRedisServer node : dataNodes) {
            if (node == master || !node.isRunning()) {
                continue;
            }
            Map<String, String> fields = replication.get(node);
            if (!"slave".equals(fields.get("role"))
                    || !Integer.toString(master.port()).equals(fields.get("master_port"))
                    || !"up".equals(fields.get("master_link_status"))
                    || !"0".equals(fields.get("master_sync_in_progress"))) {
                return label(node) + " reports role:" + fields.get("role") + ", master_port:"
                        + fields.get("master_port") + ", master_link_status:" + fields.get("master_link_status");
            }
            boolean listed = false;
            for (Map.Entry<String, String> field : masterReplication.entrySet()) {
                listed |= field.getKey().startsWith("slave") && field.getValue().contains("port=" + node.port() + ",")
                        && field.getValue().contains("state=online");
            }
            if (!listed) {
                return label(master) + " does not list " + label(node) + " as an online replica";
            }
        }
        return null;
    }

    private static Map<String, String> find(List<Map<String, String>> replicas, LocalRedisServer node) {
        for (Map<String, String> replica : replicas) {
            if (HOST.equals(replica.get("ip")) && Integer.toString(node.port()).equals(replica.get("port"))) {
                return replica;
            }
        }
        return null;
    }

    private SocketAddress masterAddress(LocalRedisServer sentinel) {
        return sentinel(sentinel).getMasterAddrByName(MASTER_NAME);
    }

    /** The data node at {@code address}, as a Sentinel reported it. */
    private LocalRedisServer node(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            for (LocalRedisServer node : dataNodes) {
                if (node.port() == inet.getPort() && HOST.equals(inet.getHostString())) {
                    return node;
                }
            }
        }
        throw new IllegalStateException("a Sentinel names " + address + " as the master, which is not a data node "
                + "of this deployment");
    }

    private synchronized RedisSentinelCommands<String, String> sentinel(LocalRedisServer sentinel) {
        StatefulRedisSentinelConnection<String, String> connection = sentinelConnections.get(sentinel);
        if (connection == null || !connection.isOpen()) {
            RedisURI uri = sentinel.redisUri();
            uri.setTimeout(Duration.ofSeconds(10));
            connection = sentinelClient.connectSentinel(uri);
            sentinelConnections.put(sentinel, connection);
        }
        return connection.sync();
    }

    /**
     * What every Sentinel and data node reports, and where their logs are (kept after the run, in each process'
     * temporary directory), for failure messages.
     */
    public String describeState() {
        StringBuilder text = new StringBuilder();
        for (LocalRedisServer sentinel : sentinels) {
            text.append(label(sentinel)).append(" (log ").append(sentinel.dir().resolve("redis.log")).append("): ");
            if (!sentinel.isRunning()) {
                text.append("not running\n");
                continue;
            }
            try {
                RedisSentinelCommands<String, String> commands = sentinel(sentinel);
                Map<String, String> state = commands.master(MASTER_NAME);
                text.append("master ").append(commands.getMasterAddrByName(MASTER_NAME))
                        .append(" flags ").append(state.get("flags"))
                        .append(" role-reported ").append(state.get("role-reported"))
                        .append(" config-epoch ").append(state.get("config-epoch"))
                        .append(" failover-state ").append(state.get("failover-state"))
                        .append(" other-sentinels ").append(state.get("num-other-sentinels"))
                        .append("; replicas:");
                for (Map<String, String> replica : commands.replicas(MASTER_NAME)) {
                    text.append(' ').append(replica.get("ip")).append(':').append(replica.get("port"))
                            .append(" flags ").append(replica.get("flags"))
                            .append(" role-reported ").append(replica.get("role-reported"))
                            .append(" of ").append(replica.get("master-host")).append(':')
                            .append(replica.get("master-port"))
                            .append(" link ").append(replica.get("master-link-status"))
                            .append(" run id ").append(replica.get("runid")).append(';');
                }
            } catch (RuntimeException e) {
                text.append(e);
            }
            text.append('\n');
        }
        for (LocalRedisServer node : dataNodes) {
            text.append(label(node)).append(" (log ").append(node.dir().resolve("redis.log")).append("): ");
            if (!node.isRunning()) {
                text.append("not running");
            } else {
                try {
                    Map<String, String> replication = Convergence.infoFields(node.admin().info("replication"));
                    text.append("role:").append(replication.get("role"));
                    if ("slave".equals(replication.get("role"))) {
                        text.append(", master_port:").append(replication.get("master_port"))
                                .append(", master_link_status:").append(replication.get("master_link_status"));
                    } else {
                        text.append(", connected_slaves:").append(replication.get("connected_slaves"))
                                .append(", slave0:").append(replication.get("slave0"));
                    }
                    text.append(", run_id:").append(Convergence.infoFields(node.admin().info("server")).get("run_id"));
                } catch (RuntimeException e) {
                    text.append(e);
                }
            }
            text.append('\n');
        }
        return text.toString();
    }

    private String label(LocalRedisServer node) {
        int data = dataNodes.indexOf(node);
        return (data >= 0 ? "data node " + (data + 1) : "Sentinel " + (sentinels.indexOf(node) + 1)) + " (" + HOST
                + ":" + node.port() + ")";
    }

    /**
     * Polls {@code problem} (null: done) until it is done, up to {@link #HEALTH_TIMEOUT}. A command failing
     * meanwhile (a node restarting or being reconfigured) counts as not done yet.
     */
    private void await(String what, Supplier<String> problem) {
        Convergence.await(what, HEALTH_TIMEOUT, problem, this::describeState);
    }

    /**
     * Shortens the Sentinels' internal periods where {@code SENTINEL DEBUG} exists (Redis 7.0+, Valkey), keeping the
     * ratios Sentinel relies on:
     * <ul>
     * <li>{@code info-period} 500 ms (10 s): the roles the data nodes report are seen within half a second;
     * <li>not {@code ping-period} (1 s): besides PINGs it bounds how old a replica's INFO and availability may be
     *     for the replica to be promoted when the master is down (5 periods, while that INFO comes every second), so
     *     a shorter one makes an election end in {@code -failover-abort-no-good-slave} on a loaded machine, and the
     *     next try comes only twice {@code failover-timeout} later;
     * <li>{@code publish-period} 750 ms (2 s): hellos. A Sentinel turns a node it knows as a replica but that reports
     *     {@code role:master} back into a replica 4 hello periods after it saw the change, unless a newer
     *     configuration arrived meanwhile. The Sentinel running a failover only notices its promoted replica's new
     *     role through an INFO it sends every second (fixed), then announces it: 4 hello periods must leave room for
     *     that second on a loaded machine, or the other Sentinels demote the new master again (with 200 ms they did,
     *     800 ms after its promotion, and the deployment ended on the old master). 3 s it is; the old master of a
     *     {@link #failover()} is demoted that long after the switch, rather than 8 s;
     * <li>{@code tilt-period} 5 s (30 s): a Sentinel that was not scheduled for 2 s (a loaded machine) stops acting for
     *     that long.
     * </ul>
     */
    private void shortenPeriods() {
        if (binary.majorVersion() < 7) {
            return;
        }
        for (LocalRedisServer sentinel : sentinels) {
            CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("DEBUG")
                    .add("info-period").add(500)
                    .add("publish-period").add(750)
                    .add("tilt-period").add(5000);
            sentinel(sentinel).dispatch(CommandType.SENTINEL, new StatusOutput<>(StringCodec.UTF8), args);
        }
    }

    /** Configures a {@link LocalRedisSentinel}. */
    public static final class Builder {

        private RedisBinary binary;
        private String dataPassword;
        private String sentinelPassword;

        private Builder() {
        }

        /** The executable of every process; {@link RedisBinary#find()} by default. */
        public Builder binary(RedisBinary binary) {
            this.binary = Objects.requireNonNull(binary, "binary");
            return this;
        }

        /** A password on the master and the replica ({@code requirepass}, {@code masterauth}, Sentinel's {@code auth-pass}). */
        public Builder dataPassword(String password) {
            this.dataPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /** A password on the Sentinels ({@code requirepass}; they authenticate to each other with it too). */
        public Builder sentinelPassword(String password) {
            this.sentinelPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Starts the master, its replica and three Sentinels, and waits until the deployment is healthy. */
        public LocalRedisSentinel start() {
            RedisBinary nodeBinary = binary != null ? binary : RedisBinary.find();
            long started = System.nanoTime();
            List<LocalRedisServer> data = new ArrayList<>();
            List<LocalRedisServer> sentinels = new ArrayList<>();
            try {
                LocalRedisServer master = dataNode(nodeBinary, "sentinel data node 1").start();
                data.add(master);
                data.add(dataNode(nodeBinary, "sentinel data node 2")
                        .arg("--replicaof", HOST, Integer.toString(master.port()))
                        .start());
                // Sentinels learn the replicas from the master's INFO at their first contact: with the replica
                // connected by then, they know it at once rather than at the next INFO, 10 s later.
                awaitReplicaConnected(master);
                for (int i = 1; i <= 3; i++) {
                    LocalRedisServer.Builder sentinel = LocalRedisServer.builder()
                            .binary(nodeBinary)
                            .name("sentinel " + i)
                            .sentinel(config(master.port()));
                    if (sentinelPassword != null) {
                        sentinel.password(sentinelPassword);
                    }
                    sentinels.add(sentinel.start());
                }
                LocalRedisSentinel deployment = new LocalRedisSentinel(data, sentinels, nodeBinary, dataPassword,
                        sentinelPassword);
                try {
                    deployment.shortenPeriods();
                    deployment.awaitHealthy();
                } catch (RuntimeException e) {
                    deployment.close();
                    throw e;
                }
                log.info("Started {} in {} ms", deployment.source(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return deployment;
            } catch (RuntimeException e) {
                for (LocalRedisServer node : sentinels) {
                    stopQuietly(node, e);
                }
                for (LocalRedisServer node : data) {
                    stopQuietly(node, e);
                }
                throw e;
            }
        }

        private LocalRedisServer.Builder dataNode(RedisBinary nodeBinary, String name) {
            LocalRedisServer.Builder node = LocalRedisServer.builder()
                    .binary(nodeBinary)
                    .name(name)
                    // a replica's first sync at once, not after the 5 s default delay of 7.0
                    .arg("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0");
            if (dataPassword != null) {
                node.password(dataPassword);
            }
            return node;
        }

        private String config(int masterPort) {
            StringBuilder config = new StringBuilder()
                    .append("sentinel monitor ").append(MASTER_NAME).append(' ').append(HOST).append(' ')
                    .append(masterPort).append(" 2\n")
                    .append("sentinel down-after-milliseconds ").append(MASTER_NAME).append(" 1000\n")
                    .append("sentinel failover-timeout ").append(MASTER_NAME).append(" 3000\n")
                    .append("sentinel parallel-syncs ").append(MASTER_NAME).append(" 1\n");
            if (dataPassword != null) {
                config.append("sentinel auth-pass ").append(MASTER_NAME).append(' ').append(dataPassword).append('\n');
            }
            return config.toString();
        }

        private static void awaitReplicaConnected(LocalRedisServer master) {
            long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
            while (!Convergence.infoFields(master.admin().info("replication")).getOrDefault("slave0", "")
                    .contains("state=online")) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("the replica did not sync with the master on port "
                            + master.port() + " within " + HEALTH_TIMEOUT.toSeconds() + " s");
                }
                Convergence.pause("the replica to sync");
            }
        }

        private static void stopQuietly(LocalRedisServer node, RuntimeException failure) {
            try {
                node.stop();
            } catch (RuntimeException stopFailure) {
                failure.addSuppressed(stopFailure);
            }
        }
    }
}
