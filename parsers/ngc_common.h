// What the two NVIDIA DeepLearningExamples dllogger parsers (stdout `DLL` lines and JSON `DLLL {…}`
// lines) share: the step vocabulary and RunAssembler, which turns a stream of logged records into
// runs (facts from PARAMETER, metric points, epoch rows, throughput) as they are read. The two
// formats carry the same records, so the same run logged both ways yields the same numbers.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/derive.h"
#include "core/metric_sink.h"
#include "core/parsed_file.h"
#include "parsers/diagnostic_log.h"

namespace rn50::parsers::ngc {

// The dllogger `step` of a record (DeepLearningExamples image_classification/logger.py
// format_step).
enum class StepKind {
  kParameter,   // "PARAMETER"
  kIteration,   // (epoch, iteration)                training iteration
  kValidation,  // (epoch, iteration, val_iteration) validation iteration
  kEpoch,       // (epoch,)                          end-of-epoch averages
  kSummary,     // ()                                end-of-run aggregates
  kOther,       // a bare string step, ("Calibration", i), ...: kept as a run event
};

struct Step {
  StepKind kind = StepKind::kOther;
  int64_t epoch = 0;
  int64_t iteration = 0;
  int64_t val_iteration = 0;
  std::string label;                       // kOther: the step text ("Calibration", "foo")
  std::optional<int64_t> label_iteration;  // kOther: the number of "<label> Iteration: N"

  bool same_as(const Step& o) const;
};

// dllogger metric names changed across DLE versions: `lr` became `train.lr`.
std::string_view canonical_metric_key(std::string_view key);

// Receives records in log order and builds the runs in `out.runs`, handing metric points to the
// sink as they arrive. A PARAMETER record after any training record starts a new run (logs of
// several runs concatenated into one file). Consecutive records with the same step are one
// logical record (dllogger logs epoch and summary data as two records, JSON logs iteration data as
// two records): they share the first record's timestamp. Per run it keeps only per-epoch rows and
// one step time per pair of logged iterations.
class RunAssembler {
 public:
  RunAssembler(std::string_view format, core::ParsedFile& out, core::MetricSink& points,
               DiagnosticLog& diagnostics, const core::DeriveOptions& opt);

  // Starts a logged record. `time` is unix seconds (nullopt when the record has none).
  void begin_record(const Step& step, std::optional<double> time, int64_t line);
  // Values of the current record. param(): PARAMETER records; metric(): numeric values of any
  // other record; event_field(): non-numeric values of kOther records (ignored elsewhere).
  void param(std::string_view key, std::string_view value);
  void metric(std::string_view key, double value);
  void event_field(std::string_view key, nlohmann::json value);

  bool empty() const { return runs_.empty(); }
  // Facts, throughput and derive_common for every run; the assembler is spent afterwards.
  void finish();

 private:
  struct IterPoint {
    int64_t epoch = 0;
    int64_t iteration = 0;
    std::optional<double> time;
    std::optional<double> compute_ips;
  };
  // Throughput sums over the steady window, accumulated pair by pair of logged iterations.
  struct Throughput {
    double iterations = 0, seconds = 0;  // total_ips: Σ iterations / Σ seconds (x global batch)
    int64_t pairs = 0;
    std::vector<double> step_times;                      // seconds per iteration of each pair
    double compute_iterations = 0, compute_seconds = 0;  // Σ n / Σ n / compute_ips
    int64_t compute_used = 0;
  };
  struct RunState {
    size_t index = 0;  // in out_.runs
    bool has_training = false;
    bool has_summary = false;
    std::optional<IterPoint> prev, cur;  // the last two logged training iterations
    Throughput tp;
    std::map<int64_t, size_t> epoch_index;      // epoch number -> index in run.epochs
    std::vector<bool> epoch_time_from_top1;     // parallel to run.epochs
    std::map<int64_t, int64_t> last_iteration;  // epoch -> highest training iteration seen
  };

  RunState& state();
  core::RunRecord& run(const RunState& st) { return out_.runs[st.index]; }
  void start_run();
  void close_iteration(RunState& st);
  bool in_window(int64_t iteration) const;
  void finish_run(RunState& st);
  void facts_from_params(core::RunRecord& run);
  void derive_throughput(RunState& st);

  std::string format_;
  core::ParsedFile& out_;
  core::MetricSink& points_;
  DiagnosticLog& diag_;
  const core::DeriveOptions& opt_;
  std::vector<RunState> runs_;

  Step step_;
  bool have_step_ = false;
  std::optional<double> time_;        // timestamp of this line/record
  std::optional<double> group_time_;  // timestamp of the first record of the logical record
  int64_t line_ = 0;
  size_t epoch_slot_ = 0;
  size_t event_slot_ = 0;
  nlohmann::json event_data_;
  std::string key_scratch_;

  int64_t non_finite_count_ = 0;
  int64_t non_finite_first_line_ = 0;
  std::string non_finite_first_key_;
};

}  // namespace rn50::parsers::ngc
