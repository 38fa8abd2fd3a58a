package io.jobpulse.app;

import io.micronaut.http.HttpMethod;
import io.micronaut.web.router.Router;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs name only what exists: every route in the first column of a table in README.md or
 * docs/ is served, and every {@code jobpulse.*} setting in docs/configuration.md is read by the
 * code (a configuration record's component, or a property the code names in a string or a
 * placeholder). A renamed route or
 * setting fails here until the docs follow. The docs stand on their own: their links lead to files
 * of the repository, and they cite no document outside it.
 */
class DocumentationTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ROUTE = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE) (/[^`\\s?]*)");
    private static final Pattern SECTION = Pattern.compile("^#+ .*\\(`(jobpulse\\.[a-z0-9.-]+)\\.\\*`");
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| ([^|]+) \\|");
    private static final Pattern KEY = Pattern.compile("`([a-z0-9][a-z0-9.<>*-]*)`");
    private static final Pattern CONFIGURATION_RECORD = Pattern.compile(
            "@(?:ConfigurationProperties|EachProperty)\\(\"([^\"]+)\"\\)[^{]*?record \\w+\\((.*?)\\)\\s*(?:implements [^{]*)?\\{",
            Pattern.DOTALL);
    /** A link to a file of the repository: relative, without its anchor. */
    private static final Pattern RELATIVE_LINK = Pattern.compile("\\]\\((?!https?:|mailto:|#)([^)#\\s]+)(?:#[^)]*)?\\)");
    /** Words that point at a design document outside the repository: the docs are the reference. */
    private static final Pattern OUTSIDE_DOCUMENT = Pattern.compile("(?i:\\bthe design(?:'s)?\\b)|\\bDESIGN(?:\\.md)?\\b");
    /** A property the code names: as a string, or as a placeholder in an annotation. */
    private static final Pattern NAMED_PROPERTY = Pattern.compile("(?:\"|\\$\\{)(jobpulse\\.[a-z0-9.-]+)[\":}]");

    @Test
    void everyRouteInADocsTableIsServed() {
        List<String> routes = new ArrayList<>();
        for (Path doc : docs()) {
            for (String line : lines(doc)) {
                Matcher cell = FIRST_CELL.matcher(line);
                if (cell.find()) {
                    Matcher route = ROUTE.matcher(cell.group(1));
                    while (route.find()) {
                        routes.add(route.group(1) + " " + route.group(2) + "  (" + ROOT.relativize(doc) + ")");
                    }
                }
            }
        }
        assertThat(routes).as("routes found in the docs' tables").hasSizeGreaterThan(10);
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            Router router = jobpulse.context().getBean(Router.class);
            List<String> missing = routes.stream().filter(route -> {
                String[] parts = route.split(" ");
                String sample = parts[1].replaceAll("\\{[^}]+}|<[^>]+>", "x1");
                return router.find(HttpMethod.valueOf(parts[0]), sample, null).findAny().isEmpty();
            }).toList();
            assertThat(missing).as("documented routes that no controller serves").isEmpty();
        }
    }

    @Test
    void everyDocumentedSettingIsReadByTheCode() {
        Set<String> known = knownSettings();
        List<String> documented = new ArrayList<>();
        String prefix = null;
        for (String line : lines(ROOT.resolve("docs/configuration.md"))) {
            if (line.startsWith("#")) {
                Matcher section = SECTION.matcher(line);
                prefix = section.find() ? section.group(1) : null;
                continue;
            }
            Matcher cell = FIRST_CELL.matcher(line);
            if (!cell.find()) {
                continue;
            }
            Matcher key = KEY.matcher(cell.group(1));
            while (key.find()) {
                String name = key.group(1).replaceAll("\\.(\\*|<.*)$", "");
                if (name.startsWith("jobpulse.")) {
                    documented.add(name);
                } else if (prefix != null && !name.contains("<")) {
                    documented.add(prefix + "." + name);
                }
            }
        }
        assertThat(documented).as("settings found in docs/configuration.md").hasSizeGreaterThan(30);
        assertThat(documented.stream().filter(name -> !known.contains(name)).toList())
                .as("documented settings that no configuration record or property of the code reads").isEmpty();
    }

    @Test
    void theDocsStandOnTheirOwn() {
        List<String> faults = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> lines = lines(doc);
            for (int i = 0; i < lines.size(); i++) {
                String where = ROOT.relativize(doc) + ":" + (i + 1);
                Matcher link = RELATIVE_LINK.matcher(lines.get(i));
                while (link.find()) {
                    if (!Files.exists(doc.getParent().resolve(link.group(1)))) {
                        faults.add(where + " links to " + link.group(1) + ", which is not in the repository");
                    }
                }
                Matcher outside = OUTSIDE_DOCUMENT.matcher(lines.get(i));
                if (outside.find()) {
                    faults.add(where + " refers to \"" + outside.group() + "\", a document the reader cannot open");
                }
            }
        }
        assertThat(faults).isEmpty();
    }

    /** Every setting the code reads: the components of its configuration records, and the properties it names. */
    private static Set<String> knownSettings() {
        Set<String> known = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(ROOT)) {
            sources.filter(path -> path.toString().endsWith(".java") && path.toString().contains("/src/main/java/")).forEach(source -> {
                String text = read(source);
                Matcher record = CONFIGURATION_RECORD.matcher(text);
                while (record.find()) {
                    for (String component : components(record.group(2))) {
                        known.add(record.group(1) + "." + kebab(component));
                    }
                }
                Matcher named = NAMED_PROPERTY.matcher(text);
                while (named.find()) {
                    known.add(named.group(1));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return known;
    }

    /** The names of a record's components, from its parameter list (annotations and generic types skipped). */
    private static List<String> components(String parameters) {
        List<String> names = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char c : (parameters + ",").toCharArray()) {
            if (c == '<' || c == '(') {
                depth++;
            } else if (c == '>' || c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                String[] words = current.toString().strip().split("\\s+");
                names.add(words[words.length - 1]);
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        return names;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static List<Path> docs() {
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            List<Path> docs = new ArrayList<>(files.filter(path -> path.toString().endsWith(".md")).sorted().toList());
            docs.add(ROOT.resolve("README.md"));
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        return read(file).lines().toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
