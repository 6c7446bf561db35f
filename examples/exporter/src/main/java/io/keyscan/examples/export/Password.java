package io.keyscan.examples.export;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The Redis password, never taken from the command line (where {@code ps} shows it to every user): the first of
 * the URL's own (still honoured, with a warning), {@code KEYSCAN_PASSWORD}, {@code REDISCLI_AUTH} (redis-cli's
 * variable), and with {@code --askpass} a line read from the terminal without echo, or from standard input when
 * that is not a terminal. An empty variable counts as unset.
 */
final class Password {

    static final String KEYSCAN_PASSWORD = "KEYSCAN_PASSWORD";
    static final String REDISCLI_AUTH = "REDISCLI_AUTH";
    /** The longest password line {@code --askpass} reads. */
    static final int MAX_BYTES = 4096;

    private Password() {
    }

    /**
     * The password to add to URIs without one, or null for none; says on {@code err} where a password is visible and
     * when {@code --askpass} is not needed.
     *
     * @throws ExportException if {@code --askpass} reads no password
     */
    static char @Nullable [] resolve(Connection connection, boolean askpass, KeyExportTool.Io io) throws IOException {
        char[] fromEnvironment = null;
        String source = null;
        for (String name : new String[] {KEYSCAN_PASSWORD, REDISCLI_AUTH}) {
            String value = io.env().get(name);
            if (value != null && !value.isEmpty()) {
                fromEnvironment = value.toCharArray();
                source = name;
                break;
            }
        }
        if (connection.urlHasPassword()) {
            io.err().println("warning: the password in " + (connection.cluster() ? "--cluster-url " : "--redis-url ")
                    + connection.given() + " is visible to other users in the process list; give it in "
                    + KEYSCAN_PASSWORD + " or " + REDISCLI_AUTH + ", or type it with --askpass");
        }
        if (fromEnvironment != null) {
            if (askpass) {
                io.err().println("note: --askpass not needed: the password comes from " + source);
            }
            return fromEnvironment;
        }
        if (!askpass) {
            return null;
        }
        if (connection.everyUrlHasPassword()) {
            io.err().println("note: --askpass not needed: the URL has the password");
            return null;
        }
        return ask(io.console(), io.in(), io.err(), "Password for " + connection.given() + ": ");
    }

    /**
     * Reads a password: from {@code console} without echo; without a console, from standard input, where echo is
     * turned off (with {@code stty}) if it is a terminal.
     */
    static char[] ask(@Nullable Console console, InputStream in, PrintStream err, String prompt) throws IOException {
        if (console != null) {
            char[] typed = console.readPassword("%s", prompt);
            if (typed == null || typed.length == 0) {
                throw new ExportException("--askpass: no password typed");
            }
            return typed;
        }
        if (in == System.in && Progress.isTerminal(0)) {
            // standard input is a terminal but standard output is not (e.g. --output - | gzip): no Console in Java 17
            return withoutEcho(in, err, prompt);
        }
        return readLine(in);
    }

    /** One line of {@code in}, read byte by byte so that nothing after it is consumed (import --input - reads on). */
    static char[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean any = false;
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            any = true;
            if (line.size() >= MAX_BYTES) {
                throw new ExportException("--askpass: the line read is longer than " + MAX_BYTES + " bytes");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        try {
            if (!any || length == 0) {
                throw new ExportException("--askpass: no password on standard input (an empty line or none)");
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            Arrays.fill(chars.array(), '\0');
            return password;
        } catch (CharacterCodingException e) {
            throw new ExportException("--askpass: the password read is not UTF-8 text", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static char[] withoutEcho(InputStream in, PrintStream err, String prompt) throws IOException {
        String saved = stty("-g").trim();
        Thread restore = new Thread(() -> sttyQuietly(saved), "keyscan-askpass-restore-echo");
        Runtime.getRuntime().addShutdownHook(restore); // Ctrl-C at the prompt must not leave the terminal silent
        try {
            stty("-echo");
            err.print(prompt);
            err.flush();
            return readLine(in);
        } finally {
            sttyQuietly(saved);
            Exporter.removeHook(restore);
            err.println();
        }
    }

    private static void sttyQuietly(String settings) {
        try {
            stty(settings);
        } catch (IOException | RuntimeException e) {
            // nothing more to do: the terminal keeps what it has
        }
    }

    /** Runs {@code stty} on this process' terminal (its standard input); returns what it printed. */
    private static String stty(String argument) throws IOException {
        Process stty = new ProcessBuilder("stty", argument)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String printed = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!stty.waitFor(10, TimeUnit.SECONDS) || stty.exitValue() != 0) {
                throw new ExportException("--askpass: cannot turn off echo on the terminal (stty " + argument
                        + " failed); give the password in " + KEYSCAN_PASSWORD + " instead");
            }
            return printed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExportException("--askpass: interrupted", e);
        } finally {
            stty.destroyForcibly();
        }
    }
}
