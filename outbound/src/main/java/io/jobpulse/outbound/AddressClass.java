package io.jobpulse.outbound;

/**
 * What kind of network an IP address belongs to, for deciding whether Jobpulse may call it.
 * Only {@link #PUBLIC} addresses are called unless the operator allows others. An IPv6 address
 * that carries an IPv4 address (IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96},
 * NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) is classified by that IPv4 address.
 * Pure: works on the address bytes, no lookups.
 *
 * <p>Known limit: Teredo ({@code 2001::/32}) hides its IPv4 address obfuscated and is treated as public.
 */
public enum AddressClass {
    PUBLIC("a public address"),
    LOOPBACK("a loopback address"),
    PRIVATE("a private-network address"),
    LINK_LOCAL("a link-local address (such as a cloud metadata service)"),
    MULTICAST("a multicast address"),
    UNSPECIFIED("an unspecified address"),
    SHARED("a carrier-grade NAT address (100.64.0.0/10)"),
    RESERVED("a reserved or broadcast address");

    private final String description;

    AddressClass(String description) {
        this.description = description;
    }

    /** For messages: "a loopback address". */
    public String description() {
        return description;
    }

    /** The class of a 4-byte (IPv4) or 16-byte (IPv6) address. */
    public static AddressClass of(byte[] address) {
        return switch (address.length) {
            case 4 -> ipv4(address);
            case 16 -> ipv6(address);
            default -> throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        };
    }

    /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
    static byte[] embeddedIpv4(byte[] a) {
        if (a.length != 16) {
            return null;
        }
        if (zero(a, 0, 10) && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return slice(a, 12);
        }
        if (zero(a, 0, 12) && !(zero(a, 12, 15) && (a[15] == 0 || a[15] == 1))) {
            return slice(a, 12);
        }
        if ((a[0] & 0xFF) == 0x00 && (a[1] & 0xFF) == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B && zero(a, 4, 12)) {
            return slice(a, 12);
        }
        if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x02) {
            return new byte[] {a[2], a[3], a[4], a[5]};
        }
        return null;
    }

    private static AddressClass ipv4(byte[] a) {
        int b0 = a[0] & 0xFF;
        int b1 = a[1] & 0xFF;
        if (b0 == 0) {
            return UNSPECIFIED;
        }
        if (b0 == 127) {
            return LOOPBACK;
        }
        if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)) {
            return PRIVATE;
        }
        if (b0 == 169 && b1 == 254) {
            return LINK_LOCAL;
        }
        if (b0 == 100 && b1 >= 64 && b1 <= 127) {
            return SHARED;
        }
        if (b0 >= 224 && b0 <= 239) {
            return MULTICAST;
        }
        if (b0 >= 240 || (b0 == 192 && b1 == 0 && (a[2] & 0xFF) == 0) || (b0 == 198 && (b1 == 18 || b1 == 19))) {
            return RESERVED;
        }
        return PUBLIC;
    }

    private static AddressClass ipv6(byte[] a) {
        byte[] v4 = embeddedIpv4(a);
        if (v4 != null) {
            return ipv4(v4);
        }
        if (zero(a, 0, 16)) {
            return UNSPECIFIED;
        }
        if (zero(a, 0, 15) && a[15] == 1) {
            return LOOPBACK;
        }
        int b0 = a[0] & 0xFF;
        int b1 = a[1] & 0xFF;
        if ((b0 & 0xFE) == 0xFC || (b0 == 0xFE && (b1 & 0xC0) == 0xC0)) {
            return PRIVATE; // unique local fc00::/7; the old site-local fec0::/10
        }
        if (b0 == 0xFE && (b1 & 0xC0) == 0x80) {
            return LINK_LOCAL;
        }
        if (b0 == 0xFF) {
            return MULTICAST;
        }
        return PUBLIC;
    }

    private static boolean zero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
    }
}
