package dev.bluegreen.core.error;

import static java.util.Objects.requireNonNull;

/**
 * Stable error codes. The names are API: scripts and docs match on them.
 */
public enum ErrorCode {
    CONFIG_INVALID(ErrorCategory.CONFIG),
    SCHEMA_MISMATCH(ErrorCategory.CONFIG),
    BLUE_UNAVAILABLE(ErrorCategory.EXTERNAL),
    GREEN_UNAVAILABLE(ErrorCategory.EXTERNAL),
    BROKER_UNAVAILABLE(ErrorCategory.EXTERNAL),
    CAPTURE_FAILED(ErrorCategory.EXTERNAL),
    ROW_CONVERSION_FAILED(ErrorCategory.DATA),
    DEAD_LETTER_BUDGET_EXCEEDED(ErrorCategory.DATA),
    PARITY_MISMATCH(ErrorCategory.DATA),
    CUTOVER_REFUSED(ErrorCategory.CONFIG),
    CUTOVER_ABORTED(ErrorCategory.EXTERNAL),
    INTERNAL_ERROR(ErrorCategory.INTERNAL);

    private final ErrorCategory category;

    ErrorCode(ErrorCategory category) {
        this.category = requireNonNull(category, "category is null");
    }

    public ErrorCategory category() {
        return category;
    }
}
