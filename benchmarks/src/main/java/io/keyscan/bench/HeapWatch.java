package io.keyscan.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's peak heap use over a round: the heap's occupancy just before each collection (the highest point between
 * two collections, from the collectors' notifications), and a sample of the heap in use every
 * {@value #SAMPLE_MILLIS} ms for what no collection followed; and its peak RSS ({@link ProcessMemory}).
 */
final class HeapWatch implements AutoCloseable {

    static final long SAMPLE_MILLIS = 20;

    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong liveHeap = new AtomicLong();
    private volatile long roundStartUptime;
    private final AtomicLong collections = new AtomicLong();
    private final AtomicLong pauseMillis = new AtomicLong();
    private final ProcessMemory memory = ProcessMemory.self();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            if (info.getGcInfo().getStartTime() < roundStartUptime) {
                return; // notifications come late: the System.gc() before the round is not the round's
            }
            peakHeap.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
            liveHeap.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
            collections.incrementAndGet();
            pauseMillis.addAndGet(info.getGcInfo().getDuration());
        }
    };
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "keyscan-load-heap-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> heapPools = new ArrayList<>();

    HeapWatch() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max),
                SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts a round: peaks back to now. */
    boolean reset() {
        roundStartUptime = ManagementFactory.getRuntimeMXBean().getUptime();
        peakHeap.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        liveHeap.set(0);
        collections.set(0);
        pauseMillis.set(0);
        return memory.resetPeak();
    }

    long peakHeapBytes() {
        return Math.max(peakHeap.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** The largest heap left after a collection in the round: what stayed live. */
    long liveHeapBytes() {
        return liveHeap.get();
    }

    long peakRssBytes() {
        return memory.peakRssBytes();
    }

    long rssBytes() {
        return memory.rssBytes();
    }

    long collections() {
        return collections.get();
    }

    long pauseMillis() {
        return pauseMillis.get();
    }

    private long heapUsed(Map<String, MemoryUsage> usage) {
        long used = 0;
        for (String pool : heapPools) {
            MemoryUsage pooled = usage.get(pool);
            if (pooled != null) {
                used += pooled.getUsed();
            }
        }
        return used;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // gone already
            }
        }
    }
}
