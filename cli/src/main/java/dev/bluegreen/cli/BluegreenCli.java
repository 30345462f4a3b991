package dev.bluegreen.cli;

import dev.bluegreen.core.error.BluegreenException;
import dev.bluegreen.core.error.ErrorCategory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bluegreen} command. Maps error categories to exit codes (the only place that exits):
 * 0 success, 2 config/usage, 3 a server or broker, 4 data (dead-letter budget), 70 internal.
 */
@Command(name = "bluegreen", mixinStandardHelpOptions = true, version = "bluegreen 0.1.0",
        description = "Moves a live application from a blue database to a green one with an overhauled schema.",
        subcommands = {RunCommand.class, ValidateCommand.class, StatusCommand.class, DemoCommand.class,
                VerifyCommand.class, CutoverCommand.class})
public final class BluegreenCli {

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new BluegreenCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --role capture as well as CAPTURE
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof BluegreenException b) {
                commandLine.getErr().println("error [" + b.code() + "]: " + b.getMessage());
                return exitCode(b.code().category());
            }
            commandLine.getErr().println("internal error: " + e + " (please report it with the log)");
            e.printStackTrace(commandLine.getErr());
            return 70;
        });
        return cl.execute(args);
    }

    /** Exit code per error category. */
    public static int exitCode(ErrorCategory category) {
        switch (category) {
            case CONFIG: return 2;
            case EXTERNAL: return 3;
            case DATA: return 4;
            default: return 70;
        }
    }
}
