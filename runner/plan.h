// Matrix expansion: one PlannedRun per (devices x precision x batch_per_device x seed x repeat),
// in that nesting order, each with its fully resolved trainer config and config hash.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/train_config.h"
#include "runner/experiment.h"

namespace rn50::runner {

struct PlannedRun {
  size_t index = 0;   // 0-based position in the plan
  std::string label;  // "1n8g-amp-bs256-seed1-r0"
  std::string id;     // label + "-" + first 8 hex of config_sha256: the run directory name
  DeviceShape shape;
  std::string precision;
  int64_t batch_per_device = 0;
  int64_t global_batch = 0;  // images per iteration over all ranks
  uint64_t seed = 0;
  int64_t repeat = 0;                     // 0-based
  std::map<std::string, double> derived;  // derived key -> value
  core::TrainConfig config;               // resolved; workspace and resume are filled in at launch
  // What identifies the run: the resolved config without workspace/resume, plus the experiment
  // name, role, shape and repeat index. Canonical (sorted) JSON and its sha256.
  nlohmann::json identity;
  std::string config_sha256;
  std::vector<std::pair<std::string, std::string>> tags;  // role, matrix values, repeat
};

struct Plan {
  std::vector<PlannedRun> runs;
};

// Throws UsageError ("file:line: key: ...") when a combination is invalid for the trainer.
Plan expand_plan(const Experiment& exp);

// Where the runs of this invocation execute.
struct LaunchScope {
  std::optional<int64_t> nnodes;  // --nnodes (or SLURM_NNODES); absent = this machine alone
  int64_t node_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;     // 0 = pick a free port (single node only)
  unsigned cpu_cores = 0;  // local CPU cores (0 = ask the system)
};

// Indices of the runs this node executes. Without --nnodes every run must fit on this machine:
// multi-node runs and CPU runs with more ranks than cores are errors naming the matrix entry.
// With --nnodes N only the runs that use exactly N nodes are selected.
std::vector<size_t> select_runs(const Experiment& exp, const Plan& plan, const LaunchScope& scope);

// The dry-run table: one line per run (id, nodes x ranks, batch, global batch, lr, epochs, ...).
std::string format_plan(const Experiment& exp, const Plan& plan);

}  // namespace rn50::runner
