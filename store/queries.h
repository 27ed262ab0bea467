// Reading runs back for `report` and `runs`. Renderers never see SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/run_record.h"
#include "store/database.h"

namespace rn50::store {

struct RunFilter {
  std::optional<std::string> experiment;
  std::vector<std::pair<std::string, std::string>> tags;  // all must match
  std::vector<int64_t> run_ids;                           // empty = all
};

// How much of each run to load. Reports need epochs; only plots of step times need metrics.
enum class Detail { kSummary, kEpochs, kAll };

// One run as one experiment holds it: a run stored once can belong to several experiments and
// MLPerf sets (memberships; docs/schema.md), and is loaded once per membership selected.
struct StoredRun {
  int64_t id = 0;             // runs.id
  int64_t membership_id = 0;  // memberships.id
  std::string experiment;
  std::string set_key;  // "org/system/benchmark" (MLPerf layout) or the log's folder
  std::optional<std::string> set_org, set_system, set_benchmark;
  std::optional<std::string> system_file;  // the system description the run's facts came from
  std::optional<double> scaling_factor;    // the set's scaling.json
  std::optional<std::string> scaling_file;
  std::string source_path;
  std::string source_sha256;
  std::string ingested_at;  // ISO-8601 UTC
  core::RunRecord run;      // params/tags/derived always; epochs from kEpochs; metrics/events kAll
};

std::vector<StoredRun> load_runs(Database& db, const RunFilter& filter, Detail detail);

// One metric series of one run, ordered by (epoch, step, time).
std::vector<core::MetricPoint> load_metric_series(Database& db, int64_t run_id,
                                                  const std::string& key, const std::string& level);

std::vector<std::string> list_experiments(Database& db);

}  // namespace rn50::store
