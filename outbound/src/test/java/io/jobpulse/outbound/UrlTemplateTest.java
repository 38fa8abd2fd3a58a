package io.jobpulse.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which URLs a provider's template admits, in canonical form; every trick that could lead elsewhere is refused. */
class UrlTemplateTest {

    private static final UrlTemplate REPLICATE = UrlTemplate.parse("https://api.replicate.com/v1/predictions/{requestId}");
    private static final UrlTemplate FAL = UrlTemplate.parse("https://queue.fal.run/fal-ai/flux/requests/{requestId}/status");
    private static final UrlTemplate LOCAL = UrlTemplate.parse("http://127.0.0.1:8123/v2/status/{requestId}");

    private static boolean admits(UrlTemplate template, String url) {
        try {
            return template.matches(OutboundUrl.parse(url));
        } catch (OutboundUrl.Invalid e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://api.replicate.com/v1/predictions/abc123",
            "HTTPS://API.Replicate.COM/v1/predictions/abc123",
            "https://api.replicate.com:443/v1/predictions/abc123",
            "https://api.replicate.com/v1/predictions/abc123?fields=status",
            "https://api.replicate.com/v1/predictions/abc123#part",
            "https://api.replicate.com/v1/%70redictions/abc123",
            "https://api.replicate.com/v1/x/../predictions/abc123",
            "https://api.replicate.com/v1/./predictions/abc123",
            "https://api.replicate.com/v1/predictions/a%20b"})
    void admitsTheTemplatesUrlsWrittenAnyEquivalentWay(String url) {
        assertThat(admits(REPLICATE, url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://api.replicate.com/v1/predictions/abc123",
            "https://api.replicate.com:8443/v1/predictions/abc123",
            "https://api.replicate.com.evil.example/v1/predictions/abc123",
            "https://evil.example/v1/predictions/abc123",
            "https://api.replicate.com./v1/predictions/abc123",
            "https://user:pw@api.replicate.com/v1/predictions/abc123",
            "https://api.replicate.com@evil.example/v1/predictions/abc123",
            "https://api.replicate.com/v1/predictions/",
            "https://api.replicate.com/v1/predictions",
            "https://api.replicate.com/v1/predictions/abc/cancel",
            "https://api.replicate.com/v1/predictions/../../admin",
            "https://api.replicate.com/v1/predictions/%2e%2e/%2e%2e/admin",
            "https://api.replicate.com/v1/predictions/..",
            "https://api.replicate.com/v1/predictions/%2E%2E",
            "https://api.replicate.com/v1/predictions/..;/admin",
            "https://api.replicate.com/v1/predictions/a%2Fb",
            "https://api.replicate.com/v1/predictions/a%5cb",
            "https://api.replicate.com/v2/predictions/abc123",
            "https://api.replicate.com/v1/Predictions/abc123",
            "ftp://api.replicate.com/v1/predictions/abc123",
            "file:///etc/passwd",
            "//api.replicate.com/v1/predictions/abc123",
            "/v1/predictions/abc123",
            "https:api.replicate.com/v1/predictions/abc123",
            "https://api.replicate.com/v1/predictions/%zz",
            "https://api.replicate.com/v1/predictions/a b",
            "http://127.0.0.1:18999/latest/meta-data",
            "http://169.254.169.254/latest/meta-data/",
            ""})
    void refusesEveryOtherSchemeHostPortPathOrTrick(String url) {
        assertThat(admits(REPLICATE, url)).isFalse();
    }

    @Test
    void aSuffixAfterTheRequestIdMustBeThere() {
        assertThat(admits(FAL, "https://queue.fal.run/fal-ai/flux/requests/r-1/status")).isTrue();
        assertThat(admits(FAL, "https://queue.fal.run/fal-ai/flux/requests/r-1")).isFalse();
        assertThat(admits(FAL, "https://queue.fal.run/fal-ai/flux/requests/r-1/cancel")).isFalse();
        assertThat(admits(FAL, "https://queue.fal.run/fal-ai/flux/requests/a/b/status")).isFalse();
        assertThat(admits(FAL, "https://queue.fal.run/fal-ai/flux/requests//status")).isFalse();
    }

    @Test
    void anExplicitPortMustBeTheTemplatesAndADefaultPortMayBeWrittenOrNot() {
        assertThat(admits(LOCAL, "http://127.0.0.1:8123/v2/status/r1")).isTrue();
        assertThat(admits(LOCAL, "http://127.0.0.1:8124/v2/status/r1")).isFalse();
        assertThat(admits(LOCAL, "http://127.0.0.1/v2/status/r1")).isFalse();
        assertThat(admits(LOCAL, "http://localhost:8123/v2/status/r1")).as("another name of the host is another host").isFalse();
        assertThat(admits(LOCAL, "http://2130706433:8123/v2/status/r1")).isFalse();
        assertThat(admits(UrlTemplate.parse("http://h.example:80/s/{requestId}"), "http://h.example/s/1")).isTrue();
    }

    @Test
    void fillingEncodesTheRequestIdAsOneSegmentSoThatItCannotLeaveTheTemplate() {
        UrlTemplate cancel = UrlTemplate.parse("https://api.replicate.com/v1/predictions/{requestId}/cancel");
        assertThat(cancel.fill("abc123")).isEqualTo("https://api.replicate.com/v1/predictions/abc123/cancel");
        assertThat(cancel.fill("a/b?c#d e")).isEqualTo("https://api.replicate.com/v1/predictions/a%2Fb%3Fc%23d%20e/cancel");
        for (String leaving : new String[] {"..", ".", "../../admin", "a/b", "x;y/.."}) {
            assertThat(admits(cancel, cancel.fill(leaving))).as(leaving).isFalse();
        }
        for (String staying : new String[] {"x?y", "x#y", "%2e%2e", "..;"}) {
            OutboundUrl filled = OutboundUrl.parse(cancel.fill(staying));
            assertThat(admits(cancel, filled.toString())).as(staying).isTrue();
            assertThat(filled.query()).as("no query smuggled in").isNull();
        }
        assertThat(admits(cancel, cancel.fill("pred-1"))).isTrue();
        assertThat(admits(cancel, cancel.fill("ünïcode id"))).isTrue();
    }

    @Test
    void theCanonicalFormIsWhatIsSent() {
        assertThat(OutboundUrl.parse("HTTPS://API.Replicate.COM:443/v1/x/../%70redictions/%7e%3a?q=1#f").toString())
                .isEqualTo("https://api.replicate.com/v1/predictions/~%3A?q=1");
        assertThat(OutboundUrl.parse("http://[::1]:8080/a").hostName()).isEqualTo("::1");
        assertThat(OutboundUrl.parse("http://h.example").path()).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://api.replicate.com/v1/predictions",
            "https://api.replicate.com/v1/predictions/{requestId}/{requestId}",
            "https://{requestId}.example/v1",
            "https://api.example/v1?id={requestId}",
            "https://api.example/v1/pre{requestId}",
            "https://user@api.example/v1/{requestId}",
            "ftp://api.example/v1/{requestId}"})
    void refusesTemplatesThatCannotServe(String template) {
        assertThatThrownBy(() -> UrlTemplate.parse(template)).isInstanceOf(IllegalArgumentException.class);
    }
}
