package io.jobpulse.app.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jobpulse watch}: the caller's recent jobs, live, through the public API only. It opens the stream of
 * all the caller's jobs ({@code GET /v1/stream}) first and then reads the newest jobs ({@code GET /v1/jobs}),
 * as docs/streaming.md advises, so no change falls between the two; updates apply by version, so a repeat or
 * a change the list already had changes nothing. On a terminal the table is redrawn in place (ANSI); otherwise
 * each job is printed once, and then one line per change. A cut stream is opened again with its last event id.
 */
public final class WatchCommand {

    static final String USAGE = "usage: jobpulse watch [--token <token>] [--url <url>] (or JOBPULSE_TOKEN, JOBPULSE_URL)";
    private static final int LIMIT = 20;
    private static final Duration RECONNECT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;
    private final PrintStream out;
    private final JobScreen screen;
    private final Map<String, JobRow> jobs = new LinkedHashMap<>();

    private WatchCommand(URI base, String token, PrintStream out, boolean terminal) {
        this.base = base;
        this.token = token;
        this.out = out;
        this.screen = terminal ? new JobScreen(out, Clock.systemUTC()) : null;
    }

    /** Runs until interrupted (Ctrl-C) or the API refuses the credential. */
    public static void run(String[] args, Map<String, String> env, PrintStream out, boolean terminal) throws InterruptedException {
        String token = env.get("JOBPULSE_TOKEN");
        String url = env.getOrDefault("JOBPULSE_URL", "http://localhost:8080");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--token") && i + 1 < args.length) {
                token = args[++i];
            } else if (args[i].equals("--url") && i + 1 < args.length) {
                url = args[++i];
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'; " + USAGE);
            }
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("no token: set JOBPULSE_TOKEN or pass --token (a JWT or an API key with jobs:read)");
        }
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url : url + "/");
            if (base.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JOBPULSE_URL (or --url) must be an http(s) address, not '" + url + "'");
        }
        new WatchCommand(base, token.strip(), out, terminal).watch();
    }

    private void watch() throws InterruptedException {
        String lastEventId = null;
        if (screen != null) {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(screen::leave));
            // The elapsed times move on between changes too.
            Thread.ofPlatform().daemon().name("jobpulse-watch-clock").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(1000);
                        redraw();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        while (true) {
            HttpRequest.Builder open = request("v1/stream").header("Accept", "text/event-stream");
            if (lastEventId != null) {
                open.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> stream = send(open.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (stream != null && stream.statusCode() == 200) {
                if (lastEventId == null) {
                    list();
                }
                lastEventId = follow(stream.body(), lastEventId);
            } else if (stream != null) {
                refuse(stream.statusCode(), body(stream.body()));
            }
            Thread.sleep(RECONNECT);
        }
    }

    /** Reads the newest jobs and shows them, each once. */
    private void list() throws InterruptedException {
        HttpResponse<String> answer = send(request("v1/jobs?limit=" + LIMIT).build(), HttpResponse.BodyHandlers.ofString());
        if (answer == null) {
            return;
        }
        if (answer.statusCode() != 200) {
            refuse(answer.statusCode(), answer.body());
        }
        List<JobRow> newestFirst = new ArrayList<>();
        read(answer.body()).path("items").forEach(job -> newestFirst.add(JobRow.of(job)));
        for (JobRow job : newestFirst.reversed()) {
            apply(job);
        }
    }

    /**
     * Applies the stream's updates until it ends or is cut; returns the last event id to resume from. A
     * {@code reset} (the position could not be resumed) reads the list again, as docs/streaming.md says.
     */
    private String follow(InputStream body, String lastEventId) throws InterruptedException {
        String id = lastEventId;
        String event = "";
        StringBuilder data = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (event.equals("reset")) {
                        list();
                    } else if (!data.isEmpty() && read(data.toString()).get("job") instanceof JsonNode job) {
                        apply(JobRow.of(job));
                    }
                    event = "";
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // A cut stream: opened again with its last id.
        }
        return id;
    }

    private synchronized void redraw() {
        screen.draw(jobs.values());
    }

    private synchronized void apply(JobRow job) {
        JobRow known = jobs.get(job.id());
        if (known != null && known.version() >= job.version()) {
            return;
        }
        jobs.put(job.id(), job);
        while (jobs.size() > LIMIT) {
            jobs.values().stream().min(Comparator.comparing(JobRow::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())))
                    .ifPresent(oldest -> jobs.remove(oldest.id()));
        }
        if (screen != null) {
            screen.draw(jobs.values());
        } else {
            out.println(job.line(Instant.now()));
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token);
    }

    /** Sends a request; null when the server cannot be reached (said once per attempt, then tried again). */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws InterruptedException {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            if (screen == null) {
                out.println("jobpulse: cannot reach " + base + " (" + e.getClass().getSimpleName() + "); trying again");
            } else {
                screen.status("cannot reach " + base + "; trying again");
            }
            return null;
        }
    }

    /** A refused request ends the command with one line: the status and the problem's detail. */
    private void refuse(int status, String body) {
        String detail;
        try {
            JsonNode problem = JSON.readTree(body);
            detail = problem.path("detail").asText(problem.path("title").asText(body));
        } catch (IOException e) {
            detail = body;
        }
        String what = status == 401 ? "the token was refused" : status == 403 ? "the token may not read jobs" : "the API answered " + status;
        throw new IllegalStateException(what + " at " + base + ": " + detail.strip());
    }

    private static String body(InputStream body) {
        try (body) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
