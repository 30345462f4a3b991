package dev.bluegreen.cutover.coordinator;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;

/**
 * Thread pools for work that runs inside the freeze, with every thread started when the pool is made: a pool thread
 * that a submit starts inside the freeze window costs milliseconds there (S5 benchmark, 2026-12-02).
 */
public final class FreezeThreads {

    private FreezeThreads() {
    }

    /**
     * A fixed pool of daemon threads, all started before this returns.
     *
     * @param threads how many threads, at least 1
     * @param namingPattern the threads' names, a {@link String#format} pattern with one {@code %d}
     * @return the pool; the caller shuts it down
     * @throws IllegalArgumentException when {@code threads} is under 1
     */
    public static ExecutorService started(int threads, String namingPattern) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), new BasicThreadFactory.Builder().namingPattern(namingPattern).daemon(true)
                .build());
        pool.prestartAllCoreThreads();
        return pool;
    }
}
