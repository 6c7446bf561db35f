package io.keyscan.testkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What the tests of core, the adapter and the starter allow to block on a non-blocking thread (Reactor's parallel and
 * single workers, Netty's event loops), on top of Reactor's and Netty's own integrations. BlockHound is installed by
 * blockhound-junit-platform, which loads this class through {@code META-INF/services}; everything not listed here
 * fails the test that blocks. keyscan's own main code is on no list: a blocking call there is a bug to fix.
 *
 * <p>Each entry names one method, and BlockHound allows what runs inside it (and only there):
 * <ul>
 *   <li>the test harness, blocking on purpose;</li>
 *   <li>the logging backend of the tests (Logback), which writes to a stream;</li>
 *   <li>places inside Lettuce and Netty that block briefly by design, where BlockHound's error would not fail the
 *       test cleanly but corrupt the client's state (a connection that then hangs on close) or fail a connect.</li>
 * </ul>
 *
 * <p>With {@code -Dkeyscan.blockhound.log=FILE}, every blocking call BlockHound reports is also written to FILE (its
 * thread and stack) when the test JVM exits: a BlockingOperationError thrown on an event loop often surfaces as a
 * timeout or a hang far from its cause, and Surefire's report may never show it.
 */
public final class TestBlockHoundIntegration implements BlockHoundIntegration {

    private static final ConcurrentLinkedQueue<String> REPORTED = new ConcurrentLinkedQueue<>();

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // Logback's stream appenders (ConsoleAppender, FileAppender) take a lock around the write and write to a
        // stream: blocking, whatever thread logs. keyscan logs through SLF4J only; the backend is the application's
        // choice, and these tests' is Logback writing to the console. Lettuce and Netty log from their event loops.
        // (LogCapture's ListAppender only adds to a list, under AppenderBase's monitor, which BlockHound ignores.)
        builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend");

        // The adapter's ITs (MidListing) land writes and deletes between a listing's SCAN pages by running them from its
        // KeyScanListener.onScanPage, which keyscan calls on the scanner connection's event loop: the listing waits
        // for them, so they land mid-listing however fast the machine is. Blocking there is the test's point; the
        // steps use another connection (the admin client's), so it cannot deadlock.
        builder.allowBlockingCallsInside("io.keyscan.lettuce.MidListing", "onScanPage");

        // Lettuce's SharedLock guards its writer count with a ReentrantLock held for a few instructions. A command
        // written from an event loop (keyscan sends a listing's next SCAN from the previous reply, as any reactive
        // Lettuce user does) parks there briefly when another thread writes at the same moment. BlockHound's error
        // thrown from that lock() leaves DefaultEndpoint.write's finally to decrement a count it never incremented,
        // and the connection's close then spins forever in lockWritersExclusive: a hung test run, not a failed test.
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
        builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive");

        // Lettuce builds a TLS connection's SslContext in its channel initializer, on the event loop, at every
        // connect: it reads the trust and key material given to SslOptions as files (trustManager(File), the way a
        // user trusts a private CA, as TlsIT and the testkit's TestCertificates do and keyscan's javadoc and TLS error
        // messages suggest), and the JDK's SSLContext.init reads the seed of its SecureRandom from /dev/urandom.
        // Lettuce's code, not keyscan's, for any TLS connection.
        builder.allowBlockingCallsInside("io.lettuce.core.SslConnectionBuilder$SslChannelInitializer",
                "initializeSSLEngine");

        // Netty's adaptive buffer allocator (Netty 4.2's default) takes a StampedLock on a magazine it retires while
        // growing its magazines under contention; Netty's own BlockHound integration allows its thread-local's
        // cleanup but not this path. An allocation by Netty for Lettuce's channel, not keyscan's.
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                "tryExpandMagazines");

        String log = System.getProperty("keyscan.blockhound.log");
        if (log != null) {
            record(builder, Path.of(log));
        }
    }

    /** Keeps every reported call in memory (writing it from the callback would block too) and writes them at exit. */
    private static void record(BlockHound.Builder builder, Path file) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (REPORTED.isEmpty()) {
                return;
            }
            try {
                Files.writeString(file, String.join(System.lineSeparator(), REPORTED), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("Cannot write the blocking calls BlockHound reported to " + file + ": " + e);
            }
        }, "keyscan-blockhound-log"));
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            StringWriter stack = new StringWriter();
            error.printStackTrace(new PrintWriter(stack));
            REPORTED.add("=== on " + Thread.currentThread().getName() + ": " + stack);
            throw error;
        });
    }
}
