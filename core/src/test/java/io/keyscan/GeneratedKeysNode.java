package io.keyscan;

import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link ScanNode} whose keyspace is {@code key:0} ... {@code key:(n-1)} (or another prefix), served by pages computed from the
 * cursor when asked for, so that a listing of any size costs nothing until it is read (the Reactive Streams TCK
 * asks for publishers of up to {@link Integer#MAX_VALUE} elements and reads a handful).
 *
 * <p>Page sizes follow {@link #PAGE_SIZES} over and over, empty pages included, as Redis' do. Page 0 answers
 * cursor 0, page {@code p} answers cursor {@code p}; the page holding the last key returns cursor 0. Every
 * third page is delivered on another thread, as a client's I/O thread would, the others synchronously, so that
 * both paths of the walk run.
 */
final class GeneratedKeysNode extends ScanOnlyNode {

    /** Keys per page, repeated; sums to {@link #CYCLE_KEYS}. */
    static final int[] PAGE_SIZES = {0, 1, 3, 0, 0, 7, 2, 12, 0, 5, 1, 0, 4};

    private static final long CYCLE_KEYS;
    /** {@code FIRST_KEY_OF[i]}: the keys in pages 0 .. i-1 of a cycle. */
    private static final long[] FIRST_KEY_OF = new long[PAGE_SIZES.length];

    static {
        long sum = 0;
        for (int i = 0; i < PAGE_SIZES.length; i++) {
            FIRST_KEY_OF[i] = sum;
            sum += PAGE_SIZES[i];
        }
        CYCLE_KEYS = sum;
    }

    private final String prefix;
    private final long keyCount;

    GeneratedKeysNode(long keyCount) {
        this("key:", keyCount);
    }

    /** Keys {@code prefix + 0} ... {@code prefix + (keyCount - 1)}; nodes of one keyspace need distinct prefixes. */
    GeneratedKeysNode(String prefix, long keyCount) {
        if (keyCount < 0) {
            throw new IllegalArgumentException("keyCount must not be negative, was " + keyCount);
        }
        this.prefix = prefix;
        this.keyCount = keyCount;
    }

    @Override
    public String address() {
        return "generated:" + prefix + keyCount;
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return Mono.defer(() -> {
            long page = Long.parseLong(request.cursor());
            Mono<ScanPage> reply = Mono.just(page(page));
            return page % 3 == 2 ? reply.publishOn(Schedulers.parallel()) : reply;
        });
    }

    private ScanPage page(long page) {
        long first = Math.min(firstKey(page), keyCount);
        long end = Math.min(first + PAGE_SIZES[(int) (page % PAGE_SIZES.length)], keyCount);
        List<byte[]> keys = new ArrayList<>((int) (end - first));
        for (long i = first; i < end; i++) {
            keys.add((prefix + i).getBytes(StandardCharsets.UTF_8));
        }
        boolean last = end == keyCount;
        return ScanPage.of(last ? ScanPage.FIRST_CURSOR : String.valueOf(page + 1), keys);
    }

    private static long firstKey(long page) {
        return page / PAGE_SIZES.length * CYCLE_KEYS + FIRST_KEY_OF[(int) (page % PAGE_SIZES.length)];
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return Mono.just(ServerInfo.of("generated-run", "generated", "", ""));
    }
}
