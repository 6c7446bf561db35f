package io.keyscan;

import io.keyscan.spi.ScanNode;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One listing's walk over a deployment whose nodes may change while it runs: every node that can hold the keys is
 * listed, then the keyspace is asked again, and nodes that are new (a promoted replica) or serve slots they did not
 * serve before (a migration) are listed again, until a round sees no change. Keys that stayed in the keyspace all
 * along are then all listed, wherever they moved.
 */
final class TopologyRounds {

    private static final Logger log = LoggerFactory.getLogger(TopologyRounds.class);

    /** Rounds of a listing whose topology keeps changing before it fails. */
    static final int MAX_ROUNDS = 5;

    private final String pattern;
    private final Supplier<Mono<List<ScanNode>>> responsibleNodes;
    private final Function<ScanNode, ScanNode> follow;
    private final int nodeConcurrency;

    /**
     * @param pattern the listing's pattern, for messages
     * @param responsibleNodes the nodes that can hold the keys, asked anew at each subscription
     * @param follow each node as the listing walks it: a cluster shard is followed to its new server after a
     *     failover (see {@link FollowedShard}), so that a round's end compares the topology with where the shards
     *     were walked last
     * @param nodeConcurrency nodes listed at once, 0 for all
     */
    TopologyRounds(String pattern, Supplier<Mono<List<ScanNode>>> responsibleNodes,
            Function<ScanNode, ScanNode> follow, int nodeConcurrency) {
        this.pattern = pattern;
        this.responsibleNodes = responsibleNodes;
        this.follow = follow;
        this.nodeConcurrency = nodeConcurrency;
    }

    /** The keys of every responsible node, each listed with {@code perNode}, in rounds until the topology holds. */
    Flux<byte[]> list(Function<ScanNode, Flux<byte[]>> perNode, int prefetch) {
        return Mono.defer(responsibleNodes).flatMapMany(nodes -> round(nodes, nodes, perNode, prefetch, 1));
    }

    private Flux<byte[]> round(List<ScanNode> topology, List<ScanNode> toList,
            Function<ScanNode, Flux<byte[]>> perNode, int prefetch, int round) {
        List<ScanNode> walked = new ArrayList<>(topology.size());
        for (ScanNode node : topology) {
            walked.add(toList.contains(node) ? follow.apply(node) : node);
        }
        List<ScanNode> walks = new ArrayList<>(toList.size());
        for (int i = 0; i < topology.size(); i++) {
            if (toList.contains(topology.get(i))) {
                walks.add(walked.get(i));
            }
        }
        Flux<byte[]> listings = walks.size() == 1 ? perNode.apply(walks.get(0))
                : Flux.merge(Flux.fromIterable(walks).map(perNode), concurrency(walks.size()), prefetch);
        return listings.concatWith(Flux.defer(() -> responsibleNodes.get().flatMapMany(after -> {
            // where each shard was walked last: a shard followed to a promoted replica is not new
            List<ScanNode> changed = changedNodes(walked, after);
            if (changed.isEmpty()) {
                return Flux.empty();
            }
            if (round >= MAX_ROUNDS) {
                return Flux.error(new KeyScanException("Listing keys of pattern " + Patterns.abbreviate(pattern)
                        + " failed: the cluster's topology changed during each of " + MAX_ROUNDS + " rounds; last "
                        + "changed: " + addresses(changed), pattern, null, round, null));
            }
            log.info("Topology changed while listing {}: listing {} again", Patterns.abbreviate(pattern),
                    addresses(changed));
            return round(after, changed, perNode, prefetch, round + 1);
        })));
    }

    /**
     * Nodes of {@code after} that were not in {@code before} or gained slots since. A new node of a shard that was
     * walked on one of its nodes (a replica promoted by a manual failover, its former master walked to the end) is
     * not new, unless it serves slots that walk did not.
     */
    static List<ScanNode> changedNodes(List<ScanNode> before, List<ScanNode> after) {
        Map<String, BitSet> slotsBefore = new HashMap<>();
        for (ScanNode node : before) {
            slotsBefore.put(node.id(), node.slots());
        }
        List<ScanNode> changed = new ArrayList<>();
        for (ScanNode node : after) {
            BitSet previous = slotsBefore.get(node.id());
            if (previous == null) {
                for (String member : node.shardNodeIds()) {
                    if (slotsBefore.containsKey(member)) {
                        previous = slotsBefore.get(member);
                        break;
                    }
                }
            }
            if (previous == null) {
                changed.add(node);
                continue;
            }
            BitSet gained = (BitSet) node.slots().clone();
            gained.andNot(previous);
            if (!gained.isEmpty()) {
                changed.add(node);
            }
        }
        return changed;
    }

    private int concurrency(int nodes) {
        return nodeConcurrency == 0 ? nodes : Math.min(nodeConcurrency, nodes);
    }

    private static String addresses(List<ScanNode> nodes) {
        List<String> addresses = new ArrayList<>(nodes.size());
        for (ScanNode node : nodes) {
            addresses.add(node.address());
        }
        return addresses.toString();
    }
}
