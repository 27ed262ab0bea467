// `rn50-exp compare` as a library call: load both selections, compare, write compare.<format>
// and plots/ (docs/compare.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/run_record.h"
#include "report/compare.h"
#include "store/database.h"
#include "store/queries.h"

namespace rn50::report {

struct CompareWriteOptions {
  store::RunFilter baseline, candidate;
  CompareOptions compare;
  std::string format = "md";                  // md | json | csv
  std::filesystem::path out_dir = "compare";  // gets compare.<format> and plots/
};

struct CompareWriteResult {
  std::vector<std::filesystem::path> written;  // compare file first, then plots
  CompareResult result;
};

// Throws core::UsageError for a bad option value, an unknown experiment, a run in both
// selections or a configuration mismatch; core::Error when a selection matches no run. Everything
// is computed before the first file is written; each file is written atomically, plots first.
CompareWriteResult write_compare(store::Database& db, const CompareWriteOptions& opt);

// Steady-window iteration intervals from an `iter`-level series ordered by (epoch, step, time):
// consecutive logged iterations of the same epoch with increasing step and time give
// (step difference, time difference) — the pairs the NGC throughput definition sums.
std::vector<WorkInterval> iteration_intervals(const std::vector<core::MetricPoint>& points);
// pytorch/examples logs carry no timestamps but each printed iteration's own batch time
// (`train.batch_time`, seconds): one interval (1, value) per finite positive value.
std::vector<WorkInterval> batch_time_intervals(const std::vector<core::MetricPoint>& points);
// The first of: train.total_ips / train.loss iteration timestamps, train.batch_time values.
std::vector<WorkInterval> load_iteration_intervals(store::Database& db, int64_t run_id);

}  // namespace rn50::report
