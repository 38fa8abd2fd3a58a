package io.jobpulse.ingest.webhooks;

import io.jobpulse.outbound.OutboundUrl;
import io.jobpulse.outbound.UrlTemplate;
import io.jobpulse.processors.providers.ProviderAdapter;
import io.jobpulse.processors.providers.ProviderAdapters;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configured providers, each with the check of its signatures (if it calls back), the
 * reading of its payloads, the status URL templates its polls may fetch with the credential each
 * is sent, and its cancel call. Built once at
 * start-up, so a mistake in the configuration (an unknown scheme, a key that is not a key) stops
 * the start with a message naming the provider.
 */
@Singleton
public class Providers {

    /**
     * A configured provider.
     *
     * @param signature          how its callbacks are checked, or null when it has no secret or key (it is only polled)
     * @param credentials        {@code Authorization} header values, by credential name
     * @param maxConcurrentPolls how many of its status URLs may be polled at once
     * @param maxPollsPerSecond  how many of its status requests per second
     * @param cancel             how to ask it to cancel a request, or null when cancels are not propagated
     * @param status             where a thin callback's job starts polling ({@code status-url}), or null
     * @param statusUrls         every status URL template its polls may use, {@code status-url}'s first
     */
    public record Provider(String name, WebhookSignature signature, ProviderAdapter adapter, Map<String, String> credentials,
                           int maxConcurrentPolls, double maxPollsPerSecond, Cancel cancel, Status status, List<Status> statusUrls) {

        /** The status URL template a URL is one of, if any: the only URLs its polls may fetch. */
        public Optional<Status> statusUrlOf(OutboundUrl url) {
            return statusUrls.stream().filter(status -> status.template().matches(url)).findFirst();
        }

        /** The {@code Authorization} value sent to URLs of a status template, or null. */
        public String authorization(Status status) {
            return status.credential() == null ? null : credentials.get(status.credential());
        }

        /** The templates, for messages: "a, b". */
        public String statusTemplates() {
            return String.join(", ", statusUrls.stream().map(status -> status.template().toString()).toList());
        }
    }

    /**
     * One of a provider's status URL templates.
     *
     * @param template   the URL, with {@code {requestId}} where the request's id goes
     * @param credential the name of the credential sent to its URLs, or null
     */
    public record Status(UrlTemplate template, String credential) {

        public String url(String requestId) {
            return template.fill(requestId);
        }
    }

    /**
     * A provider's cancel call.
     *
     * @param template      the URL, with {@code {requestId}} where the request's id goes
     * @param authorization the {@code Authorization} header value, or null
     */
    public record Cancel(UrlTemplate template, String method, String authorization) {

        public String url(String requestId) {
            return template.fill(requestId);
        }
    }

    private final Map<String, Provider> byName = new HashMap<>();

    public Providers(List<ProviderConfiguration> configured) {
        for (ProviderConfiguration config : configured) {
            try {
                byName.put(config.name(), new Provider(config.name(), signature(config),
                        ProviderAdapters.create(config.name(), config.adapter(), config.mapping()),
                        config.credentials(), config.maxConcurrentPolls(), config.maxPollsPerSecond(), cancel(config), status(config),
                        statusUrls(config)));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("provider '" + config.name() + "' is misconfigured: " + e.getMessage(), e);
            }
        }
    }

    public Optional<Provider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names of every configured provider, sorted. */
    public List<String> names() {
        return byName.keySet().stream().sorted().toList();
    }

    /** The names of the providers that take callbacks (those with a secret or key to check them with), sorted. */
    public List<String> takingCallbacks() {
        return byName.values().stream().filter(provider -> provider.signature() != null).map(Provider::name).sorted().toList();
    }

    private static Cancel cancel(ProviderConfiguration config) {
        if (config.cancelUrl() == null) {
            return null;
        }
        String authorization = null;
        if (config.cancelCredential() != null) {
            authorization = config.credentials().get(config.cancelCredential());
            if (authorization == null) {
                throw new IllegalArgumentException("cancel-credential '" + config.cancelCredential() + "' is not among its credentials");
            }
        }
        return new Cancel(template("cancel-url", config.cancelUrl()), config.cancelMethod().toUpperCase(Locale.ROOT), authorization);
    }

    private static Status status(ProviderConfiguration config) {
        if (config.statusUrl() == null) {
            return null;
        }
        return new Status(template("status-url", config.statusUrl()), credential(config, "status-credential", config.statusCredential()));
    }

    /** {@code status-url} first, then {@code status-urls.<name>} by name. */
    private static List<Status> statusUrls(ProviderConfiguration config) {
        List<Status> all = new ArrayList<>();
        if (config.statusUrl() != null) {
            all.add(status(config));
        }
        Map<String, String> entries = new TreeMap<>(config.statusUrls());
        for (String key : entries.keySet()) {
            int dot = key.lastIndexOf('.');
            String name = dot < 0 ? key : key.substring(0, dot);
            String field = dot < 0 ? "" : key.substring(dot + 1);
            if (!field.equals("url") && !field.equals("credential")) {
                throw new IllegalArgumentException("status-urls." + key + " is not a setting: each entry has a url and optionally a credential");
            }
            if (field.equals("url")) {
                all.add(new Status(template("status-urls." + key, entries.get(key)),
                        credential(config, "status-urls." + name + ".credential", entries.get(name + ".credential"))));
            } else if (!entries.containsKey(name + ".url")) {
                throw new IllegalArgumentException("status-urls." + name + " has a credential but no url");
            }
        }
        return List.copyOf(all);
    }

    private static UrlTemplate template(String setting, String url) {
        try {
            return UrlTemplate.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage());
        }
    }

    private static String credential(ProviderConfiguration config, String setting, String name) {
        if (name != null && !config.credentials().containsKey(name)) {
            throw new IllegalArgumentException(setting + " '" + name + "' is not among its credentials");
        }
        return name;
    }

    private static WebhookSignature signature(ProviderConfiguration config) {
        return switch (config.signature()) {
            case "standard-webhooks" -> config.secrets().isEmpty() && config.publicKeys().isEmpty() ? null
                    : new StandardWebhookSignature(config.secrets(), config.publicKeys(), config.tolerance());
            case "fal" -> {
                if (config.allowedUserIds().isEmpty()) {
                    // fal signs every account's webhooks with the same keys: without accounts, anyone's would pass.
                    throw new IllegalArgumentException("jobpulse.providers." + config.name() + ".allowed-user-ids is not set:"
                            + " name the fal account (user) ids whose callbacks are accepted (X-Fal-Webhook-User-Id)");
                }
                yield new FalWebhookSignature(config.publicKeys(), config.allowedUserIds(), config.tolerance());
            }
            default -> throw new IllegalArgumentException("signature is standard-webhooks or fal, not '" + config.signature() + "'");
        };
    }
}
