package io.jobpulse.app.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest {

    private static final String PEER = "10.0.0.2";

    @Test
    void withoutTrustedHopsTheHeaderIsIgnored() {
        assertThat(ClientAddress.of(PEER, List.of("203.0.113.9"), 0)).isEqualTo(PEER);
    }

    @Test
    void oneTrustedProxyMeansTheRightmostEntryWhateverTheClientPutBeforeIt() {
        assertThat(ClientAddress.of(PEER, List.of("1.2.3.4, 5.6.7.8, 198.51.100.7"), 1)).isEqualTo("198.51.100.7");
        assertThat(ClientAddress.of(PEER, List.of("198.51.100.7"), 1)).isEqualTo("198.51.100.7");
    }

    @Test
    void twoTrustedProxiesMeansTheSecondFromTheRight() {
        assertThat(ClientAddress.of(PEER, List.of("6.6.6.6, 198.51.100.7, 10.0.0.1"), 2)).isEqualTo("198.51.100.7");
    }

    @Test
    void headerLinesAreOneListInTheOrderReceived() {
        assertThat(ClientAddress.of(PEER, List.of("6.6.6.6", "198.51.100.7, 10.0.0.1"), 2)).isEqualTo("198.51.100.7");
    }

    @Test
    void fewerEntriesThanHopsTakesTheFarthest() {
        assertThat(ClientAddress.of(PEER, List.of("198.51.100.7"), 3)).isEqualTo("198.51.100.7");
    }

    @Test
    void noHeaderOrNoEntriesMeansThePeer() {
        assertThat(ClientAddress.of(PEER, List.of(), 1)).isEqualTo(PEER);
        assertThat(ClientAddress.of(PEER, List.of(" , "), 1)).isEqualTo(PEER);
    }

    @Test
    void ipv6EntriesAreKeptAndBracketsDropped() {
        assertThat(ClientAddress.of(PEER, List.of("2001:db8::1"), 1)).isEqualTo("2001:db8::1");
        assertThat(ClientAddress.of(PEER, List.of("[2001:db8::1]"), 1)).isEqualTo("2001:db8::1");
    }

    @Test
    void anEntryThatIsNoAddressCountsAsThePeer() {
        assertThat(ClientAddress.of(PEER, List.of("unknown"), 1)).isEqualTo(PEER);
        assertThat(ClientAddress.of(PEER, List.of("x".repeat(500)), 1)).isEqualTo(PEER);
    }
}
