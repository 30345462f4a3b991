package dev.bluegreen.cutover.coordinator;

/**
 * Points in the cutover where tests, drills and scripts can act, in the manner of pgroll's
 * {@code afterStart/afterComplete/afterRollback} test hooks and gh-ost's hooks. Called on the
 * coordinator's thread; a hook that blocks holds the cutover at that point (inside the freeze for
 * {@link #afterFreeze}, so the freeze budget keeps running). A hook that throws counts as a failed step:
 * the coordinator aborts and stays on blue.
 */
public interface CutoverHooks {

    /** Hooks that do nothing. */
    CutoverHooks NONE = new CutoverHooks() {
    };

    /**
     * After blue's writes are frozen (router paused, tables locked) and before the fence is written.
     *
     * @throws InterruptedException when the coordinator's thread is interrupted while the hook waits
     */
    default void afterFreeze() throws InterruptedException {
    }
}
