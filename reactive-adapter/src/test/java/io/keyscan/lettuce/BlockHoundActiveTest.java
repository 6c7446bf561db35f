package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound is installed for this module's tests (blockhound-junit-platform): a blocking call on one of Reactor's
 * non-blocking threads fails. Guards the setup itself, so that it cannot stop working unnoticed (a lost dependency,
 * a JVM flag no longer passed, a listener no longer loaded).
 */
class BlockHoundActiveTest {

    private static Mono<Void> sleepOn(Scheduler scheduler) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).subscribeOn(scheduler);
    }

    @Test
    void aBlockingCallOnTheParallelSchedulerFails() {
        StepVerifier.create(sleepOn(Schedulers.parallel()))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(BlockingOperationError.class)
                        .hasMessageContaining("java.lang.Thread.sleep"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void theSameCallOnBoundedElasticIsAllowed() {
        StepVerifier.create(sleepOn(Schedulers.boundedElastic())).verifyComplete();
    }
}
