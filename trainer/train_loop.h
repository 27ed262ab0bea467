// The training loop: one process (one rank) trains from a resolved TrainConfig. `rn50-exp train`
// calls it with a single-process Distributed; `rn50-exp worker` (one rank of a launched run)
// calls it with a connected one. Only rank 0 writes the native log and the report JSON.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/train_config.h"
#include "trainer/distributed.h"

namespace rn50::trainer {

// A snapshot for progress display, taken after every training step (rank 0 only).
struct ProgressInfo {
  std::string phase;  // "train" | "eval"
  int64_t epoch = 0, epochs = 0;
  int64_t step = 0, steps = 0;  // 1-based step inside the epoch, steps in this epoch
  double images_per_s = 0;      // global, recent window
  double loss = 0, lr = 0;
  double elapsed_s = 0;  // since the first training step
  double eta_s = -1;     // whole run; -1 when unknown yet
};

struct TrainHooks {
  // Written verbatim into the log's header record as "environment" (manifest: host, git, ...).
  nlohmann::json environment = nlohmann::json::object();
  // Called on rank 0 after each training step and each evaluation step.
  std::function<void(const ProgressInfo&)> on_progress;
  // Plain text lines (epoch summaries, notices) for a non-terminal stream; rank 0 only.
  std::function<void(const std::string&)> on_line;
  // Polled once per step; true stops the run after writing a checkpoint (status "aborted").
  std::function<bool()> should_stop;
};

struct TrainResult {
  std::string status = "success";  // MLPerf run_stop status: success | aborted
  int64_t epochs_completed = 0;
  double acc1_best = 0, acc5_best = 0;  // percent; 0 when never evaluated
  std::optional<double> time_to_target_s;
  double training_time_s = 0;                          // first training step -> end
  double total_ips = 0, compute_ips = 0;               // steady window (after skip_steps), global
  std::string log_path, report_path, checkpoint_path;  // empty on ranks != 0 (not written)
  nlohmann::json report;                               // the report JSON (rank 0)
};

// Throws core::UsageError for configuration problems found late (missing data folder, a
// checkpoint that does not match the model, CUDA requested on a CPU build), core::Error for
// I/O failures. Honours cfg.threads, cfg.seed, cfg.deterministic and cfg.resume.
TrainResult train(const core::TrainConfig& cfg, Distributed& dist, const TrainHooks& hooks = {});

}  // namespace rn50::trainer
