package dev.bluegreen.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.bluegreen.core.error.ConfigException.Problem;
import dev.bluegreen.core.error.Suggestions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML node plus its location; reading a value records a problem (instead of throwing) when the
 * value is missing, of the wrong type or out of range, so that one pass reports everything.
 * Package-private: the binder's tool. Not thread-safe.
 */
final class ConfigNode {

    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final JsonNode json;
    private final String pointer;
    private final String path;
    private final ConfigReader reader;

    ConfigNode(JsonNode json, String pointer, String path, ConfigReader reader) {
        this.json = json == null ? MissingNode.getInstance() : json;
        this.pointer = pointer;
        this.path = path;
        this.reader = reader;
    }

    boolean present() {
        return !json.isMissingNode() && !json.isNull();
    }

    JsonNode json() {
        return json;
    }

    String path() {
        return path;
    }

    Location location() {
        return new Location(reader.file(), reader.line(pointer), path);
    }

    void problem(String message) {
        reader.problems().add(new Problem(reader.file(), reader.line(pointer), path, message));
    }

    ConfigNode child(String key) {
        return new ConfigNode(json.get(key), pointer + "/" + key, path.isEmpty() ? key : path + "." + key, reader);
    }

    List<ConfigNode> elements() {
        List<ConfigNode> out = new ArrayList<>();
        if (json.isArray()) {
            for (int i = 0; i < json.size(); i++) {
                out.add(new ConfigNode(json.get(i), pointer + "/" + i, path + "[" + i + "]", reader));
            }
        }
        return out;
    }

    /** Keys of a mapping node, in file order. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /** Records a problem for each key not in {@code allowed}, suggesting the closest allowed key. */
    void allowOnly(Set<String> allowed) {
        if (!json.isObject()) {
            return;
        }
        for (String key : keys()) {
            if (!allowed.contains(key)) {
                child(key).problem("unknown key '" + key + "'" + suggestion(key, allowed)
                        + "; allowed here: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    boolean expectObject() {
        if (present() && !json.isObject()) {
            problem("expected a mapping (key: value lines), got " + describe());
            return false;
        }
        return present();
    }

    /** A required or optional string, with {@code ${VAR}} substituted; {@code def} when absent. */
    String string(String key, String def, boolean required) {
        ConfigNode n = child(key);
        if (!n.present()) {
            if (required) {
                problem("missing required key '" + key + "'");
            }
            return def;
        }
        if (!n.json.isValueNode() || n.json.isNull()) {
            n.problem("expected a text value, got " + n.describe());
            return def;
        }
        return n.substitute(n.json.asText());
    }

    /** An integer within [min, max]; {@code def} when absent. */
    long integer(String key, long def, long min, long max) {
        ConfigNode n = child(key);
        if (!n.present()) {
            return def;
        }
        long v;
        if (n.json.isTextual() && ENV.matcher(n.json.asText()).find()) {
            String text = n.substitute(n.json.asText());
            try {
                v = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                n.problem("expected a whole number, got '" + text + "' from " + n.describe());
                return def;
            }
        } else if (!n.json.canConvertToLong() || !n.json.isIntegralNumber()) {
            n.problem("expected a whole number, got " + n.describe());
            return def;
        } else {
            v = n.json.asLong();
        }
        if (v < min || v > max) {
            n.problem("value " + v + " is out of range; use a number from " + min + " to " + max);
            return def;
        }
        return v;
    }

    /** A duration given in milliseconds under a {@code *-ms} key; {@code def} when absent. */
    Duration millis(String key, Duration def, long min, long max) {
        long v = integer(key, def.toMillis(), min, max);
        return Duration.ofMillis(v);
    }

    /** A list of strings (a single string is accepted as a one-element list). */
    List<String> strings(String key) {
        ConfigNode n = child(key);
        List<String> out = new ArrayList<>();
        if (!n.present()) {
            return out;
        }
        if (n.json.isTextual()) {
            out.add(n.json.asText());
            return out;
        }
        if (!n.json.isArray()) {
            n.problem("expected a list of names, got " + n.describe());
            return out;
        }
        for (ConfigNode e : n.elements()) {
            if (e.json.isTextual()) {
                out.add(e.json.asText());
            } else {
                e.problem("expected a name, got " + e.describe());
            }
        }
        return out;
    }

    String describe() {
        if (json.isMissingNode()) {
            return "nothing";
        }
        if (json.isObject()) {
            return "a mapping";
        }
        if (json.isArray()) {
            return "a list";
        }
        if (json.isNull()) {
            return "null";
        }
        return "'" + json.asText() + "'";
    }

    private String substitute(String value) {
        Matcher m = ENV.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String var = m.group(1);
            String v = reader.environment().apply(var);
            if (v == null) {
                problem("environment variable " + var + " is not set; export it before running bluegreen");
                v = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String suggestion(String key, Set<String> allowed) {
        return Suggestions.closest(key, allowed).map(b -> " (did you mean '" + b + "'?)").orElse("");
    }
}
