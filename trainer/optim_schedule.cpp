#include "trainer/optim_schedule.h"

#include <algorithm>
#include <cmath>

namespace rn50::trainer {

double LrSchedule::at(int64_t epoch, int64_t step, int64_t steps_per_epoch) const {
  // Per-epoch schedules see whole epochs only (NGC sets the LR once per epoch).
  const double t = per_iteration && steps_per_epoch > 0
                       ? double(epoch) + double(step) / double(steps_per_epoch)
                       : double(epoch);
  if (kind == "onecycle") {
    // Linear ramp from base/25 to base over the warmup (default: the first quarter), then a
    // half cosine down to end_lr: the "one cycle" policy with a linear first half.
    const double up = warmup_epochs > 0 ? warmup_epochs : 0.25 * double(epochs);
    if (t < up) return base_lr / 25 + (base_lr - base_lr / 25) * t / up;
    const double frac = std::min(1.0, (t - up) / std::max(1e-12, double(epochs) - up));
    return end_lr + 0.5 * (1 + std::cos(M_PI * frac)) * (base_lr - end_lr);
  }
  if (warmup_epochs > 0 && t < warmup_epochs) {
    // NGC: lr = base * (epoch + 1) / warmup; per iteration the same line, sampled finer.
    const double progress =
        per_iteration && steps_per_epoch > 0 ? t + 1.0 / double(steps_per_epoch) : t + 1.0;
    return base_lr * std::min(1.0, progress / warmup_epochs);
  }
  if (kind == "step") {
    double lr = base_lr;
    for (double m : milestones)
      if (t >= m) lr *= factor;
    return lr;
  }
  const double e = t - warmup_epochs;
  const double es = std::max(1e-12, double(epochs) - warmup_epochs);
  const double frac = std::clamp(e / es, 0.0, 1.0);
  if (kind == "cosine") return end_lr + 0.5 * (1 + std::cos(M_PI * frac)) * (base_lr - end_lr);
  return end_lr + (1 - frac) * (base_lr - end_lr);  // linear
}

double scaled_base_lr(const core::TrainConfig& cfg, int64_t optimizer_batch) {
  if (!cfg.lr_scaling) return cfg.lr;
  return cfg.lr * double(optimizer_batch) / double(cfg.lr_reference_batch);
}

LrSchedule make_schedule(const core::TrainConfig& cfg, int64_t optimizer_batch) {
  LrSchedule s;
  s.kind = cfg.lr_schedule;
  s.base_lr = scaled_base_lr(cfg, optimizer_batch);
  s.end_lr = cfg.end_lr;
  s.warmup_epochs = cfg.warmup_epochs;
  s.epochs = cfg.epochs;
  s.milestones = cfg.lr_milestones;
  s.factor = cfg.lr_factor;
  s.per_iteration = cfg.lr_per_iteration;
  return s;
}

}  // namespace rn50::trainer
