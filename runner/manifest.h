// The per-run manifest (runs/<experiment>/<run-id>/manifest.json): what ran, where, with which
// software, and how each attempt ended. It is also the runner's memory between invocations:
// status "finished" runs are skipped, others are resumed from their checkpoint.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runner/outcome.h"

namespace rn50::runner {

inline constexpr const char* kManifestSchema = "rn50-exp.run-manifest";
// 2: the supervisor of a running attempt is recorded (pid, host, boot, process start), so that a
// later invocation can tell a run whose runner died from one that is running now.
inline constexpr int kManifestVersion = 2;

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

struct RankRecord {
  int64_t rank = 0;
  std::optional<int> exit_code;  // exited normally
  std::optional<int> signal;     // killed by a signal
  bool stopped_by_runner = false;
  int64_t pid = 0;  // the process, while it ran
};

struct Attempt {
  std::string started_at, ended_at;  // ISO-8601 UTC
  bool resumed_from_checkpoint = false;
  nlohmann::json argv = nlohmann::json::array();
  nlohmann::json launch = nlohmann::json::object();  // nnodes, node_rank, local_ranks
  std::optional<double> seconds;
  std::optional<Outcome> outcome;  // unset while running
  std::string reason;
  std::vector<RankRecord> ranks;
};

// The process supervising the run's current attempt. Alive = the same host and boot, and a
// process with that pid that started at that moment (pids are reused).
struct Supervisor {
  int64_t pid = 0;
  std::string host, boot_id;
  uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22
  static Supervisor self();
  bool alive() const;
  std::string describe() const;  // "pid 1234 on node7"
};

struct IngestRecord {
  std::string db;  // absolute path of the database
  std::vector<int64_t> run_ids;
  std::string source, source_sha256;
};

// runs/<experiment>/<run-id>/manifest.json. Identity and plan are written once; the rest
// changes with every attempt.
struct RunManifest {
  nlohmann::json plan = nlohmann::json::object();  // experiment, run_id, matrix, tool, ...
  RunState status = RunState::kPlanned;
  std::vector<Attempt> attempts;
  nlohmann::json host = nullptr, env = nullptr, torch = nullptr;
  std::optional<IngestRecord> ingested;
  std::optional<Supervisor> supervisor;  // while status is running

  // nullopt when absent; core::Error naming the file when present but unreadable, not a
  // manifest, or from a newer rn50-exp.
  static std::optional<RunManifest> read(const std::filesystem::path& file);
  void write(const std::filesystem::path& file) const;  // durable, atomic
  nlohmann::json to_json() const;
  static RunManifest from_json(const nlohmann::json& j, const std::string& file);
};

}  // namespace rn50::runner
