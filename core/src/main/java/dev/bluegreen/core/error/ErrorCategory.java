package dev.bluegreen.core.error;

/** Who has to act on an error; the CLI maps each category to an exit code. */
public enum ErrorCategory {
    /** The config, mapping or command line is wrong: the user fixes the input. Exit code 2. */
    CONFIG,
    /** A database or the broker failed or went away: check the server, then retry. Exit code 3. */
    EXTERNAL,
    /** A row cannot be converted or applied: see the dead-letter table. Exit code 4. */
    DATA,
    /** A bug in bluegreen: report it. Exit code 70. */
    INTERNAL
}
