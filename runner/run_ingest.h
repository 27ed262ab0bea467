// Auto-ingest of one run of an experiment: its native log goes through the rn50-native parser
// into the store, tagged with the experiment's role and matrix values. A failed run is stored
// with status failed and the runner's verdict (exit codes, reason) as params and an event, even
// when its log is partial or was never written.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/train_config.h"
#include "runner/launcher.h"
#include "runner/manifest.h"
#include "runner/plan.h"
#include "store/database.h"

namespace rn50::runner {

struct IngestOutcome {
  std::vector<int64_t> run_ids;
  bool already_ingested = false;
  std::string source_path, source_sha256;
  std::vector<std::string> messages;
  IngestRecord record(const std::string& db_path) const;  // for the manifest
};

// `result` is null for a run that finished in an earlier invocation (ingested again only when
// its manifest does not list it for this database).
IngestOutcome ingest_run(store::Database& db, const Experiment& exp, const PlannedRun& run,
                         const core::TrainConfig& cfg, const RunManifest& manifest,
                         const LaunchResult* result);

}  // namespace rn50::runner
