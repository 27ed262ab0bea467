// Distributions, Mann–Whitney U, Welch and the runs-per-side estimate of `rn50-exp compare`,
// against values computed independently of this code. Debian's /usr/bin/python3 has no scipy, so
// the reference values were computed with plain Python (the script is summarised next to each
// value): exact rank-test p-values by enumerating every split of the pooled sample with
// itertools.combinations and computing U from midrank sums (not from pair counts, as the C++
// does); Student t values by Simpson integration of the t density (20,000 panels) and bisection
// (not the incomplete beta function the C++ uses), cross-checked against printed t tables.
#include "report/compare_stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rn50::report {
namespace {

TEST(CompareStats, NormalDistribution) {
  // Tables: Phi(1.959963984540054) = 0.975, Phi(0) = 0.5, Phi(-1) = 0.15865525393145707.
  EXPECT_NEAR(normal_cdf(0), 0.5, 1e-15);
  EXPECT_NEAR(normal_cdf(-1), 0.15865525393145707, 1e-14);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.8), 0.8416212335729143, 1e-12);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-11);
}

TEST(CompareStats, StudentTQuantilesMatchTables) {
  // t_{0.975, df}: printed tables 12.706, 4.303, 2.776, 2.228, 2.042; 10 digits from the Simpson
  // integration (python: bisection on the integrated CDF, 100 steps).
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736174563, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729749477, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764451051977828, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.228138851986282, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0422724563013386, 1e-9);
  // Non-integer degrees of freedom (Welch): Simpson gives 2.9400886379827114 for df = 3.5.
  EXPECT_NEAR(student_t_quantile(0.975, 3.5), 2.9400886379827114, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.025, 4), -2.7764451051977828, 1e-9);
  // CDF: Simpson 0.05096973941492844 (t = -2, df = 5), 0.8932009153989939 (t = 1.5, df = 3.7).
  EXPECT_NEAR(student_t_cdf(-2.0, 5), 0.05096973941492844, 1e-10);
  EXPECT_NEAR(student_t_cdf(1.5, 3.7), 0.8932009153989939, 1e-10);
}

TEST(CompareStats, MannWhitneyExactSmallSamples) {
  // scipy.stats.mannwhitneyu documentation example (males vs females): U = 17, exact two-sided
  // p = 1/9 (enumeration: 14 of the 126 splits are at least as extreme on either side).
  auto r = mann_whitney({20, 11, 17, 12}, {19, 22, 16, 29, 24});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->exact);
  EXPECT_FALSE(r->ties);
  EXPECT_DOUBLE_EQ(r->u, 17);
  EXPECT_NEAR(r->p, 1.0 / 9.0, 1e-15);

  // Complete separation: 2 / C(6, 3) = 0.1 and 2 / C(9, 4) = 1/63 (by hand, and enumeration).
  r = mann_whitney({1, 2, 3}, {4, 5, 6});
  EXPECT_DOUBLE_EQ(r->u, 9);
  EXPECT_NEAR(r->p, 0.1, 1e-15);
  EXPECT_NEAR(mann_whitney_min_p(3, 3), 0.1, 1e-15);
  r = mann_whitney({1, 2, 3, 4}, {5, 6, 7, 8, 9});
  EXPECT_NEAR(r->p, 1.0 / 63.0, 1e-15);
  // The other direction gives U = 0 and the same p.
  r = mann_whitney({5, 6, 7, 8, 9}, {1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(r->u, 0);
  EXPECT_NEAR(r->p, 1.0 / 63.0, 1e-15);

  // 8 vs 10 with overlap: U = 66, p = 449/21879 (enumeration of all C(18, 8) = 43,758 splits).
  r = mann_whitney({10.1, 10.9, 11.4, 9.8, 10.5, 10.2, 11.0, 10.7},
                   {10.8, 11.6, 11.1, 10.4, 11.9, 12.2, 10.6, 11.3, 11.8, 12.0});
  EXPECT_TRUE(r->exact);
  EXPECT_DOUBLE_EQ(r->u, 66);
  EXPECT_NEAR(r->p, 449.0 / 21879.0, 1e-14);
}

TEST(CompareStats, MannWhitneyNormalApproximationWithTies) {
  // Ties force the normal approximation. Python: U from midrank sums = 47.5; variance
  // 7*8/12 * (16 - sum(t^3 - t) / (15 * 14)) with tie groups 2 (x3), 3 (x4), 4 (x3), 5 (x2);
  // z = (|47.5 - 28| - 0.5) / sqrt(var); p = erfc(z / sqrt 2) = 0.02527973688589393.
  auto r = mann_whitney({1, 2, 2, 3, 3, 3, 4}, {2, 3, 4, 4, 5, 5, 6, 7});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->exact);
  EXPECT_TRUE(r->ties);
  EXPECT_DOUBLE_EQ(r->u, 47.5);
  EXPECT_NEAR(r->p, 0.02527973688589393, 1e-13);
  EXPECT_EQ(r->method(), "normal approximation, tie-corrected");

  // Every value tied: no evidence, p = 1.
  r = mann_whitney({5, 5}, {5, 5, 5});
  EXPECT_DOUBLE_EQ(r->p, 1.0);
  EXPECT_FALSE(mann_whitney({}, {1.0}));
}

TEST(CompareStats, MannWhitneyLargeSamplesUseTheApproximation) {
  // 21 vs 21 without ties is beyond kExactMaxN: scipy's asymptotic formula. Complete separation:
  // U = 441, var = 21*21*43/12, z = (441 - 220.5 - 0.5)/sqrt(var) = 5.5566..., p = erfc(z/√2).
  std::vector<double> a, b;
  for (int i = 0; i < 21; ++i) {
    a.push_back(i);
    b.push_back(100 + i);
  }
  auto r = mann_whitney(a, b);
  EXPECT_FALSE(r->exact);
  const double z = (441 - 220.5 - 0.5) / std::sqrt(21.0 * 21.0 * 43.0 / 12.0);
  EXPECT_NEAR(r->p, std::erfc(z / std::sqrt(2.0)), 1e-15);
  EXPECT_LT(r->p, 1e-7);
}

TEST(CompareStats, WelchInterval) {
  // Python (statistics module + Simpson t quantile): difference 0.4416666666666771, se
  // 0.1227576655221337, Welch df 4.733990147783221, t_{0.975, df} 2.6146411192447703,
  // interval 0.12069942669001027 .. 0.7626339066433439.
  auto w = welch_interval({75.5, 75.8, 75.6}, {75.9, 76.1, 76.0, 76.3});
  ASSERT_TRUE(w);
  EXPECT_NEAR(w->difference, 0.4416666666666771, 1e-12);
  EXPECT_NEAR(w->se, 0.1227576655221337, 1e-12);
  EXPECT_NEAR(w->df, 4.733990147783221, 1e-10);
  EXPECT_NEAR(w->lo, 0.12069942669001027, 1e-9);
  EXPECT_NEAR(w->hi, 0.7626339066433439, 1e-9);
  EXPECT_FALSE(welch_interval({75.5}, {75.9, 76.1}));
  // No spread on either side: the interval is the point.
  w = welch_interval({76, 76}, {75, 75});
  ASSERT_TRUE(w);
  EXPECT_DOUBLE_EQ(w->lo, -1);
  EXPECT_DOUBLE_EQ(w->hi, -1);
  EXPECT_DOUBLE_EQ(w->se, 0);
}

TEST(CompareStats, RunsPerSide) {
  // n = 2 (z_0.975 + z_0.8)^2 (cv/delta)^2 / (3/pi); z sum 2.801585218112968 (python
  // statistics.NormalDist): cv 2 %, delta 1 % -> 65.7546... -> 66; cv 0.5 % -> 4.11 -> 5.
  EXPECT_EQ(runs_per_side(0.02, 0.01), 66);
  EXPECT_EQ(runs_per_side(0.005, 0.01), 5);
  // Never fewer than 4: with 3 vs 3 the exact rank test cannot go below p = 0.1.
  EXPECT_EQ(runs_per_side(0.0001, 0.01), 4);
  EXPECT_EQ(runs_per_side(0, 0.01), 4);
  // Pooled CV: sides with (n-1)-weighted relative variances; by hand for {9, 11} (mean 10,
  // s = sqrt 2) and {18, 20, 22} (mean 20, s = 2): sqrt((1 * 0.02 + 2 * 0.01) / 3).
  auto cv = pooled_cv({9, 11}, {18, 20, 22});
  ASSERT_TRUE(cv);
  EXPECT_NEAR(*cv, std::sqrt(0.04 / 3), 1e-15);
  EXPECT_FALSE(pooled_cv({1}, {2}));
}

TEST(CompareStats, IncompleteBetaSymmetry) {
  // I_x(a, b) = 1 - I_{1-x}(b, a); I_x(1, 1) = x; I_x(a, 1) = x^a (closed forms).
  EXPECT_NEAR(incomplete_beta(1, 1, 0.3), 0.3, 1e-15);
  EXPECT_NEAR(incomplete_beta(2.5, 1, 0.4), std::pow(0.4, 2.5), 1e-14);
  EXPECT_NEAR(incomplete_beta(3, 7, 0.2) + incomplete_beta(7, 3, 0.8), 1.0, 1e-14);
}

}  // namespace
}  // namespace rn50::report
