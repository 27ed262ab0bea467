// Curve arithmetic (report/series.h), epoch ticks, the choice of runs whose history is drawn,
// and the cap on points per curve.
#include "report/series.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report/analysis.h"
#include "report/svg_axis.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

using rn50::testing::contains;

TEST(Series, DownsampleKeepsTheExtremesOfEverySlice) {
  XY pts;
  for (int i = 0; i < 10000; ++i) pts.emplace_back(i, std::sin(i * 0.01));
  pts[4321].second = 50;   // a spike
  pts[7777].second = -50;  // a dip
  const XY out = downsample_min_max(pts, 1000);
  EXPECT_LE(out.size(), 1000u);
  EXPECT_GE(out.size(), 900u);
  bool spike = false, dip = false;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) {
      EXPECT_LT(out[i - 1].first, out[i].first);  // x order kept
    }
    spike = spike || out[i].second == 50;
    dip = dip || out[i].second == -50;
  }
  EXPECT_TRUE(spike);
  EXPECT_TRUE(dip);
  EXPECT_EQ(out.front().first, 0);  // the first slice starts at the first point's minimum
  const XY small(pts.begin(), pts.begin() + 937);
  EXPECT_EQ(downsample_min_max(small, 1000), small);  // within the cap: unchanged
}

TEST(Series, DebiasedEmaStartsAtTheFirstValue) {
  const auto s = debiased_ema({2.0, 2.0, 2.0, 4.0}, 0.9);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_DOUBLE_EQ(s[0], 2.0);  // not 0.2: the debiasing of TensorBoard
  EXPECT_DOUBLE_EQ(s[2], 2.0);
  EXPECT_GT(s[3], 2.0);
  EXPECT_LT(s[3], 3.0);
}

TEST(Series, WeightedPercentileCountsSteps) {
  // 9 steps of 0.3 s (one value covering 9 steps) and one of 1.2 s.
  EXPECT_DOUBLE_EQ(weighted_percentile({{0.3, 9}, {1.2, 1}}, 50), 0.3);
  EXPECT_DOUBLE_EQ(weighted_percentile({{0.3, 9}, {1.2, 1}}, 95), 1.2);
  EXPECT_DOUBLE_EQ(weighted_percentile({}, 50), 0);
}

TEST(Series, HistogramSharesAddUpWithWhatIsOffRange) {
  const Histogram h = histogram({{1, 1}, {2, 2}, {2.5, 1}, {9, 1}, {0.5, 1}}, 1, 3, 4);
  ASSERT_EQ(h.percent.size(), 4u);
  double sum = 0;
  for (double p : h.percent) sum += p;
  EXPECT_DOUBLE_EQ(h.total, 6);
  EXPECT_DOUBLE_EQ(h.above, 1);
  EXPECT_DOUBLE_EQ(h.below, 1);
  EXPECT_NEAR(sum, 100.0 * 4 / 6, 1e-9);
  EXPECT_NEAR(h.percent[3], 100.0 / 6, 1e-9);  // 2.5 is in [2.5, 3]
}

TEST(SvgAxis, EpochTicksStartAtTheFirstEpochAndAreWhole) {
  const Ticks one = integer_ticks(0, 0);  // one evaluation after epoch 0
  EXPECT_EQ(one.values, std::vector<double>{0});
  EXPECT_DOUBLE_EQ(one.lo, -0.5);
  const Ticks few = integer_ticks(1, 3);  // MLPerf numbers epochs from 1
  EXPECT_EQ(few.values, (std::vector<double>{1, 2, 3}));
  EXPECT_DOUBLE_EQ(few.lo, 1);
  const Ticks many = integer_ticks(1, 89);
  EXPECT_DOUBLE_EQ(many.lo, 1);
  EXPECT_EQ(many.values.front(), 1);
  for (double v : many.values) EXPECT_EQ(v, std::floor(v));
  EXPECT_LE(many.values.size(), 10u);
}

store::StoredRun run_of(int64_t id, const std::string& format) {
  store::StoredRun r;
  r.id = id;
  r.run.name = "r" + std::to_string(id);
  r.run.source_format = format;
  r.run.status = core::RunStatus::kFinished;
  return r;
}

TEST(CurveRuns, AllRunsUpToTheCapThenOwnRunsThenNoneWithAReason) {
  AnalysisOptions opt;
  opt.max_curves = 3;
  std::vector<store::StoredRun> runs = {run_of(1, "mlperf"), run_of(2, "rn50-native"),
                                        run_of(3, "mlperf")};
  std::string why;
  EXPECT_EQ(curve_runs(runs, opt, &why).size(), 3u);
  runs.push_back(run_of(4, "mlperf"));
  const auto own = curve_runs(runs, opt, &why);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]->id, 2);
  for (int64_t id = 5; id <= 8; ++id) runs.push_back(run_of(id, "rn50-native"));
  EXPECT_TRUE(curve_runs(runs, opt, &why).empty());
  EXPECT_TRUE(contains(why, "5 runs of the built-in trainer are selected"));
  std::string note;
  EXPECT_TRUE(run_cards(runs, opt, note).empty());
  EXPECT_TRUE(contains(note, "5 runs of the built-in trainer"));
  const auto rep = build_report(runs, opt);
  for (const auto& p : rep.plots) {
    if (p.section == PlotSection::kCurves) {
      EXPECT_TRUE(contains(p.missing_reason, "at most 3"));
    }
  }
}

TEST(CurvePlots, ALongSeriesIsThinnedToTheCap) {
  store::StoredRun r = run_of(1, "rn50-native");
  r.run.start_time = 1000;
  for (int64_t s = 1; s <= 50000; ++s)
    r.run.metrics.push_back(core::MetricPoint{"train.loss", "iter", 0.0, s, 1000.0 + 0.1 * s,
                                              2.0 / std::sqrt(static_cast<double>(s))});
  AnalysisOptions opt;
  const auto rep = build_report({r}, opt);
  for (const auto& p : rep.plots) {
    if (p.id != "loss_vs_step" && p.id != "loss_vs_time") continue;
    ASSERT_FALSE(p.svg.empty()) << p.missing_reason;
    size_t pos = 0;
    while ((pos = p.svg.find("points=\"", pos)) != std::string::npos) {
      const size_t end = p.svg.find('"', pos + 8);
      const std::string pts = p.svg.substr(pos + 8, end - pos - 8);
      EXPECT_LE(static_cast<size_t>(std::count(pts.begin(), pts.end(), ' ')) + 1,
                opt.max_curve_points);
      pos = end;
    }
    EXPECT_TRUE(contains(p.caption, "Curves of more than 1000 points")) << p.id;
  }
}

// An average over ten logged points lags a short series by half its length (the quickstart logs
// 21 losses in an epoch): such a run is drawn as logged, and the caption does not speak of
// smoothing.
TEST(CurvePlots, FewLoggedPointsAreDrawnUnsmoothedManyAreSmoothed) {
  for (const int64_t n : {int64_t{21}, int64_t{60}}) {
    store::StoredRun r = run_of(1, "rn50-native");
    r.run.start_time = 1000;
    for (int64_t i = 1; i <= n; ++i)
      r.run.metrics.push_back(core::MetricPoint{"train.loss", "iter", 0.0, 50 * i, 1000.0 + 8.0 * i,
                                                3.0 / static_cast<double>(i)});
    const auto rep = build_report({r}, AnalysisOptions{});
    bool seen = false;
    for (const auto& p : rep.plots) {
      if (p.id != "loss_vs_step") continue;
      seen = true;
      ASSERT_FALSE(p.svg.empty()) << p.missing_reason;
      EXPECT_EQ(contains(p.caption, "solid: smoothed"), n >= 50) << n << ": " << p.caption;
    }
    EXPECT_TRUE(seen) << n;
  }
}

}  // namespace
}  // namespace rn50::report
