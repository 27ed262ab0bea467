// compare_runs(): matching, verdicts, gate and determinism on small synthetic selections whose
// expected numbers are worked out by hand (see each test).
#include "report/compare.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "report/render.h"
#include "report/write_compare.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

using rn50::testing::contains;

struct RunSpec {
  int64_t id;
  int64_t devices = 8;
  std::string precision = "amp";
  int64_t batch = 256;
  std::optional<double> total_ips, compute_ips;
  std::optional<double> top1;  // reached at epoch 9 after `minutes`
  double minutes = 60;
  std::string format = "rn50-native";
};

store::StoredRun make_run(const RunSpec& s) {
  store::StoredRun r;
  r.id = s.id;
  r.experiment = "e";
  r.source_path = "logs/run" + std::to_string(s.id) + ".log";
  auto& run = r.run;
  run.source_format = s.format;
  run.name = "run" + std::to_string(s.id);
  run.status = core::RunStatus::kFinished;
  run.world_size.set(s.devices);
  run.batch_per_device.set(s.batch);
  run.precision.set(s.precision);
  run.derived.total_ips = s.total_ips;
  run.derived.compute_ips = s.compute_ips;
  run.start_time = 1000;
  if (s.top1) {
    core::EpochRecord e;
    e.epoch = 9;
    e.top1 = *s.top1;
    e.time = 1000 + s.minutes * 60;
    run.epochs.push_back(e);
    run.derived.best_top1 = s.top1;
  }
  return r;
}

std::vector<store::StoredRun> runs_with_ips(int64_t first_id, const std::vector<double>& ips) {
  std::vector<store::StoredRun> v;
  for (size_t i = 0; i < ips.size(); ++i) {
    RunSpec s{first_id + static_cast<int64_t>(i)};
    s.total_ips = ips[i];
    v.push_back(make_run(s));
  }
  return v;
}

const StepSeriesLoader kNoSteps = [](const store::StoredRun&) {
  return std::vector<WorkInterval>{};
};

TEST(Compare, FasterWithConfidence) {
  // 1030.2 / 1000 = 1.0302; complete separation of 5 vs 5: exact p = 2 / C(10, 5) = 2/252.
  const auto b = runs_with_ips(1, {1000, 1002, 998, 1001, 999});
  const auto c = runs_with_ips(11, {1030, 1033, 1028, 1031, 1029});
  const auto res = compare_runs(b, c, kNoSteps, CompareOptions{});
  ASSERT_EQ(res.groups.size(), 1u);
  const auto& g = res.groups[0];
  EXPECT_EQ(g.label, "8 devices, amp, batch 256/device");
  const auto& t = g.total_ips;
  EXPECT_EQ(t.evidence, Evidence::kAcrossRuns);
  EXPECT_NEAR(t.ci->estimate, 1.0302, 1e-12);
  EXPECT_GT(t.ci->lo, 1.02);
  EXPECT_LT(t.ci->hi, 1.04);
  EXPECT_NEAR(t.rank->p, 2.0 / 252.0, 1e-15);
  EXPECT_EQ(t.direction, 1);
  EXPECT_TRUE(t.verdict.starts_with("faster by 3.0 % (1000.00 → 1030.20 img/s; 95 % CI "))
      << t.verdict;
  EXPECT_TRUE(contains(t.verdict, "Mann–Whitney p = 0.008 (exact), n = 5 vs 5 runs"));
  EXPECT_TRUE(res.gate_failures.empty());
  EXPECT_EQ(res.report.tables.front().id, "verdict");
}

TEST(Compare, ThreeVersusThreeCannotReachSignificance) {
  // Perfectly separated, but the exact rank test of 3 vs 3 cannot go below p = 0.1. Runs needed:
  // pooled CV 0.009902446 (s = 1 on both sides, means 100 and 102), 2 * 7.848879 * 0.9806 / (3/pi)
  // = 16.12 -> 17 per side (python, see compare_stats_test.cpp for the formula).
  const auto b = runs_with_ips(1, {100, 101, 99});
  const auto c = runs_with_ips(11, {102, 103, 101});
  const auto res = compare_runs(b, c, kNoSteps, CompareOptions{});
  const auto& t = res.groups[0].total_ips;
  EXPECT_EQ(t.direction, 0);
  EXPECT_NEAR(*t.cv, 0.009902446115071734, 1e-12);
  EXPECT_EQ(t.runs_needed, 17);
  EXPECT_TRUE(t.verdict.starts_with("no difference detectable with n = 3 vs 3 runs")) << t.verdict;
  EXPECT_TRUE(contains(t.verdict, "no rank test can go below p = 0.100"));
  EXPECT_TRUE(contains(t.verdict, "about 17 runs each would resolve ±1.0 %"));
  EXPECT_TRUE(contains(t.verdict, "80 % power"));
}

TEST(Compare, GateOnSlowerCandidate) {
  // Candidate 5 % slower: 950.2 / 1000 = 0.9502.
  const auto b = runs_with_ips(1, {1000, 1002, 998, 1001, 999});
  const auto c = runs_with_ips(11, {950, 952, 948, 951, 950});
  CompareOptions o;
  o.fail_if_slower_pct = 2;
  auto res = compare_runs(b, c, kNoSteps, o);
  EXPECT_EQ(res.groups[0].total_ips.direction, -1);
  EXPECT_TRUE(res.groups[0].total_ips.verdict.starts_with("slower by 5.0 %"))
      << res.groups[0].total_ips.verdict;
  ASSERT_EQ(res.gate_failures.size(), 1u);
  EXPECT_TRUE(contains(res.gate_failures[0], "total_ips slower by more than 2.0 %"));
  // Within the allowance: no failure.
  o.fail_if_slower_pct = 10;
  res = compare_runs(b, c, kNoSteps, o);
  EXPECT_TRUE(res.gate_failures.empty());
  // A faster candidate never fails the slower gate.
  o.fail_if_slower_pct = 0;
  res = compare_runs(c, b, kNoSteps, o);
  EXPECT_TRUE(res.gate_failures.empty());
}

TEST(Compare, GateOnLessAccurateCandidate) {
  // Top-1 1.0 pp lower with little spread: Welch interval well below -0.5, above -1.5.
  std::vector<store::StoredRun> b, c;
  const std::vector<double> tb = {76.0, 76.1, 76.2, 76.05}, tc = {75.0, 75.1, 75.2, 75.05};
  for (int i = 0; i < 4; ++i) {
    RunSpec s{i + 1};
    s.top1 = tb[static_cast<size_t>(i)];
    b.push_back(make_run(s));
    RunSpec t{i + 11};
    t.top1 = tc[static_cast<size_t>(i)];
    c.push_back(make_run(t));
  }
  CompareOptions o;
  o.fail_if_less_accurate_pp = 0.5;
  auto res = compare_runs(b, c, kNoSteps, o);
  const auto& top = res.groups[0].top1;
  ASSERT_TRUE(top.welch);
  EXPECT_NEAR(top.welch->difference, -1.0, 1e-12);
  EXPECT_EQ(top.direction, -1);
  EXPECT_TRUE(top.verdict.starts_with("less accurate by 1.00 pp top-1")) << top.verdict;
  ASSERT_EQ(res.gate_failures.size(), 1u);
  EXPECT_TRUE(contains(res.gate_failures[0], "top-1 lower by more than 0.50 pp"));
  o.fail_if_less_accurate_pp = 1.5;
  res = compare_runs(b, c, kNoSteps, o);
  EXPECT_TRUE(res.gate_failures.empty());
}

TEST(Compare, ConfigurationMismatchIsRefused) {
  RunSpec one{1};
  one.devices = 1;
  one.total_ips = 850;
  RunSpec eight{2};
  eight.total_ips = 6244;
  const std::vector<store::StoredRun> b = {make_run(one)}, c = {make_run(eight)};
  try {
    compare_runs(b, c, kNoSteps, CompareOptions{});
    FAIL() << "no error";
  } catch (const core::UsageError& e) {
    const std::string m = e.what();
    EXPECT_TRUE(contains(m, "configuration mismatch")) << m;
    EXPECT_TRUE(contains(m, "baseline: 1 device, amp, batch 256/device (#1)")) << m;
    EXPECT_TRUE(contains(m, "candidate: 8 devices, amp, batch 256/device (#2)")) << m;
    EXPECT_TRUE(contains(m, "--match precision,batch")) << m;
  }
  CompareOptions o;
  o.match = parse_match("precision,batch");
  const auto res = compare_runs(b, c, kNoSteps, o);
  ASSERT_EQ(res.groups.size(), 1u);
  EXPECT_EQ(res.groups[0].label, "amp, batch 256/device");
}

TEST(Compare, UnmatchedGroupsAreListed) {
  auto b = runs_with_ips(1, {1000, 1001});
  auto c = runs_with_ips(11, {1010, 1011});
  RunSpec extra{20};
  extra.precision = "fp32";
  extra.total_ips = 500;
  c.push_back(make_run(extra));
  const auto res = compare_runs(b, c, kNoSteps, CompareOptions{});
  ASSERT_EQ(res.groups.size(), 1u);
  ASSERT_EQ(res.unmatched.size(), 1u);
  EXPECT_EQ(res.unmatched[0].side, "candidate");
  EXPECT_EQ(res.unmatched[0].label, "8 devices, fp32, batch 256/device");
  EXPECT_TRUE(rn50::testing::any_contains(res.report.warnings, "not compared"));
  const auto& t = rn50::testing::table(res.report, "unmatched");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][2].text, "#20");
}

TEST(Compare, WithinRunEvidenceForOneRunPerSide) {
  RunSpec a{1}, b{2};
  a.total_ips = 1000;
  b.total_ips = 1100;
  const std::vector<store::StoredRun> base = {make_run(a)}, cand = {make_run(b)};
  // Baseline: 10 iterations of 2.56 s per logged interval; candidate 10 % faster. Global batch
  // 8 x 256 = 2048: 2048 * 10 / 2.56 = 8000 img/s. Constant series: the interval is the point.
  const StepSeriesLoader steps = [](const store::StoredRun& r) {
    return std::vector<WorkInterval>(200, {10, r.id == 1 ? 2.56 : 2.56 / 1.1});
  };
  const auto res = compare_runs(base, cand, steps, CompareOptions{});
  const auto& t = res.groups[0].total_ips;
  EXPECT_EQ(t.evidence, Evidence::kWithinRun);
  EXPECT_NEAR(t.baseline_mean, 8000, 1e-9);
  EXPECT_NEAR(t.ci->estimate, 1.1, 1e-12);
  EXPECT_EQ(t.direction, 1);
  EXPECT_TRUE(contains(t.verdict, "measures run-to-run noise only partly")) << t.verdict;
  EXPECT_EQ(res.groups[0].compute_ips.evidence, Evidence::kNone);
  // Without per-iteration times there is no evidence, and the reason says so.
  const auto none = compare_runs(base, cand, kNoSteps, CompareOptions{});
  EXPECT_EQ(none.groups[0].total_ips.evidence, Evidence::kNone);
  EXPECT_TRUE(contains(none.groups[0].total_ips.verdict, "no per-iteration times"));
}

TEST(Compare, MlperfSidesMatchOnNothingAutomatically) {
  RunSpec a{1}, b{2};
  a.format = b.format = "mlperf";
  a.devices = 8;
  b.devices = 64;
  a.top1 = b.top1 = 76.0;
  const std::vector<store::StoredRun> base = {make_run(a)}, cand = {make_run(b)};
  const auto res = compare_runs(base, cand, kNoSteps, CompareOptions{});
  EXPECT_TRUE(res.keys_used.empty());
  EXPECT_EQ(res.groups[0].label, "all runs");
  EXPECT_TRUE(contains(res.match_description, "automatic: both sides are MLPerf results"));
  // Naming keys overrides it.
  CompareOptions o;
  o.match = parse_match("devices");
  EXPECT_THROW(compare_runs(base, cand, kNoSteps, o), core::UsageError);
}

TEST(Compare, DeterministicForASeed) {
  const auto b = runs_with_ips(1, {1000, 1010, 990, 1005});
  const auto c = runs_with_ips(11, {1012, 1003, 1020, 1008});
  CompareOptions o;
  const auto one = render_json(compare_runs(b, c, kNoSteps, o).report);
  const auto two = render_json(compare_runs(b, c, kNoSteps, o).report);
  EXPECT_EQ(one, two);
  o.seed = 2;
  EXPECT_NE(one, render_json(compare_runs(b, c, kNoSteps, o).report));
}

TEST(Compare, ParseMatch) {
  EXPECT_TRUE(parse_match("auto").automatic);
  EXPECT_FALSE(parse_match("none").automatic);
  EXPECT_TRUE(parse_match("none").keys.empty());
  const auto m = parse_match("precision,global-batch,precision");
  EXPECT_EQ(m.keys, (std::vector<MatchKey>{MatchKey::kPrecision, MatchKey::kGlobalBatch}));
  try {
    parse_match("devices,gpus");
    FAIL();
  } catch (const core::UsageError& e) {
    EXPECT_TRUE(contains(e.what(), "unknown key 'gpus'")) << e.what();
  }
}

TEST(Compare, IterationIntervalsStayInsideAnEpoch) {
  // (epoch, step, time): pairs within epoch 0 give (100, 10) and (100, 12); the pair spanning
  // epochs 0 -> 1 (validation and checkpoint time) is not an interval; in epoch 1 a repeated
  // timestamp (no elapsed time) and a point without a time are skipped.
  auto pt = [](double epoch, int64_t step, std::optional<double> time) {
    core::MetricPoint m;
    m.epoch = epoch;
    m.step = step;
    m.time = time;
    return m;
  };
  const std::vector<core::MetricPoint> pts = {
      pt(0, 100, 0),  pt(0, 200, 10),  pt(0, 300, 22),          pt(1, 100, 90),
      pt(1, 200, 90), pt(1, 300, 101), pt(1, 400, std::nullopt)};
  const auto v = iteration_intervals(pts);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_DOUBLE_EQ(v[0].work, 100);
  EXPECT_DOUBLE_EQ(v[0].seconds, 10);
  EXPECT_DOUBLE_EQ(v[1].seconds, 12);
  EXPECT_DOUBLE_EQ(v[2].seconds, 11);  // 200 -> 300 of epoch 1
  core::MetricPoint bt;
  bt.value = 0.25;
  core::MetricPoint bad;
  bad.value = -1;
  const auto b = batch_time_intervals({bt, bad});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_DOUBLE_EQ(b[0].seconds, 0.25);
}

TEST(Compare, EmptySelectionIsAnError) {
  const auto b = runs_with_ips(1, {1000});
  EXPECT_THROW(compare_runs(b, {}, kNoSteps, CompareOptions{}), core::UsageError);
}

}  // namespace
}  // namespace rn50::report
