package io.keyscan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalRedisServerIT {

    @Test
    void restartKeepsSavedDataAndChangesTheRunId() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            server.admin().set("k", "v");
            String runId = server.runId();
            server.save();

            server.restart(true);

            assertThat(server.admin().get("k")).isEqualTo("v");
            assertThat(server.runId()).isNotEqualTo(runId);
        }
    }

    @Test
    void killedServerIsGoneAndCanStartAgain() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            long pid = server.pid();
            server.kill();
            assertThat(server.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid)).isEmpty();

            server.startAgain(true);
            assertThat(server.admin().ping()).isEqualTo("PONG");
        }
    }

    @Test
    void extraArgumentsReachTheServer() {
        try (LocalRedisServer server = LocalRedisServer.builder().arg("--rename-command", "KEYS", "").start()) {
            assertThat(server.admin().info("server")).contains("tcp_port:" + server.port());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.admin().keys("*"))
                    .hasMessageContaining("unknown command");
        }
    }

    @Test
    void tlsServerListensOnlyOnItsTlsPortAndTheAdminConnectionTrustsItsCa() {
        try (LocalRedisServer server = LocalRedisServer.builder().tls().start()) {
            assertThat(server.isTls()).isTrue();
            assertThat(server.redisUri().isSsl()).isTrue();
            assertThat(server.redisUri().getVerifyMode()).isEqualTo(io.lettuce.core.SslVerifyMode.FULL);
            assertThat(server.uri()).startsWith("rediss://").endsWith("127.0.0.1:" + server.port());
            assertThat(server.admin().ping()).isEqualTo("PONG");
            assertThat(server.admin().configGet("tls-port")).containsEntry("tls-port", Integer.toString(server.port()));
            assertThat(server.admin().configGet("port")).containsEntry("port", "0");
            assertThat(server.certificates().caCertificate()).isRegularFile().startsWith(server.dir());
        }
    }

    @Test
    void plainServerHasNoCertificates() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            assertThat(server.isTls()).isFalse();
            assertThat(server.redisUri().isSsl()).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(server::certificates)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("without TLS");
        }
    }
}
