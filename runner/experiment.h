// Experiment files (docs/experiments.md, docs/experiment.schema.json): loading and strict
// validation. Every error names "file:line: key.path" and is a core::UsageError (exit 2), raised
// before anything runs or is written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/document.h"
#include "runner/expression.h"

namespace rn50::runner {

// One entry of matrix.devices: how many nodes and ranks per node a run uses.
struct DeviceShape {
  int64_t nodes = 1;
  int64_t devices_per_node = 1;
  std::string key;  // key path it came from, for messages ("matrix.devices[2]")
  int64_t world_size() const { return nodes * devices_per_node; }
  std::string label() const;  // DLPerf style: "1n8g"
};

struct DerivedValue {
  std::string key;  // trainer key it sets ("lr")
  Expression expr;
};

struct DatasetPrep {
  std::string name;               // `rn50-exp dataset NAME --out DIR`
  std::string dir;                // prepared when missing; default for base.data
  std::vector<std::string> args;  // extra arguments of the dataset command
};

struct Experiment {
  std::string file;  // as the user named it
  std::string name, description;
  std::string role;  // time2train | accuracy | throughput
  std::optional<double> target_top1;

  // Trainer keys: base_config (if any) overlaid with `base`. Matrix and derived values are
  // applied per run by the plan.
  nlohmann::json base = nlohmann::json::object();
  std::set<std::string> base_explicit;        // keys written under `base:` (or set with --set)
  std::optional<core::Document> base_config;  // the referenced trainer config file, for messages

  std::vector<DeviceShape> devices;
  std::vector<std::string> precisions;
  std::vector<int64_t> batch_per_device;
  std::vector<uint64_t> seeds;
  int64_t repeats = 1;
  std::vector<DerivedValue> derived;

  std::string on_failure = "continue";  // continue | stop
  double timeout_s = 0;                 // per run; 0 = none
  double hang_timeout_s = 1800;         // no progress in any rank's output for this long
  std::optional<DatasetPrep> dataset;
  bool report = true;

  core::Document doc;  // the validated document (after --set overrides)
  std::string where(const std::string& key) const { return doc.locator.where(key); }
};

// Loads, applies `--set` overrides in order, validates. Relative paths inside (base_config) are
// resolved against the experiment file's folder.
Experiment load_experiment(const std::filesystem::path& path,
                           const std::vector<std::string>& overrides = {});
Experiment parse_experiment(core::Document doc, const std::filesystem::path& base_dir);

// The accepted keys (docs/experiment.schema.json must list the same).
const std::vector<std::string>& experiment_keys();
const std::vector<std::string>& matrix_keys();

// Throws a UsageError naming where a trainer key came from: the experiment's `base` (or --set),
// or the base_config file.
[[noreturn]] void rethrow_trainer_error(const Experiment& exp, const std::string& message);

}  // namespace rn50::runner
