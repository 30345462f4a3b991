package dev.bluegreen.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.error.ConfigException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a pipeline config from YAML. Every problem in the file (syntax, unknown key, wrong type,
 * missing key, unset environment variable, bad value) is collected with its file, line and YAML
 * path, and reported in one {@link ConfigException}; nothing is silently defaulted or repaired.
 *
 * <p>String values may reference environment variables as {@code ${VAR}}. Relative
 * {@code pipeline.work-dir} paths resolve against the config file's folder. Stateless apart from
 * the injected environment; not shared between threads.
 */
public final class PipelineConfigLoader {

    private final Function<String, String> environment;

    /** A loader that reads {@code ${VAR}} from the process environment. */
    public PipelineConfigLoader() {
        this(System::getenv);
    }

    /** A loader with an injected environment (tests). */
    public PipelineConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * Loads and validates the file's structure (not yet against the live databases).
     *
     * @throws ConfigException listing every problem, when the file is missing, not YAML, or invalid
     */
    public PipelineConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Problem(file.toString(), -1, "",
                    "cannot read the config file (" + e.getMessage() + "); check the path given to --config")));
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base);
    }

    /**
     * Parses config text.
     *
     * @param fileLabel the name used in messages
     * @param baseDir folder that relative paths resolve against
     * @throws ConfigException listing every problem
     */
    public PipelineConfig parse(String text, String fileLabel, Path baseDir) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root;
        try {
            recordLines(yaml, text, lines);
            root = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new ConfigException(List.of(new Problem(fileLabel, line, "",
                    "not valid YAML: " + e.getOriginalMessage() + "; fix the syntax at that line")));
        }
        List<Problem> problems = new ArrayList<>();
        ConfigReader reader = new ConfigReader(fileLabel, lines, environment, problems);
        PipelineConfig config = new PipelineConfigBinder(reader, baseDir).bind(root);
        if (!problems.isEmpty() || config == null) {
            if (problems.isEmpty()) {
                problems.add(new Problem(fileLabel, -1, "", "the config is empty"));
            }
            throw new ConfigException(problems);
        }
        return config;
    }

    /** Streams the tokens once, remembering the line of each node by its JSON pointer. */
    private static void recordLines(ObjectMapper yaml, String text, Map<String, Integer> lines)
            throws JsonProcessingException {
        try (JsonParser p = yaml.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME || t.isScalarValue() || t.isStructStart()) {
                    String pointer = t == JsonToken.FIELD_NAME
                            ? p.getParsingContext().pathAsPointer().toString()
                            : p.getParsingContext().pathAsPointer().toString();
                    lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
                }
            }
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading an in-memory string failed", e);
        }
    }
}
