#include "trainer/train_bench.h"

#include <ATen/Parallel.h>

#include <chrono>

#include "core/memory.h"
#include "trainer/device.h"
#include "trainer/train_step.h"

namespace rn50::trainer {

BenchResult bench_train_step(const core::TrainConfig& cfg, int64_t warmup, int64_t steps) {
  if (cfg.threads > 0) at::set_num_threads(int(cfg.threads));
  core::keep_freed_memory();
  torch::manual_seed(cfg.seed);
  Distributed single;
  const torch::Device device = select_device(cfg, single);
  prepare_device(device, cfg.deterministic);
  ResNet model = make_model(cfg);
  model->to(device);
  apply_memory_format(*model, cfg);
  model->train();
  TrainStep step(cfg, model, single, 1);
  // The batch lives on the device, as in the Python peer: the step alone is timed.
  auto images = torch::randn({cfg.batch_size, 3, cfg.image_size, cfg.image_size}).to(device);
  auto labels = torch::randint(cfg.num_classes, {cfg.batch_size}, torch::kLong).to(device);
  for (int64_t i = 0; i < warmup; ++i) step.run(images, labels, cfg.lr, true);
  synchronize(device);
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) step.run(images, labels, cfg.lr, true);
  synchronize(device);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BenchResult r;
  r.steps = steps;
  r.seconds_per_step = s / double(steps);
  r.images_per_s = double(cfg.batch_size * steps) / s;
  r.threads = at::get_num_threads();
  r.device = device.str();
  const AmpPolicy amp = amp_policy(cfg);
  if (amp.autocast) r.autocast_dtype = amp.dtype == at::kHalf ? "fp16" : "bf16";
  r.skipped_steps = step.scaler().skipped_steps();
  r.loss_scale = step.scaler().scale();
  return r;
}

}  // namespace rn50::trainer
