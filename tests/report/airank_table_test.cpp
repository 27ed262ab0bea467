// The AI-Rank README table from runs built by hand with the numbers the four logs carry
// (corpus/EXPECTED.md). The same table from the real logs is checked in tests/cli.
#include <gtest/gtest.h>

#include "report/analysis.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

using namespace rn50::testing;

store::StoredRun airank_run(int64_t id, int64_t ws, double total, double compute, double wall,
                            double best, const std::string& role, int64_t epochs) {
  store::StoredRun r;
  r.id = id;
  r.experiment = "airank";
  r.run.source_format = "ngc-dllogger-stdout";
  r.run.name = "GPUx" + std::to_string(ws) + "_" + role;
  r.run.status = core::RunStatus::kFinished;
  r.run.world_size.set(ws);
  r.run.batch_per_device.set(256);
  r.run.precision.set("amp");
  r.run.epochs_planned.set(epochs);
  r.run.tags = {{"role", role}};
  r.run.derived.summary_total_ips = total;
  r.run.derived.summary_compute_ips = compute;
  r.run.derived.total_ips = total + 1.5;  // window values differ: the table must use Summary
  r.run.derived.compute_ips = compute + 1.5;
  r.run.derived.wall_time_s = wall;
  r.run.derived.best_top1 = best;
  r.run.derived.target_top1 = 75.9;
  return r;
}

std::vector<store::StoredRun> airank_runs() {
  return {airank_run(1, 1, 854.37, 859.24, 137335.28, 76.63, "time2train", 90),
          airank_run(2, 8, 6244.87, 6264.05, 17494.33, 76.20, "time2train", 90),
          airank_run(3, 32, 22710.21, 22774.41, 5237.46, 75.90, "time2train", 90),
          airank_run(4, 1, 830.10, 836.54, 250 * 1500.0, 77.90, "accuracy", 250)};
}

TEST(AiRankTable, EveryCellOfThePublishedTable) {
  const auto rep = build_report(airank_runs(), AnalysisOptions{});
  const auto& t = table(rep, "summary");
  ASSERT_EQ(t.rows.size(), 3u);
  const double wall[] = {137335, 17501, 5237};
  const char* published[] = {"859.24 (compute)", "6244.87 (total)", "22710.21 (total)"};
  const double top1[] = {77.90, 76.20, 75.90};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(*cell(t, i, "Wall time").number, wall[i], 10.0) << i;
    EXPECT_EQ(cell(t, i, "Throughput as published").text, published[i]);
    EXPECT_NEAR(*cell(t, i, "Top-1").number, top1[i], 1e-9);
  }
  EXPECT_EQ(cell(t, 0, "Devices").text, "1");
  EXPECT_EQ(cell(t, 1, "Devices").text, "8");
  EXPECT_EQ(cell(t, 2, "Devices").text, "32");
  EXPECT_EQ(cell(t, 0, "Top-1").text, "77.90 (accuracy run #4)");
  EXPECT_EQ(cell(t, 1, "Top-1").text, "76.20");
  // Published speedups divide a total by a compute: 7.27 and 26.43.
  EXPECT_EQ(cell(t, 1, "Speedup as published").text, "7.27");
  EXPECT_EQ(cell(t, 2, "Speedup as published").text, "26.43");
  EXPECT_EQ(cell(t, 1, "Speedup total/total").text, "7.31");
  EXPECT_EQ(cell(t, 2, "Speedup total/total").text, "26.58");
  EXPECT_EQ(cell(t, 1, "Speedup compute/compute").text, "7.29");
  EXPECT_EQ(cell(t, 2, "Speedup compute/compute").text, "26.51");
  EXPECT_EQ(cell(t, 0, "Throughput total_ips").text, "854.37");
  EXPECT_EQ(cell(t, 2, "Throughput compute_ips").text, "22774.41");
  EXPECT_TRUE(any_contains(rep.warnings, "Mixed throughput definitions"));
  // Wall time and time to target are separate, labelled columns.
  EXPECT_TRUE(contains(t.columns[column(t, "Wall time")], "AI-Rank Time2train"));
  EXPECT_TRUE(contains(t.columns[column(t, "Time to target")], "MLPerf sense"));
}

TEST(AiRankTable, NoBaselineGivesAReasonNotANumber) {
  auto runs = airank_runs();
  runs.erase(runs.begin());  // 1-device time2train run
  runs.pop_back();           // accuracy run
  const auto rep = build_report(runs, AnalysisOptions{});
  const auto& t = table(rep, "summary");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_TRUE(cell(t, 0, "Speedup total/total").missing);
  EXPECT_EQ(cell(t, 0, "Speedup total/total").text, "n/a (no 1-device baseline)");
  EXPECT_TRUE(any_contains(t.notes, "speedup needs a 1-device run"));
  const auto& s = table(rep, "scaling");
  EXPECT_EQ(cell(s, 0, "Speedup").text, "n/a (no 1-device baseline)");
  EXPECT_FALSE(any_contains(rep.warnings, "Mixed throughput"));
}

TEST(AiRankTable, SingleRunsAreNotScoredAsMlperf) {
  const auto rep = build_report(airank_runs(), AnalysisOptions{});
  const auto& t = table(rep, "time_to_train");
  ASSERT_FALSE(t.rows.empty());
  EXPECT_TRUE(contains(cell(t, 0, "Olympic").text, "no score: needs 5 runs, has 1"));
}

}  // namespace
}  // namespace rn50::report
