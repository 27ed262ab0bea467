// Exact top-1/top-5 over the validation set: sums of correct counts and of the loss, summed
// across ranks (never averages of averages).
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <string>

#include "trainer/amp.h"
#include "trainer/batch_source.h"
#include "trainer/distributed.h"
#include "trainer/resnet.h"

namespace rn50::trainer {

struct EvalStats {
  double correct1 = 0, correct5 = 0, n = 0, loss_sum = 0;  // global sums
  double seconds = 0;                                      // wall time of this rank
  double top1() const { return n > 0 ? 100.0 * correct1 / n : 0; }
  double top5() const { return n > 0 ? 100.0 * correct5 / n : 0; }
  double loss() const { return n > 0 ? loss_sum / n : 0; }
};

struct EvalOptions {
  int64_t max_steps = -1;  // eval_step_per_epoch
  AmpPolicy amp;           // autocast as in training
  bool channels_last = false;
  // Called after each batch with (step, steps).
  std::function<void(int64_t, int64_t)> on_step;
};

// Runs one pass of `val` (its epoch `epoch`) through `model` in eval mode and restores train mode.
EvalStats evaluate(ResNet& model, BatchSource& val, int64_t epoch, Distributed& dist,
                   const EvalOptions& opt);

// Counts of correct top-1 / top-k predictions in `logits` [N, C] for `labels` [N].
std::pair<int64_t, int64_t> count_correct(const torch::Tensor& logits, const torch::Tensor& labels,
                                          int64_t k = 5);

}  // namespace rn50::trainer
