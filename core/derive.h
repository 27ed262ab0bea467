// Derived values shared by every format (docs/definitions.md): best/last accuracy,
// time-to-target, wall time, user-provided facts. Format-specific throughput lives in parsers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/run_record.h"

namespace rn50::core {

inline constexpr double kDefaultTargetTop1 = 75.9;

struct DeriveOptions {
  double target_top1 = kDefaultTargetTop1;  // percent
  std::optional<int64_t> skip_steps;        // warm-up iterations excluded (default: per format)
  std::optional<int64_t> window_first;      // explicit steady window, iteration numbers as logged
  std::optional<int64_t> window_last;
  // Facts the user states on the command line (--set key=value). Keys: batch_size (per device),
  // global_batch, world_size, nodes, precision, epochs. They win over anything inferred.
  std::map<std::string, std::string> sets;
};

// Applies DeriveOptions::sets as Source::kUser facts; throws UsageError on an unknown key or a
// value of the wrong type. Then fills global_batch = batch_per_device * world_size (inferred)
// or batch_per_device = global_batch / world_size when exactly one is missing and it is certain.
void apply_user_facts(RunRecord& run, const DeriveOptions& opt);

// Fills best/last top-1, best top-5, target, time-to-target, wall time and epochs_completed
// from run.epochs, run.start_time and run.end_time. Keeps values a parser already set
// for summary_* and throughput.
void derive_common(RunRecord& run, const DeriveOptions& opt);

// Median/p90/p99 of a sample (nearest rank); nullopt for an empty sample.
std::optional<double> percentile(std::vector<double> values, double p);
// The same without a copy: partially reorders `values` (nth_element, not a full sort).
std::optional<double> percentile_in_place(std::vector<double>& values, double p);
// The same for a sample given as (value, count) pairs, as if each value were repeated count times
// (an interval of n steps logged as one record); pairs with count <= 0 are not in the sample.
// Reorders `values`.
std::optional<double> percentile_weighted(std::vector<std::pair<double, int64_t>>& values,
                                          double p);

}  // namespace rn50::core
