package dev.bluegreen.transform.cast;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.schema.ColumnType;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Resolves the options written next to a cast ({@code scale} for minor-units, {@code zone} for
 * timestamptz) into {@link Cast.Options}. Nothing is defaulted silently except what the mapping
 * reference documents: the minor-units scale defaults to the blue column's declared scale. Stateless,
 * thread-safe.
 */
public final class CastOptions {

    /** Option key: digits after the point that make one minor unit. */
    public static final String SCALE = "scale";
    /** Option key: the zone blue's local times were written in (a {@link ZoneId}). */
    public static final String ZONE = "zone";

    private CastOptions() {
    }

    /**
     * Resolves the options of one column's cast.
     *
     * @param cast the declared cast, or {@code null} when the column has none (then every option is a problem)
     * @param blueColumn the blue column name, for messages
     * @param blueType the blue column's type (its scale is the minor-units default)
     * @param given the options as written, by key
     * @param problems receives one message per problem (what is wrong and the fix)
     * @return the resolved options; {@link Cast.Options#NONE} when a problem was reported
     */
    public static Cast.Options resolve(Cast cast, String blueColumn, ColumnType blueType, Map<String, String> given,
                                       Consumer<String> problems) {
        requireNonNull(blueColumn, "blueColumn is null");
        requireNonNull(blueType, "blueType is null");
        requireNonNull(given, "given is null");
        requireNonNull(problems, "problems is null");
        for (String key : new TreeSet<>(given.keySet())) {
            if (!applies(cast, key)) {
                problems.accept("option '" + key + "' applies only to cast '"
                        + (key.equals(ZONE) ? "timestamptz" : "minor-units") + "'"
                        + (cast == null ? ", and this column declares no cast" : ", not to '" + cast.configName() + "'")
                        + "; remove it or declare that cast");
            }
        }
        if (cast == Cast.MINOR_UNITS) {
            return scale(blueColumn, blueType, given.get(SCALE), problems);
        }
        if (cast == Cast.TIMESTAMPTZ) {
            return zone(given.get(ZONE), problems);
        }
        return Cast.Options.NONE;
    }

    private static boolean applies(Cast cast, String key) {
        return key.equals(SCALE) && cast == Cast.MINOR_UNITS || key.equals(ZONE) && cast == Cast.TIMESTAMPTZ;
    }

    private static Cast.Options scale(String blueColumn, ColumnType blueType, String text, Consumer<String> problems) {
        if (text == null) {
            if (blueType.scale() < 0) {
                problems.accept("cast 'minor-units' needs 'scale: N' (digits after the point in one minor unit, e.g."
                        + " 2 for cents) because blue column '" + blueColumn + "' (" + blueType.sqlName()
                        + ") declares no scale");
                return Cast.Options.NONE;
            }
            return new Cast.Options(blueType.scale(), null);
        }
        try {
            int scale = Integer.parseInt(text.trim());
            if (scale >= 0 && scale <= 18) {
                return new Cast.Options(scale, null);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.accept("scale '" + text + "' must be a whole number from 0 to 18 (digits after the point in one"
                + " minor unit, e.g. 2 for cents)");
        return Cast.Options.NONE;
    }

    private static Cast.Options zone(String text, Consumer<String> problems) {
        if (text == null) {
            problems.accept("cast 'timestamptz' needs 'zone:' (e.g. UTC or Europe/Paris): the zone blue's local"
                    + " times were written in");
            return Cast.Options.NONE;
        }
        try {
            return new Cast.Options(-1, ZoneId.of(text.trim()));
        } catch (DateTimeException e) {
            problems.accept("zone '" + text + "' is not a known time zone (" + e.getMessage() + "); use a region"
                    + " such as Europe/Paris, or UTC");
            return Cast.Options.NONE;
        }
    }
}
