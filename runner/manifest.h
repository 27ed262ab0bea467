// The per-run manifest (runs/<experiment>/<run-id>/manifest.json): what ran, where, with which
// software, and how each attempt ended. It is also the runner's memory between invocations:
// status "finished" runs are skipped, others are resumed from their checkpoint.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rn50::runner {

inline constexpr const char* kManifestSchema = "rn50-exp.run-manifest";
inline constexpr int kManifestVersion = 1;

struct ToolInfo {
  std::string version = "unknown";
  std::string git_commit = "unknown";
  bool git_dirty = false;
};

// Host facts for reproducibility records: hostname, OS, kernel, CPU model and cores, memory,
// GPUs (from /proc/driver/nvidia when present), compiler of this binary.
nlohmann::json host_info();

// OMP_*, NCCL_*, CUDA_*, MKL_*, OPENBLAS_*, GLOO_*, KMP_* plus a few exact names; nothing else
// from the environment is ever recorded.
nlohmann::json allowed_environment();

// nullopt when absent; throws core::Error when present but unreadable or not a manifest.
std::optional<nlohmann::json> read_manifest(const std::filesystem::path& file);
void write_manifest(const std::filesystem::path& file, const nlohmann::json& manifest);

}  // namespace rn50::runner
