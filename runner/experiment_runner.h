// `rn50-exp run`: validate, expand, (prepare data,) launch and supervise every run, record
// manifests, ingest finished and failed runs into the database and render the report.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runner/manifest.h"
#include "runner/plan.h"

namespace rn50::runner {

struct RunOptions {
  std::filesystem::path experiment_file;
  std::vector<std::string> sets;  // --set key.path=value, in order
  std::filesystem::path out_dir = "runs";
  std::string db_path = "rn50.db";
  bool dry_run = false;
  bool report = true;      // --no-report turns it off
  LaunchScope scope;       // --nnodes/--node-rank/--master-addr/--master-port, SLURM
  std::string executable;  // the rn50-exp binary that runs `worker` and `dataset`
  ToolInfo tool;
  std::vector<std::string> argv;  // recorded in manifests
  double grace_s = 10;            // SIGTERM -> SIGKILL
};

struct RunSummary {
  size_t planned = 0, selected = 0, finished = 0, failed = 0, skipped = 0, not_started = 0;
  bool interrupted = false;
  std::filesystem::path report_file;
};

// Validation problems throw core::UsageError before anything is written; runtime problems
// throw core::Error. Returns what happened; the caller maps it to an exit code
// (0 all finished, 1 any failed, 130 interrupted).
RunSummary run_experiment(const RunOptions& opt);

// --nnodes etc. from SLURM's variables when the user gave none (SLURM_NNODES, SLURM_NODEID,
// first host of SLURM_JOB_NODELIST). Leaves the scope untouched outside SLURM.
void apply_slurm_environment(LaunchScope& scope);

}  // namespace rn50::runner
