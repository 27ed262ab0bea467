// The AI-Rank README table reproduced from the four real logs (corpus/ngc-stdout/airank):
// ingest with role tags, then `rn50-exp report --format json` and check every cell.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

using nlohmann::json;

class AiRankReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(rn50::testing::make_temp_dir("rn50-report-airank"));
    const auto airank = rn50::testing::corpus_dir() / "ngc-stdout" / "airank";
    if (!std::filesystem::is_directory(airank)) return;
    for (const char* f :
         {"GPUx1_time2train_ips.log", "GPUx8_time2train_ips.log", "GPUx32_time2train_ips.log"}) {
      auto r = rn50(
          "ingest --db a.db --experiment airank --tag role=time2train " + q((airank / f).string()),
          *dir_);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    auto r = rn50("ingest --db a.db --experiment airank --tag role=accuracy " +
                      q((airank / "GPUx1_accuracy.log").string()),
                  *dir_);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* AiRankReport::dir_ = nullptr;

const json& table(const json& rep, const std::string& id) {
  for (const auto& t : rep["tables"])
    if (t["id"] == id) return t;
  throw std::runtime_error("no table " + id);
}

// Row value by column-name prefix: numbers may carry a label ({"value", "text"}).
const json& at(const json& t, size_t row, const std::string& prefix) {
  for (const auto& [k, v] : t["rows"].at(row).items())
    if (k.rfind(prefix, 0) == 0) return v;
  throw std::runtime_error("no column " + prefix);
}
double num(const json& v) { return v.is_object() ? v["value"].get<double>() : v.get<double>(); }
std::string text(const json& v) {
  return v.is_object()   ? v["text"].get<std::string>()
         : v.is_string() ? v.get<std::string>()
                         : v.dump();
}

TEST_F(AiRankReport, ReproducesEveryCellOfTheReadmeTable) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50("report --db a.db --experiment airank --format json --out rep", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json rep = json::parse(slurp(*dir_ / "rep" / "report.json"));
  const json& t = table(rep, "summary");
  ASSERT_EQ(t["rows"].size(), 3u) << t.dump(1);
  const int devices[] = {1, 8, 32};
  const double wall[] = {137335, 17501, 5237};  // published; ±10 s (the 8-GPU row counts from
                                                // the mpirun prefix of RUNNING EPOCHS)
  const char* published[] = {"859.24 (compute)", "6244.87 (total)", "22710.21 (total)"};
  const double top1[] = {77.90, 76.20, 75.90};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(num(at(t, i, "Devices")), devices[i]);
    EXPECT_NEAR(num(at(t, i, "Wall time, AI-Rank Time2train")), wall[i], 10.0) << i;
    EXPECT_EQ(text(at(t, i, "Throughput as published")), published[i]);
    EXPECT_NEAR(num(at(t, i, "Top-1")), top1[i], 1e-6) << i;
  }
  EXPECT_TRUE(text(at(t, 0, "Top-1")).find("accuracy run") != std::string::npos);
  // As printed (two decimals): the JSON carries the unrounded ratio.
  auto printed = [](const json& v) { return std::round(num(v) * 100) / 100; };
  EXPECT_DOUBLE_EQ(printed(at(t, 1, "Speedup as published")), 7.27);
  EXPECT_DOUBLE_EQ(printed(at(t, 2, "Speedup as published")), 26.43);
  EXPECT_DOUBLE_EQ(printed(at(t, 1, "Speedup total/total")), 7.31);
  EXPECT_DOUBLE_EQ(printed(at(t, 2, "Speedup total/total")), 26.58);
  EXPECT_DOUBLE_EQ(printed(at(t, 1, "Speedup compute/compute")), 7.29);
  EXPECT_DOUBLE_EQ(printed(at(t, 2, "Speedup compute/compute")), 26.51);
  // Time to 75.9 % (MLPerf sense) is its own column: the 1-GPU run reached it at epoch 82.
  EXPECT_LT(num(at(t, 0, "Time to target")), 137335.0 - 3 * 1500);
  bool mixed = false;
  for (const auto& w : rep["warnings"])
    mixed |= w.get<std::string>().find("Mixed throughput definitions") != std::string::npos;
  EXPECT_TRUE(mixed);
}

TEST_F(AiRankReport, MarkdownLabelsBothTimesAndLinksPlots) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50("report --db a.db --experiment airank --out md", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = slurp(*dir_ / "md" / "report.md");
  EXPECT_NE(md.find("Wall time, AI-Rank Time2train (s)"), std::string::npos);
  EXPECT_NE(md.find("Time to target 75.90 %, MLPerf sense (s)"), std::string::npos);
  EXPECT_NE(md.find("| 859.24 (compute) | 77.90 (accuracy run #4) | 1.00 | 1.00 | 1.00 |"),
            std::string::npos);
  EXPECT_NE(md.find("| 6244.87 (total) | 76.20 | 7.27 | 7.31 | 7.29 |"), std::string::npos);
  EXPECT_NE(md.find("| 22710.21 (total) | 75.90 | 26.43 | 26.58 | 26.51 |"), std::string::npos);
  for (const char* plot : {"throughput_vs_devices", "top1_vs_epoch", "loss_vs_epoch"}) {
    EXPECT_NE(md.find(std::string("(plots/") + plot + ".svg)"), std::string::npos) << plot;
    EXPECT_TRUE(std::filesystem::exists(*dir_ / "md" / "plots" / (std::string(plot) + ".svg")));
  }
}

}  // namespace
}  // namespace rn50::report_cli
