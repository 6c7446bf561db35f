package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one of {@code steps} as each SCAN page arrives, from the {@code firstPage}-th on, on the thread that handles
 * the page, so the listing waits for it: the writes land between its pages, spread over a few hundred of them,
 * however fast or loaded the machine is (writes running beside the listing raced it: on a busy machine the
 * listing could end first). A listener should be quick; this one is slow on purpose. It runs on the scanner's
 * own connection's event loop and the steps use the admin client's, so it cannot deadlock.
 */
final class MidListing implements KeyScanListener {

    private final int firstPage;
    private final List<Runnable> steps;
    private final AtomicInteger pages = new AtomicInteger();
    private final AtomicInteger stepsDone = new AtomicInteger();
    private volatile int lastStepPage = -1;

    MidListing(int firstPage, List<Runnable> steps) {
        this.firstPage = firstPage;
        this.steps = steps;
    }

    @Override
    public void onScanPage(String address, int count, int keys) {
        int page = pages.incrementAndGet();
        int step = page - firstPage;
        if (step >= 0 && step < steps.size()) {
            steps.get(step).run(); // a failure here is only logged by keyscan: assertRanInTheMiddle catches it
            stepsDone.incrementAndGet();
            lastStepPage = page;
        }
    }

    void assertRanInTheMiddle() {
        assertThat(stepsDone.get()).as("steps run, from page %d", firstPage).isEqualTo(steps.size());
        assertThat(pages.get()).as("SCAN pages after the last step").isGreaterThan(lastStepPage + 100);
    }
}
