#include "core/derive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/error.h"

namespace rn50::core {
namespace {

RunRecord run_with_epochs() {
  RunRecord r;
  r.start_time = 1000;
  r.end_time = 1900;
  for (int e = 0; e < 5; ++e) {
    EpochRecord rec;
    rec.epoch = e;
    rec.top1 = 70.0 + e * 2;  // 70 72 74 76 78
    rec.top5 = 90.0 + e;
    rec.time = 1000 + 100.0 * (e + 1);
    r.epochs.push_back(rec);
  }
  return r;
}

TEST(DeriveCommon, BestLastAndTimeToTarget) {
  RunRecord r = run_with_epochs();
  DeriveOptions opt;
  derive_common(r, opt);
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 78);
  EXPECT_EQ(*r.derived.best_top1_epoch, 4);
  EXPECT_DOUBLE_EQ(*r.derived.best_top5, 94);
  EXPECT_DOUBLE_EQ(*r.derived.last_top1, 78);
  EXPECT_DOUBLE_EQ(*r.derived.target_top1, 75.9);
  EXPECT_EQ(*r.derived.target_epoch, 3);
  EXPECT_DOUBLE_EQ(*r.derived.time_to_target_s, 400);
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 900);
  EXPECT_EQ(*r.epochs_completed, 5);
}

TEST(DeriveCommon, TargetNeverReachedLeavesNull) {
  RunRecord r = run_with_epochs();
  DeriveOptions opt;
  opt.target_top1 = 99;
  derive_common(r, opt);
  EXPECT_FALSE(r.derived.time_to_target_s);
  EXPECT_FALSE(r.derived.target_epoch);
}

TEST(DeriveCommon, NoStartTimeMeansNoTimes) {
  RunRecord r = run_with_epochs();
  r.start_time.reset();
  derive_common(r, {});
  EXPECT_EQ(*r.derived.target_epoch, 3);
  EXPECT_FALSE(r.derived.time_to_target_s);
  EXPECT_FALSE(r.derived.wall_time_s);
}

TEST(ApplyUserFacts, UserWinsAndGlobalBatchInferred) {
  RunRecord r;
  r.world_size.set(8, Source::kLog);
  DeriveOptions opt;
  opt.sets = {{"batch_size", "128"}};
  apply_user_facts(r, opt);
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(r.batch_per_device.source, Source::kUser);
  EXPECT_EQ(*r.global_batch.value, 1024);
  EXPECT_EQ(r.global_batch.source, Source::kInferred);
}

TEST(ApplyUserFacts, BatchPerDeviceFromGlobalOnlyWhenExact) {
  RunRecord r;
  r.global_batch.set(256);
  r.world_size.set(3);
  apply_user_facts(r, {});
  EXPECT_FALSE(r.batch_per_device.known());
  r.world_size.set(4);
  apply_user_facts(r, {});
  EXPECT_EQ(*r.batch_per_device.value, 64);
}

TEST(ApplyUserFacts, RejectsUnknownKeyAndBadValues) {
  RunRecord r;
  DeriveOptions opt;
  opt.sets = {{"batchsize", "1"}};
  EXPECT_THROW(apply_user_facts(r, opt), UsageError);
  opt.sets = {{"world_size", "-2"}};
  EXPECT_THROW(apply_user_facts(r, opt), UsageError);
  opt.sets = {{"world_size", "8x"}};
  EXPECT_THROW(apply_user_facts(r, opt), UsageError);
  opt.sets = {{"precision", "int8"}};
  EXPECT_THROW(apply_user_facts(r, opt), UsageError);
}

TEST(Percentile, NearestRank) {
  EXPECT_FALSE(percentile({}, 50));
  EXPECT_DOUBLE_EQ(*percentile({3, 1, 2}, 50), 2);
  EXPECT_DOUBLE_EQ(*percentile({1, 2, 3, 4}, 50), 2);
  EXPECT_DOUBLE_EQ(*percentile({1, 2, 3, 4}, 99), 4);
  EXPECT_DOUBLE_EQ(*percentile({5}, 90), 5);
}

// Parsers take p50, p90 and p99 of one vector in turn; each call must see the whole sample
// although the previous one reordered it.
TEST(Percentile, InPlaceCallsInTurnMatchTheSortedNearestRank) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.1, 2.0);
  for (size_t n : {1u, 2u, 3u, 10u, 101u, 1000u}) {
    std::vector<double> v(n);
    for (auto& x : v) x = u(rng);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (double p : {99.0, 0.0, 50.0, 100.0, 1.0, 90.0}) {
      const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * double(n)));
      const double want = sorted[rank == 0 ? 0 : std::min(rank, n) - 1];
      EXPECT_EQ(percentile_in_place(v, p), want) << n << " " << p;
    }
  }
  std::vector<double> empty;
  EXPECT_FALSE(percentile_in_place(empty, 50));
}

}  // namespace
}  // namespace rn50::core

namespace rn50::core {
namespace {

TEST(DeriveCommon, BestEpochTiesGoToTheLaterEpoch) {
  RunRecord r;
  for (auto [e, t] : {std::pair{0, 70.0}, {1, 76.63}, {2, 76.62}, {3, 76.63}}) {
    EpochRecord rec;
    rec.epoch = e;
    rec.top1 = t;
    r.epochs.push_back(rec);
  }
  derive_common(r, {});
  EXPECT_EQ(*r.derived.best_top1_epoch, 3);
  EXPECT_EQ(*r.derived.target_epoch, 1);
}

}  // namespace
}  // namespace rn50::core

namespace rn50::core {
namespace {

TEST(DeriveCommon, WallTimeIsExactToTheMicrosecond) {
  // MLPerf TPU v4-128 result_0: run_start/run_stop in ms; 258.099 s must not become 258.09899997.
  RunRecord r;
  r.start_time = 1620425289.935;
  r.end_time = 1620425548.034;
  derive_common(r, {});
  EXPECT_EQ(*r.derived.wall_time_s, 258.099);
}

}  // namespace
}  // namespace rn50::core

namespace rn50::core {
namespace {

// Issue 10 item 1: a world size of 0 from a log reached `global_batch % world_size` (SIGFPE).
// Parsers refuse such facts now; the arithmetic itself stays defined whatever it is given.
TEST(ApplyUserFacts, ImpossibleFactsInferNothingAndNeverTrap) {
  for (int64_t ws : {int64_t(0), int64_t(-1), std::numeric_limits<int64_t>::min()}) {
    RunRecord r;
    r.global_batch.set(64);
    r.world_size.set(ws);
    apply_user_facts(r, {});
    EXPECT_FALSE(r.batch_per_device.known()) << ws;
  }
  RunRecord over;  // the product does not fit in int64
  over.batch_per_device.set(int64_t(1) << 40);
  over.world_size.set(int64_t(1) << 40);
  apply_user_facts(over, {});
  EXPECT_FALSE(over.global_batch.known());
  RunRecord zero;
  zero.batch_per_device.set(0);
  zero.world_size.set(8);
  apply_user_facts(zero, {});
  EXPECT_FALSE(zero.global_batch.known());
}

TEST(Percentile, WeightedEqualsTheExpandedSample) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::pair<double, int64_t>> pairs;
    std::vector<double> expanded;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      const double v = static_cast<double>(rng() % 100) / 10.0;
      const int64_t count = static_cast<int64_t>(rng() % 5);  // 0: not in the sample
      pairs.emplace_back(v, count);
      for (int64_t k = 0; k < count; ++k) expanded.push_back(v);
    }
    for (double p : {1.0, 50.0, 90.0, 99.0, 100.0}) {
      auto copy = pairs;
      EXPECT_EQ(percentile_weighted(copy, p), percentile(expanded, p)) << round << " p" << p;
    }
  }
}

}  // namespace
}  // namespace rn50::core
