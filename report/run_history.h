// What the curve plots read from a run's metric history: iteration-level points placed on a
// global step axis (steps of the earlier epochs + the step inside the epoch) and on a time axis
// (seconds since the run's start: its first training step, run_start for MLPerf and native logs),
// evaluations placed on both, and the run's step times. The history is whatever write_report loaded
// into run.metrics (curve_metric_series() of the runs of curve_runs()); nothing here reads the
// database.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/queries.h"

namespace rn50::report {

struct CurvePoint {
  std::optional<double> step;     // global training step
  std::optional<double> seconds;  // since the run's start (RunRecord::start_time)
  double value = 0;
};

struct StepTimes {
  std::vector<std::pair<double, double>> samples;  // seconds per step, steps it covers
  std::string method;                              // how they were measured, for the caption
};

class RunHistory {
 public:
  explicit RunHistory(const store::StoredRun& run);

  // Finite iteration-level points of `key` in log order.
  std::vector<CurvePoint> iterations(std::string_view key) const;
  // Global step at the end of `epoch` (as the log numbers it), when its iterations are known.
  std::optional<double> epoch_end_step(int64_t epoch) const;
  std::optional<double> since_start(std::optional<double> unix_time) const;
  StepTimes step_times() const;

 private:
  const store::StoredRun& run_;
  std::map<int64_t, double> epoch_offset_, epoch_length_;
};

}  // namespace rn50::report
