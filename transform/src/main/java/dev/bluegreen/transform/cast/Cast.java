package dev.bluegreen.transform.cast;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.CanonicalValues;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The casts a mapping may declare ({@code cast:} under a column), each with the blue and green type
 * kinds it accepts and its run-time conversion of one canonical value.
 *
 * <table>
 *   <caption>Casts</caption>
 *   <tr><th>name</th><th>blue</th><th>green</th><th>conversion</th></tr>
 *   <tr><td>bigint</td><td>INT16, INT32, INT64</td><td>INT64</td><td>keeps the {@code Long}</td></tr>
 *   <tr><td>integer</td><td>INT16, INT32, INT64</td><td>INT32</td><td>keeps the {@code Long}</td></tr>
 *   <tr><td>smallint</td><td>INT16, INT32, INT64</td><td>INT16</td><td>keeps the {@code Long}</td></tr>
 *   <tr><td>minor-units</td><td>NUMERIC</td><td>INT16, INT32, INT64</td>
 *       <td>{@code BigDecimal.movePointRight(scale)}, which must be a whole number that fits a long</td></tr>
 *   <tr><td>boolean</td><td>INT16, INT32, INT64</td><td>BOOLEAN</td><td>0 to false, 1 to true</td></tr>
 *   <tr><td>varchar</td><td>TEXT</td><td>TEXT with a declared length</td><td>keeps the {@code String}</td></tr>
 *   <tr><td>timestamptz</td><td>TIMESTAMP</td><td>TIMESTAMPTZ</td>
 *       <td>the local date-time read in option {@code zone}, to an {@code Instant}</td></tr>
 * </table>
 *
 * <p>Range and length limits (integer narrowing, minor units into a smaller integer, varchar length)
 * are not checked here: the compiled mapping checks every output value against its green column with
 * {@link CanonicalValues#checkFits}, on both the row and the key path.
 *
 * <p>Local times in a daylight-saving gap do not exist in the zone and are an error. A local time in
 * an overlap (the hour repeated when clocks go back) uses the offset in force before the transition,
 * i.e. the earlier of the two instants, as {@link java.time.ZonedDateTime#of} does by default.
 *
 * <p>Stateless and thread-safe.
 */
public enum Cast {
    /** Any integer to bigint. */
    BIGINT("bigint", ints(), EnumSet.of(TypeKind.INT64)),
    /** Any integer to integer; out-of-range values are row errors. */
    INTEGER("integer", ints(), EnumSet.of(TypeKind.INT32)),
    /** Any integer to smallint; out-of-range values are row errors. */
    SMALLINT("smallint", ints(), EnumSet.of(TypeKind.INT16)),
    /** numeric to a whole number of minor units (12.34 at scale 2 is 1234). */
    MINOR_UNITS("minor-units", EnumSet.of(TypeKind.NUMERIC), ints()),
    /** 0/1 integer to boolean. */
    BOOLEAN("boolean", ints(), EnumSet.of(TypeKind.BOOLEAN)),
    /** text to varchar(n); longer values are row errors. */
    VARCHAR("varchar", EnumSet.of(TypeKind.TEXT), EnumSet.of(TypeKind.TEXT)),
    /** timestamp without time zone, read in a declared zone, to timestamptz. */
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

    /** The name used in the config, e.g. {@code minor-units}. */
    public String configName() {
        return configName;
    }

    /** The cast of that config name, or {@code null} when there is none. */
    public static Cast byName(String name) {
        for (Cast c : values()) {
            if (c.configName.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The casts that accept this pair of column types, in declaration order; empty when none does. */
    public static List<Cast> converting(ColumnType blue, ColumnType green) {
        List<Cast> out = new ArrayList<>();
        for (Cast c : values()) {
            if (c.check(blue, green) == null) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Checks the cast against the two column types.
     *
     * @return {@code null} when allowed, else what is wrong, naming both types (for a config problem)
     */
    public String check(ColumnType blue, ColumnType green) {
        requireNonNull(blue, "blue is null");
        requireNonNull(green, "green is null");
        if (!blueKinds.contains(blue.kind()) || !greenKinds.contains(green.kind())) {
            return "cast '" + configName + "' turns " + describe(blueKinds) + " into " + describe(greenKinds)
                    + ", but the columns are " + blue.sqlName() + " (blue) and " + green.sqlName() + " (green)";
        }
        if (this == VARCHAR && green.length() < 0) {
            return "cast 'varchar' needs a green column with a declared length, but it is " + green.sqlName()
                    + " (text to text needs no cast)";
        }
        return null;
    }

    /**
     * Converts one canonical blue value that is neither {@code null} nor unavailable.
     *
     * @param value the blue value: {@code Long}, {@code BigDecimal}, {@code String} or
     *     {@code LocalDateTime} as the cast's blue kinds imply
     * @param options the cast's resolved options (see {@link CastOptions})
     * @return the canonical green value
     * @throws RowConversionException when the value cannot be converted (wrong class, fractional
     *     minor units, overflow, a boolean other than 0/1, a local time in a daylight-saving gap)
     */
    public Object apply(Object value, Options options) {
        requireNonNull(value, "value is null");
        requireNonNull(options, "options is null");
        switch (this) {
            case MINOR_UNITS:
                return minorUnits(expect(value, BigDecimal.class), options.scale());
            case BOOLEAN:
                return zeroOrOne(expect(value, Long.class));
            case TIMESTAMPTZ:
                return atZone(expect(value, LocalDateTime.class), options.zone());
            case VARCHAR:
                return expect(value, String.class);
            default:
                return expect(value, Long.class);
        }
    }

    private <T> T expect(Object value, Class<T> type) {
        if (!type.isInstance(value)) {
            throw new RowConversionException("value " + CanonicalValues.format(value) + " ("
                    + value.getClass().getSimpleName() + ") is not a " + type.getSimpleName() + " as cast '"
                    + configName + "' expects");
        }
        return type.cast(value);
    }

    private static long minorUnits(BigDecimal amount, int scale) {
        BigDecimal units = amount.movePointRight(scale);
        if (units.signum() != 0 && units.stripTrailingZeros().scale() > 0) {
            throw new RowConversionException("value " + amount.toPlainString() + " has fractional minor units at"
                    + " scale " + scale + " (" + units.toPlainString() + "); raise 'scale' or round the blue value");
        }
        try {
            return units.longValueExact();
        } catch (ArithmeticException e) {
            throw new RowConversionException("value " + amount.toPlainString() + " overflows: "
                    + units.toPlainString() + " minor units do not fit a bigint", e);
        }
    }

    private static boolean zeroOrOne(long v) {
        if (v == 0 || v == 1) {
            return v == 1;
        }
        throw new RowConversionException("value " + v + " is neither 0 nor 1, so cast 'boolean' cannot convert it");
    }

    private static Object atZone(LocalDateTime local, ZoneId zone) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            throw new RowConversionException("local time " + local + " does not exist in zone " + zone
                    + " (daylight-saving gap)");
        }
        // an overlap lists the offset before the transition first: the earlier instant
        return local.toInstant(offsets.get(0));
    }

    private static String describe(Set<TypeKind> kinds) {
        return kinds.toString().toLowerCase();
    }

    /**
     * A cast's resolved options; immutable.
     *
     * @param scale digits after the point for minor-units, >= 0; -1 for other casts
     * @param zone the zone a timestamptz cast reads local times in; {@code null} for other casts
     */
    public record Options(int scale, ZoneId zone) {
        /** No options. */
        public static final Options NONE = new Options(-1, null);

        public Options {
            if (scale < -1) {
                throw new IllegalArgumentException("scale must be >= 0, or -1 for none: " + scale);
            }
        }
    }
}
