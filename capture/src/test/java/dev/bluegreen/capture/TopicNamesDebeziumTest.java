package dev.bluegreen.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.config.TopicNames;
import io.debezium.relational.TableId;
import io.debezium.schema.SchemaTopicNamingStrategy;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** bluegreen's topic names are the ones Debezium publishes to, awkward table names included. */
class TopicNamesDebeziumTest {

    @Test
    void sameNamesAsDebeziumsDefaultTopicNamingStrategy() {
        Properties props = new Properties();
        props.setProperty("topic.prefix", "bluegreen.shop");
        SchemaTopicNamingStrategy debezium = new SchemaTopicNamingStrategy(props);
        for (String table : List.of("orders", "Mixed Case", "ünïcødé", "a$b%c", "with.dot", "emoji🎉", "x".repeat(260))) {
            String ours = TopicNames.sanitized("bluegreen.shop.public." + table);
            assertThat(ours).as(table).isEqualTo(debezium.dataChangeTopic(new TableId(null, "public", table)));
        }
    }
}
