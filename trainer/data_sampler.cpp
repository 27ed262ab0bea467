#include "trainer/data_sampler.h"

#include <numeric>
#include <stdexcept>
#include <utility>

#include "trainer/data_random.h"

namespace rn50::trainer::data {

std::vector<int64_t> shuffled_order(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  SplitMix64 rng(derive_key(seed, static_cast<uint64_t>(epoch)));
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng.below(static_cast<uint64_t>(i + 1)));
    std::swap(order[i], order[j]);
  }
  return order;
}

ShardSampler::ShardSampler(int64_t dataset_size, int64_t batch_size, int64_t rank,
                           int64_t world_size, bool train, uint64_t seed)
    : n_(dataset_size),
      batch_size_(batch_size),
      rank_(rank),
      world_(world_size),
      train_(train),
      seed_(seed) {
  if (n_ < 0 || batch_size_ <= 0 || world_ <= 0 || rank_ < 0 || rank_ >= world_)
    throw std::invalid_argument("ShardSampler: bad size/batch/rank/world");
  if (train_) {
    batches_ = n_ / (batch_size_ * world_);
    images_ = batches_ * batch_size_;
  } else {
    images_ = n_ > rank_ ? (n_ - rank_ + world_ - 1) / world_ : 0;
    batches_ = (images_ + batch_size_ - 1) / batch_size_;
  }
}

std::vector<int64_t> ShardSampler::epoch_indices(int64_t epoch) const {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(images_));
  if (train_) {
    // Strided like torch's DistributedSampler: global step k covers order[k*B*W, (k+1)*B*W)
    // whatever the world size, so a global batch holds the same images at any scale.
    const auto order = shuffled_order(n_, seed_, epoch);
    for (int64_t k = 0; k < images_; ++k)
      out.push_back(order[static_cast<size_t>(rank_ + k * world_)]);
  } else {
    for (int64_t i = rank_; i < n_; i += world_) out.push_back(i);
  }
  return out;
}

}  // namespace rn50::trainer::data
