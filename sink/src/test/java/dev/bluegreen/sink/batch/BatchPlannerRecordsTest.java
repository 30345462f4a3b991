package dev.bluegreen.sink.batch;

import static dev.bluegreen.sink.batch.ItemEventRecords.TOPIC;
import static dev.bluegreen.sink.batch.ItemEventRecords.commitMs;
import static dev.bluegreen.sink.batch.ItemsPipeline.BLUE;
import static dev.bluegreen.sink.batch.ItemsPipeline.green;
import static dev.bluegreen.sink.batch.ItemsPipeline.greenKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.event.Markers;
import dev.bluegreen.sink.batch.ItemEventRecords.Encoding;
import dev.bluegreen.sink.deadletter.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BatchPlanner}'s handling of records that are not plain row changes (tombstones,
 * heartbeats, markers, garbage, rows the transform rejects) and its bookkeeping: next offsets and
 * per-table progress.
 */
class BatchPlannerRecordsTest {

    private static List<GreenAction> actions(BatchPlan plan) {
        assertThat(plan.segments()).singleElement().isInstanceOf(BatchPlan.Changes.class);
        return ((BatchPlan.Changes) plan.segments().get(0)).actions();
    }

    private static DeadLetter onlyDeadLetter(BatchPlan plan) {
        assertThat(plan.deadLetters()).hasSize(1);
        return plan.deadLetters().get(0);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void tombstonesAreIgnored(Encoding encoding) {
        ItemEventRecords records = new ItemEventRecords(encoding);
        BatchPlan p = ItemsPipeline.planner().plan(records.raw(records.key(1), null).raw(null, null).build());

        assertThat(p.segments()).isEmpty();
        assertThat(p.deadLetters()).isEmpty();
        assertThat(p.progress()).isEmpty();
        assertThat(p.nextOffsets()).containsExactly(Map.entry(new TopicPartition(TOPIC, 0), 2L));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void heartbeatSetsTheLatestCommitTimeAndProducesNoAction(Encoding encoding) {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(encoding)
                .heartbeat(5_000L).heartbeat(9_000L).heartbeat(7_000L).build());

        assertThat(p.heartbeatCommitMs()).isEqualTo(9_000L);
        assertThat(p.segments()).isEmpty();
        assertThat(p.deadLetters()).isEmpty();
        assertThat(p.progress()).isEmpty();
    }

    @Test
    void batchWithoutHeartbeatReportsZero() {
        BatchPlan p = ItemsPipeline.planner().plan(
                new ItemEventRecords(Encoding.PAYLOAD_ONLY).insert(1, "a", 1).build());

        assertThat(p.heartbeatCommitMs()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void garbageIsADeadLetterWithItsPositionAndRawValueAndTheRestIsPlanned(Encoding encoding) {
        ItemEventRecords records = new ItemEventRecords(encoding).at(3, 40);
        records.raw(records.key(1), "{not json").insert(2, "b", 2);

        BatchPlan p = ItemsPipeline.planner().plan(records.build());

        DeadLetter d = onlyDeadLetter(p);
        assertThat(d.blueTable()).isEqualTo("?");
        assertThat(d.topic()).isEqualTo(TOPIC);
        assertThat(d.partition()).isEqualTo(3);
        assertThat(d.offset()).isEqualTo(40);
        assertThat(d.rawKey()).isEqualTo(records.key(1));
        assertThat(d.rawValue()).isEqualTo("{not json");
        assertThat(d.error()).contains("not valid JSON");
        assertThat(actions(p)).singleElement().isInstanceOfSatisfying(GreenAction.Upsert.class,
                u -> assertThat(u.row()).isEqualTo(green(2, "b", 2, ItemEventRecords.defaultNote(2))));
        assertThat(p.nextOffsets()).containsExactly(Map.entry(new TopicPartition(TOPIC, 3), 42L));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void valueTooLongForTheGreenVarcharIsADeadLetterNamingKeyColumnAndType(Encoding encoding) {
        List<ConsumerRecord<String, String>> records = new ItemEventRecords(encoding)
                .insert(1, "far too long", 1).insert(2, "fits", 2).build();

        BatchPlan p = ItemsPipeline.planner().plan(records);

        DeadLetter d = onlyDeadLetter(p);
        assertThat(d.blueTable()).isEqualTo("public.items");
        assertThat(d.offset()).isZero();
        assertThat(d.rawKey()).isEqualTo(records.get(0).key());
        assertThat(d.rawValue()).isEqualTo(records.get(0).value());
        assertThat(d.error()).contains("key {id=1}").contains("shop.items.name").contains("character varying(5)");
        assertThat(actions(p)).singleElement().isInstanceOfSatisfying(GreenAction.Upsert.class,
                u -> assertThat(u.row().get("item_id")).isEqualTo(2L));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void updateFailingTheTransformLeavesTheEarlierActionOfItsKey(Encoding encoding) {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(encoding)
                .insert(1, "ok", 1, "n").update(1, "far too long", 2).build());

        assertThat(onlyDeadLetter(p).offset()).isEqualTo(1);
        assertThat(actions(p)).singleElement().isInstanceOfSatisfying(GreenAction.Upsert.class,
                u -> assertThat(u.row()).isEqualTo(green(1, "ok", 1, "n")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "qty         | returned 5, not true or false",
        "note != 'x' | REPLICA IDENTITY FULL"})
    void filterThatCannotDecideIsADeadLetter(String filter, String reason) {
        BatchPlan p = ItemsPipeline.filtered(filter).plan(new ItemEventRecords(Encoding.PAYLOAD_ONLY)
                .existing(1, "a", 1, "n").updateWithUnchangedToast(1, 5).build());

        DeadLetter d = onlyDeadLetter(p);
        assertThat(d.blueTable()).isEqualTo("public.items");
        assertThat(d.error()).contains(filter).contains(reason);
        assertThat(p.segments()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void filterRejectingAnUpdatedRowDeletesItsKey(Encoding encoding) {
        BatchPlan p = ItemsPipeline.filtered("qty > 0").plan(new ItemEventRecords(encoding)
                .existing(1, "a", 4, "n").update(1, "a", 0).build());

        assertThat(p.deadLetters()).isEmpty();
        assertThat(actions(p)).singleElement().isInstanceOfSatisfying(GreenAction.Delete.class, d -> {
            assertThat(d.key()).isEqualTo(greenKey(1));
            assertThat(d.source().offset()).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void filterRejectingTheLastStateOfAKeyInTheBatchWinsOverItsInsert(Encoding encoding) {
        BatchPlan p = ItemsPipeline.filtered("qty > 0").plan(new ItemEventRecords(encoding)
                .insert(1, "a", 4).update(1, "a", 0).insert(2, "b", 0).build());

        assertThat(actions(p)).hasSize(2).allSatisfy(a -> assertThat(a).isInstanceOf(GreenAction.Delete.class))
                .extracting(a -> ((GreenAction.Delete) a).key()).containsExactly(greenKey(1), greenKey(2));
    }

    @Test
    void nextOffsetsAreTheLastOffsetPlusOnePerPartition() {
        ItemEventRecords records = new ItemEventRecords(Encoding.WITH_SCHEMAS).at(0, 40).insert(1, "a", 1).delete(1);
        records.at(2, 7).raw(records.key(9), "{not json").insert(2, "b", 2);

        BatchPlan p = ItemsPipeline.planner().plan(records.build());

        assertThat(p.nextOffsets()).containsOnly(Map.entry(new TopicPartition(TOPIC, 0), 43L),
                Map.entry(new TopicPartition(TOPIC, 2), 9L));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void progressCountsSnapshotRowsEventsAndTheLastRowMarker(Encoding encoding) {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(encoding)
                .snapshotRead(1, "a", 1, "true").snapshotRead(2, "b", 2, "last_in_data_collection")
                .insert(3, "c", 3).build());

        assertThat(p.progress()).containsOnlyKeys(BLUE);
        TableProgress t = p.progress().get(BLUE);
        assertThat(t.snapshotRows()).isEqualTo(2);
        assertThat(t.events()).isEqualTo(3);
        assertThat(t.snapshotDone()).isTrue();
        assertThat(t.lastCommitMs()).isEqualTo(commitMs(2));
    }

    @ParameterizedTest
    @CsvSource({"true, false", "first, false", "last, true", "last_in_data_collection, true"})
    void onlyTheLastSnapshotRowOfTheTableEndsItsSnapshot(String marker, boolean done) {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(Encoding.PAYLOAD_ONLY)
                .snapshotRead(1, "a", 1, marker).build());

        assertThat(p.progress().get(BLUE).snapshotDone()).isEqualTo(done);
        assertThat(p.progress().get(BLUE).snapshotRows()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void progressCountsDeletesAndTruncatesButNotTombstonesOrHeartbeats(Encoding encoding) {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(encoding)
                .insert(1, "a", 1).delete(1).truncate().heartbeat(commitMs(1_000)).build());

        TableProgress t = p.progress().get(BLUE);
        assertThat(t.events()).isEqualTo(3);
        assertThat(t.snapshotRows()).isZero();
        assertThat(t.snapshotDone()).isFalse();
        assertThat(t.lastCommitMs()).as("the truncate at offset 3").isEqualTo(commitMs(3));
        assertThat(p.heartbeatCommitMs()).isEqualTo(commitMs(1_000));
    }

    @Test
    void snapshotCompleteMarkerEndsTheTablesSnapshotWithoutCountingAnEvent() {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(Encoding.PAYLOAD_ONLY)
                .snapshotComplete("public.items").snapshotComplete("bluegreen.heartbeat").build());

        assertThat(p.progress()).containsOnlyKeys(BLUE);
        assertThat(p.progress().get(BLUE).snapshotDone()).isTrue();
        assertThat(p.progress().get(BLUE).events()).isZero();
        assertThat(p.deadLetters()).isEmpty();
        assertThat(p.segments()).isEmpty();
    }

    @Test
    void unreadableSnapshotCompleteMarkerIsADeadLetter() {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(Encoding.PAYLOAD_ONLY)
                .snapshotComplete("a.b.c").insert(1, "a", 1).build());

        DeadLetter d = onlyDeadLetter(p);
        assertThat(d.blueTable()).isEqualTo("?");
        assertThat(d.rawValue()).isEqualTo("{\"bluegreen\":\"snapshot-complete\",\"table\":\"a.b.c\"}");
        assertThat(d.error()).startsWith("unreadable snapshot-complete marker").contains("a.b.c");
        assertThat(actions(p)).hasSize(1);
    }

    @Test
    void watermarkMarkersKeepTheNewestPerPartitionAndProduceNoAction() {
        List<ConsumerRecord<String, String>> records = List.of(
                new ConsumerRecord<>(TOPIC, 0, 10, null, Markers.watermark(new Markers.Watermark(7, 1000, "0/10"))),
                new ConsumerRecord<>(TOPIC, 0, 11, null, Markers.watermark(new Markers.Watermark(8, 1100, "0/20"))),
                new ConsumerRecord<>(TOPIC, 1, 5, null, Markers.watermark(new Markers.Watermark(6, 900, null))));

        BatchPlan p = ItemsPipeline.planner().plan(records);

        assertThat(p.watermarks()).containsOnly(
                Map.entry(new TopicPartition(TOPIC, 0), new Markers.Watermark(8, 1100, "0/20")),
                Map.entry(new TopicPartition(TOPIC, 1), new Markers.Watermark(6, 900, null)));
        assertThat(p.segments()).isEmpty();
        assertThat(p.deadLetters()).isEmpty();
        assertThat(p.progress()).isEmpty();
        assertThat(p.nextOffsets()).containsEntry(new TopicPartition(TOPIC, 0), 12L);
    }

    @Test
    void unreadableWatermarkMarkerIsADeadLetter() {
        String raw = "{\"bluegreen\":\"watermark\",\"beats\":\"x\"}";
        BatchPlan p = ItemsPipeline.planner().plan(List.of(new ConsumerRecord<>(TOPIC, 0, 3, null, raw)));

        DeadLetter d = onlyDeadLetter(p);
        assertThat(d.rawValue()).isEqualTo(raw);
        assertThat(d.error()).contains("watermark");
        assertThat(p.watermarks()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void eventOfATableWithoutMappingIsADeadLetter(Encoding encoding) {
        BatchPlan p = ItemsPipeline.withTransforms(Map.of()).plan(
                new ItemEventRecords(encoding).insert(1, "a", 1).build());

        assertThat(onlyDeadLetter(p).error()).isEqualTo("no mapping for blue table public.items");
        assertThat(p.segments()).isEmpty();
        assertThat(p.progress()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void deleteWithoutAKeyIsADeadLetter(Encoding encoding) {
        BatchPlan p = ItemsPipeline.planner().plan(new ItemEventRecords(encoding).deleteWithoutKey(1).build());

        DeadLetter d = onlyDeadLetter(p);
        assertThat(d.blueTable()).isEqualTo("public.items");
        assertThat(d.rawKey()).isNull();
        assertThat(d.error()).contains("carries no key");
        assertThat(p.segments()).isEmpty();
    }

    @Test
    void builderRefusesAnUnchangedToastUpdateOfARowItDoesNotKnow() {
        assertThatThrownBy(() -> new ItemEventRecords(Encoding.PAYLOAD_ONLY).updateWithUnchangedToast(1, 5))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("item 1");
    }
}
