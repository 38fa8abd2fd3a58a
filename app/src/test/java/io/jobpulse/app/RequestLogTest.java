package io.jobpulse.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One log line per request, as an operator reads them: method, route template, status, time and
 * the kind of caller, and never a credential nor the path's ids or query; and the shipped logging
 * configuration writing JSON lines when {@code JOBPULSE_LOG_FORMAT=json}.
 */
class RequestLogTest {

    private static JobpulseInstance jobpulse;
    private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();
    private static Logger requests;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of());
        requests = (Logger) LoggerFactory.getLogger("jobpulse.requests");
        requests.setLevel(Level.INFO);
        LINES.start();
        requests.addAppender(LINES);
    }

    @AfterAll
    static void stop() {
        requests.detachAppender(LINES);
        requests.setLevel(Level.WARN);
        jobpulse.close();
    }

    @Test
    void eachRequestIsOneLineWithItsTemplateStatusTimeAndCallerKindButNoCredential() {
        String token = JobpulseInstance.token(JobpulseInstance.USER);
        String jobId = SliceEndToEndTest.json(jobpulse.post("/v1/jobs", "{\"type\":\"image.generate\",\"input\":{}}")).path("id").asText();
        jobpulse.get("/v1/jobs/" + jobId);
        jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs?status=queued")).GET().build());
        jobpulse.get("/no/such/path/" + jobId);

        List<String> lines = LINES.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("POST /v1/jobs 202 [0-9.]+ ms user"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("GET /v1/jobs/\\{id} 200 [0-9.]+ ms user"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("GET /v1/jobs 401 [0-9.]+ ms anonymous"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("GET \\(no route\\) 404 [0-9.]+ ms user"));
        assertThat(String.join("\n", lines)).doesNotContain(token).doesNotContain(jobId).doesNotContain("status=queued");
    }

    @Test
    void theShippedConfigurationWritesJsonLinesWhenAskedTo() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        context.putProperty("JOBPULSE_LOG_FORMAT", "json");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
        Logger logger = context.getLogger("jobpulse.requests");
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("json");
        assertThat(console).as("the root logger writes through the json appender").isNotNull();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("text")).isNull();

        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "{} {} {} {} ms {}", null,
                new Object[] {"GET", "/v1/jobs/{id}", 200, "1.5", "user"});
        String written = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
        context.stop();
        assertThat(written.strip().lines()).as("one line").hasSize(1);
        JsonNode line = JobJson.mapper().readTree(written);
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("loggerName").asText()).isEqualTo("jobpulse.requests");
        assertThat(line.path("formattedMessage").asText()).isEqualTo("GET /v1/jobs/{id} 200 1.5 ms user");
    }

    @Test
    void theShippedConfigurationWritesTextByDefault() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("text")).isNotNull();
        assertThat(root.getAppender("json")).isNull();
        assertThat(context.getLogger("jobpulse.requests").getEffectiveLevel()).isEqualTo(Level.INFO);
        context.stop();
    }

    @Test
    void bothFormatsShowTheTraceAndSpanIdsOfALineWrittenInATrace() throws Exception {
        for (String format : List.of("text", "json")) {
            LoggerContext context = new LoggerContext();
            context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
            context.putProperty("JOBPULSE_LOG_FORMAT", format);
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
            Logger logger = context.getLogger("jobpulse.requests");
            @SuppressWarnings("unchecked")
            ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(format);
            Object[] arguments = {"POST", "/v1/jobs", 202, "1.5", "user"};
            String untraced = new String(console.getEncoder().encode(new LoggingEvent(Logger.class.getName(), logger, Level.INFO,
                    "{} {} {} {} ms {}", null, arguments)), StandardCharsets.UTF_8);
            context.getMDCAdapter().put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
            context.getMDCAdapter().put("span_id", "00f067aa0ba902b7");
            String traced = new String(console.getEncoder().encode(new LoggingEvent(Logger.class.getName(), logger, Level.INFO,
                    "{} {} {} {} ms {}", null, arguments)), StandardCharsets.UTF_8);
            context.stop();
            if (format.equals("text")) {
                assertThat(untraced.strip()).endsWith("POST /v1/jobs 202 1.5 ms user");
                assertThat(traced.strip()).endsWith("POST /v1/jobs 202 1.5 ms user trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7");
            } else {
                JsonNode line = JobJson.mapper().readTree(traced);
                assertThat(line.at("/mdc/trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
                assertThat(line.at("/mdc/span_id").asText()).isEqualTo("00f067aa0ba902b7");
                assertThat(JobJson.mapper().readTree(untraced).path("mdc").path("trace_id").isMissingNode()).isTrue();
            }
        }
    }
}
