// Which images a rank sees in an epoch, and in what order. A pure function of
// (data set size, seed, epoch, rank, world size, batch size); see docs/data.md for the exact
// algorithm so that other tools can reproduce an order.
#pragma once

#include <cstdint>
#include <vector>

namespace rn50::trainer::data {

// 0..n-1 shuffled by Fisher-Yates driven by SplitMix64(derive_key(seed, epoch)).
std::vector<int64_t> shuffled_order(int64_t n, uint64_t seed, int64_t epoch);

class ShardSampler {
 public:
  // train: shuffle per epoch and drop the last incomplete global batch, so every rank has the
  // same number of full batches. Otherwise (validation): natural order, every image exactly
  // once over all ranks, the last batch of a rank may be short.
  ShardSampler(int64_t dataset_size, int64_t batch_size, int64_t rank, int64_t world_size,
               bool train, uint64_t seed);

  int64_t batches_per_epoch() const { return batches_; }
  int64_t images_per_epoch() const { return images_; }
  int64_t batch_size() const { return batch_size_; }

  // This rank's data-set indices for the epoch, in delivery order; batch k is the slice
  // [k * batch_size, min((k + 1) * batch_size, size)).
  std::vector<int64_t> epoch_indices(int64_t epoch) const;

 private:
  int64_t n_, batch_size_, rank_, world_, batches_ = 0, images_ = 0;
  bool train_;
  uint64_t seed_;
};

}  // namespace rn50::trainer::data
