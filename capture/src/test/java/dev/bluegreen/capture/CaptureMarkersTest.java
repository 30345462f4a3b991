package dev.bluegreen.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bluegreen.core.event.Markers;
import org.junit.jupiter.api.Test;

class CaptureMarkersTest {

    private static final String HEARTBEAT = "{\"before\":null,\"after\":{\"pipeline\":\"p\",\"beat_at\":\"2026-11-23T09:00:00Z\","
            + "\"beats\":42},\"source\":{\"version\":\"3.5.0.Final\",\"connector\":\"postgresql\",\"ts_ms\":1763888400123,"
            + "\"snapshot\":\"false\",\"lsn\":24023128},\"op\":\"u\",\"ts_ms\":1763888400200}";

    @Test
    void watermarkOfAHeartbeatUpdateCarriesBeatsCommitTimeAndLsn() throws Exception {
        assertThat(CaptureMarkers.watermarkOf(HEARTBEAT)).isEqualTo(new Markers.Watermark(42, 1763888400123L, "0/16E9058"));
        assertThat(CaptureMarkers.isStreamingEvent(HEARTBEAT)).isTrue();
    }

    @Test
    void streamingEventsAreToldBySourceBlockNotByAColumnNamedSnapshot() {
        assertThat(CaptureMarkers.isStreamingEvent(HEARTBEAT.replace("\"snapshot\":\"false\"", "\"snapshot\":null"))).isTrue();
        String snapshotRow = "{\"before\":null,\"after\":{\"id\":1,\"snapshot\":\"false\"},\"source\":{\"ts_ms\":1,"
                + "\"snapshot\":\"true\",\"lsn\":5},\"op\":\"r\"}";
        assertThat(CaptureMarkers.isStreamingEvent(snapshotRow)).isFalse();
        assertThat(CaptureMarkers.isStreamingEvent(snapshotRow.replace("\"true\"", "\"last\""))).isFalse();
        assertThat(CaptureMarkers.isStreamingEvent(snapshotRow.replace("\"snapshot\":\"true\"", "\"snapshot\":\"false\"")))
                .isTrue();
        assertThat(CaptureMarkers.isStreamingEvent("{\"after\":{\"snapshot\":null}}")).isFalse();
        assertThat(CaptureMarkers.isStreamingEvent(null)).isFalse();
    }

    @Test
    void watermarkOfTheEnvelopeWithConnectSchemaIsTheSame() throws Exception {
        String withSchema = "{\"schema\":{\"type\":\"struct\"},\"payload\":" + HEARTBEAT + "}";
        assertThat(CaptureMarkers.watermarkOf(withSchema)).isEqualTo(new Markers.Watermark(42, 1763888400123L, "0/16E9058"));
    }

    @Test
    void deleteOrTombstoneOfTheHeartbeatRowIsNoWatermark() throws Exception {
        assertThat(CaptureMarkers.watermarkOf(null)).isNull();
        assertThat(CaptureMarkers.watermarkOf("{\"before\":{\"beats\":1},\"after\":null,\"source\":{\"ts_ms\":1},\"op\":\"d\"}"))
                .isNull();
    }

    @Test
    void lsnTextMatchesPostgresPgLsnOutput() {
        assertThat(CaptureMarkers.lsnText(0x1_0000_00A0L)).isEqualTo("1/A0");
        assertThat(CaptureMarkers.lsnText(0)).isEqualTo("0/0");
    }

    @Test
    void markerValuesRoundTrip() {
        Markers.Watermark w = new Markers.Watermark(3, 99, "0/1");
        assertThat(Markers.parseWatermark(Markers.watermark(w))).isEqualTo(w);
        assertThat(Markers.isWatermark(null, Markers.watermark(w))).isTrue();
        assertThat(Markers.isWatermark("k", Markers.watermark(w))).isFalse();
        assertThat(Markers.snapshotCompleteTable(Markers.snapshotComplete("public.items")).toString()).isEqualTo("public.items");
    }
}
