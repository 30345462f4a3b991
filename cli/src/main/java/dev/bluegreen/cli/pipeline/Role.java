package dev.bluegreen.cli.pipeline;

/**
 * Which stages of a pipeline one {@code bluegreen run} process runs ({@code --role}).
 *
 * <p>{@link #ALL} (the default) runs capture, the initial copy and the sink in one process. {@link #CAPTURE} and
 * {@link #APPLY} split them over two processes that share the config: capture (with the initial copy and, when
 * {@code kafka.bootstrap} is {@code embedded}, the broker) keeps reading blue into Kafka while the apply process
 * (the sink) is stopped, restarted or upgraded, so blue's replication slot goes on advancing and the backlog waits in
 * Kafka instead of blue's WAL; the design's "fix a mapping and replay from Kafka without capturing again". The
 * apply process with an embedded broker must run on the capture process's machine, with the same
 * {@code pipeline.work-dir}.
 */
public enum Role {
    /** Capture, initial copy and sink in this process. */
    ALL,
    /** Capture and the initial copy (and the embedded broker); no sink. */
    CAPTURE,
    /** The sink only: applies what a capture process publishes, once the initial copy is in green. */
    APPLY;

    /** True when this process captures (and copies). */
    public boolean captures() {
        return this != APPLY;
    }

    /** True when this process applies to green. */
    public boolean applies() {
        return this != CAPTURE;
    }
}
