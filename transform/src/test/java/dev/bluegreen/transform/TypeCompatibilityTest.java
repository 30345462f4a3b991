package dev.bluegreen.transform;

import static dev.bluegreen.transform.TestTables.BIGINT;
import static dev.bluegreen.transform.TestTables.DOUBLE;
import static dev.bluegreen.transform.TestTables.INT;
import static dev.bluegreen.transform.TestTables.NUMERIC;
import static dev.bluegreen.transform.TestTables.POINT;
import static dev.bluegreen.transform.TestTables.RATING;
import static dev.bluegreen.transform.TestTables.REAL;
import static dev.bluegreen.transform.TestTables.SMALLINT;
import static dev.bluegreen.transform.TestTables.TEXT;
import static dev.bluegreen.transform.TestTables.TS;
import static dev.bluegreen.transform.TestTables.arrayOf;
import static dev.bluegreen.transform.TestTables.numeric;
import static dev.bluegreen.transform.TestTables.timestamp;
import static dev.bluegreen.transform.TestTables.varchar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which blue/green type pairs need no cast, and what the message says when one is needed. */
class TypeCompatibilityTest {

    static Stream<Arguments> compatible() {
        return Stream.of(
                Arguments.of(SMALLINT, INT), Arguments.of(INT, BIGINT), Arguments.of(BIGINT, BIGINT),
                Arguments.of(REAL, DOUBLE),
                Arguments.of(varchar(10), TEXT), Arguments.of(varchar(10), varchar(10)), Arguments.of(TEXT, TEXT),
                Arguments.of(numeric(10, 2), NUMERIC), Arguments.of(numeric(10, 2), numeric(12, 2)),
                Arguments.of(NUMERIC, NUMERIC),
                Arguments.of(timestamp(3), TS), Arguments.of(TS, timestamp(6)),
                Arguments.of(RATING, RATING), Arguments.of(RATING, TEXT),
                Arguments.of(arrayOf(INT), arrayOf(BIGINT)),
                Arguments.of(ColumnType.of(TypeKind.JSON, "jsonb"), ColumnType.of(TypeKind.JSON, "jsonb")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void compatible(ColumnType blue, ColumnType green) {
        assertThat(TypeCompatibility.check(blue, green)).isNull();
    }

    static Stream<Arguments> incompatible() {
        return Stream.of(
                Arguments.of(BIGINT, INT, "declare cast: integer"),
                Arguments.of(INT, SMALLINT, "declare cast: smallint"),
                Arguments.of(DOUBLE, REAL, "no cast converts it"),
                Arguments.of(TEXT, varchar(10), "declare cast: varchar"),
                Arguments.of(varchar(20), varchar(10), "declare cast: varchar"),
                Arguments.of(numeric(12, 2), numeric(10, 2), "no cast converts it"),
                Arguments.of(numeric(10, 2), numeric(12, 3), "no cast converts it"),
                Arguments.of(NUMERIC, numeric(10, 2), "no cast converts it"),
                Arguments.of(numeric(10, 2), BIGINT, "declare cast: minor-units"),
                Arguments.of(INT, ColumnType.of(TypeKind.BOOLEAN, "boolean"), "declare cast: boolean"),
                Arguments.of(TS, ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamptz"), "declare cast: timestamptz with zone"),
                Arguments.of(TS, timestamp(3), "no cast converts it"),
                Arguments.of(TEXT, RATING, "no cast converts it"),
                Arguments.of(INT, NUMERIC, "no cast converts it"),
                Arguments.of(arrayOf(BIGINT), arrayOf(INT), "does not fit"),
                Arguments.of(POINT, POINT, "blue type point is not supported"),
                Arguments.of(INT, POINT, "green type point is not supported"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void incompatible(ColumnType blue, ColumnType green, String advice) {
        assertThat(TypeCompatibility.check(blue, green)).contains(advice);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("incompatible")
    void mismatchMessagesNameBothTypes(ColumnType blue, ColumnType green, String advice) {
        String message = TypeCompatibility.check(blue, green);
        assertThat(message).contains(blue.kind() == TypeKind.UNSUPPORTED ? blue.sqlName() : green.sqlName());
        if (blue.kind() != TypeKind.UNSUPPORTED && green.kind() != TypeKind.UNSUPPORTED) {
            assertThat(message).contains("blue " + blue.sqlName()).contains("green " + green.sqlName());
        }
    }
}
