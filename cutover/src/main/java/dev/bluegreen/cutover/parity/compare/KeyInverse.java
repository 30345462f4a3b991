package dev.bluegreen.cutover.parity.compare;

import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.cutover.parity.ParityTable;
import dev.bluegreen.transform.cast.Cast;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps a green key back to the blue key it comes from, so that a green row found without a blue
 * counterpart can be looked up on blue (a row inserted after its chunk was read) and rechecked. Key
 * columns may only be renamed or cast (the mapping compiler refuses anything else), and every cast is
 * invertible on its image; the result is checked by mapping it forward again, so a green key that no
 * blue key maps to yields empty. Immutable, thread-safe.
 */
public final class KeyInverse {

    private record Column(String blue, String green, ColumnType blueType, Cast cast, Cast.Options options) {
    }

    private final ParityTable table;
    private final List<Column> columns = new ArrayList<>();

    public KeyInverse(ParityTable table) {
        this.table = table;
        for (String k : table.transform().blueKeyColumns()) {
            ColumnMapping cm = table.mapping().columns().stream().filter(c -> c.blueColumn().equals(k)).findFirst()
                    .orElse(null);
            ColumnType blueType = table.blueSchema().column(k).orElseThrow().type();
            Cast cast = cm == null || cm.cast() == null ? null : Cast.byName(cm.cast());
            columns.add(new Column(k, cm == null ? k : cm.greenColumn(), blueType, cast, options(cast, cm, blueType)));
        }
    }

    /** The blue key of a green key, or empty when no blue key maps to it. */
    public Optional<Row> blueKey(Row greenKey) {
        List<String> names = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        try {
            for (Column c : columns) {
                names.add(c.blue());
                values.add(invert(c, greenKey.get(c.green())));
            }
            Row blueKey = Row.of(names, values);
            Row forward = table.transform().mapKey(blueKey).get(0).row();
            return forward.equals(greenKey.project(forward.columns())) ? Optional.of(blueKey) : Optional.empty();
        } catch (RowConversionException | ArithmeticException | ClassCastException | DateTimeException e) {
            return Optional.empty();
        }
    }

    private static Object invert(Column c, Object v) {
        if (v == null) {
            return null;
        }
        if (c.cast() == Cast.MINOR_UNITS) {
            BigDecimal d = BigDecimal.valueOf((Long) v).movePointLeft(c.options().scale());
            return c.blueType().scale() >= 0 ? d.setScale(c.blueType().scale()) : d;
        }
        if (c.cast() == Cast.BOOLEAN) {
            return ((Boolean) v) ? 1L : 0L;
        }
        if (c.cast() == Cast.TIMESTAMPTZ) {
            return LocalDateTime.ofInstant((Instant) v, c.options().zone());
        }
        if (c.blueType().kind() == TypeKind.FLOAT32 && v instanceof Double d) {
            return d.floatValue();
        }
        return v; // renames, integer and varchar casts and widenings keep the canonical value
    }

    private static Cast.Options options(Cast cast, ColumnMapping cm, ColumnType blueType) {
        if (cast == Cast.MINOR_UNITS) {
            String scale = cm.castOptions().get("scale");
            return new Cast.Options(scale != null ? Integer.parseInt(scale) : blueType.scale(), null);
        }
        if (cast == Cast.TIMESTAMPTZ) {
            return new Cast.Options(-1, ZoneId.of(cm.castOptions().get("zone")));
        }
        return Cast.Options.NONE;
    }
}
