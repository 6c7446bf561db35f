package io.keyscan.measure;

import io.keyscan.testkit.CommandStats;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisBinary;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cluster listing costs on today's servers (issue 12, items 1 and 4), on a local 3-master cluster of the testkit
 * ({@link LocalRedisCluster}, no replicas) holding rails_performance-shaped keys.
 *
 * <ul>
 *   <li>{@code clusterscan} (Valkey 9.1+): the per-node SCAN walk (one cursor per master, the masters in parallel)
 *       against {@code CLUSTERSCAN}: one cursor over the whole cluster; one cursor per master's slot range, in
 *       parallel, each ending where its cursor leaves the master's slots; and one {@code SLOT s} walk per slot, the
 *       slots of each master walked by its own workers. Wall time and server time ({@code INFO commandstats} of
 *       {@code scan} / {@code clusterscan}, summed over the masters; it counts time the server was descheduled
 *       too, so on a busy machine the minimum of the runs is the fairer figure), round trips, keys returned,
 *       distinct, missing, and page sizes.
 *   <li>{@code layout} (any server): checks on real per-node SCAN replies that the cursor carries the slot in its
 *       low 14 bits: the keys of a page in non-decreasing slot order, at or after the slot of the cursor sent and
 *       at or before the slot of the cursor returned, and the slot bits of successive cursors non-decreasing.
 *       Prints the first reply that breaks it (Redis before 7.4: one hash table per node, no slot in the cursor).
 * </ul>
 *
 * <pre>./mvnw -q -B package -DskipTests -pl benchmarks -am
 * java -Dkeyscan.redis.server=valkey-9.1 -cp benchmarks/target/benchmarks.jar io.keyscan.measure.ClusterScanCost clusterscan 1000000 3
 * java -Dkeyscan.redis.server=redis-7.0 -cp benchmarks/target/benchmarks.jar io.keyscan.measure.ClusterScanCost layout 100000</pre>
 *
 * <p>Arguments: the mode, the number of keys (default 1,000,000), the runs per method (default 3), the workers per
 * master for the {@code SLOT} walks (default 1).
 */
public final class ClusterScanCost {

    private static final int COUNT = 1000;
    private static final int SLOT_BITS = 14;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    private ClusterScanCost() {
    }

    /** {@code CLUSTERSCAN}, which Lettuce does not know. */
    private enum Valkey implements ProtocolKeyword {
        CLUSTERSCAN;

        @Override
        public byte[] getBytes() {
            return name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "clusterscan";
        int keys = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 1_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int slotWorkers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        if (!mode.equals("clusterscan") && !mode.equals("layout")) {
            throw new IllegalArgumentException("mode is clusterscan or layout, was " + mode);
        }
        RedisBinary binary = RedisBinary.find();
        long loadStart = System.nanoTime();
        try (LocalRedisCluster cluster = LocalRedisCluster.builder().binary(binary).replicasPerMaster(0).start()) {
            RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(keys, 1);
            cluster.loadKeys(dataset.keys());
            Set<String> expected = new HashSet<>(dataset.keys());
            System.out.printf(Locale.ROOT, "%s %s, 3 masters, %,d keys (loaded in %d s)%n", binary.product(),
                    binary.version(), keys, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - loadStart));
            System.out.println("load average before: " + loadAverage());
            try (Nodes nodes = new Nodes(cluster)) {
                if (mode.equals("layout")) {
                    layout(nodes);
                } else {
                    compare(nodes, expected, runs, slotWorkers);
                }
            }
            System.out.println("load average after: " + loadAverage());
        }
    }

    /** {@code /proc/loadavg} (1, 5 and 15 minutes): the machine is shared, and a busy one stretches every time. */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    // ---- CLUSTERSCAN against the per-node walk

    private static void compare(Nodes nodes, Set<String> expected, int runs, int slotWorkers) throws Exception {
        Map<String, Method> methods = new java.util.LinkedHashMap<>();
        methods.put("per-node SCAN, masters in parallel", ClusterScanCost::perNodeScan);
        methods.put("CLUSTERSCAN, one cursor", ClusterScanCost::clusterScanOneCursor);
        methods.put("CLUSTERSCAN, one cursor per master, in parallel", ClusterScanCost::clusterScanPerMaster);
        methods.put("CLUSTERSCAN SLOT s, every slot, " + slotWorkers + " worker(s) per master",
                n -> clusterScanEverySlot(n, slotWorkers));
        System.out.printf(Locale.ROOT, "COUNT %d, after one warm-up pass of every method, %d runs per method "
                + "(wall and server time: median and minimum of the runs; the rest: last run)%n%n",
                COUNT, runs);
        System.out.printf(Locale.ROOT, "| %-52s | %17s | %11s | %17s | %9s | %9s | %7s | %-34s |%n", "method",
                "wall ms med / min", "round trips", "server ms med/min", "keys", "distinct", "missing",
                "pages: empty/min/p50/p90/max");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---|");
        for (Method method : methods.values()) {
            method.list(nodes); // warm-up: JIT, connections
        }
        for (Map.Entry<String, Method> method : methods.entrySet()) {
            long[] walls = new long[runs];
            long[] servers = new long[runs];
            Result last = null;
            for (int run = 0; run < runs; run++) {
                nodes.resetStats();
                long start = System.nanoTime();
                last = method.getValue().list(nodes);
                walls[run] = System.nanoTime() - start;
                servers[run] = nodes.serverUsec("scan") + nodes.serverUsec("clusterscan");
            }
            Arrays.sort(walls);
            Arrays.sort(servers);
            Set<String> distinct = new HashSet<>(last.keys);
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(distinct);
            List<Integer> pages = new ArrayList<>(last.pages);
            Collections.sort(pages);
            long empty = pages.stream().filter(size -> size == 0).count();
            System.out.printf(Locale.ROOT,
                    "| %-52s | %,7.0f / %,7.0f | %,11d | %,7.0f / %,7.0f | %,9d | %,9d | %,7d | %-34s |%n",
                    method.getKey(), walls[runs / 2] / 1e6, walls[0] / 1e6, last.roundTrips.get(),
                    servers[runs / 2] / 1000.0, servers[0] / 1000.0, last.keys.size(), distinct.size(),
                    missing.size(), empty + " / " + pages.get(0) + " / " + pages.get(pages.size() / 2) + " / "
                            + pages.get((int) (pages.size() * 0.9)) + " / " + pages.get(pages.size() - 1));
        }
        System.out.printf(Locale.ROOT, "%nCLUSTERSCAN cursors checked: %,d, local cursor's low 14 bits = slot of its "
                + "hash tag in all but %,d; MOVED replies: %,d, the first: %s%n", CHECKED.get(), MISMATCHED.get(),
                MOVED.get(), FIRST_MOVED.get());
    }

    @FunctionalInterface
    private interface Method {
        Result list(Nodes nodes) throws Exception;
    }

    /** What one listing returned: every key of every page, each page's size, and the calls it took. */
    private static final class Result {
        final List<String> keys = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> pages = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger roundTrips = new AtomicInteger();

        void page(List<String> page) {
            keys.addAll(page);
            pages.add(page.size());
            roundTrips.incrementAndGet();
        }
    }

    /** One SCAN cursor per master, COUNT 1000, the masters walked in parallel (one thread each). */
    private static Result perNodeScan(Nodes nodes) throws Exception {
        Result result = new Result();
        List<Runnable> walks = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int node = i;
            walks.add(() -> {
                RedisCommands<String, String> redis = nodes.connection(node, 0);
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(COUNT));
                    result.page(page.getKeys());
                    cursor = page;
                } while (!cursor.isFinished());
            });
        }
        runAll(walks);
        return result;
    }

    /** One CLUSTERSCAN cursor from {@code 0} to {@code 0}, each call sent to the master its hash tag names. */
    private static Result clusterScanOneCursor(Nodes nodes) {
        Result result = new Result();
        String cursor = "0";
        do {
            Page page = nodes.clusterScan(0, cursor, -1);
            result.page(page.keys);
            cursor = page.cursor;
        } while (!cursor.equals("0"));
        return result;
    }

    /**
     * One CLUSTERSCAN cursor per master, in parallel: from {@code 0-{tag}-0} of the master's first slot until the
     * cursor leaves the master's slots (a {@code 0-{tag}-0} of another master's slot) or is {@code 0}.
     */
    private static Result clusterScanPerMaster(Nodes nodes) throws Exception {
        Result result = new Result();
        List<Runnable> walks = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int node = i;
            walks.add(() -> {
                String cursor = "0-{" + nodes.tags[nodes.firstSlot(node)] + "}-0";
                while (true) {
                    Page page = nodes.clusterScan(0, cursor, -1);
                    result.page(page.keys);
                    cursor = page.cursor;
                    if (cursor.equals("0") || nodes.owner(SlotHash.getSlot(cursor)) != node) {
                        return;
                    }
                }
            });
        }
        runAll(walks);
        return result;
    }

    /** {@code CLUSTERSCAN 0-{tag}-0 SLOT s} to {@code 0} for every slot; each master's slots by its own workers. */
    private static Result clusterScanEverySlot(Nodes nodes, int workersPerMaster) throws Exception {
        Result result = new Result();
        List<Runnable> walks = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            ConcurrentLinkedQueue<Integer> slots = new ConcurrentLinkedQueue<>();
            for (int slot = 0; slot < LocalRedisCluster.SLOTS; slot++) {
                if (nodes.owner(slot) == i) {
                    slots.add(slot);
                }
            }
            for (int worker = 0; worker < workersPerMaster; worker++) {
                int connection = worker;
                walks.add(() -> {
                    Integer slot;
                    while ((slot = slots.poll()) != null) {
                        String cursor = "0-{" + nodes.tags[slot] + "}-0";
                        do {
                            Page page = nodes.clusterScan(connection, cursor, slot);
                            result.page(page.keys);
                            cursor = page.cursor;
                        } while (!cursor.equals("0"));
                    }
                });
            }
        }
        runAll(walks);
        return result;
    }

    private static void runAll(List<Runnable> walks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(walks.size());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable walk : walks) {
                futures.add(pool.submit(walk));
            }
            for (Future<?> future : futures) {
                future.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private record Page(String cursor, List<String> keys) {
    }

    private static final AtomicInteger CHECKED = new AtomicInteger();
    private static final AtomicInteger MISMATCHED = new AtomicInteger();
    private static final AtomicInteger MOVED = new AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicReference<String> FIRST_MOVED =
            new java.util.concurrent.atomic.AtomicReference<>("none");

    // ---- the cursor layout of per-node SCAN

    private static void layout(Nodes nodes) {
        long pages = 0;
        long keys = 0;
        String firstBreak = null;
        int breaks = 0;
        for (int node = 0; node < nodes.size(); node++) {
            RedisCommands<String, String> redis = nodes.connection(node, 0);
            long sent = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(COUNT));
                long returned = Long.parseUnsignedLong(page.getCursor());
                pages++;
                keys += page.getKeys().size();
                String problem = layoutProblem(sent, returned, page.isFinished(), page.getKeys());
                if (problem != null) {
                    breaks++;
                    if (firstBreak == null) {
                        firstBreak = "master " + nodes.uri(node) + ", SCAN " + Long.toUnsignedString(sent)
                                + " COUNT " + COUNT + " -> cursor " + Long.toUnsignedString(returned) + " (low 14 bits "
                                + (returned & SLOT_MASK) + "), " + page.getKeys().size() + " keys: " + problem
                                + "; slots of its first keys: " + page.getKeys().stream().limit(8)
                                        .map(key -> Integer.toString(SlotHash.getSlot(key)))
                                        .collect(java.util.stream.Collectors.joining(", "));
                    }
                }
                sent = returned;
                cursor = page;
            } while (!cursor.isFinished());
        }
        System.out.printf(Locale.ROOT, "per-node SCAN COUNT %d: %,d pages, %,d keys; pages breaking the per-slot cursor "
                + "layout: %,d%n", COUNT, pages, keys, breaks);
        System.out.println(firstBreak == null ? "layout holds on every reply" : "first break: " + firstBreak);
    }

    /** Null if the page fits the per-slot layout, otherwise the first thing that does not. */
    private static String layoutProblem(long sent, long returned, boolean finished, List<String> keys) {
        long sentSlot = sent & SLOT_MASK;
        long returnedSlot = returned & SLOT_MASK;
        if (!finished && returnedSlot < sentSlot) {
            return "the returned cursor's slot bits " + returnedSlot + " are below the sent cursor's " + sentSlot;
        }
        int previous = -1;
        String previousKey = null;
        for (String key : keys) {
            int slot = SlotHash.getSlot(key);
            if (slot < previous) {
                return "key '" + previousKey + "' (slot " + previous + ") is followed by '" + key + "' (slot " + slot
                        + ")";
            }
            if (slot < sentSlot) {
                return "key '" + key + "' (slot " + slot + ") is below the sent cursor's slot bits " + sentSlot;
            }
            if (!finished && slot > returnedSlot) {
                return "key '" + key + "' (slot " + slot + ") is beyond the returned cursor's slot bits "
                        + returnedSlot;
            }
            previous = slot;
            previousKey = key;
        }
        return null;
    }

    // ---- connections

    /** Connections to the masters (a few per master), who serves which slot, and a hash tag for every slot. */
    private static final class Nodes implements AutoCloseable {
        final List<LocalRedisServer> masters;
        final int[] owners = new int[LocalRedisCluster.SLOTS];
        final String[] tags = tagsOfEverySlot();
        private final RedisClient client = RedisClient.create();
        private final Map<Long, StatefulRedisConnection<String, String>> connections = new HashMap<>();

        Nodes(LocalRedisCluster cluster) {
            masters = cluster.masters();
            for (int slot = 0; slot < LocalRedisCluster.SLOTS; slot++) {
                owners[slot] = masters.indexOf(cluster.nodeForSlot(slot));
            }
        }

        int size() {
            return masters.size();
        }

        String uri(int node) {
            return masters.get(node).uri();
        }

        int owner(int slot) {
            return owners[slot];
        }

        int firstSlot(int node) {
            for (int slot = 0; slot < owners.length; slot++) {
                if (owners[slot] == node) {
                    return slot;
                }
            }
            throw new IllegalStateException("master " + node + " serves no slot");
        }

        /** Connection {@code index} to master {@code node} (created on first use). */
        synchronized RedisCommands<String, String> connection(int node, int index) {
            return connections.computeIfAbsent(((long) node << 32) | index, key -> {
                StatefulRedisConnection<String, String> connection = client.connect(masters.get(node).redisUri());
                connection.setTimeout(Duration.ofMinutes(1));
                return connection;
            }).sync();
        }

        /**
         * {@code CLUSTERSCAN cursor COUNT 1000 [SLOT slot]} on the master serving the cursor's slot, as a cluster
         * client routes it (the slot of its hash tag; of the whole string {@code 0}, 13907), through connection {@code index} to it; a {@code MOVED} is followed (and counted).
         */
        Page clusterScan(int index, String cursor, int slot) {
            // A cluster client hashes the cursor like a key (the command's key spec): its hash tag, or all of "0"
            int node = owner(SlotHash.getSlot(cursor));
            while (true) {
                CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add(cursor).add("COUNT")
                        .add(COUNT);
                if (slot >= 0) {
                    args.add("SLOT").add(slot);
                }
                List<Object> reply;
                try {
                    reply = connection(node, index).dispatch(Valkey.CLUSTERSCAN,
                            new NestedMultiOutput<>(StringCodec.UTF8), args);
                } catch (RedisCommandExecutionException e) {
                    if (e.getMessage() != null && e.getMessage().startsWith("MOVED ")) {
                        if (MOVED.getAndIncrement() == 0) {
                            FIRST_MOVED.set("CLUSTERSCAN " + cursor + (slot >= 0 ? " SLOT " + slot : "") + " on "
                                    + uri(node) + " (hash tag slot " + SlotHash.getSlot(cursor) + "): "
                                    + e.getMessage());
                        }
                        node = owner(Integer.parseInt(e.getMessage().split(" ")[1]));
                        continue;
                    }
                    throw e;
                }
                String next = (String) reply.get(0);
                @SuppressWarnings("unchecked")
                List<String> keys = (List<String>) reply.get(1);
                checkCursor(next);
                return new Page(next, keys);
            }
        }

        /** Counts whether the local cursor's low 14 bits are the slot of the cursor's hash tag. */
        private static void checkCursor(String cursor) {
            int dash = cursor.lastIndexOf('-');
            if (dash < 0 || cursor.startsWith("0-")) {
                return; // 0, or a cursor at the start of a slot (fingerprint 0): no local cursor
            }
            long local = Long.parseUnsignedLong(cursor.substring(dash + 1));
            CHECKED.incrementAndGet();
            if ((local & SLOT_MASK) != SlotHash.getSlot(cursor)) {
                MISMATCHED.incrementAndGet();
            }
        }

        void resetStats() {
            for (LocalRedisServer master : masters) {
                master.resetStats();
            }
        }

        long serverUsec(String command) {
            long usec = 0;
            for (LocalRedisServer master : masters) {
                CommandStats stats = master.commandStats(command);
                usec += stats.usec();
            }
            return usec;
        }

        @Override
        public void close() {
            for (StatefulRedisConnection<String, String> connection : connections.values()) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }

        /** For every slot a short string of letters and digits that hashes to it. */
        private static String[] tagsOfEverySlot() {
            String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            String[] tags = new String[LocalRedisCluster.SLOTS];
            int found = 0;
            for (int length = 1; length <= 4 && found < tags.length; length++) {
                int[] digits = new int[length];
                char[] chars = new char[length];
                while (true) {
                    for (int i = 0; i < length; i++) {
                        chars[i] = alphabet.charAt(digits[i]);
                    }
                    String tag = new String(chars);
                    int slot = SlotHash.getSlot(tag);
                    if (tags[slot] == null) {
                        tags[slot] = tag;
                        found++;
                    }
                    int position = length - 1;
                    while (position >= 0 && ++digits[position] == alphabet.length()) {
                        digits[position--] = 0;
                    }
                    if (position < 0) {
                        break;
                    }
                }
            }
            if (found < tags.length) {
                throw new IllegalStateException("no tag for " + (tags.length - found) + " slots");
            }
            return tags;
        }
    }
}
