// kam through the PostgreSQL JDBC driver (the driver Metabase uses): prepared
// statements, composite results, arrays, set-returning functions, kam summary
// types as text, SQLSTATEs of errors.  Run by test/clients/run.sh.
import java.sql.*;
import java.util.*;

public class KamJdbcTest {
    static int checks = 0;

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError("jdbc: " + what);
        checks++;
    }

    static void close(double a, double b, double tol, String what) {
        check(Math.abs(a - b) <= tol, what + ": " + a + " vs " + b);
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + System.getenv().getOrDefault("PGHOST", "localhost") + ":"
            + System.getenv().getOrDefault("PGPORT", "5432") + "/" + args[0];
        Properties p = new Properties();
        p.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
        if (System.getenv("PGPASSWORD") != null) p.setProperty("password", System.getenv("PGPASSWORD"));
        try (Connection c = DriverManager.getConnection(url, p)) {
            // an aggregate over parameters
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT kam.nrr(s, e), kam.grr(s, e) FROM (VALUES (?::float8, ?::float8), (?::float8, ?::float8)) v(s, e)")) {
                s.setDouble(1, 100); s.setDouble(2, 120); s.setDouble(3, 50); s.setDouble(4, 0);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    close(r.getDouble(1), 0.8, 1e-12, "nrr");
                    close(r.getDouble(2), 100.0 / 150.0, 1e-12, "grr");
                }
            }
            // arrays as parameters: Gainsight's example
            try (PreparedStatement s = c.prepareStatement("SELECT kam.weighted_score(?, ?), kam.health_grade(kam.health_score(?, ?))")) {
                Array scores = c.createArrayOf("float8", new Double[] {0.47, 0.59, 0.21});
                Array weights = c.createArrayOf("float8", new Double[] {20.0, 15.0, 22.0});
                Array measures = c.createArrayOf("float8", new Double[] {47.0, 59.0, 21.0});
                s.setArray(1, scores); s.setArray(2, weights); s.setArray(3, measures); s.setArray(4, weights);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    close(r.getDouble(1), 2287.0 / 57.0, 1e-9, "weighted_score");
                    check(r.getString(2).equals("F"), "grade");
                }
            }
            // a composite result, read by column name
            try (PreparedStatement s = c.prepareStatement("SELECT (kam.wilson_interval(?, ?, ?)).*")) {
                s.setLong(1, 8); s.setLong(2, 10); s.setDouble(3, 0.95);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    close(r.getDouble("estimate"), 0.8, 1e-12, "wilson estimate");
                    close(r.getDouble("lower"), 0.4902, 5e-5, "wilson lower");
                    close(r.getDouble("upper"), 0.9433, 5e-5, "wilson upper");
                }
            }
            // a kam summary type as text, and back as a parameter
            String summary;
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT kam.retention_agg(s, e)::text FROM (VALUES (100.0, 120.0), (50, 0), (0, 30)) v(s, e)")) {
                r.next();
                summary = r.getString(1);
                check(summary.startsWith("(starting=150:2,new=30:1"), "retention text " + summary);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT kam.nrr(?::kam.retention), kam.quick_ratio(?::kam.retention)")) {
                s.setString(1, summary); s.setString(2, summary);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    close(r.getDouble(1), 0.8, 1e-12, "nrr from text");
                    close(r.getDouble(2), 50.0 / 50.0, 1e-12, "quick ratio from text");
                }
            }
            // an array of composites, unnested: the MRR waterfall reconciles period to period
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery(
                    "SELECT w.* FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr) FROM crm.mrr_snapshots)) w ORDER BY period")) {
                int n = 0;
                double prevEnding = 0;
                while (r.next()) {
                    double starting = r.getDouble("starting_mrr");
                    if (n > 0) close(starting, prevEnding, 0.005, "waterfall continuity");
                    prevEnding = r.getDouble("ending_mrr");
                    n++;
                }
                check(n == 24, "waterfall periods " + n);
            }
            // a set-returning function over a summary passed as text
            try (PreparedStatement s = c.prepareStatement("SELECT t, survival FROM kam.survival_curve(?::kam.survival) ORDER BY t")) {
                s.setString(1, "(10:1:0,20:1:0,30:1:0,40:1:0)");
                try (ResultSet r = s.executeQuery()) {
                    int n = 0;
                    while (r.next()) n++;
                    check(n == 4, "survival rows");
                }
            }
            // Unicode text
            try (PreparedStatement s = c.prepareStatement("SELECT kam.sparkline(?)")) {
                s.setArray(1, c.createArrayOf("float8", new Double[] {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}));
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    check(r.getString(1).equals("\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"), "sparkline");
                }
            }
            // a NaN sent in binary with the bits kam.sparkline's state gives a gap (JDBC sends a
            // double's 8 bytes as they are): still a NaN value, an error, not a gap drawn
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT kam.sparkline(v ORDER BY i) FROM (VALUES (1, 1::float8), (2, ?::float8), (3, 3::float8)) t(i, v)")) {
                s.setDouble(1, Double.longBitsToDouble(0x7ff4000000000001L));
                s.executeQuery();
                check(false, "a NaN of the gap's bits drawn as a gap");
            } catch (SQLException e) {
                check("22003".equals(e.getSQLState()), "sparkline NaN SQLSTATE " + e.getSQLState());
            }
            // errors carry kam's SQLSTATE
            try (PreparedStatement s = c.prepareStatement("SELECT kam.weighted_score(?, ?)")) {
                s.setArray(1, c.createArrayOf("float8", new Double[] {0.5, 0.5}));
                s.setArray(2, c.createArrayOf("float8", new Double[] {1.0, -1.0}));
                s.executeQuery();
                check(false, "negative weight accepted");
            } catch (SQLException e) {
                check("22023".equals(e.getSQLState()), "SQLSTATE " + e.getSQLState());
            }
            // the same prepared statement many times (server-side prepare after 5 uses)
            try (PreparedStatement s = c.prepareStatement("SELECT kam.health_color(?)")) {
                for (int i = 0; i <= 100; i += 5) {
                    s.setDouble(1, i);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        String want = i <= 50 ? "red" : (i <= 75 ? "yellow" : "green");
                        check(r.getString(1).equals(want), "colour of " + i);
                    }
                }
            }
            // the review views of docs/examples/review-views.sql, as Metabase reads them: column
            // names and JDBC types from the result metadata, and at least one row each
            String[][] views = {
                {"nrr_by_manager", "manager:text", "accounts:int8", "nrr:float8", "grr:float8", "expansion_rate:float8"},
                {"mrr_waterfall", "period:date", "new_mrr:float8", "churned_mrr:float8", "ending_mrr:float8"},
                {"mrr_movements", "period:date", "movement:text", "mrr:float8"},
                {"cohort_heatmap", "cohort:date", "months_since:int4", "revenue_retention:float8"},
                {"account_health", "account:text", "health:float8", "grade:text", "color:text", "mrr_12_months:text", "nps_lower:float8"},
                {"key_account_matrix", "account:text", "attractiveness:float8", "strength:float8", "quadrant:text", "abc:text"},
                {"renewals_due", "account:text", "manager:text", "term_end:date", "days_left:int4", "arr_at_stake:float8", "status:text", "grade:text"},
                {"renewals_by_manager", "manager:text", "due:int8", "renewal_rate:float8", "net_renewal_rate:float8"},
            };
            for (String[] v : views) {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM review." + v[0])) {
                    ResultSetMetaData md = r.getMetaData();
                    Map<String, String> types = new HashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) types.put(md.getColumnName(i), md.getColumnTypeName(i));
                    for (int i = 1; i < v.length; i++) {
                        String[] nt = v[i].split(":");
                        check(nt[1].equals(types.get(nt[0])), "review." + v[0] + "." + nt[0] + " is " + types.get(nt[0]));
                    }
                    check(r.next(), "review." + v[0] + " has rows");
                }
            }
        }
        // every stored type through the binary protocol (send, then recv) with the driver's
        // CopyManager: COPY ... (FORMAT binary) out to the client and in again, equal
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE kam_values AS SELECT  (SELECT kam.retention_agg(s, e) FROM (VALUES (100.0::float8, 120.0::float8), (50, 0), (0, 30)) v(s, e)) AS retention,  (SELECT kam.survival_agg(a, b, '2024-12-01') FROM (VALUES ('2024-01-01'::date, '2024-03-01'::date), ('2024-02-01', NULL)) v(a, b)) AS survival,  kam.bgnbd(0.243, 4.414, 0.793, 2.426) AS bgnbd, kam.gammagamma(6.25, 3.74, 15.44) AS gammagamma,  kam.scorecard(ARRAY['arr', 'nps'], ARRAY[3, 1], ARRAY[0, -100], ARRAY[200000, 100], 'zero') AS scorecard,  kam.hhi_sfunc(kam.hhi_sfunc(NULL, 3), 4) AS hhi_state, kam.forecast_sfunc(NULL, 110, 100) AS forecast_state, kam.top_sfunc(kam.top_sfunc(NULL, 3, 2), 5.5, 2) AS top_state,  (SELECT kam.nps_agg(s) FROM (VALUES (9), (10), (3)) v(s)) AS survey,  kam.band_scheme(ARRAY['at risk', 'watch', 'healthy'], ARRAY[40, 70, 100]) AS band_scheme,  (SELECT kam.trend(at, x) FROM (VALUES ('2024-01-01'::timestamptz, 1.5::float8), ('2024-02-01', 3)) v(at, x)) AS trend,  (SELECT kam.renewal_agg(e, r, v, w, '2024-01-01', '2025-01-01', '2025-01-01') FROM (VALUES ('2024-03-31'::date, '2024-03-15'::date, 1200.5::float8, 1320.25::float8), ('2024-06-30', NULL, 800, NULL), ('2024-12-15', NULL, 99.99, NULL)) v(e, r, v, w)) AS renewals,  kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) AS sbg,  kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562) AS paretonbd, kam.mbgnbd(0.525, 6.183, 0.891, 1.614) AS mbgnbd, kam.bgbb(1.204, 0.750, 0.657, 2.783) AS bgbb, kam.bdw(0.7, 1.2, 0.9) AS bdw");
            s.execute("CREATE TEMP TABLE kam_values_back (LIKE kam_values)");
            org.postgresql.copy.CopyManager cm = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            cm.copyOut("COPY kam_values TO STDOUT (FORMAT binary)", out);
            cm.copyIn("COPY kam_values_back FROM STDIN (FORMAT binary)", new java.io.ByteArrayInputStream(out.toByteArray()));
            List<String> cols = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_name = 'kam_values' ORDER BY ordinal_position")) {
                while (r.next()) cols.add(r.getString(1));
            }
            // one column per base type kam defines: a new type without a column fails here
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_type WHERE typnamespace = 'kam'::regnamespace AND typtype = 'b' AND typelem = 0")) {
                r.next();
                check(cols.size() == r.getInt(1), "every stored type (" + cols.size() + " columns, " + r.getInt(1) + " types)");
            }
            for (String col : cols) {
                try (ResultSet r = s.executeQuery("SELECT a." + col + "::text, b." + col + "::text FROM kam_values a, kam_values_back b")) {
                    r.next();
                    check(r.getString(1) != null && r.getString(1).equals(r.getString(2)),
                          "kam." + col + " through binary: " + r.getString(1) + " vs " + r.getString(2));
                }
            }
        }
        System.out.println("jdbc: " + checks + " checks passed");
    }
}
