// The MLPerf-style score of one set of repeated runs, computed once for the time-to-train table
// and the round's results table (docs/report.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "report/run_values.h"
#include "report/stats.h"

namespace rn50::report {

struct SetScore {
  std::vector<double> minutes;  // per converged run
  std::vector<double> epochs;   // epochs to target of the converged runs (as logged)
  int64_t failed = 0;           // did not finish or did not reach the target
  int64_t untimed = 0;          // converged, but without the timestamps a score needs
  std::vector<std::pair<double, std::string>> converged_text;  // "28.7416", sorted by minutes
  std::vector<std::string> failures;                           // "30.3474 (#7 aborted)"
  SetScaling scaling;
  OlympicResult olympic;  // multiplied by scaling.factor
  int64_t total() const { return static_cast<int64_t>(minutes.size()) + failed + untimed; }
};

// A run converged when it finished (MLPerf: run_stop success) and an evaluation reached the
// target. Its minutes: run_start -> run_stop for MLPerf logs (the official score), first step ->
// first evaluation >= target for other origins.
SetScore score_set(const std::vector<const StoredRun*>& set, double target, SetScaling scaling);

}  // namespace rn50::report
