package dev.bluegreen.core.dialect.postgres;

import dev.bluegreen.core.schema.TypeKind;
import java.util.Map;

/** The PostgreSQL base type names ({@code pg_type.typname}) bluegreen understands, by kind. */
final class PostgresTypes {

    private static final Map<String, TypeKind> KINDS = Map.ofEntries(
            Map.entry("int2", TypeKind.INT16), Map.entry("int4", TypeKind.INT32), Map.entry("int8", TypeKind.INT64),
            Map.entry("numeric", TypeKind.NUMERIC), Map.entry("float4", TypeKind.FLOAT32),
            Map.entry("float8", TypeKind.FLOAT64), Map.entry("bool", TypeKind.BOOLEAN),
            Map.entry("text", TypeKind.TEXT), Map.entry("varchar", TypeKind.TEXT), Map.entry("bpchar", TypeKind.TEXT),
            Map.entry("name", TypeKind.TEXT), Map.entry("citext", TypeKind.TEXT),
            Map.entry("date", TypeKind.DATE), Map.entry("time", TypeKind.TIME),
            Map.entry("timestamp", TypeKind.TIMESTAMP), Map.entry("timestamptz", TypeKind.TIMESTAMPTZ),
            Map.entry("bytea", TypeKind.BYTES), Map.entry("uuid", TypeKind.UUID),
            Map.entry("json", TypeKind.JSON), Map.entry("jsonb", TypeKind.JSON),
            Map.entry("tsvector", TypeKind.TSVECTOR));

    private PostgresTypes() {
    }

    static TypeKind kind(String typname) {
        return KINDS.getOrDefault(typname, TypeKind.UNSUPPORTED);
    }
}
