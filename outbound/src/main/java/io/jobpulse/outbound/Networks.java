package io.jobpulse.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The networks an operator allows Jobpulse to call although they are not public
 * ({@code jobpulse.outbound.allowed-private-networks}): CIDR blocks such as {@code 10.1.0.0/16}
 * or {@code fd00::/8}, or single addresses. An IPv6 address that carries an IPv4 address is
 * also matched by that IPv4 address. Pure: the entries must be IP literals, never host names.
 */
public final class Networks {

    /** One block: the address bytes and how many leading bits must match. */
    private record Block(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> blocks;

    private Networks(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** Parses the entries; throws {@link IllegalArgumentException} naming the first that is not a CIDR block or address. */
    public static Networks parse(List<String> entries) {
        return new Networks(entries.stream().map(String::strip).filter(e -> !e.isEmpty()).map(Networks::block).toList());
    }

    public static Networks none() {
        return new Networks(List.of());
    }

    public boolean contains(byte[] address) {
        byte[] v4 = AddressClass.embeddedIpv4(address);
        return blocks.stream().anyMatch(block -> block.contains(address) || (v4 != null && block.contains(v4)));
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        String literal = slash < 0 ? entry : entry.substring(0, slash);
        boolean ipv4 = literal.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
        if (!ipv4 && !literal.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block (host names are not accepted)");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(literal).getAddress(); // a literal (checked above): no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block");
        }
        int bits;
        try {
            bits = slash < 0 ? network.length * 8 : Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + entry + "' has no valid prefix length");
        }
        if (bits < 0 || bits > network.length * 8) {
            throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0-" + network.length * 8);
        }
        return new Block(network, bits);
    }
}
