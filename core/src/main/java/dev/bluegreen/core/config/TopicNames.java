package dev.bluegreen.core.config;

/**
 * Kafka topic names for blue tables, as Debezium names its change-event topics: characters outside
 * {@code [A-Za-z0-9._-]} become {@code _} (one per UTF-16 char), names over Kafka's 249 characters are
 * cut there, and {@code .} / {@code ..} become {@code _} / {@code __}. Source: Debezium's
 * {@code AbstractTopicNamingStrategy.sanitizedTopicName} and {@code TopicNamingStrategy.MAX_NAME_LENGTH}
 * (3.5); a test in the capture module checks the two agree. Stateless and thread-safe.
 */
public final class TopicNames {

    /** Kafka's longest topic name, in characters. */
    public static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    /**
     * @param name a topic name as Debezium composes it ({@code <prefix>.<schema>.<table>}); not null
     * @return the name Debezium publishes to
     */
    public static String sanitized(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean valid = c == '.' || c == '_' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9');
            out.append(valid ? c : '_');
        }
        String s = out.toString();
        if (s.length() > MAX_LENGTH) {
            return s.substring(0, MAX_LENGTH);
        }
        if (s.equals(".")) {
            return "_";
        }
        if (s.equals("..")) {
            return "__";
        }
        return s;
    }
}
