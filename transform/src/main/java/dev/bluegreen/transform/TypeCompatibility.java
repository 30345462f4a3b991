package dev.bluegreen.transform;

import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.transform.cast.Cast;
import java.util.List;

/**
 * Whether a green column can hold every value of a blue column without a declared cast: the same
 * kind and at least as wide (INT16 &lt; INT32 &lt; INT64, FLOAT32 &lt; FLOAT64; text without a length
 * or at least blue's length; numeric unconstrained, or with the same scale and at least blue's
 * precision; time and timestamp precision at least blue's), an enum into an enum or text, arrays of
 * compatible elements. Stateless, thread-safe.
 */
final class TypeCompatibility {

    /** PostgreSQL's fractional-second precision when none is declared. */
    private static final int DEFAULT_TIME_PRECISION = 6;

    private TypeCompatibility() {
    }

    /** @return {@code null} when compatible, else why not, naming both types and the cast to declare */
    static String check(ColumnType blue, ColumnType green) {
        if (blue.kind() == TypeKind.UNSUPPORTED || green.kind() == TypeKind.UNSUPPORTED) {
            ColumnType bad = blue.kind() == TypeKind.UNSUPPORTED ? blue : green;
            return (bad == blue ? "blue" : "green") + " type " + bad.sqlName() + " is not supported by bluegreen (its"
                    + " value form is not defined); drop the column or change its type";
        }
        return compatible(blue, green) ? null : mismatch(blue, green);
    }

    private static boolean compatible(ColumnType blue, ColumnType green) {
        TypeKind b = blue.kind();
        TypeKind g = green.kind();
        if (b.isInteger() && g.isInteger()) {
            return width(g) >= width(b);
        }
        if (b == TypeKind.FLOAT32 && g == TypeKind.FLOAT64 || b == TypeKind.ENUM && g == TypeKind.TEXT) {
            return true;
        }
        if (b != g) {
            return false;
        }
        switch (b) {
            case TEXT:
                return green.length() < 0 || blue.length() >= 0 && green.length() >= blue.length();
            case NUMERIC:
                return green.precision() < 0 && green.scale() < 0
                        || blue.precision() >= 0 && green.scale() == blue.scale() && green.precision() >= blue.precision();
            case TIME: case TIMESTAMP: case TIMESTAMPTZ:
                return precision(green) >= precision(blue);
            case ARRAY:
                return check(blue.element(), green.element()) == null;
            default:
                return true;
        }
    }

    private static String mismatch(ColumnType blue, ColumnType green) {
        String what = "blue " + blue.sqlName() + " does not fit green " + green.sqlName() + " without a cast";
        List<Cast> casts = Cast.converting(blue, green);
        if (!casts.isEmpty()) {
            Cast c = casts.get(0);
            return what + "; declare cast: " + c.configName() + hint(c);
        }
        return what + ", and no cast converts it; change the green type, or compute the column with"
                + " 'add: {<column>: {expr: ...}}' and drop the blue column";
    }

    private static String hint(Cast c) {
        switch (c) {
            case TIMESTAMPTZ:
                return " with zone: <the zone blue's local times are in>";
            case MINOR_UNITS:
                return " (scale: N when blue declares none)";
            case INTEGER: case SMALLINT: case VARCHAR:
                return " (values that do not fit then go to the dead-letter table)";
            default:
                return "";
        }
    }

    private static int precision(ColumnType t) {
        return t.scale() < 0 ? DEFAULT_TIME_PRECISION : t.scale();
    }

    private static int width(TypeKind k) {
        return k == TypeKind.INT16 ? 2 : k == TypeKind.INT32 ? 4 : 8;
    }
}
