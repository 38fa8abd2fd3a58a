package io.jobpulse.ingest.webhooks;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.MapFormat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One provider that calls back ({@code jobpulse.providers.<name>.*}). The name is the path of
 * its webhook endpoint, {@code POST /v1/webhooks/<name>}.
 *
 * @param signature  how it signs: {@code standard-webhooks} (Replicate and most others) or {@code fal}
 * @param secrets    Standard Webhooks HMAC secrets ({@code whsec_...}); several while rotating
 * @param publicKeys Standard Webhooks Ed25519 keys ({@code whpk_...}), or fal's JWKS keys ({@code x}, base64url)
 * @param allowedUserIds for {@code fal}: the fal account (user) ids whose callbacks are accepted
 *                   ({@code X-Fal-Webhook-User-Id}); fal signs every customer's webhooks with the same keys,
 *                   so a fal provider without them refuses to start
 * @param tolerance  how far a delivery's timestamp may be from now
 * @param adapter    how its payloads read: {@code replicate}, {@code fal}, {@code bria}, {@code openai} or
 *                   {@code mapped}; by default the provider's name
 * @param mapping    for {@code mapped}: JSON pointers {@code status}, {@code request-id}, {@code progress},
 *                   {@code message}, {@code result}, {@code error}, and {@code statuses.<word>: <canonical status>}
 * @param credentials {@code Authorization} header values for its status and cancel URLs, by a name that
 *                   {@code status-urls}, {@code status-credential} and {@code cancel-credential} refer to; the values
 *                   stay here, never in events or logs
 * @param maxConcurrentPolls how many of its status URLs are polled at once, per instance
 * @param maxPollsPerSecond  how many of its status requests per second, per instance
 * @param cancelUrl  where to ask the provider to cancel a request, with {@code {requestId}} in it (e.g. Replicate's
 *                   {@code https://api.replicate.com/v1/predictions/{requestId}/cancel}), or null not to propagate cancels
 * @param cancelMethod the HTTP method of that call ({@code POST}; fal's queue takes {@code PUT})
 * @param cancelCredential the name of the credential sent with it, or null
 * @param statusUrl  where the provider serves a request's status, with {@code {requestId}} in it (e.g. OpenAI's
 *                   {@code https://api.openai.com/v1/batches/{requestId}}): a status URL that polls may use, and
 *                   where a thin callback (one without a status) of a job that is not polled starts a poll; or null
 * @param statusCredential the name of the credential sent to URLs of {@code status-url}, or null
 * @param statusUrls further status URL templates polls may use, by a name of the operator's choosing:
 *                   {@code status-urls.<name>.url} and {@code status-urls.<name>.credential} (optional); a poll's URL
 *                   must be one of these or {@code status-url}'s, and is sent the credential of the one it matches
 */
@EachProperty("jobpulse.providers")
public record ProviderConfiguration(@Parameter String name,
                                    @Bindable(defaultValue = "standard-webhooks") String signature,
                                    @Nullable List<String> secrets,
                                    @Nullable List<String> publicKeys,
                                    @Nullable List<String> allowedUserIds,
                                    @Bindable(defaultValue = "5m") Duration tolerance,
                                    @Nullable String adapter,
                                    @Nullable Map<String, String> mapping,
                                    @Nullable Map<String, String> credentials,
                                    @Bindable(defaultValue = "4") int maxConcurrentPolls,
                                    @Bindable(defaultValue = "10") double maxPollsPerSecond,
                                    @Nullable String cancelUrl,
                                    @Bindable(defaultValue = "POST") String cancelMethod,
                                    @Nullable String cancelCredential,
                                    @Nullable String statusUrl,
                                    @Nullable String statusCredential,
                                    // Template names are the operator's: keep "<name>.url" and "<name>.credential" whole.
                                    @Nullable @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                                    Map<String, String> statusUrls) {

    public ProviderConfiguration {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
        allowedUserIds = allowedUserIds == null ? List.of() : List.copyOf(allowedUserIds);
        mapping = mapping == null ? Map.of() : Map.copyOf(mapping);
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        statusUrls = statusUrls == null ? Map.of() : Map.copyOf(statusUrls);
    }
}
