// Checkpoints: everything needed to continue a run exactly (docs/trainer.md#checkpoints): model
// parameters and buffers by torchvision name, SGD momentum buffers, loss-scaler state, position
// (epoch, next step), RNG states and the loop's running results. Written atomically.
#pragma once

#include <torch/nn/module.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rn50::trainer {

inline constexpr int kCheckpointVersion = 1;

struct CheckpointState {
  // Position: the next step to run is `step` of `epoch` (0-based). step == 0 at epoch boundaries.
  int64_t epoch = 0, step = 0;
  // SGD momentum buffers in the optimizer's parameter order (undefined = not yet created).
  std::vector<torch::Tensor> momentum;
  double loss_scale = 1;
  int64_t loss_scale_tracker = 0;
  torch::Tensor torch_rng;  // at::Generator state of the default CPU generator
  std::string mixup_rng;    // std::mt19937_64 state as text
  // Loop bookkeeping (best accuracy, elapsed time, throughput accumulators, config identity).
  nlohmann::json loop = nlohmann::json::object();
};

// Writes `path` via a temporary file in the same folder + rename, so a crash never leaves a
// torn checkpoint. Throws core::Error on I/O failure.
void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     const CheckpointState& state);

// Loads into `model` (names and shapes must match) and returns the rest. Throws
// core::UsageError when the file is not a checkpoint of this format/version or does not match
// the model, core::Error on I/O failure.
CheckpointState load_checkpoint(const std::string& path, torch::nn::Module& model);

}  // namespace rn50::trainer
