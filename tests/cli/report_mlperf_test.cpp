// MLPerf v1.0 ResNet scores from the real result files (corpus/mlperf): olympic means 4.30 (Google
// TPU v4-128) and 28.77 (NVIDIA DGX A100, one aborted run counted as the dropped slowest).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

using nlohmann::json;

class MlperfReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(rn50::testing::make_temp_dir("rn50-report-mlperf"));
    const auto mlperf = rn50::testing::corpus_dir() / "mlperf";
    if (!std::filesystem::is_directory(mlperf)) return;
    // Both sets in one experiment: the default grouping must still keep them apart.
    for (const char* set : {"v1.0-google-tpuv4-128", "v1.0-nvidia-dgxa100"}) {
      auto r = rn50("ingest --db m.db --experiment v1.0 " + q((mlperf / set).string()), *dir_);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
      r = rn50(
          std::string("ingest --db s.db --experiment ") + set + " " + q((mlperf / set).string()),
          *dir_);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* MlperfReport::dir_ = nullptr;

struct SetRow {
  std::string set, converged, per_run;
  double olympic = -1;
};

std::vector<SetRow> ttt_rows(const std::filesystem::path& report_json) {
  const json rep = json::parse(slurp(report_json));
  std::vector<SetRow> rows;
  for (const auto& t : rep["tables"]) {
    if (t["id"] != "time_to_train") continue;
    for (const auto& r : t["rows"]) {
      SetRow s;
      s.set = r["Set"];
      s.converged = r["Converged/total"];
      s.per_run = r["Per-run (min)"];
      if (r["Olympic mean (min)"].is_number()) s.olympic = r["Olympic mean (min)"];
      rows.push_back(s);
    }
  }
  return rows;
}

TEST_F(MlperfReport, OlympicMeansMatchThePublishedScores) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50("report --db m.db --format json --out all", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ttt_rows(*dir_ / "all" / "report.json");
  ASSERT_EQ(rows.size(), 2u);
  const SetRow* tpu = nullptr;
  const SetRow* a100 = nullptr;
  for (const auto& s : rows) (s.set.find("tpu") != std::string::npos ? tpu : a100) = &s;
  ASSERT_TRUE(tpu && a100) << rows[0].set << " / " << rows[1].set;
  EXPECT_NEAR(tpu->olympic, 4.3011, 5e-5);
  EXPECT_EQ(tpu->converged, "5/5");
  EXPECT_NEAR(a100->olympic, 28.7709, 5e-5);
  EXPECT_EQ(a100->converged, "4/5");
  EXPECT_NE(a100->per_run.find("30.3474"), std::string::npos);  // aborted run, listed last
  EXPECT_NE(a100->per_run.find("aborted"), std::string::npos);
}

TEST_F(MlperfReport, ExperimentSelectsOneSet) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50("report --db s.db --experiment v1.0-nvidia-dgxa100 --format json --out one", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ttt_rows(*dir_ / "one" / "report.json");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(rows[0].olympic, 28.7709, 5e-5);
}

TEST_F(MlperfReport, ScalingJsonMultipliesTheScore) {
  RN50_REQUIRE_CORPUS();
  std::ofstream(*dir_ / "scaling.json") << "{\"scaling_factor\": 1.0042232277526395}";
  auto r = rn50(
      "report --db s.db --experiment v1.0-google-tpuv4-128 --scaling-json scaling.json "
      "--format json --out scaled",
      *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ttt_rows(*dir_ / "scaled" / "report.json");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(rows[0].olympic, 4.3011 * 1.0042232277526395, 1e-4);
}

TEST_F(MlperfReport, FewerThanFiveRunsGiveAMessageNotAScore) {
  RN50_REQUIRE_CORPUS();
  auto list = rn50("runs list --db s.db --experiment v1.0-google-tpuv4-128 --format json", *dir_);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto runs = json::parse(list.out);
  ASSERT_EQ(runs.size(), 5u);
  std::string ids;
  for (size_t i = 0; i < 4; ++i) ids += " " + std::to_string(runs[i]["id"].get<int>());
  auto r = rn50("report --db s.db --format md --out four --runs" + ids, *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = slurp(*dir_ / "four" / "report.md");
  EXPECT_NE(md.find("no score: needs 5 runs, has 4"), std::string::npos);
}

}  // namespace
}  // namespace rn50::report_cli
