package io.jobpulse.app.status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code jobpulse_*} samples of one instance's {@code GET /prometheus} (open on every instance, no
 * credential), which is where an instance tells its roles and its Kafka Streams state
 * ({@code InstanceStateMetrics}). Only the plain {@code name{labels} value} lines of the text format are read.
 */
record InstanceMetrics(String address, String answer, List<Sample> samples) {

    private static final Pattern SAMPLE = Pattern.compile("^(jobpulse_[a-zA-Z0-9_]+)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z0-9_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    /**
     * The instance's samples, with {@code token} (a {@code jobpulse:admin} credential, which {@code /prometheus}
     * wants) if there is one; without samples, and {@code answer} saying why, when it does not give them.
     */
    static InstanceMetrics scrape(HttpClient http, String address, String token, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + address + "/prometheus")).timeout(timeout).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return switch (response.statusCode()) {
                case 200 -> parse(address, response.body());
                case 401, 403 -> new InstanceMetrics(address, "refused: /prometheus wants a jobpulse:admin JOBPULSE_TOKEN", List.of());
                default -> new InstanceMetrics(address, "GET /prometheus answered " + response.statusCode(), List.of());
            };
        } catch (IOException e) {
            return new InstanceMetrics(address, "no answer (" + e.getClass().getSimpleName() + ")", List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InstanceMetrics(address, "interrupted", List.of());
        }
    }

    static InstanceMetrics parse(String address, String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            try {
                samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
            } catch (NumberFormatException e) {
                // Not a sample we read.
            }
        }
        return new InstanceMetrics(address, "yes", samples);
    }

    /** The samples of this name whose labels include these. */
    List<Sample> find(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    /** The value of the one sample of this name with these labels, or 0. */
    double value(String name, Map<String, String> labels) {
        return find(name, labels).stream().mapToDouble(Sample::value).findFirst().orElse(0);
    }

    /** A label of the {@code jobpulse_instance_roles} sample, or "" when the instance gives none. */
    String info(String label) {
        return find("jobpulse_instance_roles", Map.of()).stream().map(s -> s.labels().getOrDefault(label, "")).findFirst().orElse("");
    }
}
