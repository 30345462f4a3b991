package dev.bluegreen.core.error;

/**
 * One row cannot be converted into green's shape (a cast overflows, an expression fails, a value
 * does not fit the green column). The sink sends the raw event with this message to the
 * dead-letter table and counts it against the dead-letter budget.
 */
public class RowConversionException extends BluegreenException {

    public RowConversionException(String message) {
        super(ErrorCode.ROW_CONVERSION_FAILED, message);
    }

    public RowConversionException(String message, Throwable cause) {
        super(ErrorCode.ROW_CONVERSION_FAILED, message, cause);
    }
}
