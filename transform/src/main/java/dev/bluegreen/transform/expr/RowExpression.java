package dev.bluegreen.transform.expr;

import static java.util.Objects.requireNonNull;

import dev.bluegreen.core.error.RowConversionException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.value.CanonicalValues;
import dev.bluegreen.core.value.Unavailable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * A computed column or row filter: one Apache Commons JEXL 3 expression
 * (https://commons.apache.org/proper/commons-jexl/reference/syntax.html) over the blue row, each blue
 * column a variable of its own name.
 *
 * <p>The engine only lets an expression read: a single expression, not a script (no statements,
 * {@code if}, {@code return}); no assignments or other side effects; no loops; no {@code new}; no
 * local variables, lambdas, pragmas, annotations or namespace imports; method calls only as far as
 * JEXL's {@link JexlPermissions#RESTRICTED} permissions allow (no reflection, class loading,
 * processes or I/O; canonical row values are immutable, so a method cannot change them). Arithmetic is strict: a NULL operand is an error, not 0 (write
 * {@code x == null ? null : x * 100} to keep NULLs), and an unknown variable is an error.
 * Integer arithmetic overflowing a long yields a {@code BigInteger}; decimal arithmetic uses JEXL's
 * default {@code MathContext.DECIMAL128}.
 *
 * <p>Compiled once, at mapping compile time; immutable and thread-safe (each evaluation uses its own
 * context).
 */
public final class RowExpression {

    private static final JexlFeatures FEATURES = new JexlFeatures()
            .script(false).sideEffect(false).sideEffectGlobal(false).loops(false).newInstance(false)
            .localVar(false).lambda(false).thinArrow(false).fatArrow(false).pragma(false).pragmaAnywhere(false)
            .annotation(false).register(false).importPragma(false).namespacePragma(false);

    private static final JexlEngine ENGINE = new JexlBuilder().features(FEATURES)
            .arithmetic(new JexlArithmetic(true)).strict(true).silent(false).safe(false).antish(false)
            .cancellable(false).permissions(JexlPermissions.RESTRICTED).create();

    private final String text;
    private final JexlExpression expression;
    private final List<String> variables;

    private RowExpression(String text, JexlExpression expression, List<String> variables) {
        this.text = text;
        this.expression = expression;
        this.variables = variables;
    }

    /**
     * Parses an expression.
     *
     * @param text the JEXL source
     * @param where what it is, for messages (e.g. {@code filter}, {@code add.total}); JEXL positions
     *     are reported as {@code where@line:column}
     * @return the compiled expression
     * @throws IllegalArgumentException with JEXL's message when the text is blank, does not parse or
     *     uses a disallowed feature
     */
    public static RowExpression compile(String text, String where) {
        requireNonNull(text, "text is null");
        requireNonNull(where, "where is null");
        if (text.isBlank()) {
            throw new IllegalArgumentException("the expression is empty; write a JEXL expression over blue columns");
        }
        try {
            JexlInfo info = new JexlInfo(where, 1, 1);
            JexlExpression expression = ENGINE.createExpression(info, text);
            // the same text as a script exposes the variables it reads (JexlExpression does not)
            Set<String> vars = new LinkedHashSet<>();
            for (List<String> path : ENGINE.createScript(info, text).getVariables()) {
                vars.add(path.get(0));
            }
            return new RowExpression(text, expression, List.copyOf(vars));
        } catch (JexlException e) {
            throw new IllegalArgumentException("expression '" + text + "' is not valid JEXL: " + e.getMessage(), e);
        }
    }

    /** The source text. */
    public String text() {
        return text;
    }

    /** The blue columns it reads, in order of first use; never contains duplicates. */
    public List<String> variables() {
        return variables;
    }

    /** True when one of the variables holds {@link Unavailable#VALUE} in this row. */
    public boolean readsUnavailable(Row row) {
        for (String v : variables) {
            if (row.has(v) && row.get(v) == Unavailable.VALUE) {
                return true;
            }
        }
        return false;
    }

    /** The variables and their values in this row, for messages: {@code a=1, b=NULL}. */
    public String inputs(Row row) {
        StringBuilder sb = new StringBuilder();
        for (String v : variables) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(v).append('=').append(row.has(v) ? CanonicalValues.format(row.get(v)) : "(absent)");
        }
        return sb.toString();
    }

    /**
     * Evaluates over the blue row. The row is not modified.
     *
     * @param row the blue row, canonical values; the caller has checked {@link #readsUnavailable}
     * @return the JEXL result (any class; the caller converts it), possibly {@code null}
     * @throws RowConversionException when evaluation fails (NULL operand, division by zero,
     *     disallowed method, absent column ...), naming the expression, its inputs and JEXL's reason
     */
    public Object evaluate(Row row) {
        MapContext context = new MapContext();
        for (String v : variables) {
            if (row.has(v)) {
                context.set(v, row.get(v));
            }
        }
        try {
            return expression.evaluate(context);
        } catch (RuntimeException e) {
            // JexlException in the main; anything else escaping JEXL is still this row's failure
            throw new RowConversionException("expression '" + text + "' failed with " + inputs(row) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
