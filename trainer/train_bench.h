// Throughput of the training step alone (bench/train): the loop's TrainStep on one fixed
// synthetic batch, so the number compares 1:1 with a Python loop doing the same.
#pragma once

#include <cstdint>
#include <string>

#include "core/train_config.h"

namespace rn50::trainer {

struct BenchResult {
  double images_per_s = 0;  // mean over the timed steps
  double seconds_per_step = 0;
  int64_t steps = 0;
  int threads = 0;
  std::string device;          // "cpu", "cuda:0"
  std::string autocast_dtype;  // "" without autocast, else "bf16" / "fp16"
  int64_t skipped_steps = 0;   // fp16: steps the loss scaler skipped (inf/NaN gradients)
  double loss_scale = 1;       // at the end
};

// Builds the model and optimizer from cfg (arch, stem, image_size, batch_size, precision,
// memory_format, threads), runs `warmup` untimed steps and `steps` timed ones.
BenchResult bench_train_step(const core::TrainConfig& cfg, int64_t warmup, int64_t steps);

}  // namespace rn50::trainer
