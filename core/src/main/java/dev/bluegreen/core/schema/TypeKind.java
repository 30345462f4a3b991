package dev.bluegreen.core.schema;

/**
 * The family of a column type, which fixes its canonical Java value class (see
 * {@link dev.bluegreen.core.value.CanonicalValues}). Derived from the catalog by the dialect.
 */
public enum TypeKind {
    /** smallint, integer, bigint (and serials): {@code Long}. */
    INT16, INT32, INT64,
    /** numeric/decimal, with or without declared precision and scale: {@code BigDecimal}. */
    NUMERIC,
    /** real: {@code Float}. */
    FLOAT32,
    /** double precision: {@code Double}. */
    FLOAT64,
    /** boolean: {@code Boolean}. */
    BOOLEAN,
    /** text, varchar(n), char(n), name, citext: {@code String}. */
    TEXT,
    /** date: {@code LocalDate}. */
    DATE,
    /** time without time zone: {@code LocalTime} (microsecond precision). */
    TIME,
    /** timestamp without time zone: {@code LocalDateTime} (microsecond precision). */
    TIMESTAMP,
    /** timestamp with time zone: {@code Instant} (microsecond precision). */
    TIMESTAMPTZ,
    /** bytea: {@link dev.bluegreen.core.value.Bytes}. */
    BYTES,
    /** uuid: {@code UUID}. */
    UUID,
    /** json and jsonb: {@code String} in the server's text output form. */
    JSON,
    /** a user-defined enum: {@code String} (the label). */
    ENUM,
    /** tsvector: {@code String} in the server's text output form. */
    TSVECTOR,
    /** an array: {@code List} of the element kind's values (nulls allowed). */
    ARRAY,
    /** anything else; rejected by validation because its canonical form is not defined. */
    UNSUPPORTED;

    /** True for the three integer kinds. */
    public boolean isInteger() {
        return this == INT16 || this == INT32 || this == INT64;
    }
}
