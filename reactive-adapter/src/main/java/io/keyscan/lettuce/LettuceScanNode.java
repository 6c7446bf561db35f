package io.keyscan.lettuce;

import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandKeyword;
import io.lettuce.core.protocol.CommandType;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One server behind one Lettuce connection. Commands go through Lettuce's reactive API, so they are cold,
 * pipelined with whatever else uses the connection, and cancelled when their subscription is.
 *
 * <p>The connection epoch counts Lettuce's reconnects. Lettuce calls connection listeners from the channel's
 * event loop while activating the new channel, before it reads any reply on it (replies to commands it
 * replays included), so a reply that came over a new connection is always seen with the new epoch.
 */
final class LettuceScanNode implements ScanNode, RedisConnectionStateListener {

    private final StatefulRedisConnection<String, String> connection;
    private final AtomicLong epoch = new AtomicLong();
    private volatile String address;
    private volatile boolean addressKnown;
    private final @Nullable String role;

    /**
     * @param address where the connection goes, or {@code null} if unknown (a connection the application passed
     *     in): then it is learnt from the server
     */
    LettuceScanNode(StatefulRedisConnection<String, String> connection, @Nullable String address) {
        this(connection, address, null);
    }

    /**
     * @param address where the connection goes, or {@code null} if unknown: then it is learnt from the server
     * @param role what the server is, added to {@link #address()} for messages, e.g. {@code master of sentinel master
     *     set 'mymaster'}; {@code null} for nothing
     */
    LettuceScanNode(StatefulRedisConnection<String, String> connection, @Nullable String address,
            @Nullable String role) {
        this.connection = connection;
        this.role = role;
        this.address = address != null ? address : role != null ? "the " + role
                : "the application's Redis connection";
        this.addressKnown = address != null;
        connection.addListener(this);
    }

    @Override
    public String address() {
        return addressKnown && role != null ? address + " (" + role + ")" : address;
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return Mono.defer(() -> {
            CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8)
                    .add(request.cursor())
                    .add(CommandKeyword.MATCH).add(request.match())
                    .add(CommandKeyword.COUNT).add(request.count());
            if (request.type() != null) {
                args.add(CommandKeyword.TYPE).add(request.type());
            }
            return connection.reactive().<ScanPage>dispatch(CommandType.SCAN, new RawScanOutput(), args).single();
        });
    }

    @Override
    public Mono<List<byte[]>> keys(byte[] pattern) {
        return Mono.defer(() -> connection.reactive()
                .<List<byte[]>>dispatch(CommandType.KEYS, new RawKeysOutput(),
                        new CommandArgs<>(StringCodec.UTF8).add(pattern))
                .single());
    }

    @Override
    public Mono<Long> scanMicros() {
        return Mono.defer(() -> connection.reactive().info("commandstats")).map(LettuceScanNode::parseScanMicros);
    }

    /** {@code usec} of the {@code cmdstat_scan} line, 0 if SCAN has not run since start or the last reset. */
    static long parseScanMicros(String commandstats) {
        for (String line : commandstats.split("\r?\n")) {
            if (line.startsWith("cmdstat_scan:")) {
                for (String field : line.substring("cmdstat_scan:".length()).split(",")) {
                    if (field.startsWith("usec=")) {
                        return Long.parseLong(field.substring("usec=".length()).trim());
                    }
                }
            }
        }
        return 0;
    }

    @Override
    public Mono<List<String>> types(List<byte[]> keys) {
        // one TYPE per key, all written before any reply is awaited (pipelined), replies in order
        return Flux.fromIterable(keys)
                .flatMapSequential(key -> connection.reactive().<String>dispatch(CommandType.TYPE,
                        new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add(key))
                        .single(), Math.max(1, keys.size()))
                .collectList();
    }

    /** {@code MGET keys} on this server: the values, {@code null} where missing; keys must share this server. */
    Mono<List<byte[]>> values(List<byte[]> keys) {
        return Mono.defer(() -> {
            CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
            for (byte[] key : keys) {
                args.add(key);
            }
            return connection.reactive().<List<byte[]>>dispatch(CommandType.MGET, new RawValuesOutput(), args).single();
        });
    }

    @Override
    public Mono<Boolean> exists(byte[] key) {
        return Mono.defer(() -> connection.reactive()
                .<Long>dispatch(CommandType.EXISTS, new IntegerOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add(key))
                .single()
                .map(count -> count > 0));
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return Mono.defer(() -> connection.reactive().info("server").map(ServerInfo::parse));
    }

    /**
     * Asks the server, once, where this connection goes, when the application passed it in without saying:
     * {@code CLIENT INFO} (Redis 6.2+) names the server's side of the connection, so that messages name the server.
     * Sent now, on its own and ahead of any listing's command (one connection's replies come in order, so the
     * address is known before a later command's error is written); a refusal leaves the placeholder. No command of
     * a listing carries it: each sends exactly the command it is asked for.
     */
    void learnAddress() {
        if (addressKnown) {
            return;
        }
        connection.reactive().clientInfo().subscribe(this::learnAddress, error -> {
            // refused (an ACL without +client, a server before 6.2): messages keep the placeholder
        });
    }

    private void learnAddress(String clientInfo) {
        for (String field : clientInfo.trim().split(" ")) {
            if (field.startsWith("laddr=") && field.length() > "laddr=".length()) {
                address = field.substring("laddr=".length());
                addressKnown = true;
                return;
            }
        }
    }

    @Override
    public long connectionEpoch() {
        return epoch.get();
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress socketAddress) {
        if (handler == connection) {
            epoch.incrementAndGet();
            if (socketAddress != null) {
                address = LettuceKeyspace.describe(socketAddress);
                addressKnown = true;
            }
        }
    }

    void detach() {
        connection.removeListener(this);
    }
}
