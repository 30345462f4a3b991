package dev.bluegreen.core.error;

import static java.util.Objects.requireNonNull;

/**
 * Base of bluegreen's unchecked exceptions. Carries an {@link ErrorCode}; the message states what
 * happened, the state we are in and what to do next. Library code throws; only the CLI logs and
 * exits.
 */
public class BluegreenException extends RuntimeException {

    private final ErrorCode code;

    public BluegreenException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    public BluegreenException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }
}
