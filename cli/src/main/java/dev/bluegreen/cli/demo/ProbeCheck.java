package dev.bluegreen.cli.demo;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * After the cutover and a drain: did every probe write that blue acknowledged reach green, in green's
 * shape, and did blue take exactly the probe writes it acknowledged (none after the flip, none lost)?
 * Stateless.
 */
final class ProbeCheck {

    /** Most problems listed one by one; the rest are counted. */
    private static final int MAX_LISTED = 5;

    private ProbeCheck() {
    }

    /**
     * @param blueAcks the probe transactions blue acknowledged
     * @param blue a connection to blue's {@code bench} database
     * @param green a connection to green's {@code bench} database
     * @return the problems, empty when green holds every acknowledged blue write (transfer id = blue's
     *     {@code hid}, account = the probe's seq, 100 cents) and blue holds exactly the acknowledged ones
     */
    static List<String> problems(List<Probe.Ack> blueAcks, Connection blue, Connection green) throws SQLException {
        List<String> problems = new ArrayList<>();
        long onBlue = count(blue, "SELECT count(*) FROM public.pgbench_history WHERE filler = 'probe'");
        if (onBlue != blueAcks.size()) {
            problems.add("blue holds " + onBlue + " probe rows but acknowledged " + blueAcks.size());
        }
        Map<Long, long[]> greenRows = greenTransfers(green, blueAcks);
        int missing = 0;
        for (Probe.Ack a : blueAcks) {
            String problem = difference(a, greenRows.get(a.id()));
            if (problem != null && ++missing <= MAX_LISTED) {
                problems.add(problem);
            }
        }
        if (missing > MAX_LISTED) {
            problems.add((missing - MAX_LISTED) + " more probe writes missing or different in green");
        }
        return problems;
    }

    /** What is wrong with green's row of an acknowledged blue write, or null. */
    private static String difference(Probe.Ack ack, long[] greenRow) {
        if (greenRow == null) {
            return "transfer " + ack.id() + " (probe transaction " + ack.seq() + ", acknowledged by blue) is not in green";
        }
        if (greenRow[0] != ack.seq() || greenRow[1] != 100) {
            return "transfer " + ack.id() + " differs in green: account " + greenRow[0] + ", " + greenRow[1]
                    + " cents; expected account " + ack.seq() + ", 100 cents";
        }
        return null;
    }

    /** Green's transfers with the acknowledged ids: id to {account_id, amount_cents}. */
    private static Map<Long, long[]> greenTransfers(Connection green, List<Probe.Ack> acks) throws SQLException {
        Map<Long, long[]> out = new HashMap<>();
        Array ids = green.createArrayOf("bigint", acks.stream().map(Probe.Ack::id).toArray());
        try (PreparedStatement ps = green.prepareStatement(
                "SELECT transfer_id, account_id, amount_cents FROM bank.transfer WHERE transfer_id = ANY (?)")) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
