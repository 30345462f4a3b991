package dev.bluegreen.transform.cast;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The casts a mapping may declare ({@code cast:} in the mapping reference), each with the blue and
 * green type kinds it accepts and its runtime conversion. Stateless, thread-safe.
 */
public enum Cast {
    /** Integer widening to bigint. */
    BIGINT("bigint", ints(), EnumSet.of(TypeKind.INT64)),
    /** Integer narrowing or widening to integer; range checked against the green column. */
    INTEGER("integer", ints(), EnumSet.of(TypeKind.INT32, TypeKind.INT64)),
    /** Integer narrowing to smallint; range checked against the green column. */
    SMALLINT("smallint", ints(), EnumSet.of(TypeKind.INT16, TypeKind.INT32, TypeKind.INT64)),
    /** numeric to a whole number of minor units: 12.34 with scale 2 becomes 1234. */
    MINOR_UNITS("minor-units", EnumSet.of(TypeKind.NUMERIC), ints()),
    /** 0/1 integer to boolean. */
    BOOLEAN("boolean", ints(), EnumSet.of(TypeKind.BOOLEAN)),
    /** text to varchar(n); the length is checked against the green column. */
    VARCHAR("varchar", EnumSet.of(TypeKind.TEXT), EnumSet.of(TypeKind.TEXT)),
    /** timestamp without time zone read in a declared zone, to timestamptz. */
    TIMESTAMPTZ("timestamptz", EnumSet.of(TypeKind.TIMESTAMP), EnumSet.of(TypeKind.TIMESTAMPTZ));

    private final String configName;
    private final Set<TypeKind> blueKinds;
    private final Set<TypeKind> greenKinds;

    Cast(String configName, Set<TypeKind> blueKinds, Set<TypeKind> greenKinds) {
        this.configName = configName;
        this.blueKinds = blueKinds;
        this.greenKinds = greenKinds;
    }

    private static EnumSet<TypeKind> ints() {
        return EnumSet.of(TypeKind.INT16, TypeKind.INT32, TypeKind.INT64);
    }

    /** The name used in the config. */
    public String configName() {
        return configName;
    }

    /** The cast of that config name, or null. */
    public static Cast byName(String name) {
        for (Cast c : values()) {
            if (c.configName.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Checks the cast against the two column types.
     *
     * @return null when allowed, else what is wrong (for a config problem)
     */
    public String check(ColumnType blue, ColumnType green) {
        if (!blueKinds.contains(blue.kind()) || !greenKinds.contains(green.kind())) {
            return "cast '" + configName + "' turns " + describe(blueKinds) + " into " + describe(greenKinds)
                    + ", but the columns are " + blue.sqlName() + " (blue) and " + green.sqlName() + " (green)";
        }
        if (this == VARCHAR && green.length() < 0) {
            return "cast 'varchar' needs a green column with a declared length, but it is " + green.sqlName();
        }
        return null;
    }

    /**
     * Converts one non-null, available canonical value.
     *
     * @param options the cast's resolved options: {@link Options}
     * @throws RowConversionException when the value cannot be converted
     */
    public Object apply(Object value, Options options) {
        switch (this) {
            case MINOR_UNITS: {
                BigDecimal units = ((BigDecimal) value).movePointRight(options.scale());
                try {
                    return units.stripTrailingZeros().scale() > 0 ? fraction(value, options) : units.longValueExact();
                } catch (ArithmeticException e) {
                    throw new RowConversionException("value " + ((BigDecimal) value).toPlainString()
                            + " is too large for minor units in a bigint", e);
                }
            }
            case BOOLEAN: {
                long v = (Long) value;
                if (v == 0 || v == 1) {
                    return v == 1;
                }
                throw new RowConversionException("value " + v + " is neither 0 nor 1, so cast 'boolean' cannot convert it");
            }
            case TIMESTAMPTZ: {
                LocalDateTime local = (LocalDateTime) value;
                List<ZoneOffset> offsets = options.zone().getRules().getValidOffsets(local);
                if (offsets.isEmpty()) {
                    throw new RowConversionException("local time " + local + " does not exist in zone " + options.zone()
                            + " (daylight-saving gap)");
                }
                return local.toInstant(offsets.get(0)); // in an overlap: the earlier offset, as java.time does
            }
            default:
                return value; // integer and varchar casts keep the value; the green column check limits it
        }
    }

    private static Object fraction(Object value, Options options) {
        throw new RowConversionException("value " + ((BigDecimal) value).toPlainString() + " has fractions of a minor unit"
                + " at scale " + options.scale());
    }

    private static String describe(Set<TypeKind> kinds) {
        return kinds.toString().toLowerCase();
    }

    /**
     * A cast's resolved options.
     *
     * @param scale minor-units scale (digits), or -1 when not a minor-units cast
     * @param zone the zone a timestamptz cast reads local times in, or null
     */
    public record Options(int scale, ZoneId zone) {
        /** No options. */
        public static final Options NONE = new Options(-1, null);
    }
}
