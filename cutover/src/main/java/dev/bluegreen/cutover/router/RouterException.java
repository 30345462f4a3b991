package dev.bluegreen.cutover.router;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCode;

/** A router could not do what the coordinator asked; the message names the router, the failure and the fix. */
public class RouterException extends BluegreenException {

    public RouterException(String message, Throwable cause) {
        super(ErrorCode.CUTOVER_ABORTED, message, cause);
    }

    public RouterException(String message) {
        this(message, null);
    }
}
