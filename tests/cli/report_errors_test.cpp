// report/runs on bad input: clear messages, non-zero exits, nothing half-written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

class ReportErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = rn50::testing::make_temp_dir("rn50-report-errors");
    RN50_REQUIRE_CORPUS();
    const auto log = rn50::testing::corpus_dir() / "pytorch-examples" / "tfboyd" /
                     "worker_0_stdout.2019_progressmeter.txt";
    auto r =
        rn50("ingest --db e.db --experiment exp1 --tag 'who=a|b `c`' " + q(log.string()), dir_);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ReportErrors, UnknownExperimentNamesTheKnownOnes) {
  auto r = rn50("report --db e.db --experiment nope --out x", dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown experiment 'nope'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("known: exp1"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x"));
}

TEST_F(ReportErrors, EmptySelectionIsAnErrorAndWritesNothing) {
  auto r = rn50("report --db e.db --tag role=none --out x", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no runs match the selection (tag role=none)"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x"));
}

TEST_F(ReportErrors, MissingDatabaseIsNotCreated) {
  auto r = rn50("report --db missing.db", dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("database missing.db does not exist"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.db"));
}

TEST_F(ReportErrors, BadScalingJsonNamesFileAndKey) {
  std::ofstream(dir_ / "s.json") << "{\"factor\": 2}";
  auto r = rn50("report --db e.db --scaling-json s.json --out x", dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("s.json: key 'scaling_factor' missing"), std::string::npos) << r.err;
  std::ofstream(dir_ / "t.json") << "{\"scaling_factor\": -1}";
  r = rn50("report --db e.db --scaling-json t.json --out x", dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("must be a positive number"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x" / "report.md"));
}

TEST_F(ReportErrors, BadOptionValuesAreUsageErrors) {
  EXPECT_EQ(rn50("report --db e.db --format pdf", dir_).exit_code, 2);
  EXPECT_EQ(rn50("report --db e.db --target 0", dir_).exit_code, 2);
  EXPECT_EQ(rn50("report --db e.db --tag novalue", dir_).exit_code, 2);
  EXPECT_EQ(rn50("runs list --db e.db --format xml", dir_).exit_code, 2);
  auto r = rn50("runs show 999 --db e.db", dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no run with id 999"), std::string::npos) << r.err;
}

TEST_F(ReportErrors, RunWithoutEvaluationsOrBaselineExplainsEachTable) {
  auto r = rn50("report --db e.db --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = slurp(dir_ / "rep" / "report.md");
  // The tfboyd log: 1 device, throughput, no evaluation.
  EXPECT_NE(md.find("No run has an evaluation"), std::string::npos);
  EXPECT_EQ(md.find("nan"), std::string::npos);
  EXPECT_NE(md.find("who=a\\|b \\`c\\`"), std::string::npos);  // escaped tag
  // Plots not drawn for one reason share a line: "Top-1 accuracy vs epoch, ...: not drawn (...)".
  const size_t line = md.find("\n- Top-1 accuracy vs epoch");
  ASSERT_NE(line, std::string::npos);
  EXPECT_NE(md.substr(line, md.find('\n', line + 1) - line)
                .find(": not drawn (no run has per-epoch values"),
            std::string::npos);
}

TEST_F(ReportErrors, PngWritesPngsOrWarnsWhenRsvgConvertIsMissing) {
  namespace fs = std::filesystem;
  const bool have = std::system("command -v rsvg-convert >/dev/null 2>&1") == 0;
  auto r = rn50("report --db e.db --out rep --png", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::exists(dir_ / "rep" / "plots" / "step_time_histogram.png"), have);
  // Without rsvg-convert in PATH: SVGs and the report are still written, with a warning.
  const std::string sh = "cd " + q(dir_.string()) + " && env PATH=/nonexistent " + q(RN50_BINARY) +
                         " report --db e.db --out rep3 --png 2>err3.txt >/dev/null";
  ASSERT_EQ(std::system(sh.c_str()), 0);
  EXPECT_NE(slurp(dir_ / "err3.txt").find("rsvg-convert not found"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "rep3" / "report.md"));
  EXPECT_TRUE(fs::exists(dir_ / "rep3" / "plots" / "step_time_histogram.svg"));
  EXPECT_FALSE(fs::exists(dir_ / "rep3" / "plots" / "step_time_histogram.png"));
}

TEST_F(ReportErrors, RunsListShowDiff) {
  auto second = rn50(
      "ingest --db e.db --experiment exp1 " + q((rn50::testing::corpus_dir() / "pytorch-examples" /
                                                 "tfboyd" / "worker_0_stdout.2018_prec_format.txt")
                                                    .string()),
      dir_);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto list = rn50("runs list --db e.db --format json", dir_);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto runs = nlohmann::json::parse(list.out);
  ASSERT_EQ(runs.size(), 2u);
  const std::string a = std::to_string(runs[0]["id"].get<int>());
  const std::string b = std::to_string(runs[1]["id"].get<int>());
  auto show = rn50("runs show " + a + " --db e.db --format csv", dir_);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out.rfind("section,key,value,source\n", 0), 0u) << show.out;
  auto diff = rn50("runs diff " + a + " " + b + " --db e.db --format md", dir_);
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("| facts | world\\_size | 1 | 4 |"), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("| params | arch |"), std::string::npos);  // same value: not shown
}

}  // namespace
}  // namespace rn50::report_cli
