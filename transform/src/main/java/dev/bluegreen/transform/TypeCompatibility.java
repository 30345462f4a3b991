package dev.bluegreen.transform;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;

/**
 * Whether a green column can hold every value of a blue column without a declared cast: the same
 * family and at least as wide. Stateless.
 */
final class TypeCompatibility {

    private TypeCompatibility() {
    }

    /** @return null when compatible, else why not */
    static String check(ColumnType blue, ColumnType green) {
        if (blue.kind() == TypeKind.UNSUPPORTED) {
            return "blue type " + blue.sqlName() + " is not supported by bluegreen";
        }
        if (green.kind() == TypeKind.UNSUPPORTED) {
            return "green type " + green.sqlName() + " is not supported by bluegreen";
        }
        if (blue.kind().isInteger() && green.kind().isInteger()) {
            return width(green.kind()) >= width(blue.kind()) ? null : narrowing(blue, green);
        }
        if (blue.kind() == TypeKind.FLOAT32 && green.kind() == TypeKind.FLOAT64) {
            return null;
        }
        if (blue.kind() == TypeKind.ENUM && green.kind() == TypeKind.TEXT) {
            return green.length() < 0 ? null : "enum " + blue.sqlName() + " into " + green.sqlName()
                    + " may not fit; use text or declare cast: varchar";
        }
        if (blue.kind() != green.kind()) {
            return "blue " + blue.sqlName() + " and green " + green.sqlName() + " are different types; declare a"
                    + " cast (see the mapping reference) or compute the column with 'add: {expr: ...}'";
        }
        switch (blue.kind()) {
            case TEXT:
                if (green.length() >= 0 && (blue.length() < 0 || blue.length() > green.length())) {
                    return "blue " + blue.sqlName() + " may not fit green " + green.sqlName() + "; declare cast: varchar"
                            + " (too-long values then go to the dead-letter table)";
                }
                return null;
            case NUMERIC:
                return numeric(blue, green);
            case TIME: case TIMESTAMP: case TIMESTAMPTZ:
                if (precision(green) < precision(blue)) {
                    return "green " + green.sqlName() + " keeps fewer fractional digits than blue " + blue.sqlName();
                }
                return null;
            case ARRAY: {
                String element = check(blue.element(), green.element());
                return element == null ? null : "array elements: " + element;
            }
            default:
                return null;
        }
    }

    private static String numeric(ColumnType blue, ColumnType green) {
        if (green.precision() < 0 && green.scale() < 0) {
            return null;
        }
        boolean fits = blue.precision() >= 0 && blue.scale() == green.scale()
                && blue.precision() - blue.scale() <= green.precision() - green.scale();
        return fits ? null : "blue " + blue.sqlName() + " may not fit green " + green.sqlName()
                + " (the scale must match and the digits before the point must fit)";
    }

    private static int precision(ColumnType t) {
        return t.scale() < 0 ? 6 : t.scale();
    }

    private static int width(TypeKind k) {
        return k == TypeKind.INT16 ? 2 : k == TypeKind.INT32 ? 4 : 8;
    }

    private static String narrowing(ColumnType blue, ColumnType green) {
        return "green " + green.sqlName() + " is narrower than blue " + blue.sqlName()
                + "; declare cast: " + (green.kind() == TypeKind.INT16 ? "smallint" : "integer")
                + " (out-of-range values then go to the dead-letter table)";
    }
}
