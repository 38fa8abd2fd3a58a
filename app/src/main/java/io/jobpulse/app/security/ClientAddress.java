package io.jobpulse.app.security;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client address a request's limits are counted against, the way reverse proxies document
 * it: each trusted proxy appends the address of the peer it received the request from to
 * {@code X-Forwarded-For}, so with {@code hops} trusted proxies in front the client is the entry
 * {@code hops} places from the right. Everything left of it was written by the client and is
 * never used. With no trusted hops the header is ignored and the client is the TCP peer.
 *
 * <p>Known limits: a request that reaches Jobpulse without passing every trusted proxy can choose
 * what the missing proxies would have written; only the proxies should be able to reach Jobpulse.
 * An entry that is not an IP address (a misconfigured proxy) counts as the TCP peer.
 */
public final class ClientAddress {

    /** An IPv4 or IPv6 literal; a name would need a lookup and is not what proxies write. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}|\\[[0-9A-Fa-f:.]{2,45}]");

    private ClientAddress() {
    }

    /**
     * @param peer          the address of the TCP peer (the nearest proxy, when there are proxies)
     * @param forwardedFor  the {@code X-Forwarded-For} header lines, in the order received; empty if none
     * @param trustedHops   how many proxies in front of Jobpulse append to the header; 0 ignores it
     */
    public static String of(String peer, List<String> forwardedFor, int trustedHops) {
        if (trustedHops <= 0 || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> entries = new ArrayList<>();
        for (String line : forwardedFor) {
            for (String entry : line.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.strip());
                }
            }
        }
        if (entries.isEmpty()) {
            return peer;
        }
        // Fewer entries than trusted hops: the request passed fewer proxies; the farthest entry is then the
        // one the outermost proxy it did pass wrote.
        String client = entries.get(Math.max(0, entries.size() - trustedHops));
        return IP_LITERAL.matcher(client).matches() ? client.replaceAll("^\\[|]$", "") : peer;
    }
}
