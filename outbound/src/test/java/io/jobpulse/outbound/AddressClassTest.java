package io.jobpulse.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every kind of address Jobpulse does not call on its own, at the edges of each block, in IPv4, IPv6 and IPv6 carrying IPv4. */
class AddressClassTest {

    private static byte[] bytes(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal).getAddress();
    }

    /** An IPv6 address as 16 bytes, even when it carries IPv4 (the JDK would give 4 bytes for ::ffff:a.b.c.d). */
    private static byte[] v6(String prefixHex, String v4) throws UnknownHostException {
        byte[] out = new byte[16];
        byte[] prefix = java.util.HexFormat.of().parseHex(prefixHex);
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        byte[] four = bytes(v4);
        if (prefixHex.startsWith("2002")) {
            System.arraycopy(four, 0, out, 2, 4);
        } else {
            System.arraycopy(four, 0, out, 12, 4);
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK", "::1, LOOPBACK",
            "10.0.0.0, PRIVATE", "10.255.255.255, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE",
            "192.168.0.1, PRIVATE", "192.168.255.255, PRIVATE", "fc00::1, PRIVATE", "fdff:ffff::1, PRIVATE", "fec0::1, PRIVATE",
            "169.254.169.254, LINK_LOCAL", "169.254.0.0, LINK_LOCAL", "fe80::1, LINK_LOCAL", "febf:ffff::1, LINK_LOCAL",
            "224.0.0.1, MULTICAST", "239.255.255.255, MULTICAST", "ff02::1, MULTICAST",
            "0.0.0.0, UNSPECIFIED", "0.1.2.3, UNSPECIFIED", "::, UNSPECIFIED",
            "100.64.0.1, SHARED", "100.127.255.255, SHARED",
            "255.255.255.255, RESERVED", "240.0.0.1, RESERVED", "192.0.0.8, RESERVED", "198.18.0.1, RESERVED",
            "1.1.1.1, PUBLIC", "8.8.8.8, PUBLIC", "172.15.255.255, PUBLIC", "172.32.0.0, PUBLIC", "192.169.0.1, PUBLIC",
            "169.253.255.255, PUBLIC", "100.63.255.255, PUBLIC", "100.128.0.0, PUBLIC", "11.0.0.1, PUBLIC", "126.255.255.255, PUBLIC",
            "128.0.0.1, PUBLIC", "223.255.255.255, PUBLIC", "198.20.0.1, PUBLIC",
            "2606:4700:4700::1111, PUBLIC", "2001:db8::1, PUBLIC", "fbff::1, PUBLIC", "fe00::1, PUBLIC"})
    void classifiesEachBlockAndItsEdges(String literal, AddressClass expected) throws UnknownHostException {
        assertThat(AddressClass.of(bytes(literal))).as(literal).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "00000000000000000000ffff, 127.0.0.1, LOOPBACK",
            "00000000000000000000ffff, 169.254.169.254, LINK_LOCAL",
            "00000000000000000000ffff, 10.1.2.3, PRIVATE",
            "00000000000000000000ffff, 100.64.0.1, SHARED",
            "00000000000000000000ffff, 0.0.0.0, UNSPECIFIED",
            "00000000000000000000ffff, 8.8.8.8, PUBLIC",
            "000000000000000000000000, 127.0.0.1, LOOPBACK",
            "000000000000000000000000, 192.168.1.1, PRIVATE",
            "0064ff9b0000000000000000, 127.0.0.1, LOOPBACK",
            "0064ff9b0000000000000000, 169.254.169.254, LINK_LOCAL",
            "0064ff9b0000000000000000, 8.8.4.4, PUBLIC",
            "2002, 127.0.0.1, LOOPBACK",
            "2002, 10.0.0.1, PRIVATE",
            "2002, 8.8.8.8, PUBLIC"})
    void classifiesAnIpv6AddressThatCarriesIpv4ByThatIpv4Address(String prefix, String v4, AddressClass expected) throws UnknownHostException {
        assertThat(AddressClass.of(v6(prefix, v4))).isEqualTo(expected);
    }

    @Test
    void theJdksOwnReadingOfMappedAddressesAgrees() throws UnknownHostException {
        assertThat(AddressClass.of(bytes("::ffff:127.0.0.1"))).isEqualTo(AddressClass.LOOPBACK);
        assertThat(AddressClass.of(bytes("::ffff:a9fe:a9fe"))).isEqualTo(AddressClass.LINK_LOCAL);
    }

    @Test
    void refusesAnythingButFourOrSixteenBytes() {
        assertThatThrownBy(() -> AddressClass.of(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allowedNetworksMatchByPrefixIncludingAddressesThatCarryIpv4() throws UnknownHostException {
        Networks allowed = Networks.parse(List.of("127.0.0.1/32", " 10.1.0.0/16 ", "fd00::/8", "192.168.7.7"));
        assertThat(allowed.contains(bytes("127.0.0.1"))).isTrue();
        assertThat(allowed.contains(bytes("127.0.0.2"))).isFalse();
        assertThat(allowed.contains(bytes("10.1.255.1"))).isTrue();
        assertThat(allowed.contains(bytes("10.2.0.1"))).isFalse();
        assertThat(allowed.contains(bytes("fd12::1"))).isTrue();
        assertThat(allowed.contains(bytes("fc00::1"))).isFalse();
        assertThat(allowed.contains(bytes("192.168.7.7"))).isTrue();
        assertThat(allowed.contains(v6("00000000000000000000ffff", "127.0.0.1"))).isTrue();
        assertThat(allowed.contains(v6("0064ff9b0000000000000000", "10.1.0.9"))).isTrue();
        assertThat(Networks.none().contains(bytes("127.0.0.1"))).isFalse();
        assertThat(Networks.parse(List.of("0.0.0.0/0")).contains(bytes("169.254.169.254"))).isTrue();
    }

    @Test
    void allowedNetworksAreIpLiteralsNeverHostNames() {
        for (String bad : new String[] {"localhost", "metadata.google.internal", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "1.2.3.4.5", "256.0.0.1", "1.2.3"}) {
            assertThatThrownBy(() -> Networks.parse(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
