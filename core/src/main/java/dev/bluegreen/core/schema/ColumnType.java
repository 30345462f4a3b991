package dev.bluegreen.core.schema;

import static java.util.Objects.requireNonNull;

/**
 * A column's type as read from the catalog.
 *
 * @param kind the family that fixes the canonical value class
 * @param sqlName the type as the server formats it, usable in a cast: {@code character varying(20)},
 *     {@code numeric(5,2)}, {@code public.mpaa_rating}, {@code text[]}
 * @param length declared length for varchar/char, or -1
 * @param precision declared numeric precision (digits), or -1 when unconstrained
 * @param scale declared numeric scale (digits after the point), or -1 when unconstrained;
 *     for time/timestamp types the fractional-second precision, or -1
 * @param element the element type for {@link TypeKind#ARRAY}, else {@code null}
 */
public record ColumnType(TypeKind kind, String sqlName, int length, int precision, int scale, ColumnType element) {

    public ColumnType {
        requireNonNull(kind, "kind is null");
        requireNonNull(sqlName, "sqlName is null");
        if (kind == TypeKind.ARRAY && element == null) {
            throw new IllegalArgumentException("array type " + sqlName + " needs an element type");
        }
    }

    /** A type with no length, precision or scale. */
    public static ColumnType of(TypeKind kind, String sqlName) {
        return new ColumnType(kind, sqlName, -1, -1, -1, null);
    }

    @Override
    public String toString() {
        return sqlName;
    }
}
