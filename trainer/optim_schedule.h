// Learning-rate schedules (NGC optimizers.py semantics, docs/trainer-config.md): step, cosine,
// linear and onecycle, each with linear warmup, evaluated per epoch or per iteration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/train_config.h"

namespace rn50::trainer {

struct LrSchedule {
  std::string kind = "step";  // step | cosine | linear | onecycle
  double base_lr = 0.1;       // after the linear scaling rule
  double end_lr = 0;
  double warmup_epochs = 0;
  int64_t epochs = 90;
  std::vector<double> milestones;
  double factor = 0.1;
  bool per_iteration = false;

  // LR for iteration `step` (0-based) of `epoch` (0-based) with `steps_per_epoch` iterations.
  double at(int64_t epoch, int64_t step, int64_t steps_per_epoch) const;
};

// Base LR after the linear scaling rule (lr * optimizer_batch / lr_reference_batch when on).
double scaled_base_lr(const core::TrainConfig& cfg, int64_t optimizer_batch);
LrSchedule make_schedule(const core::TrainConfig& cfg, int64_t optimizer_batch);

}  // namespace rn50::trainer
