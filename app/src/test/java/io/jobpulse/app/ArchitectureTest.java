package io.jobpulse.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.jobpulse.events.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module boundaries of docs/architecture.md, enforced on the compiled classes of every module,
 * and the names that only one place may spell.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobpulse");
    }

    private static void onlyDependsOn(String module, String... allowed) {
        String[] others = Stream.of("events", "http", "consumers", "outbound", "processors", "topology", "ingest", "projections", "push", "notifications", "devstack", "app")
                .filter(m -> !m.equals(module) && !List.of(allowed).contains(m))
                .map(m -> "io.jobpulse." + m + "..")
                .toArray(String[]::new);
        noClasses().that().resideInAPackage("io.jobpulse." + module + "..")
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .because(module + " may depend only on " + (allowed.length == 0 ? "nothing of ours" : String.join(", ", allowed)))
                .check(classes);
    }

    @Test
    void eventsDependOnNothingOfOurs() {
        onlyDependsOn("events");
    }

    @Test
    void theHttpContractDependsOnlyOnEvents() {
        onlyDependsOn("http", "events");
    }

    @Test
    void theConsumerLoopDependsOnNothingOfOurs() {
        onlyDependsOn("consumers");
    }

    @Test
    void theOutboundRulesDependOnNothingOfOurs() {
        onlyDependsOn("outbound");
    }

    @Test
    void processorsDependOnlyOnEvents() {
        onlyDependsOn("processors", "events");
    }

    @Test
    void topologyDependsOnlyOnEventsAndProcessors() {
        onlyDependsOn("topology", "events", "http", "processors");
    }

    @Test
    void ingestDependsOnlyOnEventsAndProcessors() {
        onlyDependsOn("ingest", "events", "http", "consumers", "outbound", "processors");
    }

    @Test
    void projectionsDependOnlyOnEvents() {
        onlyDependsOn("projections", "events", "http", "consumers");
    }

    @Test
    void pushDependsOnlyOnEvents() {
        onlyDependsOn("push", "events", "http", "consumers");
    }

    @Test
    void notificationsDependOnlyOnEventsAndTheOutboundRules() {
        onlyDependsOn("notifications", "events", "http", "outbound");
    }

    @Test
    void devstackDependsOnNothingOfOurs() {
        onlyDependsOn("devstack");
    }

    @Test
    void onlyThePushTransportsKnowTheirWireFormats() {
        // Micronaut's generated companions ($SseTransport$Definition...) count as the class itself.
        noClasses().that().haveNameNotMatching("io\\.jobpulse\\.push\\.\\$?SseTransport.*")
                .should().dependOnClassesThat().resideInAPackage("io.micronaut.http.sse..")
                .because("SSE framing belongs to the SSE transport alone")
                .check(classes);
        noClasses().that().haveNameNotMatching("io\\.jobpulse\\.push\\.\\$?WebSocketTransport.*")
                .and().resideOutsideOfPackage("io.jobpulse.app.server..")
                .should().dependOnClassesThat().resideInAnyPackage("io.micronaut.websocket..", "io.netty.handler.codec.http.websocketx..")
                .because("WebSocket framing belongs to the WebSocket transport (and the server's frame limit) alone")
                .check(classes);
    }

    @Test
    void theContractMakesNoCallsOfItsOwn() {
        noClasses().that().resideInAPackage("io.jobpulse.events..")
                .should().dependOnClassesThat().resideInAnyPackage("java.net.http..", "org.apache.kafka.clients..")
                .because("the contract describes events, states and routes; clients of HTTP or Kafka live with their users")
                .check(classes);
    }

    @Test
    void onlyTheTopicCatalogueNamesTopics() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> spelled = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(root)) {
            for (Path source : sources.filter(path -> path.toString().endsWith(".java") && path.toString().contains("/src/main/java/")
                    && !path.endsWith(Path.of("io", "jobpulse", "events", "Topics.java"))).toList()) {
                String text = Files.readString(source);
                Topics.ALL.stream().filter(topic -> text.contains("\"" + topic.name() + "\""))
                        .forEach(topic -> spelled.add(root.relativize(source) + " spells " + topic.name()));
            }
        }
        assertThat(spelled).as("topic names written outside the catalogue (use Topics)").isEmpty();
    }

    @Test
    void contractAndPureLogicAreFreeOfMicronaut() {
        noClasses().that().resideInAnyPackage("io.jobpulse.events..", "io.jobpulse.http..", "io.jobpulse.processors..")
                .should().dependOnClassesThat().resideInAPackage("io.micronaut..")
                .because("the contract and the pure job logic must be usable without a framework")
                .check(classes);
    }

    @Test
    void modulesHaveNoCycles() {
        slices().matching("io.jobpulse.(*)..").should().beFreeOfCycles().check(classes);
    }
}
