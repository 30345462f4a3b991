package dev.bluegreen.cli.pipeline;

import dev.bluegreen.core.config.TableMapping;
import dev.bluegreen.cutover.finalcheck.ChangedRowsCheck;
import dev.bluegreen.cutover.parity.ParityTable;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Builds the cutover's final check for a pipeline that another process runs. Stateless. */
public final class PipelineFinalCheck {

    private PipelineFinalCheck() {
    }

    /**
     * The final check of the rows changed since the last parity pass, reading the pipeline's table topics through
     * {@link KafkaChangeLog#of} (the broker is looked up at the first read). The caller closes it.
     *
     * @param pipeline the config checked against the live schemas
     */
    public static ChangedRowsCheck of(ValidatedPipeline pipeline, DataSource blue, DataSource green) {
        List<ParityTable> tables = new ArrayList<>();
        for (TableMapping m : pipeline.config().tables()) {
            tables.add(new ParityTable(m, pipeline.blueTables().get(m.blue()), pipeline.transforms().get(m.blue())));
        }
        return new ChangedRowsCheck(pipeline.config(), blue, green, tables, KafkaChangeLog.of(pipeline.config()));
    }
}
