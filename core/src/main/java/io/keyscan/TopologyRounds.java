package io.keyscan;

import io.keyscan.spi.ScanNode;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
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

    /** How one node is listed: all of it, or (when not null) only the slots it gained during the listing. */
    @FunctionalInterface
    interface NodeListing {
        Flux<byte[]> list(ScanNode node, @Nullable BitSet onlySlots);
    }

    /** The keys of every responsible node, each listed with {@code perNode}, in rounds until the topology holds. */
    Flux<byte[]> list(NodeListing perNode, int prefetch) {
        return Mono.defer(responsibleNodes).flatMapMany(nodes -> {
            Map<ScanNode, @Nullable BitSet> all = new LinkedHashMap<>();
            nodes.forEach(node -> all.put(node, null));
            return round(nodes, all, perNode, prefetch, 1);
        });
    }

    private Flux<byte[]> round(List<ScanNode> topology, Map<ScanNode, @Nullable BitSet> toList,
            NodeListing perNode, int prefetch, int round) {
        List<ScanNode> walked = new ArrayList<>(topology.size());
        List<Flux<byte[]>> walks = new ArrayList<>(toList.size());
        for (ScanNode node : topology) {
            if (toList.containsKey(node)) {
                ScanNode followed = follow.apply(node);
                walked.add(followed);
                walks.add(Flux.defer(() -> perNode.list(followed, toList.get(node))));
            } else {
                walked.add(node);
            }
        }
        Flux<byte[]> listings = walks.size() == 1 ? walks.get(0)
                : Flux.merge(Flux.fromIterable(walks), concurrency(walks.size()), prefetch);
        return listings.concatWith(Flux.defer(() -> responsibleNodes.get().flatMapMany(after -> {
            // where each shard was walked last: a shard followed to a promoted replica is not new
            Map<ScanNode, @Nullable BitSet> changed = changedNodes(walked, after);
            if (changed.isEmpty()) {
                return Flux.empty();
            }
            if (round >= MAX_ROUNDS) {
                return Flux.error(new KeyScanException("Listing keys of pattern " + Patterns.abbreviate(pattern)
                        + " failed: the cluster's topology changed during each of " + MAX_ROUNDS + " rounds; last "
                        + "changed: " + addresses(changed.keySet()), pattern, null, round, null));
            }
            log.info("Topology changed while listing {}: listing {} again", Patterns.abbreviate(pattern),
                    addresses(changed.keySet()));
            return round(after, changed, perNode, prefetch, round + 1);
        })));
    }

    /**
     * Nodes of {@code after} that were not in {@code before} (mapped to null: list all of it) or gained slots since
     * (mapped to those slots). A new node of a shard that was walked on one of its nodes (a replica promoted by a
     * manual failover, its former master walked to the end) is not new: it gained the slots that walk did not list.
     */
    static Map<ScanNode, @Nullable BitSet> changedNodes(List<ScanNode> before, List<ScanNode> after) {
        Map<String, BitSet> slotsBefore = new HashMap<>();
        for (ScanNode node : before) {
            slotsBefore.put(node.id(), node.slots());
        }
        Map<ScanNode, @Nullable BitSet> changed = new LinkedHashMap<>();
        for (ScanNode node : after) {
            BitSet previous = slotsBefore.get(node.id());
            if (previous == null) {
                // only a node that was already in the walked node's shard when it was walked (its replica then)
                for (ScanNode walked : before) {
                    if (walked.shardNodeIds().contains(node.id()) && node.shardNodeIds().contains(walked.id())) {
                        previous = walked.slots();
                        break;
                    }
                }
            }
            if (previous == null) {
                changed.put(node, null);
                continue;
            }
            BitSet gained = (BitSet) node.slots().clone();
            gained.andNot(previous);
            if (!gained.isEmpty()) {
                changed.put(node, gained);
            }
        }
        return changed;
    }

    private int concurrency(int nodes) {
        return nodeConcurrency == 0 ? nodes : Math.min(nodeConcurrency, nodes);
    }

    private static String addresses(java.util.Collection<ScanNode> nodes) {
        List<String> addresses = new ArrayList<>(nodes.size());
        for (ScanNode node : nodes) {
            addresses.add(node.address());
        }
        return addresses.toString();
    }
}
