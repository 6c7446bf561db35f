package io.keyscan.spring;

import io.keyscan.KeyScanListener;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes every event to each of several listeners in turn. One listener that throws does not keep the event from
 * the others: its exception is logged at WARN and the next listener is called, as the scanner itself does for a
 * single listener.
 */
final class CompositeKeyScanListener implements KeyScanListener {

    private static final Logger log = LoggerFactory.getLogger(CompositeKeyScanListener.class);

    private final List<KeyScanListener> listeners;

    private CompositeKeyScanListener(List<KeyScanListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** The listener to give the options: {@code null} for none, the only one itself, else a composite. */
    static @Nullable KeyScanListener of(List<KeyScanListener> listeners) {
        if (listeners.isEmpty()) {
            return null;
        }
        if (listeners.size() == 1) {
            return listeners.get(0);
        }
        return new CompositeKeyScanListener(listeners);
    }

    List<KeyScanListener> listeners() {
        return listeners;
    }

    @Override
    public void onScanPage(String address, int count, int keys) {
        each("onScanPage", listener -> listener.onScanPage(address, count, keys));
    }

    @Override
    public void onRetry(String command, String address, int attempt, Throwable cause) {
        each("onRetry", listener -> listener.onRetry(command, address, attempt, cause));
    }

    @Override
    public void onServerChange(String address) {
        each("onServerChange", listener -> listener.onServerChange(address));
    }

    @Override
    public void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
        each("onListing", listener -> listener.onListing(path, duration, keys, error));
    }

    private void each(String event, Consumer<KeyScanListener> call) {
        for (KeyScanListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("{}.{} failed; ignored", listener.getClass().getName(), event, e);
            }
        }
    }

    @Override
    public String toString() {
        return "CompositeKeyScanListener" + listeners;
    }
}
