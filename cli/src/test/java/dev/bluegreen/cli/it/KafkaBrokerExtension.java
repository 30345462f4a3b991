package dev.bluegreen.cli.it;

import dev.bluegreen.cli.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs one real embedded Kafka broker for a test class (register on a static field), in a fresh
 * folder under {@code target/}; stopped after the class, pass or fail.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("target"), "kafka-" + context.getRequiredTestClass().getSimpleName());
        broker = EmbeddedKafkaBroker.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The broker list, {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs only during the tests of the class that registers it");
        }
        return broker.bootstrapServers();
    }
}
