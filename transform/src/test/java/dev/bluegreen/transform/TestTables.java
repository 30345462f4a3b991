package dev.bluegreen.transform;

import dev.bluegreen.core.config.AddedColumn;
import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Plain builders for catalog tables and mappings in transform tests (a helper, not a test base class). */
final class TestTables {

    static final ColumnType SMALLINT = ColumnType.of(TypeKind.INT16, "smallint");
    static final ColumnType INT = ColumnType.of(TypeKind.INT32, "integer");
    static final ColumnType BIGINT = ColumnType.of(TypeKind.INT64, "bigint");
    static final ColumnType REAL = ColumnType.of(TypeKind.FLOAT32, "real");
    static final ColumnType DOUBLE = ColumnType.of(TypeKind.FLOAT64, "double precision");
    static final ColumnType NUMERIC = ColumnType.of(TypeKind.NUMERIC, "numeric");
    static final ColumnType TEXT = ColumnType.of(TypeKind.TEXT, "text");
    static final ColumnType BOOL = ColumnType.of(TypeKind.BOOLEAN, "boolean");
    static final ColumnType DATE = ColumnType.of(TypeKind.DATE, "date");
    static final ColumnType TS = ColumnType.of(TypeKind.TIMESTAMP, "timestamp without time zone");
    static final ColumnType TSTZ = ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamp with time zone");
    static final ColumnType UUID = ColumnType.of(TypeKind.UUID, "uuid");
    static final ColumnType RATING = ColumnType.of(TypeKind.ENUM, "public.mpaa_rating");
    static final ColumnType POINT = ColumnType.of(TypeKind.UNSUPPORTED, "point");

    /** Location every test mapping node gets: file and line are fixed, the path varies. */
    static final String FILE = "pipeline.yaml";
    static final int LINE = 7;

    private TestTables() {
    }

    static ColumnType varchar(int n) {
        return new ColumnType(TypeKind.TEXT, "character varying(" + n + ")", n, -1, -1, null);
    }

    static ColumnType numeric(int p, int s) {
        return new ColumnType(TypeKind.NUMERIC, "numeric(" + p + "," + s + ")", -1, p, s, null);
    }

    static ColumnType timestamp(int precision) {
        return new ColumnType(TypeKind.TIMESTAMP, "timestamp(" + precision + ") without time zone", -1, -1, precision, null);
    }

    static ColumnType arrayOf(ColumnType element) {
        return new ColumnType(TypeKind.ARRAY, element.sqlName() + "[]", -1, -1, -1, element);
    }

    static Location loc(String path) {
        return new Location(FILE, LINE, path);
    }

    /** A table builder: {@code table("public.t").col("id", INT).pk("id").build()}. */
    static Table table(String name) {
        return new Table(TableId.parse(name));
    }

    static final class Table {
        private final TableId id;
        private final List<ColumnSchema> columns = new ArrayList<>();
        private final List<List<String>> unique = new ArrayList<>();
        private List<String> pk = List.of();

        Table(TableId id) {
            this.id = id;
        }

        Table col(String name, ColumnType type) {
            return add(new ColumnSchema(name, type, true, false, false));
        }

        Table notNull(String name, ColumnType type) {
            return add(new ColumnSchema(name, type, false, false, false));
        }

        Table notNullWithDefault(String name, ColumnType type) {
            return add(new ColumnSchema(name, type, false, true, false));
        }

        Table generated(String name, ColumnType type) {
            return add(new ColumnSchema(name, type, false, false, true));
        }

        Table pk(String... cols) {
            pk = List.of(cols);
            return this;
        }

        Table unique(String... cols) {
            unique.add(List.of(cols));
            return this;
        }

        TableSchema build() {
            return new TableSchema(id, columns, pk, unique, false);
        }

        private Table add(ColumnSchema c) {
            columns.add(c);
            return this;
        }
    }

    /** A mapping builder for one blue table with one green target. */
    static Mapping mapping(String blue, String green) {
        return new Mapping(TableId.parse(blue), List.of(target(green)));
    }

    static TargetTable target(String green, String... columns) {
        return new TargetTable(TableId.parse(green), List.of(columns), loc("tables[0].green"));
    }

    static final class Mapping {
        private final TableId blue;
        private List<TargetTable> targets;
        private final List<ColumnMapping> columns = new ArrayList<>();
        private final List<AddedColumn> added = new ArrayList<>();
        private List<String> key = List.of();
        private String filter;

        Mapping(TableId blue, List<TargetTable> targets) {
            this.blue = blue;
            this.targets = targets;
        }

        Mapping rename(String blueColumn, String greenColumn) {
            return column(new ColumnMapping(blueColumn, false, greenColumn, null, Map.of(), List.of(), null,
                    loc("tables[0].columns." + blueColumn)));
        }

        Mapping cast(String blueColumn, String greenColumn, String cast) {
            return cast(blueColumn, greenColumn, cast, Map.of());
        }

        Mapping cast(String blueColumn, String greenColumn, String cast, Map<String, String> options) {
            return column(new ColumnMapping(blueColumn, false, greenColumn, cast, options, List.of(), null,
                    loc("tables[0].columns." + blueColumn)));
        }

        Mapping drop(String blueColumn) {
            return column(new ColumnMapping(blueColumn, true, null, null, Map.of(), List.of(), null,
                    loc("tables[0].columns." + blueColumn)));
        }

        Mapping split(String blueColumn, String separator, String... into) {
            return column(new ColumnMapping(blueColumn, false, null, null, Map.of(), List.of(into), separator,
                    loc("tables[0].columns." + blueColumn)));
        }

        Mapping column(ColumnMapping c) {
            columns.add(c);
            return this;
        }

        Mapping expr(String greenColumn, String expr) {
            added.add(new AddedColumn(greenColumn, expr, null, false, List.of(), null, loc("tables[0].add." + greenColumn)));
            return this;
        }

        Mapping constant(String greenColumn, Object value) {
            added.add(new AddedColumn(greenColumn, null, value, true, List.of(), null, loc("tables[0].add." + greenColumn)));
            return this;
        }

        Mapping merge(String greenColumn, String separator, String... blueColumns) {
            added.add(new AddedColumn(greenColumn, null, null, false, List.of(blueColumns), separator,
                    loc("tables[0].add." + greenColumn)));
            return this;
        }

        Mapping key(String... cols) {
            key = List.of(cols);
            return this;
        }

        Mapping filter(String expr) {
            filter = expr;
            return this;
        }

        Mapping targets(TargetTable... t) {
            targets = List.of(t);
            return this;
        }

        TableMapping build() {
            return new TableMapping(blue, key, filter, columns, added, targets, loc("tables[0]"));
        }

        /** Compiles against the schemas; fails the test with the problems when it does not compile. */
        CompiledMapping compile(TableSchema blueTable, TableSchema... greenTables) {
            List<ConfigException.Problem> problems = new ArrayList<>();
            CompiledMapping m = MappingCompiler.compile(build(), blueTable, greens(greenTables), problems);
            if (m == null || !problems.isEmpty()) {
                throw new AssertionError("mapping did not compile: " + problems);
            }
            return m;
        }

        /** Compiles and returns the problems; fails the test when the mapping compiles. */
        List<ConfigException.Problem> problems(TableSchema blueTable, TableSchema... greenTables) {
            List<ConfigException.Problem> problems = new ArrayList<>();
            CompiledMapping m = MappingCompiler.compile(build(), blueTable, greens(greenTables), problems);
            if (m != null || problems.isEmpty()) {
                throw new AssertionError("mapping compiled, but problems were expected");
            }
            return problems;
        }

        /** The problems as one text (each rendered with file, line and path), for {@code contains} checks. */
        String problemText(TableSchema blueTable, TableSchema... greenTables) {
            return problems(blueTable, greenTables).toString();
        }

        private static Map<TableId, TableSchema> greens(TableSchema... greenTables) {
            Map<TableId, TableSchema> map = new HashMap<>();
            for (TableSchema g : greenTables) {
                map.put(g.id(), g);
            }
            return map;
        }
    }
}
