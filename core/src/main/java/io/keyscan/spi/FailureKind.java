package io.keyscan.spi;

/**
 * What a failed command means to the engine, as the adapter that ran it judges it: the one place where a client's
 * exceptions and a server's error replies are interpreted ({@link RedisKeyspace#classify(Throwable)}), so that the
 * engine decides on retries without looking at exception classes or messages.
 */
public enum FailureKind {

    /** The client gave up waiting for the reply (its own command timeout). Sending the command again may succeed. */
    TIMEOUT,

    /**
     * The command may succeed if sent again: the connection was lost, refused or reset, or the server answered
     * {@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN}, {@code CLUSTERDOWN}, {@code MOVED},
     * {@code ASK}.
     */
    TRANSIENT,

    /**
     * The server does not offer the command to this client: it is renamed away ({@code rename-command}), unknown,
     * or denied by an ACL ({@code NOPERM}). Not retried.
     */
    COMMAND_UNAVAILABLE,

    /** Anything else (authentication, syntax, a bug): sending the command again would fail the same way. */
    PERMANENT;

    /** {@return whether sending the same command again may succeed} */
    public boolean isTransient() {
        return this == TIMEOUT || this == TRANSIENT;
    }
}
