#include "trainer/run_report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace rn50::trainer {

void ThroughputStats::add(double step_images, double step_seconds, double step_data_seconds) {
  images += step_images;
  seconds += step_seconds;
  data_seconds += step_data_seconds;
  if (step_seconds > 0) {
    double fps = step_images / step_seconds;
    fps_sum += fps;
    fps_min = std::min(fps_min, fps);
    fps_max = std::max(fps_max, fps);
    ++steps;
  }
}

void ThroughputStats::merge(const ThroughputStats& o) {
  images += o.images;
  seconds += o.seconds;
  data_seconds += o.data_seconds;
  fps_sum += o.fps_sum;
  fps_min = std::min(fps_min, o.fps_min);
  fps_max = std::max(fps_max, o.fps_max);
  steps += o.steps;
}

nlohmann::json ThroughputStats::to_json() const {
  return {{"images", images},
          {"seconds", seconds},
          {"data_seconds", data_seconds},
          {"steps", steps},
          {"fps_sum", fps_sum},
          {"fps_min", steps > 0 ? nlohmann::json(fps_min) : nullptr},
          {"fps_max", steps > 0 ? nlohmann::json(fps_max) : nullptr}};
}

ThroughputStats ThroughputStats::from_json(const nlohmann::json& j) {
  ThroughputStats s;
  s.images = j.value("images", 0.0);
  s.seconds = j.value("seconds", 0.0);
  s.data_seconds = j.value("data_seconds", 0.0);
  s.steps = j.value("steps", int64_t(0));
  s.fps_sum = j.value("fps_sum", 0.0);
  if (j.contains("fps_min") && j["fps_min"].is_number()) s.fps_min = j["fps_min"].get<double>();
  if (j.contains("fps_max") && j["fps_max"].is_number()) s.fps_max = j["fps_max"].get<double>();
  return s;
}

nlohmann::json make_run_report(const core::TrainConfig& cfg, const RunTotals& t) {
  using nlohmann::json;
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json r = {
      {"schema", "rn50-run-report"},
      {"version", 1},
      {"model", cfg.arch},
      {"local_rank", t.local_rank},
      {"world_size", t.world_size},
      {"batch_size", cfg.batch_size},
      {"global_batch", cfg.batch_size * t.world_size},
      {"epochs", cfg.epochs},
      {"epochs_completed", t.epochs_completed},
      {"training_step_per_epoch", cfg.training_step_per_epoch},
      {"eval_step_per_epoch", cfg.eval_step_per_epoch},
      {"acc1_best", t.acc1_best},
      {"acc5_best", t.acc5_best},
      {"device", cfg.device},
      {"precision", cfg.precision},
      {"skip_steps", cfg.skip_steps},
      {"train_fps_mean", t.steady.fps_mean()},
      {"train_fps_min", t.steady.steps > 0 ? t.steady.fps_min : 0.0},
      {"train_fps_max", t.steady.fps_max},
      {"training_time", t.training_time_s},
      {"target_top1", cfg.target_top1 > 0 ? json(cfg.target_top1) : json(nullptr)},
      {"time_to_target_s", opt(t.time_to_target_s)},
      {"target_epoch", t.target_epoch ? json(*t.target_epoch) : json(nullptr)},
      {"total_ips", t.steady.total_ips()},
      {"compute_ips", t.steady.compute_ips()},
      {"status", t.status},
  };
  return r;
}

}  // namespace rn50::trainer
