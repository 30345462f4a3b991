package dev.bluegreen.core.event;

import static java.util.Objects.requireNonNull;

/**
 * A schema-qualified table name, as written in the pipeline config ({@code schema.table}).
 *
 * <p>Immutable and thread-safe. Names are kept as given (PostgreSQL folds unquoted identifiers to
 * lower case; the config is expected to use the catalog spelling).
 *
 * @param schema the schema (namespace), never blank
 * @param name the table name, never blank
 */
public record TableId(String schema, String name) {

    public TableId {
        requireNonNull(schema, "schema is null");
        requireNonNull(name, "name is null");
        if (schema.isBlank() || name.isBlank()) {
            throw new IllegalArgumentException("table id parts must not be blank: '" + schema + "." + name + "'");
        }
    }

    /**
     * Parses {@code schema.table}; a name without a dot gets schema {@code public}.
     *
     * @throws IllegalArgumentException when the text is blank or has more than one dot
     */
    public static TableId parse(String text) {
        requireNonNull(text, "text is null");
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length == 1) {
            return new TableId("public", parts[0]);
        }
        if (parts.length == 2) {
            return new TableId(parts[0], parts[1]);
        }
        throw new IllegalArgumentException("expected 'schema.table', got '" + text + "'");
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
