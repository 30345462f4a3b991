package dev.bluegreen.core.config;

import java.time.Duration;

/**
 * Sink settings.
 *
 * @param batchSizeRows most change events applied in one green transaction (rows)
 * @param deadLetterBudgetRows how many rows may go to the dead-letter table before the pipeline
 *     stops (rows; 0 = stop at the first)
 * @param pollTimeout how long one consumer poll waits for events
 */
public record SinkConfig(int batchSizeRows, long deadLetterBudgetRows, Duration pollTimeout) {

    public SinkConfig {
        if (batchSizeRows < 1) {
            throw new IllegalArgumentException("batchSizeRows must be >= 1");
        }
        if (deadLetterBudgetRows < 0) {
            throw new IllegalArgumentException("deadLetterBudgetRows must be >= 0");
        }
    }
}
