// Random tensors instead of images, for throughput runs without a data set.
#pragma once

#include <memory>

#include "trainer/batch_source.h"

namespace rn50::trainer::data {

// Deterministic by opt.seed. Images come from a small pool of pre-generated batches (no work per
// batch, so the loop measures compute only); labels follow the sampler's order.
std::unique_ptr<BatchSource> make_synthetic_source(const DataOptions& opt);

// Label of synthetic image i (uniform over classes, fixed per seed).
int64_t synthetic_label(uint64_t seed, int64_t index, int64_t num_classes);

}  // namespace rn50::trainer::data
