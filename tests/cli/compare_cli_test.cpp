// `rn50-exp compare` on the real corpus through the binary: MLPerf v1.0 NVIDIA DGX A100 vs
// Google TPU v4-128 (known per-run minutes, a verdict, the RCP check), AI-Rank 1 card vs 8 cards
// (refused as a configuration mismatch; compared with --match; the CI gate's exit 3), usage
// errors, determinism, and `report --rcp-ruleset`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

using nlohmann::json;

class CompareCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(rn50::testing::make_temp_dir("rn50-compare"));
    const auto corpus = rn50::testing::corpus_dir();
    if (!std::filesystem::is_directory(corpus)) return;
    for (const char* set : {"v1.0-nvidia-dgxa100", "v1.0-google-tpuv4-128"}) {
      auto r = rn50(std::string("ingest --db c.db --experiment ") + set + " " +
                        q((corpus / "mlperf" / set).string()),
                    *dir_);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    const auto airank = corpus / "ngc-stdout" / "airank";
    for (const char* log : {"GPUx1_time2train_ips.log", "GPUx8_time2train_ips.log"}) {
      auto r = rn50(std::string("ingest --db c.db --experiment airank --tag card=") +
                        (log[4] == '1' ? "1" : "8") + " " + q((airank / log).string()),
                    *dir_);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static const json& row(const json& doc, const std::string& table, size_t i = 0) {
    for (const auto& t : doc["tables"])
      if (t["id"] == table) return t["rows"].at(i);
    throw std::runtime_error("no table " + table);
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* CompareCli::dir_ = nullptr;

const std::string kMlperf =
    "compare --db c.db --baseline --experiment v1.0-nvidia-dgxa100 --candidate --experiment "
    "v1.0-google-tpuv4-128 ";
const std::string kAiRank = "compare --db c.db --baseline --tag card=1 --candidate --tag card=8 ";

TEST_F(CompareCli, MlperfNvidiaVersusGoogleGivesTheKnownMinutesAndAVerdict) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50(kMlperf + "--format json --out mlperf", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // EXPECTED.md: NVIDIA r0 28.7424, r1 30.3474 aborted, r2 28.8286, r3 28.5121, r4 28.7416
  // (olympic 28.7709); TPU 4.3017, 4.3006, 4.3017, 4.3011, 4.3001 (olympic 4.3011).
  const auto doc = json::parse(slurp(*dir_ / "mlperf" / "compare.json"));
  const auto& t = row(doc, "time_to_train");
  EXPECT_EQ(t["Converged (baseline)"], "4/5");
  EXPECT_EQ(t["Converged (candidate)"], "5/5");
  const std::string nv = t["Per-run baseline (min)"], tpu = t["Per-run candidate (min)"];
  EXPECT_EQ(nv.find("28.5121, 28.7416, 28.7424, 28.8286, 30.3474 (#"), 0u) << nv;
  EXPECT_NE(nv.find(" aborted)"), std::string::npos) << nv;
  EXPECT_EQ(tpu.find("4.3001, 4.3006, 4.3011, 4.301"), 0u) << tpu;
  EXPECT_NEAR(t["Baseline olympic (min)"].get<double>(), 28.7709, 5e-5);
  EXPECT_NEAR(t["Candidate olympic (min)"].get<double>(), 4.3011, 5e-5);
  // Means of converged runs: (28.7424 + 28.8286 + 28.5121 + 28.7416) / 4 = 28.7062 and 4.3010.
  EXPECT_NEAR(t["Baseline mean (min)"].get<double>(), 28.7062, 1e-4);
  EXPECT_NEAR(t["Ratio"].get<double>(), 4.3010 / 28.7062, 1e-4);
  // 4 vs 5 completely separated: exact p = 2 / C(9, 4) = 0.0159.
  EXPECT_NEAR(t["Rank test p"].get<double>(), 2.0 / 126.0, 1e-12);

  const std::string verdict = r.out;
  EXPECT_NE(verdict.find("all runs: time to train: time to train shorter by 85.0 % (28.7062 → "
                         "4.3010 min; 95 % CI"),
            std::string::npos)
      << verdict;
  EXPECT_NE(verdict.find("Mann–Whitney p = 0.016 (exact), n = 4 vs 5 converged runs"),
            std::string::npos);
  // The TPU logs time no epochs: no throughput comparison, and it says why.
  EXPECT_NE(verdict.find("throughput (total_ips): n/a (no candidate run has a value)"),
            std::string::npos);
  // RCP check of each side (ruleset 4.0.0 by default).
  const auto& conv = row(doc, "convergence", 0);
  EXPECT_EQ(conv["Global batch"], 3264);
  EXPECT_EQ(conv["Epochs to target (per run)"], "35, 35, 35, 35, not converged");
  EXPECT_NE(conv["vs RCP"].get<std::string>().find("MLPerf scales the score by 1.004396"),
            std::string::npos);
  const auto& conv_tpu = row(doc, "convergence", 1);
  EXPECT_EQ(conv_tpu["Global batch"], 8192);
  EXPECT_EQ(conv_tpu["vs RCP"],
            "passes: 42.00 epochs, RCP mean 38.64 at batch 8192, interpolated between 3264 and "
            "32768");
}

TEST_F(CompareCli, MarkdownAndPlots) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50(kMlperf + "--out md", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = slurp(*dir_ / "md" / "compare.md");
  EXPECT_EQ(md.find("# ResNet-50 comparison\n\n## Verdict\n"), 0u);
  EXPECT_NE(md.find("- Time to train: time to train shorter by 85.0 %"), std::string::npos);
  EXPECT_NE(md.find("![Epochs to target vs MLPerf RCP](plots/compare_rcp.svg)"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "md" / "plots" / "compare_rcp.svg"));
  // No throughput on the TPU side: that plot is absent, and the report says why.
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "md" / "plots" / "compare_throughput.svg"));
  EXPECT_NE(md.find("Throughput: candidate vs baseline: not drawn"), std::string::npos);
}

TEST_F(CompareCli, AiRankOneCardVersusEightIsRefused) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50(kAiRank + "--out refused", *dir_);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("configuration mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("baseline: 1 device, amp, batch 256/device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("candidate: 8 devices, amp, batch 256/device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--match precision,batch"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "refused" / "compare.md"));
}

TEST_F(CompareCli, AiRankWithMatchUsesWithinRunEvidence) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50(kAiRank + "--match precision,batch --format json --out within", *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json::parse(slurp(*dir_ / "within" / "compare.json"));
  const auto& t = row(doc, "throughput");
  EXPECT_EQ(t["Evidence"], "within run (block bootstrap)");
  // From the logged iteration timestamps, the same pairs as the stored total_ips (851.7, 6244.0).
  EXPECT_NEAR(t["Baseline (img/s)"].get<double>(), 851.65, 0.01);
  EXPECT_NEAR(t["Candidate (img/s)"].get<double>(), 6243.98, 0.01);
  EXPECT_NE(r.out.find("measures run-to-run noise only partly"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("faster: 7.33x the baseline"), std::string::npos) << r.out;
}

TEST_F(CompareCli, GateExitsThreeWhenTheCandidateIsSlower) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50(
      "compare --db c.db --baseline --tag card=8 --candidate --tag card=1 --match precision,batch "
      "--fail-if-slower 2 --out gate",
      *dir_);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("gate failed: amp, batch 256/device: total_ips slower by more than 2.0 %"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "gate" / "compare.md"));
  // The other direction passes the gate.
  r = rn50(kAiRank + "--match precision,batch --fail-if-slower 2 --out gate2", *dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Top-1 +0.05 pp (95 % CI -0.09 to +0.19): not less accurate with confidence, even at 0 pp.
  r = rn50(kMlperf + "--fail-if-less-accurate 0 --out gate3", *dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CompareCli, DeterministicOutput) {
  RN50_REQUIRE_CORPUS();
  ASSERT_EQ(rn50(kAiRank + "--match precision,batch --format json --out d1", *dir_).exit_code, 0);
  ASSERT_EQ(rn50(kAiRank + "--match precision,batch --format json --out d2", *dir_).exit_code, 0);
  EXPECT_EQ(slurp(*dir_ / "d1" / "compare.json"), slurp(*dir_ / "d2" / "compare.json"));
  ASSERT_EQ(
      rn50(kAiRank + "--match precision,batch --format json --seed 9 --out d3", *dir_).exit_code,
      0);
  EXPECT_NE(slurp(*dir_ / "d1" / "compare.json"), slurp(*dir_ / "d3" / "compare.json"));
  ASSERT_EQ(rn50(kMlperf + "--format csv --out csv", *dir_).exit_code, 0);
  EXPECT_NE(slurp(*dir_ / "csv" / "compare.csv").find("verdict,0,Verdict,"), std::string::npos);
}

TEST_F(CompareCli, UsageErrors) {
  RN50_REQUIRE_CORPUS();
  struct Case {
    std::string args, message;
    int code;
  };
  const std::vector<Case> cases = {
      {"compare --db c.db --experiment airank", "put --baseline or --candidate before it", 2},
      {"compare --db c.db --baseline --experiment airank", "compare needs both sides", 2},
      {"compare --db c.db --baseline --candidate --experiment airank",
       "the baseline selects nothing", 2},
      {kAiRank + "--match gpus", "unknown key 'gpus'", 2},
      {kAiRank + "--rcp-ruleset 0.7.0", "--rcp-ruleset 0.7.0: no MLPerf ResNet RCPs", 2},
      {kAiRank + "--format html", "--format html: expected md, json or csv", 2},
      {kAiRank + "--fail-if-slower 150", "--fail-if-slower 150", 2},
      {kAiRank + "--resamples 10", "--resamples 10", 2},
      {"compare --db c.db --baseline --experiment airank --candidate --tag card=8",
       "are in both the baseline and the candidate selection", 2},
      {"compare --db c.db --baseline --experiment nope --candidate --tag card=8",
       "unknown experiment 'nope'", 2},
      {"compare --db c.db --baseline --tag card=2 --candidate --tag card=8",
       "no runs match the baseline selection (tag card=2)", 1},
      {"compare --db missing.db --baseline --runs 1 --candidate --runs 2", "does not exist", 2},
  };
  for (const auto& c : cases) {
    auto r = rn50(c.args + " --out err", *dir_);
    EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

TEST_F(CompareCli, ReportHasTheRcpColumnForAChosenRuleset) {
  RN50_REQUIRE_CORPUS();
  auto r = rn50("report --db c.db --experiment v1.0-nvidia-dgxa100 --rcp-ruleset 1.0.0 --out rep",
                *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = slurp(*dir_ / "rep" / "report.md");
  EXPECT_NE(md.find("| Epochs to target vs RCP (MLPerf 1.0.0) |"), std::string::npos);
  EXPECT_NE(md.find("converges faster than the reference by 0.15 epochs"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(*dir_ / "rep" / "plots" / "epochs_to_target_vs_rcp.svg"));
  r = rn50("report --db c.db --rcp-ruleset 9 --out rep2", *dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("known: 1.0.0"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rn50::report_cli
