// A whole MLPerf Training v2.1 results tree, ingested in one command and reported in one: every
// system's score as MLPerf's official result summarizer computed it (expected_scores.tsv, within
// 0.0005 min), its devices from its system description (expected_systems.tsv), its own scaling
// factor; a set without a score says why in JSON too; one system under a second organisation is
// scored twice from runs stored once.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const json* results_table(const json& rep) {
  for (const auto& t : rep["tables"])
    if (t["id"] == "mlperf_results") return &t;
  return nullptr;
}

class MlperfTree : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-mlperf-tree"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(MlperfTree, OneIngestAndOneReportGiveTheRoundsScoresAndDevices) {
  RN50_REQUIRE_CORPUS();
  const fs::path tree = rn50::testing::corpus_dir() / "mlperf-tree-v2.1";
  auto r = rn50("ingest --db t.db --experiment v2.1 " + q(tree.string()), dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("90 file(s) stored"), std::string::npos) << r.out;
  EXPECT_NE((r.out + r.err).find("used 13 scaling.json files, 18 system descriptions"),
            std::string::npos)
      << r.out << r.err;
  r = rn50("report --db t.db --experiment v2.1 --format json --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json rep = json::parse(slurp(dir_ / "rep" / "report.json"));
  const json* table = results_table(rep);
  ASSERT_NE(table, nullptr);
  std::map<std::string, json> rows;
  for (const auto& row : (*table)["rows"])
    rows[row["Organisation"].get<std::string>() + "/" + row["System"].get<std::string>()] = row;
  ASSERT_EQ(rows.size(), 18u);

  double previous = 0;
  for (const auto& row : (*table)["rows"]) {  // sorted by score
    ASSERT_TRUE(row["Score (min)"].is_number()) << row.dump();
    EXPECT_GE(row["Score (min)"].get<double>(), previous);
    previous = row["Score (min)"].get<double>();
  }
  for (const auto& want : rn50::testing::read_tsv(tree / "expected_scores.tsv")) {
    const std::string key = want.at("org") + "/" + want.at("system");
    ASSERT_TRUE(rows.count(key)) << key;
    const json& row = rows[key];
    EXPECT_NEAR(row["Score (min)"].get<double>(), std::stod(want.at("score_minutes")), 0.0005)
        << key;
    const double factor = std::stod(want.at("scaling_factor"));
    if (factor == 1.0) {
      EXPECT_EQ(row["Scaling factor"], "none") << key;
    } else {
      ASSERT_TRUE(row["Scaling factor"].is_object()) << key << row["Scaling factor"].dump();
      EXPECT_NEAR(row["Scaling factor"]["value"].get<double>(), factor, 1e-12) << key;
    }
    const std::string converged = want.at("not_converged").empty() ? "5/5" : "4/5";
    EXPECT_EQ(row["Converged/total"], converged) << key;
  }
  for (const auto& want : rn50::testing::read_tsv(tree / "expected_systems.tsv")) {
    const std::string key = want.at("org") + "/" + want.at("system");
    const json& row = rows[key];
    if (want.at("devices") != "0") {
      EXPECT_EQ(row["Devices"], std::stoll(want.at("devices"))) << key;
      EXPECT_EQ(row["Accelerator"], want.at("accelerator")) << key;
    } else {
      // CPU-only: no accelerator; the devices are the host processors, and the cell says so.
      ASSERT_TRUE(row["Devices"].is_object()) << key << row["Devices"].dump();
      EXPECT_NE(row["Devices"]["text"].get<std::string>().find("host processors"),
                std::string::npos);
      EXPECT_NE(row["Accelerator"].get<std::string>().find("CPU-only"), std::string::npos);
    }
    EXPECT_EQ(row["Framework"], want.at("framework")) << key;
  }

  // The tables that group by configuration never pool two sets: systems with the same devices
  // and batch (two 8-GPU sets at batch 256 here) are rows of their own, each naming its set.
  for (const std::string title : {"Summary by device count", "Scaling", "Accuracy"}) {
    const json* t = nullptr;
    for (const auto& x : rep["tables"])
      if (x["title"].get<std::string>().rfind(title, 0) == 0) t = &x;
    ASSERT_NE(t, nullptr) << title;
    std::set<std::string> sets;
    for (const auto& row : (*t)["rows"]) {
      const std::string runs = row["Runs"].get<std::string>();
      const size_t colon = runs.find(": #");
      ASSERT_NE(colon, std::string::npos) << title << ": " << runs;
      EXPECT_TRUE(rows.count(runs.substr(0, colon))) << title << ": " << runs;
      sets.insert(runs.substr(0, colon));
    }
    if (title == "Summary by device count") {
      EXPECT_EQ(sets.size(), 18u);
      // No set has a 1-device run: one note says so for all 18, not 18 notes.
      ASSERT_EQ((*t)["notes"].size(), 1u) << (*t)["notes"].dump();
      EXPECT_EQ((*t)["notes"][0].get<std::string>().rfind("No speedup for 18 configurations: ", 0),
                0u);
    }
    if (title != "Accuracy") {
      EXPECT_EQ(sets.size(), (*t)["rows"].size()) << title;
    }
  }
}

// Copies the regular files below `from` to the same places below `to`.
void copy_tree(const fs::path& from, const fs::path& to) {
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    const fs::path dst = to / fs::relative(e.path(), from);
    if (e.is_directory()) {
      fs::create_directories(dst);
    } else {
      fs::create_directories(dst.parent_path());
      fs::copy_file(e.path(), dst);
    }
  }
}

TEST_F(MlperfTree, OneSystemUnderTwoOrganisationsIsScoredTwiceFromRunsStoredOnce) {
  RN50_REQUIRE_CORPUS();
  const fs::path nv = rn50::testing::corpus_dir() / "mlperf-tree-v2.1" / "NVIDIA";
  const fs::path round = dir_ / "round";
  for (const char* org : {"NVIDIA", "ResoldSystems"}) {
    copy_tree(nv / "results" / "dgxa100_ngc22.04_mxnet",
              round / org / "results" / "dgxa100_ngc22.04_mxnet");
    copy_tree(nv / "systems", round / org / "systems");
  }
  auto r = rn50("ingest --db c.db --experiment round " + q(round.string()), dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("5 file(s) stored (5 runs), 5 stored before"), std::string::npos) << r.out;
  r = rn50("report --db c.db --format json,md --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json rep = json::parse(slurp(dir_ / "rep" / "report.json"));
  const json* table = results_table(rep);
  ASSERT_NE(table, nullptr);
  ASSERT_EQ((*table)["rows"].size(), 2u);
  for (const auto& row : (*table)["rows"])
    EXPECT_NEAR(row["Score (min)"].get<double>(), 28.81146735042735, 0.0005) << row.dump();
  const auto runs = rn50("runs list --db c.db --format csv", dir_);
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("ResoldSystems/dgxa100_ngc22.04_mxnet/result_0"), std::string::npos);
  EXPECT_NE(runs.out.find("NVIDIA/dgxa100_ngc22.04_mxnet/result_0"), std::string::npos);
}

TEST_F(MlperfTree, ASetWithoutAScoreSaysWhyInJsonToo) {
  RN50_REQUIRE_CORPUS();
  const fs::path set = rn50::testing::corpus_dir() / "mlperf-tree-v2.1" / "NVIDIA" / "results" /
                       "dgxh100_preview" / "resnet";
  // Three of the five runs: MLPerf needs five.
  auto r = rn50("ingest --db s.db " + q((set / "result_0.txt").string()) + " " +
                    q((set / "result_1.txt").string()) + " " + q((set / "result_2.txt").string()),
                dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = rn50("report --db s.db --format json,md --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json rep = json::parse(slurp(dir_ / "rep" / "report.json"));
  const json* table = results_table(rep);
  ASSERT_NE(table, nullptr);
  const json& score = (*table)["rows"][0]["Score (min)"];
  ASSERT_TRUE(score.is_object()) << score.dump();
  EXPECT_TRUE(score["value"].is_null());
  EXPECT_EQ(score["reason"], "no score: needs 5 runs, has 3");
  EXPECT_NE(slurp(dir_ / "rep" / "report.md").find("no score: needs 5 runs, has 3"),
            std::string::npos);
}

}  // namespace
}  // namespace rn50::report_cli
