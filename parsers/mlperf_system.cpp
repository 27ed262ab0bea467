#include "parsers/mlperf_system.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "parsers/json_scan.h"
#include "parsers/numbers.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

// Submitters write counts as strings ("16") and sometimes as numbers; placeholders ("TODO", "")
// are not counts.
std::optional<int64_t> count_field(const nlohmann::json& j, const char* key,
                                   const std::string& file, std::vector<std::string>& warnings,
                                   int64_t least = 1) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  std::optional<int64_t> n;
  if (it->is_number_unsigned())
    n = it->get<uint64_t>() <= static_cast<uint64_t>(kMaxWorldSize)
            ? std::optional<int64_t>(static_cast<int64_t>(it->get<uint64_t>()))
            : std::nullopt;
  else if (it->is_number_integer())
    n = it->get<int64_t>();
  else if (it->is_string())
    n = parse_int(trim(it->get_ref<const std::string&>()));
  if (n && in_range(*n, least, kMaxWorldSize)) return n;
  warnings.push_back(file + ": " + key + ": expected an integer from " + std::to_string(least) +
                     " to " + std::to_string(kMaxWorldSize) + ", got " +
                     stored_text(it->dump(), TextKind::kValue));
  return std::nullopt;
}

std::string text_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  return stored_text(it->is_string() ? it->get_ref<const std::string&>() : it->dump(),
                     TextKind::kValue);
}

}  // namespace

MlperfSystem parse_mlperf_system(std::string_view json_text, const std::string& file_name) {
  nlohmann::json j;
  try {
    // System files are UTF-8 by convention; tolerate latin-1 ones instead of failing.
    j = nlohmann::json::parse(to_utf8(json_text));
  } catch (const nlohmann::json::exception& e) {
    throw core::Error(file_name + ": not valid JSON: " + json::library_message(e.what()));
  }
  if (!j.is_object()) throw core::Error(file_name + ": expected a JSON object");
  MlperfSystem s;
  s.file_name = file_name;
  s.system_name = text_field(j, "system_name");
  s.submitter = text_field(j, "submitter");
  s.framework = text_field(j, "framework");
  s.accelerator_model_name = text_field(j, "accelerator_model_name");
  s.division = text_field(j, "division");
  s.status = text_field(j, "status");
  s.host_processor_model_name = text_field(j, "host_processor_model_name");
  s.number_of_nodes = count_field(j, "number_of_nodes", file_name, s.warnings);
  s.accelerators_per_node = count_field(j, "accelerators_per_node", file_name, s.warnings, 0);
  if (j.contains("host_processors_per_node"))
    s.host_processors_per_node = count_field(j, "host_processors_per_node", file_name, s.warnings);
  return s;
}

MlperfSystem read_mlperf_system(const std::filesystem::path& path) {
  return parse_mlperf_system(core::read_file(path, core::kMaxSidecarBytes),
                             path.filename().string());
}

std::optional<MlperfSystem> find_mlperf_system(const std::filesystem::path& result_path) {
  std::error_code ec;
  const auto dir =
      result_path.has_parent_path() ? result_path.parent_path() : std::filesystem::path(".");
  std::optional<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !name.starts_with("system_") || !name.ends_with(".json"))
      continue;
    if (found) return std::nullopt;  // ambiguous
    found = entry.path();
  }
  if (ec || !found) return std::nullopt;
  try {
    return read_mlperf_system(*found);
  } catch (const core::Error& e) {
    MlperfSystem bad;
    bad.file_name = found->filename().string();
    bad.parsed = false;
    bad.warnings.push_back(e.what());
    return bad;
  }
}

void apply_mlperf_system(core::RunRecord& run, const MlperfSystem& sys,
                         const std::string& file_name) {
  using core::Source;
  if (!sys.parsed) return;
  // The detail must name the system file; callers sometimes pass the result file's name.
  const std::string& json_name = sys.file_name.empty() ? file_name : sys.file_name;
  if (sys.number_of_nodes && run.nodes.source != Source::kUser)
    run.nodes.set(*sys.number_of_nodes, Source::kInferred, json_name + ": number_of_nodes");
  const bool cpu_only = sys.accelerators_per_node && *sys.accelerators_per_node == 0;
  // Both counts are at most kMaxWorldSize: the product fits; a larger one is no device count.
  if (sys.number_of_nodes && sys.accelerators_per_node && !cpu_only &&
      run.world_size.source != Source::kUser) {
    const int64_t devices = *sys.number_of_nodes * *sys.accelerators_per_node;
    if (devices <= kMaxWorldSize)
      run.world_size.set(devices, Source::kInferred,
                         json_name + ": number_of_nodes x accelerators_per_node");
  }
  if (sys.number_of_nodes && cpu_only && sys.host_processors_per_node &&
      run.world_size.source != Source::kUser) {
    const int64_t processors = *sys.number_of_nodes * *sys.host_processors_per_node;
    if (processors <= kMaxWorldSize)
      run.world_size.set(processors, Source::kInferred,
                         json_name +
                             ": CPU-only system (0 accelerators): number_of_nodes x "
                             "host_processors_per_node");
  }
  if (run.global_batch.known() && run.world_size.known() && !run.batch_per_device.known() &&
      *run.world_size.value > 0 && *run.global_batch.value % *run.world_size.value == 0)
    run.batch_per_device.set(*run.global_batch.value / *run.world_size.value, Source::kInferred,
                             "global_batch / world_size (" + json_name + ")");
  auto param = [&](const char* key, const std::string& value) {
    if (!value.empty()) run.set_param(std::string("system.") + key, value, Source::kInferred);
  };
  param("file", json_name);
  param("system_name", sys.system_name);
  param("submitter", sys.submitter);
  param("framework", sys.framework);
  param("division", sys.division);
  param("status", sys.status);
  param("accelerator_model_name", sys.accelerator_model_name);
  param("host_processor_model_name", sys.host_processor_model_name);
  if (sys.number_of_nodes) param("number_of_nodes", std::to_string(*sys.number_of_nodes));
  if (sys.accelerators_per_node)
    param("accelerators_per_node", std::to_string(*sys.accelerators_per_node));
  if (sys.host_processors_per_node)
    param("host_processors_per_node", std::to_string(*sys.host_processors_per_node));
  if (sys.accelerators_per_node)
    param("devices_are", cpu_only ? "host processors" : "accelerators");
}

}  // namespace rn50::parsers
