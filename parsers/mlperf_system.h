// MLPerf system description (systems/<name>.json, or system_*.json beside the result files):
// the only place where an MLPerf ResNet submission states its node and accelerator counts.
// `rn50-exp ingest` attaches it to every result_*.txt of the folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_record.h"

namespace rn50::parsers {

struct MlperfSystem {
  std::string file_name;  // as found, e.g. "system_dgxa100_ngc21.05_mxnet.json"
  std::string system_name, submitter, framework, accelerator_model_name;
  std::string division, status;  // "closed" / "open"; "available", "preview", "rdi", "onprem", ...
  std::string host_processor_model_name;
  std::optional<int64_t> number_of_nodes, accelerators_per_node;  // 0 accelerators: CPU-only
  std::optional<int64_t> host_processors_per_node;
  std::vector<std::string> warnings;  // "<file>: <key>: ..." for fields present but unusable
  bool parsed = true;                 // false: the file is not a JSON object (see warnings)
};

// Parses the JSON text of a system description. Throws core::Error naming `file_name` when the
// text is not a JSON object; unusable fields (e.g. number_of_nodes "TODO") become warnings.
MlperfSystem parse_mlperf_system(std::string_view json_text, const std::string& file_name);

// Reads and parses a system description file (core::Error on I/O or JSON failure).
MlperfSystem read_mlperf_system(const std::filesystem::path& path);

// The system description beside a result file: exactly one system_*.json in the same folder,
// else nullopt (none, or several and no way to tell which applies). A sidecar that is not valid
// JSON does not stop the ingest of the result: it comes back with parsed == false and a warning.
std::optional<MlperfSystem> find_mlperf_system(const std::filesystem::path& result_path);

// Does nothing when !sys.parsed. `file_name` is used in details only when sys.file_name is empty
// (details always name the system file). Sets nodes and world_size (= nodes x
// accelerators_per_node; a CPU-only system, 0 accelerators, counts nodes x host processors and
// says so in the detail) as Source::kInferred facts with a detail naming the file, unless the user
// set them; fills batch_per_device when global_batch is divisible by world_size; adds params
// system.* (file, system_name, submitter, division, status, framework, accelerator_model_name,
// number_of_nodes, accelerators_per_node, host_processors_per_node, host_processor_model_name,
// devices_are: "accelerators" or "host processors").
void apply_mlperf_system(core::RunRecord& run, const MlperfSystem& sys,
                         const std::string& file_name);

}  // namespace rn50::parsers
