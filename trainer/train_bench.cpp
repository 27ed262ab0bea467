#include "trainer/train_bench.h"

#include <ATen/Parallel.h>

#include <chrono>

#include "core/memory.h"
#include "trainer/train_step.h"

namespace rn50::trainer {

BenchResult bench_train_step(const core::TrainConfig& cfg, int64_t warmup, int64_t steps) {
  if (cfg.threads > 0) at::set_num_threads(int(cfg.threads));
  core::keep_freed_memory();
  torch::manual_seed(cfg.seed);
  Distributed single;
  ResNet model = make_model(cfg);
  apply_memory_format(*model, cfg);
  model->train();
  TrainStep step(cfg, model, single, 1);
  auto images = torch::randn({cfg.batch_size, 3, cfg.image_size, cfg.image_size});
  auto labels = torch::randint(cfg.num_classes, {cfg.batch_size}, torch::kLong);
  for (int64_t i = 0; i < warmup; ++i) step.run(images, labels, cfg.lr, true);
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) step.run(images, labels, cfg.lr, true);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BenchResult r;
  r.steps = steps;
  r.seconds_per_step = s / double(steps);
  r.images_per_s = double(cfg.batch_size * steps) / s;
  r.threads = at::get_num_threads();
  return r;
}

}  // namespace rn50::trainer
