#include "report/stats.h"

#include <gtest/gtest.h>

namespace rn50::report {
namespace {

TEST(Stats, MedianOddEvenMinMax) {
  auto s = median_stats({3, 1, 2});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->n, 3);
  EXPECT_DOUBLE_EQ(s->median, 2);
  EXPECT_DOUBLE_EQ(s->min, 1);
  EXPECT_DOUBLE_EQ(s->max, 3);
  // Even count: mean of the middle two (numpy / DLPerf: (8781.78 + 8851.62) / 2 = 8816.7).
  auto e = median_stats({8851.62, 8781.78, 9000, 8000});
  EXPECT_NEAR(e->median, 8816.70, 1e-9);
  EXPECT_FALSE(median_stats({}));
}

TEST(Stats, MeanAndSampleStd) {
  auto m = mean_std({76.0, 77.0, 78.0});
  ASSERT_TRUE(m);
  EXPECT_DOUBLE_EQ(m->mean, 77.0);
  ASSERT_TRUE(m->std);
  EXPECT_DOUBLE_EQ(*m->std, 1.0);  // n - 1 in the denominator
  auto one = mean_std({76.0});
  EXPECT_FALSE(one->std);  // a single run has no spread, not a spread of 0
  EXPECT_FALSE(mean_std({}));
}

TEST(Stats, OlympicMeanNvidiaA100WithOneAbortedRun) {
  // MLPerf v1.0 NVIDIA DGX A100: r1 aborted counts as the dropped slowest.
  auto r = olympic_mean({28.7424, 28.8286, 28.5121, 28.7416}, 1);
  ASSERT_TRUE(r.score) << r.reason;
  EXPECT_NEAR(*r.score, (28.7416 + 28.7424 + 28.8286) / 3, 1e-12);
  EXPECT_NEAR(*r.score, 28.7709, 5e-5);
  ASSERT_EQ(r.counted.size(), 3u);
  EXPECT_DOUBLE_EQ(r.counted.front(), 28.7416);
}

TEST(Stats, OlympicMeanGoogleTpuAllSucceed) {
  auto r = olympic_mean({4.3017, 4.3006, 4.3017, 4.3011, 4.3001}, 0);
  ASSERT_TRUE(r.score);
  EXPECT_NEAR(*r.score, (4.3006 + 4.3011 + 4.3017) / 3, 1e-12);
  EXPECT_EQ(r.counted.size(), 3u);
}

TEST(Stats, OlympicMeanRefusesTooFewOrTooManyFailures) {
  auto few = olympic_mean({1, 2, 3, 4}, 0);
  EXPECT_FALSE(few.score);
  EXPECT_EQ(few.reason, "needs 5 runs, has 4");
  auto failed = olympic_mean({1, 2, 3}, 2);
  EXPECT_FALSE(failed.score);
  EXPECT_NE(failed.reason.find("2 runs did not converge"), std::string::npos);
}

TEST(Stats, OlympicMeanAppliesScalingFactor) {
  auto r = olympic_mean({10, 11, 12, 13, 14}, 0, 5, 1.5);
  ASSERT_TRUE(r.score);
  EXPECT_DOUBLE_EQ(*r.score, 12 * 1.5);
}

TEST(Stats, SpeedupAndEfficiency) {
  EXPECT_NEAR(*speedup(6244.87, 859.24), 7.2679, 1e-4);
  EXPECT_FALSE(speedup(1, 0));
  EXPECT_DOUBLE_EQ(*efficiency(8.0, 8), 1.0);
  EXPECT_FALSE(efficiency(8.0, 0));
}

}  // namespace
}  // namespace rn50::report
