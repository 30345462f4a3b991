package dev.bluegreen.transform.expr;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.value.Unavailable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * Computed columns and row filters in Apache Commons JEXL 3 (https://commons.apache.org/jexl),
 * configured so that an expression can only read the row: no assignments or other side effects,
 * no loops, no object creation, no lambdas, pragmas or annotations, strict arithmetic (a NULL
 * operand is an error, not 0) and JEXL's restricted permissions. Compiled expressions are
 * immutable and thread-safe.
 */
public final class Expressions {

    private static final JexlFeatures FEATURES = new JexlFeatures()
            .sideEffect(false).sideEffectGlobal(false).loops(false).newInstance(false).lambda(false)
            .pragma(false).annotation(false).register(false);

    private static final JexlEngine ENGINE = new JexlBuilder().features(FEATURES).strict(true).silent(false)
            .safe(false).permissions(JexlPermissions.RESTRICTED).cache(256).create();

    private Expressions() {
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException with JEXL's message when the text does not parse or uses a
     *     disallowed feature
     */
    public static Compiled compile(String text) {
        try {
            JexlScript script = ENGINE.createScript(text);
            List<String> vars = new ArrayList<>();
            for (List<String> v : script.getVariables()) {
                vars.add(v.get(0));
            }
            return new Compiled(text, script, List.copyOf(vars));
        } catch (JexlException e) {
            throw new IllegalArgumentException("expression '" + text + "' is not valid JEXL: " + e.getMessage(), e);
        }
    }

    /**
     * A compiled expression.
     *
     * @param text the source
     * @param script the JEXL script
     * @param variables the blue columns it reads
     */
    public record Compiled(String text, JexlScript script, List<String> variables) {

        /** True when one of the variables holds {@link Unavailable#VALUE}. */
        public boolean readsUnavailable(Row row) {
            for (String v : variables) {
                if (row.has(v) && row.get(v) == Unavailable.VALUE) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Evaluates over the blue row (each column a variable of its name).
         *
         * @throws RowConversionException when evaluation fails
         */
        public Object evaluate(Row row) {
            MapContext context = new MapContext();
            for (String v : variables) {
                if (row.has(v)) {
                    context.set(v, row.get(v));
                }
            }
            try {
                return script.execute(context);
            } catch (JexlException e) {
                throw new RowConversionException("expression '" + text + "' failed: " + e.getMessage(), e);
            } catch (ArithmeticException e) {
                throw new RowConversionException("expression '" + text + "' failed: " + e.getMessage(), e);
            }
        }

        /** The variables as a set. */
        public Set<String> variableSet() {
            return Set.copyOf(variables);
        }
    }
}
