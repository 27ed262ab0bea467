// The in-memory model of one training run, shared by every parser, the store and the report.
// Parsers fill it from a log; the store persists it; the report reads it back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rn50::core {

// Persisted as text in runs.status; values never change meaning.
enum class RunStatus {
  kFinished,    // the log shows a normal end (Summary line, run_stop success, report JSON)
  kIncomplete,  // the log stops without an end record (interrupted, still running, truncated)
  kAborted,     // the tool itself says the run ended unsuccessfully (MLPerf run_stop aborted)
  kFailed,      // the run crashed / a rank died (runner) or MLPerf status "fail"
};
std::string_view to_string(RunStatus s);
std::optional<RunStatus> run_status_from_string(std::string_view s);

// Where a value came from. Persisted as text; never guess silently.
enum class Source { kLog, kInferred, kUser };
std::string_view to_string(Source s);

// A value together with its provenance. Empty means "the log cannot tell".
template <class T>
struct Fact {
  std::optional<T> value;
  Source source = Source::kLog;
  std::string detail;  // how it was inferred, e.g. "1281167 / 10010 iterations"

  void set(T v, Source s = Source::kLog, std::string d = {}) {
    value = std::move(v);
    source = s;
    detail = std::move(d);
  }
  bool known() const { return value.has_value(); }
};

// Level of a metric point; persisted as text in metrics.level.
//   iter      training iteration line          epoch + step
//   val_iter  validation iteration line        epoch + step
//   epoch     end-of-epoch aggregate           epoch
//   summary   end-of-run aggregate the log states itself
//   eval      an evaluation event (MLPerf eval_accuracy) epoch (may be fractional)
struct MetricPoint {
  std::string key;              // NGC vocabulary: train.loss, train.total_ips, val.top1, ...
  std::string level;            // see above
  std::optional<double> epoch;  // fractional epochs exist (MLPerf TPU logs)
  std::optional<int64_t> step;  // iteration number as the log prints it
  std::optional<double> time;   // unix seconds (naive log timestamps are read as UTC)
  double value = 0;
};

// One row per epoch: the numbers a user plots. Units: percent, images/s, seconds.
struct EpochRecord {
  int64_t epoch = 0;  // as the log numbers it (NGC 0-based, MLPerf NVIDIA 1-based)
  std::optional<double> train_loss, top1, top5, lr, total_ips, compute_ips;
  std::optional<double> time;  // unix seconds when the epoch record (or its evaluation) was logged
};

// A run event in MLPerf vocabulary (run_start, run_stop, eval_accuracy, epoch_start, ...).
struct Event {
  std::string key;
  std::optional<double> time;  // unix seconds
  std::optional<double> epoch;
  std::string value_json;     // JSON text of the value ("null" when none)
  std::string metadata_json;  // JSON text of metadata ("{}" when none)
};

struct Param {
  std::string key;
  std::string value;  // as the log prints it (PARAMETER values are Python str())
  Source source = Source::kLog;
};

// Numbers derived from the series, following docs/definitions.md. NULL (nullopt) when an input
// is unknown. Filled by core::derive() plus format-specific code in each parser.
struct Derived {
  std::optional<double> best_top1, best_top5, last_top1;
  std::optional<int64_t> best_top1_epoch;
  std::optional<double> total_ips, compute_ips;                  // our steady-window values
  std::string total_ips_definition, compute_ips_definition;      // how they were computed
  std::optional<double> summary_total_ips, summary_compute_ips;  // what the log's summary states
  std::optional<double> summary_top1, summary_top5;
  std::optional<double> target_top1;       // percent
  std::optional<double> time_to_target_s;  // first training step -> first eval >= target
  std::optional<int64_t> target_epoch;     // epoch of that evaluation
  std::optional<double> wall_time_s;       // first training step -> end record
  std::optional<double> step_time_p50, step_time_p90, step_time_p99;  // seconds per iteration
};

struct RunRecord {
  std::string source_format;  // e.g. "ngc-dllogger-stdout"; see parsers/registry.h
  std::string run_key;        // identity of the run inside its file ("" when one run per file)
  std::string name;           // human label, defaults to file name (+ run_key)
  RunStatus status = RunStatus::kIncomplete;

  std::optional<double> start_time;  // unix seconds of the first training step (MLPerf: run_start)
  std::optional<double> end_time;    // unix seconds of the end record (Summary, run_stop, ...)

  Fact<int64_t> world_size;  // devices (ranks) in the run
  Fact<int64_t> nodes;
  Fact<int64_t> batch_per_device;
  Fact<int64_t> global_batch;  // images per iteration across all devices (bpd x world size);
                               // a larger optimizer batch (accumulation) is a param
  Fact<int64_t> epochs_planned;
  Fact<std::string> precision;  // "fp32", "amp", "tf32", "bf16", "fp16"
  std::optional<int64_t> epochs_completed;

  std::vector<Param> params;
  std::vector<MetricPoint> metrics;
  std::vector<EpochRecord> epochs;
  std::vector<Event> events;
  std::vector<std::pair<std::string, std::string>> tags;  // mutable labels (role=..., user tags)
  Derived derived;

  const Param* find_param(std::string_view key) const;
  void set_param(std::string key, std::string value, Source source = Source::kLog);
};

}  // namespace rn50::core
