package dev.bluegreen.sink.batch;

import static dev.bluegreen.sink.batch.ItemsPipeline.GREEN;
import static dev.bluegreen.sink.batch.ItemsPipeline.green;
import static dev.bluegreen.sink.batch.ItemsPipeline.greenKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bluegreen.core.event.TableId;
import dev.bluegreen.core.value.Unavailable;
import dev.bluegreen.sink.batch.ItemEventRecords.Encoding;
import dev.bluegreen.sink.batch.ItemEventRecords.Toast;
import dev.bluegreen.transform.RowTransform;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchPlanner}'s reduction to one action per green key, and truncates as barriers, on
 * envelopes with and without Connect schemas and through the real compiled mapping.
 */
class BatchPlannerReductionTest {

    static Stream<Arguments> encodingsAndUpdateShapes() {
        return Arrays.stream(Encoding.values())
                .flatMap(e -> Arrays.stream(Toast.values()).map(t -> Arguments.of(e, t)));
    }

    private static BatchPlan plan(ItemEventRecords records) {
        return ItemsPipeline.planner().plan(records.build());
    }

    /** The actions of a plan that must be exactly one Changes segment. */
    private static List<GreenAction> onlyChanges(BatchPlan plan) {
        assertThat(plan.segments()).singleElement().isInstanceOf(BatchPlan.Changes.class);
        assertThat(plan.deadLetters()).isEmpty();
        return ((BatchPlan.Changes) plan.segments().get(0)).actions();
    }

    private static GreenAction.Upsert upsert(GreenAction a) {
        assertThat(a).isInstanceOf(GreenAction.Upsert.class);
        return (GreenAction.Upsert) a;
    }

    private static GreenAction.Delete delete(GreenAction a) {
        assertThat(a).isInstanceOf(GreenAction.Delete.class);
        return (GreenAction.Delete) a;
    }

    @ParameterizedTest
    @MethodSource("encodingsAndUpdateShapes")
    void insertThenUpdateOfOneKeyIsOneUpsertWithTheLastValues(Encoding encoding, Toast toast) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .insert(1, "a", 1, "first note").update(1, "b", 2, toast)));

        assertThat(actions).hasSize(1);
        GreenAction.Upsert u = upsert(actions.get(0));
        assertThat(u.table()).isEqualTo(GREEN);
        assertThat(u.row()).isEqualTo(green(1, "b", 2, "first note"));
        assertThat(u.hasUnavailable()).isFalse();
        assertThat(u.source().offset()).isEqualTo(1);
        assertThat(u.source().blueTable()).isEqualTo("public.items");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void insertThenDeleteIsOneDeleteOfTheKey(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding).insert(1, "a", 1).delete(1)));

        assertThat(actions).hasSize(1);
        GreenAction.Delete d = delete(actions.get(0));
        assertThat(d.table()).isEqualTo(GREEN);
        assertThat(d.key()).isEqualTo(greenKey(1));
        assertThat(d.source().offset()).as("the delete event, not its tombstone at offset 2").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void deleteThenReinsertIsOneUpsertOfTheNewRow(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .existing(1, "old", 9, "old note").delete(1).insert(1, "new", 3, "new note")));

        assertThat(actions).hasSize(1);
        assertThat(upsert(actions.get(0)).row()).isEqualTo(green(1, "new", 3, "new note"));
        assertThat(actions.get(0).source().offset()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void primaryKeyChangeIsADeleteOfTheOldKeyAndAnUpsertOfTheNew(Encoding encoding) {
        // PostgreSQL's UPDATE items SET id = 2 WHERE id = 1 reaches Debezium as delete(1) + create(2)
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .existing(1, "a", 1, "n").delete(1).insert(2, "a", 1, "n")));

        assertThat(actions).hasSize(2);
        assertThat(delete(actions.get(0)).key()).isEqualTo(greenKey(1));
        assertThat(upsert(actions.get(1)).row()).isEqualTo(green(2, "a", 1, "n"));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void unchangedToastAfterAnInsertInTheBatchTakesTheInsertedValue(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .insert(1, "big", 1, "a long TOASTed note").updateWithUnchangedToast(1, 5)));

        assertThat(actions).hasSize(1);
        GreenAction.Upsert u = upsert(actions.get(0));
        assertThat(u.row()).isEqualTo(green(1, "big", 5, "a long TOASTed note"));
        assertThat(u.hasUnavailable()).isFalse();
        assertThat(u.source().offset()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void unchangedToastAfterASnapshotReadAndTwoUpdatesStillTakesTheReadValue(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .snapshotRead(1, "a", 1, "true").updateWithUnchangedToast(1, 2).updateWithUnchangedToast(1, 3)));

        assertThat(actions).hasSize(1);
        assertThat(upsert(actions.get(0)).row()).isEqualTo(green(1, "a", 3, ItemEventRecords.defaultNote(1)));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void unchangedToastAloneStaysUnavailable(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .existing(1, "a", 1, "note from an earlier batch").updateWithUnchangedToast(1, 7)));

        assertThat(actions).hasSize(1);
        GreenAction.Upsert u = upsert(actions.get(0));
        assertThat(u.row().columns()).containsExactly("item_id", "name", "qty", "note");
        assertThat(u.row().values()).containsExactly(1L, "a", 7L, Unavailable.VALUE);
        assertThat(u.row().get("note")).isSameAs(Unavailable.VALUE);
        assertThat(u.hasUnavailable()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void unchangedToastIsFilledOnlyFromTheSameKey(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .existing(2, "b", 2, "note of 2").insert(1, "a", 1, "note of 1").updateWithUnchangedToast(2, 20)));

        assertThat(actions).hasSize(2);
        assertThat(upsert(actions.get(0)).row()).isEqualTo(green(1, "a", 1, "note of 1"));
        assertThat(upsert(actions.get(1)).row().get("note")).isSameAs(Unavailable.VALUE);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void actionsFollowTheOrderOfEachKeysLastChange(Encoding encoding) {
        List<GreenAction> actions = onlyChanges(plan(new ItemEventRecords(encoding)
                .insert(1, "a", 1).insert(2, "b", 2).insert(3, "c", 3).update(1, "a2", 10).delete(2)));

        assertThat(actions).extracting(a -> a.source().offset()).containsExactly(2L, 3L, 4L);
        assertThat(upsert(actions.get(0)).row()).isEqualTo(green(3, "c", 3, ItemEventRecords.defaultNote(3)));
        assertThat(upsert(actions.get(1)).row()).isEqualTo(green(1, "a2", 10, ItemEventRecords.defaultNote(1)));
        assertThat(delete(actions.get(2)).key()).isEqualTo(greenKey(2));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void truncateSplitsThePlanIntoChangesTruncateChanges(Encoding encoding) {
        BatchPlan p = plan(new ItemEventRecords(encoding)
                .insert(1, "a", 1).update(1, "b", 2).truncate().insert(2, "c", 3));

        assertThat(p.segments()).hasExactlyElementsOfTypes(BatchPlan.Changes.class, BatchPlan.Truncate.class,
                BatchPlan.Changes.class);
        List<GreenAction> before = ((BatchPlan.Changes) p.segments().get(0)).actions();
        assertThat(before).hasSize(1);
        assertThat(upsert(before.get(0)).row()).isEqualTo(green(1, "b", 2, ItemEventRecords.defaultNote(1)));
        BatchPlan.Truncate t = (BatchPlan.Truncate) p.segments().get(1);
        assertThat(t.tables()).containsExactly(GREEN);
        assertThat(t.source().offset()).isEqualTo(2);
        assertThat(t.source().blueTable()).isEqualTo("public.items");
        List<GreenAction> after = ((BatchPlan.Changes) p.segments().get(2)).actions();
        assertThat(after).hasSize(1);
        assertThat(upsert(after.get(0)).row()).isEqualTo(green(2, "c", 3, ItemEventRecords.defaultNote(2)));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void eventsOfOneKeyAreNotMergedAcrossATruncate(Encoding encoding) {
        BatchPlan p = plan(new ItemEventRecords(encoding).insert(1, "a", 1).truncate().insert(1, "b", 2));

        assertThat(p.segments()).hasSize(3);
        assertThat(upsert(((BatchPlan.Changes) p.segments().get(0)).actions().get(0)).row().get("name")).isEqualTo("a");
        assertThat(upsert(((BatchPlan.Changes) p.segments().get(2)).actions().get(0)).row().get("name")).isEqualTo("b");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void truncatesWithNothingBetweenThemLeaveNoEmptyChangesSegment(Encoding encoding) {
        BatchPlan p = plan(new ItemEventRecords(encoding).truncate().truncate().insert(1, "a", 1));

        assertThat(p.segments()).hasExactlyElementsOfTypes(BatchPlan.Truncate.class, BatchPlan.Truncate.class,
                BatchPlan.Changes.class);
        assertThat(p.segments().get(1)).isInstanceOfSatisfying(BatchPlan.Truncate.class,
                t -> assertThat(t.source().offset()).isEqualTo(1));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void thePlanIsImmutable(Encoding encoding) {
        BatchPlan p = plan(new ItemEventRecords(encoding).insert(1, "a", 1));

        assertThatThrownBy(() -> p.segments().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((BatchPlan.Changes) p.segments().get(0)).actions().clear())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> p.nextOffsets().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> p.progress().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void thePlannerKeepsItsOwnCopyOfTheTransforms(Encoding encoding) {
        Map<TableId, RowTransform> transforms = new HashMap<>();
        transforms.put(ItemsPipeline.BLUE, ItemsPipeline.compile(null));
        BatchPlanner planner = ItemsPipeline.withTransforms(transforms);
        transforms.clear();

        BatchPlan p = planner.plan(new ItemEventRecords(encoding).insert(1, "a", 1).build());

        assertThat(onlyChanges(p)).hasSize(1);
    }
}
