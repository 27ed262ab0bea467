// Points written while a file is read (MetricStream) come back exactly like points written from
// memory: same series, same order, seq numbered across segments, also when a tiny budget cuts
// every series into many segments.
#include "store/metric_stream.h"

#include <gtest/gtest.h>

#include "store/ingest.h"
#include "store/queries.h"
#include "store_fixture.h"

namespace rn50::store {
namespace {

std::string history(Database& db, int64_t run_id) {
  Statement st(db.raw(),
               "SELECT key, level, seq, epoch, step, time, value FROM v_metric_history "
               "WHERE run_id = ? ORDER BY key, level, seq");
  st.bind(1, run_id);
  std::string out;
  while (st.step()) {
    for (int c = 0; c < 7; ++c) out += (st.is_null(c) ? "-" : st.col_text(c)) + " ";
    out += "\n";
  }
  return out;
}

TEST(MetricStream, SegmentedSeriesReadBackLikePointsWrittenFromMemory) {
  for (size_t budget : {size_t(1), size_t(200), size_t(1) << 20}) {
    auto db = Database::open(":memory:");
    core::ParsedFile in_memory;
    in_memory.format = "ngc-dllogger-stdout";
    in_memory.parser_version = "1";
    in_memory.runs = {testing::make_run("a", 40), testing::make_run("b", 7)};
    in_memory.runs[0].metrics.push_back(
        {"train.loss", "iter", 0.0, 4000, std::nullopt, std::numeric_limits<double>::quiet_NaN()});
    const IngestResult a = ingest_parsed(*db, testing::make_file("mem.log", 'm'), in_memory, {});

    // The same runs, their points handed over one by one, interleaved across runs.
    core::ParsedFile streamed = in_memory;
    for (auto& r : streamed.runs) r.metrics.clear();
    IngestOptions opt;
    opt.stream_budget_bytes = budget;
    FileTransaction tx(*db, testing::make_file("stream.log", 's'), opt);
    ASSERT_FALSE(tx.already_stored());
    const auto& m0 = in_memory.runs[0].metrics;
    const auto& m1 = in_memory.runs[1].metrics;
    for (size_t i = 0; i < std::max(m0.size(), m1.size()); ++i) {
      if (i < m0.size()) tx.stream().add(0, m0[i]);
      if (i < m1.size()) tx.stream().add(1, m1[i]);
    }
    const IngestResult b = tx.commit(streamed);
    ASSERT_EQ(b.run_ids.size(), 2u);
    EXPECT_EQ(b.metric_rows, static_cast<int64_t>(m0.size() + m1.size()));
    EXPECT_EQ(history(*db, b.run_ids[0]), history(*db, a.run_ids[0])) << budget;
    EXPECT_EQ(history(*db, b.run_ids[1]), history(*db, a.run_ids[1])) << budget;
    if (budget == 1) {
      EXPECT_EQ(query_int(db->raw(), "SELECT max(segment) FROM metric_series WHERE run_id = " +
                                         std::to_string(b.run_ids[0])),
                40);  // one segment per point of the longest series
    }
    // The report's loader sees the same points in the same order.
    RunFilter f;
    f.run_ids = {a.run_ids[0], b.run_ids[0]};
    const auto runs = load_runs(*db, f, Detail::kAll);
    ASSERT_EQ(runs.size(), 2u);
    ASSERT_EQ(runs[0].run.metrics.size(), runs[1].run.metrics.size());
    for (size_t i = 0; i < runs[0].run.metrics.size(); ++i) {
      EXPECT_EQ(runs[0].run.metrics[i].key, runs[1].run.metrics[i].key) << i;
      EXPECT_EQ(runs[0].run.metrics[i].step, runs[1].run.metrics[i].step) << i;
    }
  }
}

TEST(MetricStream, ATinyBudgetWritesManySegmentsAndKeepsEveryPoint) {
  auto db = Database::open(":memory:");
  core::ParsedFile pf;
  pf.format = "ngc-dllogger-stdout";
  pf.parser_version = "1";
  pf.runs = {testing::make_run("a", 0)};
  pf.runs[0].metrics.clear();
  {
    Transaction tx(db->raw());
    MetricStream stream(db->raw(), /*budget_bytes=*/3 * 48);
    for (int i = 0; i < 100; ++i) {
      stream.add(0, "train.loss", "iter", 0.0, i, std::nullopt, 10.0 - i);
      stream.add(0, "train.total_ips", "iter", 0.0, i, std::nullopt, 100.0 + i);
    }
    exec(db->raw(),
         "INSERT INTO experiments(id, name) VALUES (1, 'e');"
         "INSERT INTO source_files(id, sha256, path, abs_path, size_bytes, format, parser_version)"
         " VALUES (1, '" +
             std::string(64, 'c') +
             "', 'x', '/x', 1, 'f', '1');"
             "INSERT INTO runs(id, experiment_id, source_file_id, name, source_format, status)"
             " VALUES (5, 1, 1, 'x', 'f', 'finished')");
    EXPECT_EQ(stream.finish({5}), 200);
    tx.commit();
  }
  EXPECT_GT(query_int(db->raw(), "SELECT count(*) FROM metric_series WHERE run_id = 5"), 10);
  EXPECT_EQ(
      query_int(db->raw(),
                "SELECT count(*) FROM v_metric_history WHERE run_id = 5 AND key = 'train.loss'"),
      100);
  // seq runs 0..99 without gaps and follows the order the points were given in.
  EXPECT_EQ(query_int(db->raw(),
                      "SELECT count(*) FROM v_metric_history WHERE run_id = 5 AND "
                      "key = 'train.loss' AND value = 10.0 - seq AND step = seq"),
            100);
  const auto runs = load_runs(*db, {}, Detail::kAll);
  ASSERT_EQ(runs.size(), 0u);  // a raw run without a membership is not selectable
}

}  // namespace
}  // namespace rn50::store
