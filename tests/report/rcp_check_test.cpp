// MLPerf RCP check (report/rcp_check.h) against values derived by hand from the shipped RCP files
// and the rules of mlcommons/logging rcp_checker.py. The t-test bound (min acceptable mean) was
// recomputed in plain Python with the t CDF from Simpson integration of the t density (Debian's
// python3 has no scipy) and the checker's bisection.
#include "report/rcp_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "report/rcp_data.h"
#include "test_support.h"

namespace rn50::report {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const RcpReference& ref(const RcpTable& t, int64_t batch) {
  for (const auto& r : t.all)
    if (r.batch == batch) return r;
  throw std::runtime_error("no reference " + std::to_string(batch));
}

std::vector<int64_t> batches(const std::vector<RcpReference>& v) {
  std::vector<int64_t> out;
  for (const auto& r : v) out.push_back(r.batch);
  return out;
}

TEST(RcpData, ShippedFilesAreTheReferenceCopies) {
  RN50_REQUIRE_CORPUS();
  const auto dir = rn50::testing::corpus_dir().parent_path() / "reference" / "mlperf-rcp";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  ASSERT_EQ(embedded_rcp_files().size(), 7u);
  for (const auto& f : embedded_rcp_files()) {
    std::ifstream in(dir / ("rcps_resnet_training_" + std::string(f.ruleset) + ".json"));
    ASSERT_TRUE(in) << f.ruleset;
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), f.json) << f.ruleset << " differs from " << dir;
  }
}

TEST(RcpData, RulesetsAndDefault) {
  EXPECT_EQ(rcp_rulesets(), (std::vector<std::string>{"1.0.0", "1.1.0", "2.0.0", "2.1.0", "3.0.0",
                                                      "3.1.0", "4.0.0"}));
  EXPECT_EQ(newest_rcp_ruleset(), "4.0.0");
  EXPECT_EQ(rcp_table("").ruleset, "4.0.0");
  EXPECT_EQ(rcp_table("2.1.0").source, "third_party/mlperf-rcp/rcps_resnet_training_2.1.0.json");
  try {
    rcp_table("9.9.9");
    FAIL() << "no error";
  } catch (const core::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("known: 1.0.0, 1.1.0"), std::string::npos) << e.what();
  }
}

TEST(RcpCheck, ReferenceStatisticsByHand) {
  const auto& t = rcp_table("2.1.0");
  ASSERT_EQ(t.all.size(), 10u);
  // Olympic means (sum of the sorted list without its first and last value / count):
  // 1632: 525/15, 3264: 457/13, 4096: 319/8, 32768: 448/8, 67840: 2232/26.
  EXPECT_DOUBLE_EQ(ref(t, 1632).mean, 35.0);
  EXPECT_DOUBLE_EQ(ref(t, 3264).mean, 457.0 / 13.0);
  EXPECT_DOUBLE_EQ(ref(t, 4096).mean, 39.875);
  EXPECT_DOUBLE_EQ(ref(t, 32768).mean, 56.0);
  EXPECT_DOUBLE_EQ(ref(t, 67840).mean, 2232.0 / 26.0);
  // numpy.std of all 15 epochs of 3264 (34 x2, 35 x9, 36 x3, 37): mean 35.2, squared deviations
  // 2(1.44) + 9(0.04) + 3(0.64) + 3.24 = 8.4, variance 8.4/15 = 0.56.
  EXPECT_NEAR(ref(t, 3264).stdev, std::sqrt(0.56), 1e-15);
  // Min acceptable mean (t-test bisection), python reference values.
  EXPECT_NEAR(ref(t, 3264).min_epochs, 34.3096450658945, 1e-9);
  EXPECT_NEAR(ref(t, 1632).min_epochs, 33.80234241485596, 1e-9);
  EXPECT_NEAR(ref(t, 3264).max_speedup, (457.0 / 13.0) / 34.3096450658945, 1e-9);
}

TEST(RcpCheck, PruningKeepsTheLowerPoints) {
  // By hand (interpolated means of the neighbours): 4096 (39.875 > 36.29 between 3264 and 8192),
  // 8192 (41.875 > 40.42 between 3264 and 13056), 13056 (45.5 > 42.07 between 3264 and 32768),
  // 58880 (80 > 77.80 between 49152 and 65536) and 65536 are dropped.
  EXPECT_EQ(batches(rcp_table("2.1.0").pruned),
            (std::vector<int64_t>{1632, 3264, 32768, 49152, 67840}));
}

TEST(RcpCheck, InterpolationByHand) {
  const auto& t = rcp_table("2.1.0");
  // numpy.interp at 2048 between 1632 (mean 35, stdev 1.0846522890932808) and 3264: mean
  // 35 + 416/1632 * 2/13; min epochs from the t-test with 10 reference samples: 33.858260827905994.
  const auto r = rcp_interpolate(2048, ref(t, 1632), ref(t, 3264));
  EXPECT_NEAR(r.mean, 35.03921568627451, 1e-13);
  EXPECT_NEAR(r.stdev, 0.998923454728567, 1e-13);
  EXPECT_NEAR(r.min_epochs, 33.858260827905994, 1e-9);
  EXPECT_TRUE(r.interpolated);
}

TEST(RcpCheck, Outcomes) {
  const auto& t = rcp_table("2.1.0");
  // Exactly at a reference, faster than its mean: factor = (457/13) / 35 = 457/455.
  auto r = rcp_check(t, 3264, {35, 35, 35, 35, 35});
  EXPECT_EQ(r.outcome, RcpOutcome::kPassesFaster);
  EXPECT_EQ(r.basis, "RCP found");
  ASSERT_TRUE(r.scaling_factor);
  EXPECT_DOUBLE_EQ(*r.scaling_factor, 457.0 / 455.0);
  // One run did not converge: it is the dropped slowest, same factor.
  r = rcp_check(t, 3264, {35, kInf, 35, 35, 35});
  EXPECT_EQ(r.outcome, RcpOutcome::kPassesFaster);
  EXPECT_EQ(r.converged, 4);
  EXPECT_DOUBLE_EQ(*r.scaling_factor, 457.0 / 455.0);
  // Two did not: no check.
  r = rcp_check(t, 3264, {35, kInf, 35, kInf, 35});
  EXPECT_EQ(r.outcome, RcpOutcome::kNotConverged);
  EXPECT_NE(describe(r).find("2 of 5 runs did not converge"), std::string::npos);
  // Interpolated (2048 lies between the pruned 1632 and 3264): factor 35.0392.../35.
  r = rcp_check(t, 2048, {35, 35, 35, 35, 35});
  EXPECT_EQ(r.basis, "RCP interpolation");
  EXPECT_EQ(*r.interpolated_from, 1632);
  EXPECT_EQ(*r.interpolated_to, 3264);
  EXPECT_NEAR(*r.scaling_factor, (35 + 416.0 / 1632.0 * 2.0 / 13.0) / 35.0, 1e-15);
  // Equal to the reference mean: passes, no factor (MLPerf writes no scaling.json).
  r = rcp_check(t, 1632, {35, 35, 35, 35, 35});
  EXPECT_EQ(r.outcome, RcpOutcome::kPasses);
  EXPECT_FALSE(r.scaling_factor);
  // Much faster than the reference: fails.
  r = rcp_check(t, 3264, {30, 30, 31, 30, 30});
  EXPECT_EQ(r.outcome, RcpOutcome::kTooFast);
  EXPECT_NE(describe(r).find("fails: converges faster than the reference by 5.15 epochs"),
            std::string::npos)
      << describe(r);
  // Larger than every reference batch: missing RCP.
  r = rcp_check(t, 100000, {90, 90, 90, 90, 90});
  EXPECT_EQ(r.outcome, RcpOutcome::kMissingRcp);
  EXPECT_NE(describe(r).find("no RCP for this batch size"), std::string::npos);
  // Smaller than every reference: compared with the smallest (1632, mean 35).
  r = rcp_check(t, 816, {35, 35, 35, 35, 35});
  EXPECT_EQ(r.outcome, RcpOutcome::kPasses);
  EXPECT_EQ(r.basis, "smaller than every RCP batch");
  r = rcp_check(t, 816, {20, 20, 20, 20, 20});
  EXPECT_EQ(r.outcome, RcpOutcome::kMissingRcp);
  // Unknown or mixed batches.
  EXPECT_EQ(rcp_check(t, std::nullopt, {35}).outcome, RcpOutcome::kUnknownBatch);
  EXPECT_EQ(rcp_check(t, 3264, {35, 36}, true).outcome, RcpOutcome::kBatchesDiffer);
  // Fewer than 3 runs: plain mean, said so.
  r = rcp_check(t, 3264, {36, 38});
  EXPECT_EQ(r.outcome, RcpOutcome::kPasses);
  EXPECT_FALSE(r.olympic);
  EXPECT_DOUBLE_EQ(*r.submission_mean, 37);
  EXPECT_NE(describe(r).find("plain mean of 2 runs"), std::string::npos) << describe(r);
}

TEST(RcpCheck, RunInputFollowsEachOrigin) {
  store::StoredRun mlperf;
  mlperf.run.source_format = "mlperf";
  mlperf.run.status = core::RunStatus::kFinished;
  mlperf.run.global_batch.set(3264);
  for (int64_t e : {3, 7, 35}) {
    core::EpochRecord rec;
    rec.epoch = e;
    rec.top1 = e == 35 ? 76.1 : 50.0;
    mlperf.run.epochs.push_back(rec);
  }
  auto in = rcp_run_input(mlperf, 75.9);
  EXPECT_EQ(in.epochs, 35.0);  // epoch_num of the last evaluation
  EXPECT_EQ(in.global_batch, 3264);
  // The eval series, when loaded, keeps fractional epochs (rounded to 3 decimals).
  core::MetricPoint m;
  m.key = "val.top1";
  m.level = "eval";
  m.epoch = 34.99987;
  m.value = 76.1;
  mlperf.run.metrics.push_back(m);
  EXPECT_DOUBLE_EQ(*rcp_run_input(mlperf, 75.9).epochs, 35.0);
  mlperf.run.metrics.back().epoch = 34.5004;
  EXPECT_DOUBLE_EQ(*rcp_run_input(mlperf, 75.9).epochs, 34.5);
  mlperf.run.status = core::RunStatus::kAborted;
  EXPECT_FALSE(rcp_run_input(mlperf, 75.9).epochs);

  // 0-based origins: the first evaluation >= target at epoch 82 means 83 epochs trained.
  store::StoredRun ngc;
  ngc.run.source_format = "ngc-dllogger-stdout";
  ngc.run.status = core::RunStatus::kFinished;
  ngc.run.batch_per_device.set(256);
  ngc.run.world_size.set(8);
  for (int64_t e = 80; e < 85; ++e) {
    core::EpochRecord rec;
    rec.epoch = e;
    rec.top1 = 75.5 + 0.2 * static_cast<double>(e - 80);
    ngc.run.epochs.push_back(rec);
  }
  in = rcp_run_input(ngc, 75.9);
  EXPECT_EQ(in.epochs, 83.0);
  EXPECT_EQ(in.global_batch, 2048);
  EXPECT_FALSE(rcp_run_input(ngc, 80.0).epochs);
}

}  // namespace
}  // namespace rn50::report
