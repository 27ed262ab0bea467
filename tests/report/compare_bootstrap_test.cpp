// Seeded bootstrap intervals of `rn50-exp compare`. Reference values are computed independently
// of the Monte Carlo: by exhausting every resample (Python itertools.product over all 4^4 x 4^4
// equally likely draws, quantiles with numpy's "linear" rule written out by hand), or by hand where
// the bootstrap distribution is small enough to write down.
#include "report/compare_bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

namespace rn50::report {
namespace {

TEST(CompareBootstrap, MersenneTwisterIsTheStandardOne) {
  // [rand.predef]: the 10000th invocation of a default-constructed std::mt19937_64 produces
  // 9981545732273789042. Our determinism across platforms rests on this.
  std::mt19937_64 e;
  e.discard(9999);
  EXPECT_EQ(e(), 9981545732273789042ULL);
}

TEST(CompareBootstrap, BelowIsUniformAndInRange) {
  BootstrapRng rng(7, "uniform");
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) {
    const auto v = rng.below(6);
    ASSERT_LT(v, 6u);
    ++counts[v];
  }
  // Each face 10,000 expected; 5 standard deviations is ±456.
  for (int c : counts) EXPECT_NEAR(c, 10000, 456);
  EXPECT_EQ(rng.below(1), 0u);
}

TEST(CompareBootstrap, TwoRunsPerSideHitTheExactExtremes) {
  // Two values per side: a resampled mean is c1, (c1+c2)/2 or c2 with probabilities 1/4, 1/2,
  // 1/4 (by hand), so the smallest ratio c1/b2 has probability 1/16 = 6.25 % > 2.5 %: the lower
  // 2.5 % quantile IS c1/b2 and the upper one c2/b1, exactly.
  BootstrapRng rng(1, "two");
  const auto r = bootstrap_ratio_of_means({100, 110}, {120, 126}, rng, 10000);
  EXPECT_DOUBLE_EQ(r.estimate, 123.0 / 105.0);
  EXPECT_DOUBLE_EQ(r.lo, 120.0 / 110.0);
  EXPECT_DOUBLE_EQ(r.hi, 126.0 / 100.0);
  EXPECT_EQ(r.resamples, 10000);
}

TEST(CompareBootstrap, PercentileIntervalMatchesTheExhaustiveBootstrap) {
  // Baseline {100, 104, 98, 101}, candidate {103, 107, 102, 105}. Exhaustive bootstrap (all
  // 65,536 resample pairs): 2.5 % quantile 1.0072639225181599, 97.5 % 1.0631313131313131,
  // estimate 1.034739454094293. Monte Carlo with 20,000 resamples lands within 0.15 % of the
  // exhaustive bounds (the interval is 5.6 % wide).
  BootstrapRng rng(1, "exhaustive");
  const auto r = bootstrap_ratio_of_means({100, 104, 98, 101}, {103, 107, 102, 105}, rng, 20000);
  EXPECT_NEAR(r.estimate, 1.034739454094293, 1e-15);
  EXPECT_NEAR(r.lo, 1.0072639225181599, 0.0015);
  EXPECT_NEAR(r.hi, 1.0631313131313131, 0.0015);
}

TEST(CompareBootstrap, DeterministicForAFixedSeed) {
  const std::vector<double> b = {100, 104, 98, 101, 99}, c = {103, 107, 102, 105, 104};
  BootstrapRng r1(42, "group/total_ips"), r2(42, "group/total_ips"), r3(43, "group/total_ips"),
      r4(42, "other");
  const auto a1 = bootstrap_ratio_of_means(b, c, r1, 5000);
  const auto a2 = bootstrap_ratio_of_means(b, c, r2, 5000);
  const auto a3 = bootstrap_ratio_of_means(b, c, r3, 5000);
  const auto a4 = bootstrap_ratio_of_means(b, c, r4, 5000);
  EXPECT_EQ(a1.lo, a2.lo);  // bit-identical
  EXPECT_EQ(a1.hi, a2.hi);
  EXPECT_NE(std::make_pair(a1.lo, a1.hi), std::make_pair(a3.lo, a3.hi));
  EXPECT_NE(std::make_pair(a1.lo, a1.hi), std::make_pair(a4.lo, a4.hi));
  // Pinned output of this implementation (not an independent value): a change here means the
  // published intervals of every comparison change, which must be deliberate.
  EXPECT_DOUBLE_EQ(a1.lo, 1.0137524557956779);
  EXPECT_DOUBLE_EQ(a1.hi, 1.0607287449392713);
}

TEST(CompareBootstrap, QuantileLinearIsNumpysDefault) {
  // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; q = 0 and 1 are the extremes.
  EXPECT_DOUBLE_EQ(quantile_linear({1, 2, 3, 4}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile_linear({1, 2, 3, 4}, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile_linear({1, 2, 3, 4}, 1.0), 4);
  EXPECT_DOUBLE_EQ(quantile_linear({5}, 0.975), 5);
}

TEST(CompareBootstrap, BlockBootstrapOfConstantSeriesIsExact) {
  // Every interval 2 iterations in 1 s vs 3 iterations in 1 s: every block resample has the
  // same rates, so the interval collapses onto the ratio 1.5 (by hand).
  std::vector<WorkInterval> b(100, {2, 1}), c(90, {3, 1});
  BootstrapRng rng(1, "blocks");
  const auto r = block_bootstrap_rate_ratio(b, c, rng, 2000);
  EXPECT_DOUBLE_EQ(r.estimate, 1.5);
  EXPECT_DOUBLE_EQ(r.lo, 1.5);
  EXPECT_DOUBLE_EQ(r.hi, 1.5);
  EXPECT_EQ(block_length(100), 5);    // round(100^(1/3)) = round(4.64)
  EXPECT_EQ(block_length(4410), 16);  // round(16.40)
  EXPECT_EQ(block_length(1), 1);
}

TEST(CompareBootstrap, BlockBootstrapKeepsAlternationInsideBlocks) {
  // A strictly alternating series (1 s, 3 s per iteration) has rate 0.5 it/s. A block of even
  // length holds the same number of fast and slow steps, so resamples of blocks of 2 vary only
  // through the odd tail; an i.i.d. bootstrap would scatter much wider. With n = 8 the block length
  // is 2 and every resample is 4 whole blocks: each block is (1, 3) or (3, 1): rate exactly 0.5.
  std::vector<WorkInterval> alt;
  for (int i = 0; i < 8; ++i) alt.push_back({1, i % 2 ? 3.0 : 1.0});
  BootstrapRng rng(1, "alt");
  const auto r = block_bootstrap_rate(alt, rng, 1000);
  EXPECT_DOUBLE_EQ(r.estimate, 0.5);
  EXPECT_DOUBLE_EQ(r.lo, 0.5);
  EXPECT_DOUBLE_EQ(r.hi, 0.5);
}

TEST(CompareBootstrap, RefusesEmptyInput) {
  BootstrapRng rng(1, "x");
  EXPECT_THROW(bootstrap_ratio_of_means({}, {1}, rng, 10), std::invalid_argument);
  EXPECT_THROW(block_bootstrap_rate_ratio({}, {{1, 1}}, rng, 10), std::invalid_argument);
}

}  // namespace
}  // namespace rn50::report
