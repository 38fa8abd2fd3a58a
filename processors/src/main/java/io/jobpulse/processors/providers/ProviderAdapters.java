package io.jobpulse.processors.providers;

import io.jobpulse.events.JobStatus;

import java.util.HashMap;
import java.util.Map;

/** The adapter a provider's configuration names: {@code replicate}, {@code fal}, {@code bria}, {@code openai} or {@code mapped}. */
public final class ProviderAdapters {

    private ProviderAdapters() {
    }

    /**
     * @param provider the provider's configured name
     * @param adapter  the adapter's name, or null for the provider's own name
     * @param mapping  for {@code mapped}: {@code status}, {@code request-id}, {@code progress}, {@code message},
     *                 {@code result}, {@code error} (JSON pointers) and {@code statuses.<word>} (canonical statuses)
     * @throws IllegalArgumentException naming what is wrong
     */
    public static ProviderAdapter create(String provider, String adapter, Map<String, String> mapping) {
        String name = adapter == null ? provider : adapter;
        return switch (name) {
            case "replicate" -> new ReplicateAdapter();
            case "fal" -> new FalAdapter();
            case "bria" -> new BriaAdapter();
            case "openai" -> new OpenAiBatchAdapter();
            case "mapped" -> mapped(provider, mapping);
            default -> throw new IllegalArgumentException("adapter is replicate, fal, bria, openai or mapped, not '" + name + "'");
        };
    }

    private static MappedAdapter mapped(String provider, Map<String, String> mapping) {
        Map<String, JobStatus> statuses = new HashMap<>();
        mapping.forEach((key, value) -> {
            if (key.startsWith("statuses.")) {
                statuses.put(key.substring("statuses.".length()), JobStatus.fromWireName(value).orElseThrow(() ->
                        new IllegalArgumentException("mapping." + key + " must be a canonical status, not '" + value + "'")));
            }
        });
        if (!mapping.containsKey("status") || statuses.isEmpty()) {
            throw new IllegalArgumentException("a mapped adapter needs mapping.status (a JSON pointer) and mapping.statuses.*");
        }
        return new MappedAdapter(provider, mapping.get("status"), statuses, mapping.get("request-id"),
                mapping.get("progress"), mapping.get("message"), mapping.get("result"), mapping.get("error"));
    }
}
