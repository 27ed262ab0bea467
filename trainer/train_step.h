// One training step (forward, loss, backward, gradient sync, optimizer update), shared by the
// loop and by the benchmark mode so that both measure exactly the same work.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <random>

#include "core/train_config.h"
#include "trainer/amp.h"
#include "trainer/distributed.h"
#include "trainer/loss_scaler.h"
#include "trainer/optim_sgd.h"
#include "trainer/resnet.h"

namespace rn50::trainer {

// Mixup of one batch: images = lam * x + (1 - lam) * x[perm]; loss mixed the same way.
struct MixupDraw {
  double lam = 1;
  torch::Tensor perm;
};
// Beta(alpha, alpha) via two Gamma draws and a Fisher-Yates permutation from `rng` alone, so the
// draw is reproducible from the engine state saved in checkpoints.
MixupDraw draw_mixup(std::mt19937_64& rng, double alpha, int64_t batch);

ResNet make_model(const core::TrainConfig& cfg);
// Parameters (4-D) to channels_last when memory_format is nhwc.
void apply_memory_format(torch::nn::Module& model, const core::TrainConfig& cfg);

class TrainStep {
 public:
  // `accumulation` micro-batches make one optimizer step.
  // The model already sits on its device (cfg.device); batches may come from the host.
  TrainStep(const core::TrainConfig& cfg, ResNet model, Distributed& dist, int64_t accumulation);

  // Runs one micro-batch; on `boundary` also syncs gradients and updates with `lr`.
  // Returns the (unscaled, un-averaged) mean loss of the micro-batch.
  double run(torch::Tensor images, const torch::Tensor& labels, double lr, bool boundary,
             const MixupDraw* mix = nullptr);

  Sgd& sgd() { return sgd_; }
  LossScaler& scaler() { return scaler_; }
  ResNet& model() { return model_; }

 private:
  const core::TrainConfig& cfg_;
  ResNet model_;
  Distributed& dist_;
  int64_t accumulation_;
  Sgd sgd_;
  LossScaler scaler_;
  AmpPolicy amp_;
  torch::Device device_;
  bool channels_last_;
};

}  // namespace rn50::trainer
