// One database with the logs of six trainers (Enflame train.py console, torchvision references,
// timm summary.csv + args.yaml, tf_cnn_benchmarks, NGC DeepLearningExamples, MLPerf): the report
// shows their runs side by side, and every throughput number carries the definition it was
// computed with; a log without a throughput (timm) gets none.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* kFolders[] = {
    "enflame-console",   "torchvision-references", "timm",
    "tf-cnn-benchmarks", "ngc-stdout/airank",      "mlperf/v1.0-nvidia-dgxa100"};

struct RunRow {
  std::string name, origin, definition;
  std::optional<double> total_ips, summary_total_ips;
  std::optional<int64_t> batch;
};

// v_run_summary as a user's script reads it.
std::map<std::string, RunRow> run_rows(const fs::path& db_path) {
  std::map<std::string, RunRow> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT r.name, s.source_format, s.total_ips, s.total_ips_definition, s.summary_total_ips, "
      "s.batch_per_device FROM v_run_summary s JOIN runs r ON r.id = s.run_id";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  auto text = [&](int i) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return t ? std::string(t) : std::string();
  };
  auto real = [&](int i) -> std::optional<double> {
    if (sqlite3_column_type(st, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(st, i);
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    RunRow r;
    r.name = text(0);
    r.origin = text(1);
    r.total_ips = real(2);
    r.definition = text(3);
    r.summary_total_ips = real(4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) r.batch = sqlite3_column_int64(st, 5);
    out[r.name] = r;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

class MixedOrigins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(rn50::testing::make_temp_dir("rn50-report-mixed"));
    if (!fs::is_directory(rn50::testing::corpus_dir())) return;
    std::string paths;
    for (const char* f : kFolders) paths += " " + q((rn50::testing::corpus_dir() / f).string());
    ingest_ = new CliResult(rn50("ingest --db m.db --experiment mix" + paths, *dir_));
    md_ = new CliResult(rn50("report --db m.db --experiment mix --out md", *dir_));
    json_ = new CliResult(rn50("report --db m.db --experiment mix --format json --out js", *dir_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete ingest_;
    delete md_;
    delete json_;
  }
  void SetUp() override {
    RN50_REQUIRE_CORPUS();
    ASSERT_NE(ingest_, nullptr);
    ASSERT_EQ(ingest_->exit_code, 0) << ingest_->out << ingest_->err;
  }
  static fs::path* dir_;
  static CliResult* ingest_;
  static CliResult* md_;
  static CliResult* json_;
};
fs::path* MixedOrigins::dir_ = nullptr;
CliResult* MixedOrigins::ingest_ = nullptr;
CliResult* MixedOrigins::md_ = nullptr;
CliResult* MixedOrigins::json_ = nullptr;

TEST_F(MixedOrigins, EveryOriginIsIngestedAndReportedSideBySide) {
  EXPECT_NE(ingest_->out.find("17 file(s) stored (17 runs)"), std::string::npos) << ingest_->out;
  // The timm args files are read with their summary.csv, not skipped as unknown files.
  EXPECT_EQ(ingest_->out.find("args_res50_100.yaml: skipped"), std::string::npos) << ingest_->out;
  EXPECT_NE(ingest_->out.find("2 timm args file"), std::string::npos) << ingest_->out;
  ASSERT_EQ(md_->exit_code, 0) << md_->err;
  ASSERT_EQ(json_->exit_code, 0) << json_->err;
  const std::string md = slurp(*dir_ / "md" / "report.md");
  for (const char* origin : {"enflame-console", "torchvision-references", "timm",
                             "tf-cnn-benchmarks", "ngc-dllogger-stdout", "mlperf"}) {
    EXPECT_NE(md.find("| " + std::string(origin) + " | mix |"), std::string::npos) << origin;
  }
  // The runs table of the JSON report: one row per run, the throughput cells as stored.
  const json rep = json::parse(slurp(*dir_ / "js" / "report.json"));
  std::map<std::string, json> rows;
  for (const auto& t : rep["tables"])
    if (t["id"] == "runs")
      for (const auto& r : t["rows"]) rows[r["Name"].get<std::string>()] = r;
  ASSERT_EQ(rows.size(), 17u);
  EXPECT_TRUE(rows["summary_res50_100.csv"]["total img/s"].is_null());
  EXPECT_TRUE(rows["summary_res50_100.csv"]["summary total img/s"].is_null());
  EXPECT_EQ(rows["summary_res50_100.csv"]["Batch/device"], 256);  // from args_res50_100.yaml
  EXPECT_EQ(rows["summary_res50_100.csv"]["Epochs done/planned"], "110/110");
  EXPECT_DOUBLE_EQ(
      rows["3970X-Radeon-VII-Pro-PCIEGen3__syn-replicated-fp16-2gpus__resnet50-192.log"]
          ["total img/s"],
      627.01);
  EXPECT_DOUBLE_EQ(rows["tvref_resnet18_2ep_b32.log"]["total img/s"], 224.0);
}

TEST_F(MixedOrigins, EveryThroughputHasItsOwnDefinitionAndNoneIsInvented) {
  const auto runs = run_rows(*dir_ / "m.db");
  ASSERT_EQ(runs.size(), 17u);
  for (const auto& [name, r] : runs) {
    SCOPED_TRACE(name);
    if (r.total_ips) {
      EXPECT_FALSE(r.definition.empty());
      EXPECT_FALSE(r.definition.starts_with("NULL")) << r.definition;
    }
    if (r.origin == "timm") {
      // summary.csv has no time: no throughput, and the stored sentence says why.
      EXPECT_FALSE(r.total_ips.has_value());
      EXPECT_FALSE(r.summary_total_ips.has_value());
      EXPECT_TRUE(r.definition.starts_with("NULL: ")) << r.definition;
    } else {
      EXPECT_TRUE(r.total_ips.has_value());
    }
    if (r.origin == "tf-cnn-benchmarks") {
      EXPECT_NE(r.definition.find("'total images/sec'"), std::string::npos) << r.definition;
      EXPECT_EQ(r.total_ips, r.summary_total_ips);
    }
    if (r.origin == "torchvision-references") {
      // Whole epochs over their Total time, never the logged per-rank last-iteration img/s.
      EXPECT_NE(r.definition.find("Total time"), std::string::npos) << r.definition;
      EXPECT_NE(r.definition.find("world_size"), std::string::npos) << r.definition;
      EXPECT_FALSE(r.summary_total_ips.has_value());
    }
    if (r.origin == "enflame-console") {
      EXPECT_NE(r.definition.find("[Model_Train]"), std::string::npos) << r.definition;
      EXPECT_NEAR(*r.total_ips, 160.0 / 45.494, 1e-6);
    }
    if (r.origin == "ngc-dllogger-stdout") {
      EXPECT_NE(r.definition.find("dllogger"), std::string::npos) << r.definition;
    }
    if (r.origin == "mlperf") {
      EXPECT_NE(r.definition.find("epoch_start..epoch_stop"), std::string::npos) << r.definition;
    }
  }
  EXPECT_NEAR(*runs.at("tvref_resnet18_2rank_torchrun_tee.log").total_ips, 32 * 32 * 2 / 11.0,
              1e-9);
  EXPECT_DOUBLE_EQ(
      *runs.at("7502-A100-PCIE-40GB__syn-replicated-fp16-2gpus__resnet50-448.log").total_ips,
      4083.0);
}

TEST_F(MixedOrigins, RunsShowPrintsEachNumberWithItsDefinition) {
  const auto runs = run_rows(*dir_ / "m.db");
  ASSERT_EQ(runs.size(), 17u);
  // Run ids follow the command line's order: the Enflame log is 1, the tf_cnn_benchmarks logs 7/8.
  const auto tf = rn50("runs show 7 --db m.db", *dir_);
  ASSERT_EQ(tf.exit_code, 0) << tf.err;
  EXPECT_NE(tf.out.find("627.01"), std::string::npos) << tf.out;
  EXPECT_NE(tf.out.find("'total images/sec'"), std::string::npos) << tf.out;
  const auto timm = rn50("runs show 5 --db m.db", *dir_);
  ASSERT_EQ(timm.exit_code, 0) << timm.err;
  EXPECT_NE(timm.out.find("origin"), std::string::npos);
  EXPECT_NE(timm.out.find("timm"), std::string::npos);
  EXPECT_EQ(timm.out.find("no throughput"), std::string::npos)  // NULL numbers show no sentence
      << timm.out;
}

}  // namespace
}  // namespace rn50::report_cli
