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

struct StoredRun {
  int64_t id = 0;
  std::string experiment;
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
