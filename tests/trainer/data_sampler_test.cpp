#include "trainer/data_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "trainer/data_random.h"

namespace rn50::trainer::data {
namespace {

TEST(DataRandom, SplitMix64MatchesReferenceValues) {
  // First outputs of the reference SplitMix64 seeded with 0 (Vigna's splitmix64.c).
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(rng.next(), 0x06C45D188009454Full);
}

TEST(DataRandom, BelowStaysInRangeAndCoversIt) {
  SplitMix64 rng(42);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto x = rng.below(7);
    ASSERT_LT(x, 7u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 7u);
}

TEST(DataSampler, SameSeedAndEpochGiveSameOrder) {
  EXPECT_EQ(shuffled_order(1000, 7, 3), shuffled_order(1000, 7, 3));
  ShardSampler a(1000, 10, 1, 4, true, 7), b(1000, 10, 1, 4, true, 7);
  EXPECT_EQ(a.epoch_indices(5), b.epoch_indices(5));
}

TEST(DataSampler, OrderIsAPermutationThatChangesWithEpochAndSeed) {
  const auto e0 = shuffled_order(1000, 7, 0);
  auto sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_NE(e0, shuffled_order(1000, 7, 1));
  EXPECT_NE(e0, shuffled_order(1000, 8, 0));
  EXPECT_NE(e0, sorted);
}

TEST(DataSampler, KnownOrderIsStableAcrossBuilds) {
  // Pins the documented algorithm (docs/data.md); a change here changes every run's order.
  const std::vector<int64_t> expected = shuffled_order(10, 0, 0);
  SplitMix64 rng(derive_key(0, 0));
  std::vector<int64_t> manual = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  for (int64_t i = 9; i > 0; --i) std::swap(manual[i], manual[rng.below(i + 1)]);
  EXPECT_EQ(expected, manual);
}

TEST(DataSampler, TrainShardsPartitionAFullGlobalBatchPrefixAndDropTheRest) {
  const int64_t n = 1003, batch = 8, world = 3;
  std::set<int64_t> all;
  const auto order = shuffled_order(n, 11, 2);
  for (int64_t r = 0; r < world; ++r) {
    ShardSampler s(n, batch, r, world, true, 11);
    EXPECT_EQ(s.batches_per_epoch(), n / (batch * world));
    EXPECT_EQ(s.images_per_epoch(), s.batches_per_epoch() * batch);
    const auto idx = s.epoch_indices(2);
    ASSERT_EQ(static_cast<int64_t>(idx.size()), s.images_per_epoch());
    for (auto i : idx) EXPECT_TRUE(all.insert(i).second) << "index " << i << " on two ranks";
  }
  // Exactly the first batches*batch*world of the epoch order, nothing from the dropped tail.
  const int64_t used = (n / (batch * world)) * batch * world;
  EXPECT_EQ(static_cast<int64_t>(all.size()), used);
  EXPECT_EQ(all, std::set<int64_t>(order.begin(), order.begin() + used));
}

TEST(DataSampler, ValidationCoversEveryImageExactlyOnce) {
  const int64_t n = 10, batch = 2, world = 4;
  std::multiset<int64_t> all;
  std::vector<int64_t> batches;
  for (int64_t r = 0; r < world; ++r) {
    ShardSampler s(n, batch, r, world, false, 1);
    const auto idx = s.epoch_indices(0);
    EXPECT_EQ(static_cast<int64_t>(idx.size()), s.images_per_epoch());
    all.insert(idx.begin(), idx.end());
    batches.push_back(s.batches_per_epoch());
  }
  EXPECT_EQ(all.size(), 10u);
  for (int64_t i = 0; i < n; ++i) EXPECT_EQ(all.count(i), 1u);
  EXPECT_EQ(batches, (std::vector<int64_t>{2, 2, 1, 1}));  // 3,3,2,2 images
}

TEST(DataSampler, MoreRanksThanValidationImagesLeavesSomeRanksEmpty) {
  ShardSampler s(3, 4, 3, 4, false, 0);
  EXPECT_EQ(s.images_per_epoch(), 0);
  EXPECT_EQ(s.batches_per_epoch(), 0);
}

}  // namespace
}  // namespace rn50::trainer::data
