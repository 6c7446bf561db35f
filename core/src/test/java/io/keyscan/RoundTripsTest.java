package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoundTripsTest {

    @Test
    void keepsTheShortestPerAddress() {
        RoundTrips roundTrips = new RoundTrips();
        assertThat(roundTrips.shortest("a:6379")).isEqualTo(RoundTrips.NONE);
        roundTrips.observe("a:6379", 900_000);
        roundTrips.observe("a:6379", 120_000);
        roundTrips.observe("a:6379", 2_000_000);
        roundTrips.observe("b:6379", 700_000);
        roundTrips.observe("b:6379", -1); // nothing timed
        assertThat(roundTrips.shortest("a:6379")).isEqualTo(120_000);
        assertThat(roundTrips.shortest("b:6379")).isEqualTo(700_000);
    }

    @Test
    void forgetsTheLeastRecentlyUsedAddressBeyondItsCapacity() {
        RoundTrips roundTrips = new RoundTrips();
        for (int i = 0; i < RoundTrips.CAPACITY; i++) {
            roundTrips.observe("node-" + i + ":6379", i);
        }
        roundTrips.shortest("node-0:6379"); // used: node-1 is now the eldest
        roundTrips.observe("node-new:6379", 5);
        assertThat(roundTrips.shortest("node-0:6379")).isZero();
        assertThat(roundTrips.shortest("node-1:6379")).isEqualTo(RoundTrips.NONE);
        assertThat(roundTrips.shortest("node-new:6379")).isEqualTo(5);
    }
}
