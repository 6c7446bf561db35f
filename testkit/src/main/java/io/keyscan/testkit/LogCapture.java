package io.keyscan.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures what keyscan logs, for tests that assert a warning appears (or does not). */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level previousRootLevel;

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures the {@code io.keyscan} loggers until closed. */
    public static LogCapture keyscan() {
        return new LogCapture("io.keyscan");
    }

    /**
     * Captures every logger at DEBUG and above until closed: for asserting that something (a password)
     * appears in no log line of keyscan or of the libraries under it. TRACE is left out on purpose: at TRACE,
     * Lettuce dumps the raw protocol bytes it sends, AUTH arguments included.
     */
    public static LogCapture everything() {
        LogCapture capture = new LogCapture(Logger.ROOT_LOGGER_NAME);
        capture.previousRootLevel = capture.logger.getLevel();
        capture.logger.setLevel(Level.DEBUG);
        return capture;
    }

    /** The formatted messages logged at WARN or above. */
    public List<String> warnings() {
        return appender.list.stream()
                .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
    }

    /** Every formatted message, any level. */
    public List<String> messages() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    /** Every message with its throwable's messages (and their causes'), any level. */
    public List<String> messagesWithThrowables() {
        return appender.list.stream().map(event -> {
            StringBuilder text = new StringBuilder(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            return text.toString();
        }).collect(Collectors.toList());
    }

    @Override
    public void close() {
        if (previousRootLevel != null) {
            logger.setLevel(previousRootLevel);
        }
        logger.detachAppender(appender);
        appender.stop();
    }
}
