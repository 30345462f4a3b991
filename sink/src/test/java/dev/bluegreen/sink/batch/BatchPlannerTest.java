package dev.bluegreen.sink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.config.AddedColumn;
import dev.bluegreen.core.config.ColumnMapping;
import dev.bluegreen.core.config.Location;
import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.core.config.TargetTable;
import dev.bluegreen.core.error.ConfigException;
import dev.bluegreen.core.event.Row;
import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.event.envelope.DebeziumEnvelopeDecoder;
import dev.bluegreen.core.schema.ColumnSchema;
import dev.bluegreen.core.schema.ColumnType;
import dev.bluegreen.core.schema.TableSchema;
import dev.bluegreen.core.schema.TypeKind;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.transform.CompiledMapping;
import dev.bluegreen.transform.MappingCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The sink's planning: decode, transform (the real compiled mapping), reduce per green key. */
class BatchPlannerTest {

    private static final TableId ITEMS = new TableId("public", "items");
    private static final TableId GREEN = new TableId("shop", "items");
    private static final TableId HEARTBEAT = new TableId("bluegreen", "heartbeat");

    private static BatchPlanner planner(String filter) {
        TableSchema blue = new TableSchema(ITEMS, List.of(col("id", ColumnType.of(TypeKind.INT32, "integer")),
                col("name", ColumnType.of(TypeKind.TEXT, "text")), col("qty", ColumnType.of(TypeKind.INT32, "integer"))),
                List.of("id"), List.of(List.of("id")), false);
        TableSchema heartbeat = new TableSchema(HEARTBEAT, List.of(col("pipeline", ColumnType.of(TypeKind.TEXT, "text")),
                col("beat_at", ColumnType.of(TypeKind.TIMESTAMPTZ, "timestamptz")),
                col("beats", ColumnType.of(TypeKind.INT64, "bigint"))), List.of("pipeline"), List.of(), false);
        TableSchema green = new TableSchema(GREEN, List.of(col("item_id", ColumnType.of(TypeKind.INT64, "bigint")),
                col("name", new ColumnType(TypeKind.TEXT, "character varying(5)", 5, -1, -1, null)),
                col("qty", ColumnType.of(TypeKind.INT32, "integer"))), List.of("item_id"), List.of(List.of("item_id")), false);
        Location at = new Location("p.yaml", 1, "tables[0]");
        TableMapping m = new TableMapping(ITEMS, List.of(), filter, List.of(
                new ColumnMapping("id", false, "item_id", "bigint", Map.of(), List.of(), null, at),
                new ColumnMapping("name", false, null, "varchar", Map.of(), List.of(), null, at)),
                List.<AddedColumn>of(), List.of(new TargetTable(GREEN, List.of(), at)), at);
        List<ConfigException.Problem> problems = new ArrayList<>();
        CompiledMapping compiled = MappingCompiler.compile(m, blue, Map.of(GREEN, green), problems);
        assertThat(problems).isEmpty();
        return new BatchPlanner(new DebeziumEnvelopeDecoder(Map.of(ITEMS, blue, HEARTBEAT, heartbeat)),
                Map.of(ITEMS, compiled), HEARTBEAT);
    }

    private static ColumnSchema col(String name, ColumnType type) {
        return new ColumnSchema(name, type, true, false, false);
    }

    private static BatchPlan plan(ChangeEventRecords records) {
        return planner(null).plan(records.build());
    }

    private static List<GreenAction> actions(BatchPlan plan) {
        assertThat(plan.segments()).hasSize(1);
        return ((BatchPlan.Changes) plan.segments().get(0)).actions();
    }

    private static Row green(long id, String name, long qty) {
        return Row.ofPairs("item_id", id, "name", name, "qty", qty);
    }

    @Test
    void insertThenUpdateOfOneKeyIsOneUpsertWithTheLastValues() {
        List<GreenAction> a = actions(plan(new ChangeEventRecords().insert(1, "a", 1).update(1, "b", 2)));
        assertThat(a).singleElement().isInstanceOfSatisfying(GreenAction.Upsert.class,
                u -> assertThat(u.row()).isEqualTo(green(1, "b", 2)));
        assertThat(a.get(0).source().offset()).isEqualTo(1);
    }

    @Test
    void insertThenDeleteIsOneDeleteAndTombstonesAreIgnored() {
        List<GreenAction> a = actions(plan(new ChangeEventRecords().insert(1, "a", 1).delete(1)));
        assertThat(a).singleElement().isInstanceOfSatisfying(GreenAction.Delete.class,
                d -> assertThat(d.key()).isEqualTo(Row.ofPairs("item_id", 1L)));
    }

    @Test
    void deleteThenReinsertIsOneUpsert() {
        List<GreenAction> a = actions(plan(new ChangeEventRecords().delete(1).insert(1, "c", 3)));
        assertThat(a).singleElement().isInstanceOf(GreenAction.Upsert.class);
    }

    @Test
    void primaryKeyChangeIsADeleteOfTheOldKeyAndAnUpsertOfTheNew() {
        List<GreenAction> a = actions(plan(new ChangeEventRecords().delete(1).insert(2, "a", 1)));
        assertThat(a).hasSize(2);
        assertThat(a.get(0)).isInstanceOf(GreenAction.Delete.class);
        assertThat(((GreenAction.Upsert) a.get(1)).row()).isEqualTo(green(2, "a", 1));
    }

    @Test
    void unchangedToastValueTakesTheValueOfAnEarlierUpsertInTheBatch() {
        List<GreenAction> a = actions(plan(new ChangeEventRecords().insert(1, "big", 1).updateWithUnchangedToast(1, 5)));
        GreenAction.Upsert u = (GreenAction.Upsert) a.get(0);
        assertThat(u.row()).isEqualTo(green(1, "big", 5));
        assertThat(u.hasUnavailable()).isFalse();
    }

    @Test
    void unchangedToastValueAloneStaysUnavailable() {
        GreenAction.Upsert u = (GreenAction.Upsert) actions(plan(new ChangeEventRecords().updateWithUnchangedToast(1, 5))).get(0);
        assertThat(u.row().get("name")).isSameAs(Unavailable.VALUE);
        assertThat(u.hasUnavailable()).isTrue();
    }

    @Test
    void truncateIsABarrierBetweenSegments() {
        BatchPlan p = plan(new ChangeEventRecords().insert(1, "a", 1).truncate().insert(2, "b", 2));
        assertThat(p.segments()).hasSize(3);
        assertThat(p.segments().get(0)).isInstanceOf(BatchPlan.Changes.class);
        assertThat(p.segments().get(1)).isInstanceOfSatisfying(BatchPlan.Truncate.class,
                t -> assertThat(t.tables()).containsExactly(GREEN));
        assertThat(((BatchPlan.Changes) p.segments().get(2)).actions()).singleElement()
                .satisfies(x -> assertThat(((GreenAction.Upsert) x).row()).isEqualTo(green(2, "b", 2)));
    }

    @Test
    void heartbeatFeedsTheLagAndNothingElse() {
        BatchPlan p = plan(new ChangeEventRecords().heartbeat(123_456L));
        assertThat(p.heartbeatCommitMs()).isEqualTo(123_456L);
        assertThat(p.segments()).isEmpty();
        assertThat(p.progress()).isEmpty();
    }

    @Test
    void undecodableRecordIsADeadLetterAndTheRestIsApplied() {
        BatchPlan p = plan(new ChangeEventRecords().garbage().insert(2, "b", 2));
        assertThat(p.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.topic()).isEqualTo(ChangeEventRecords.TOPIC);
            assertThat(d.offset()).isZero();
            assertThat(d.rawValue()).isEqualTo("{not json");
            assertThat(d.error()).contains("not valid JSON");
        });
        assertThat(actions(p)).hasSize(1);
        assertThat(p.nextOffsets()).containsEntry(new TopicPartition(ChangeEventRecords.TOPIC, 0), 2L);
    }

    @Test
    void rowFailingTheTransformIsADeadLetterNamingTheColumn() {
        BatchPlan p = plan(new ChangeEventRecords().insert(1, "far too long", 1));
        assertThat(p.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.blueTable()).isEqualTo("public.items");
            assertThat(d.error()).contains("name").contains("character varying(5)");
        });
        assertThat(p.segments()).isEmpty();
    }

    @Test
    void updateRejectedByTheFilterDeletesTheRowFromGreen() {
        BatchPlan p = planner("qty > 0").plan(new ChangeEventRecords().update(1, "a", 0).build());
        assertThat(actions(p)).singleElement().isInstanceOfSatisfying(GreenAction.Delete.class,
                d -> assertThat(d.key()).isEqualTo(Row.ofPairs("item_id", 1L)));
    }

    @Test
    void progressCountsSnapshotRowsEventsAndTheMarkers() {
        BatchPlan p = plan(new ChangeEventRecords().snapshotRead(1, "a", 1, "true")
                .snapshotRead(2, "b", 2, "last_in_data_collection").insert(3, "c", 3));
        TableProgress t = p.progress().get(ITEMS);
        assertThat(t.snapshotRows()).isEqualTo(2);
        assertThat(t.events()).isEqualTo(3);
        assertThat(t.snapshotDone()).isTrue();
        assertThat(t.lastCommitMs()).isEqualTo(1002);
    }
}
