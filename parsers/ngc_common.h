// What the two NVIDIA DeepLearningExamples dllogger parsers (stdout `DLL` lines and JSON `DLLL {…}`
// lines) share: the step vocabulary, number parsing, and RunAssembler, which turns a stream of
// logged records into RunRecords (facts from PARAMETER, metric points, epoch rows, throughput).
// The two formats carry the same records, so the same run logged both ways yields the same numbers.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/derive.h"
#include "core/diagnostic.h"
#include "core/run_record.h"

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

// A Python-printed number ("7.65124", "3.0517578125e-05", "inf"); nullopt for anything else,
// including "None", "True" and text with trailing garbage.
std::optional<double> parse_number(std::string_view s);
std::optional<int64_t> parse_integer(std::string_view s);

// Log text as valid UTF-8 (what the store and JSON output need): valid UTF-8 passes unchanged,
// any other byte is read as latin-1.
std::string to_valid_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);

// dllogger metric names changed across DLE versions: `lr` became `train.lr`.
std::string_view canonical_metric_key(std::string_view key);

// Calls on_line(line, line_no, is_last_line) for each '\n'-separated line of `content`, numbered
// from 1, without its '\n'. Not LineReader: that drops a trailing '\r', which these parsers trim
// with the values, and cannot tell the last line, the one a running job may have half-written.
// memchr, because ingest reads GBs of logs.
template <typename OnLine>
void for_each_line(std::string_view content, OnLine&& on_line) {
  int64_t line_no = 0;
  size_t pos = 0;
  const char* base = content.data();
  while (pos < content.size()) {
    const void* nl = std::memchr(base + pos, '\n', content.size() - pos);
    const size_t end = nl ? static_cast<const char*>(nl) - base : content.size();
    ++line_no;
    const bool is_last_line = end + 1 >= content.size();
    on_line(std::string_view(base + pos, end - pos), line_no, is_last_line);
    pos = end + 1;
  }
}

// Warnings about single malformed lines, capped: a file of garbage must not bury the other
// diagnostics under thousands of lines. What the cap holds back is counted, and said once.
class LineWarnings {
 public:
  // `line_kind` names the lines in the closing count ("DLL", "DLLL").
  LineWarnings(core::Diagnostics& diagnostics, std::string_view line_kind);

  void warn(int64_t line, std::string_view message);
  // After the last line: how many warnings the cap held back, if any.
  void report_held_back();

 private:
  core::Diagnostics& diags_;
  std::string line_kind_;
  int listed_ = 0;
  int64_t held_back_ = 0;
};

// Receives records in log order and builds the runs. A PARAMETER record after any training record
// starts a new run (logs of several runs concatenated into one file). Consecutive records with the
// same step are one logical record (dllogger logs epoch and summary data as two records, JSON logs
// iteration data as two records): they share the first record's timestamp.
class RunAssembler {
 public:
  RunAssembler(std::string_view format, core::Diagnostics& diagnostics);

  // Starts a logged record. `time` is unix seconds (nullopt when the record has none).
  void begin_record(const Step& step, std::optional<double> time, int64_t line);
  // Values of the current record. param(): PARAMETER records; metric(): numeric values of any
  // other record; event_field(): non-numeric values of kOther records (ignored elsewhere).
  void param(std::string_view key, std::string value);
  void metric(std::string_view key, double value);
  void event_field(std::string_view key, nlohmann::json value);
  // A value that cannot be stored (NaN/Infinity): counted and reported once per file.
  void non_finite_value(std::string_view key, int64_t line);

  bool empty() const { return runs_.empty() && !current_; }
  // Facts, throughput and derive_common for every run; the assembler is spent afterwards.
  std::vector<core::RunRecord> finish(const core::DeriveOptions& opt);

 private:
  struct IterPoint {
    int64_t epoch = 0;
    int64_t iteration = 0;
    std::optional<double> time;
    std::optional<double> compute_ips;
  };
  struct RunState {
    core::RunRecord run;
    bool has_training = false;
    bool has_summary = false;
    std::vector<IterPoint> iters;
    std::map<int64_t, size_t> epoch_index;      // epoch number -> index in run.epochs
    std::vector<bool> epoch_time_from_top1;     // parallel to run.epochs
    std::map<int64_t, int64_t> last_iteration;  // epoch -> highest training iteration seen
  };

  RunState& state();
  void start_run();
  void finish_run(RunState& st, const core::DeriveOptions& opt) const;
  void facts_from_params(core::RunRecord& run) const;
  void derive_throughput(RunState& st, const core::DeriveOptions& opt) const;

  std::string format_;
  core::Diagnostics& diags_;
  std::vector<RunState> runs_;
  bool current_ = false;

  Step step_;
  bool have_step_ = false;
  std::optional<double> time_;        // timestamp of this line/record
  std::optional<double> group_time_;  // timestamp of the first record of the logical record
  int64_t line_ = 0;
  size_t epoch_slot_ = 0;
  size_t event_slot_ = 0;
  nlohmann::json event_data_;

  int64_t non_finite_count_ = 0;
  int64_t non_finite_first_line_ = 0;
  std::string non_finite_first_key_;
};

}  // namespace rn50::parsers::ngc
