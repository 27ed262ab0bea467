// The end-of-run report JSON (docs/native-log.md#report): the Enflame-style seed keys plus
// time-to-target and steady-window throughput, built from sufficient statistics.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/train_config.h"

namespace rn50::trainer {

// Sums over training steps; per-step rates are global (all ranks) images per second.
struct ThroughputStats {
  double images = 0, seconds = 0, data_seconds = 0;
  double fps_sum = 0, fps_min = std::numeric_limits<double>::infinity(), fps_max = 0;
  int64_t steps = 0;

  void add(double step_images, double step_seconds, double step_data_seconds);
  void merge(const ThroughputStats& o);
  double total_ips() const { return seconds > 0 ? images / seconds : 0; }
  double compute_ips() const {
    return seconds - data_seconds > 0 ? images / (seconds - data_seconds) : 0;
  }
  double fps_mean() const { return steps > 0 ? fps_sum / double(steps) : 0; }
  nlohmann::json to_json() const;
  static ThroughputStats from_json(const nlohmann::json& j);
};

struct RunTotals {
  std::string status = "success";
  int64_t world_size = 1, local_rank = 0, epochs_completed = 0;
  double acc1_best = 0, acc5_best = 0;
  std::optional<double> time_to_target_s;
  std::optional<int64_t> target_epoch;
  double training_time_s = 0;
  ThroughputStats steady;  // steps after skip_steps in each epoch
};

nlohmann::json make_run_report(const core::TrainConfig& cfg, const RunTotals& t);

}  // namespace rn50::trainer
