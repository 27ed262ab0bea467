#include "runner/manifest.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/file_util.h"

extern char** environ;

namespace rn50::runner {

namespace {

using nlohmann::json;

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n\"");
  const auto e = s.find_last_not_of(" \t\r\n\"");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "key: value" files such as /proc/cpuinfo and /proc/meminfo.
std::optional<std::string> proc_field(const std::string& file, const std::string& key,
                                      char sep = ':') {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const auto p = line.find(sep);
    if (p == std::string::npos) continue;
    if (trim(line.substr(0, p)) == key) return trim(line.substr(p + 1));
  }
  return std::nullopt;
}

json gpus() {
  json out = json::array();
  const std::filesystem::path dir = "/proc/driver/nvidia/gpus";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    auto model = proc_field((e.path() / "information").string(), "Model");
    out.push_back({{"bus", e.path().filename().string()}, {"model", model.value_or("unknown")}});
  }
  return out;
}

}  // namespace

json host_info() {
  json h = json::object();
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) h["hostname"] = name;
  utsname u{};
  if (::uname(&u) == 0) {
    h["kernel"] = std::string(u.sysname) + " " + u.release;
    h["machine"] = u.machine;
  }
  h["os"] = proc_field("/etc/os-release", "PRETTY_NAME", '=').value_or("unknown");
  h["cpu_model"] = proc_field("/proc/cpuinfo", "model name").value_or("unknown");
  h["cpu_cores"] = std::thread::hardware_concurrency();
  if (auto mem = proc_field("/proc/meminfo", "MemTotal")) {
    // "16314828 kB"
    try {
      h["memory_bytes"] = static_cast<int64_t>(std::stoll(*mem)) * 1024;
    } catch (...) {
      h["memory_bytes"] = nullptr;
    }
  }
  h["gpus"] = gpus();
  if (auto driver = proc_field("/proc/driver/nvidia/version", "NVRM version"))
    h["gpu_driver"] = *driver;
#if defined(__clang__)
  h["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  h["compiler"] = std::string("gcc ") + __VERSION__;
#endif
  return h;
}

json allowed_environment() {
  static const char* kPrefixes[] = {"OMP_", "NCCL_", "CUDA_", "MKL_", "OPENBLAS_", "GLOO_", "KMP_"};
  static const char* kExact[] = {"TORCH_CPP_LOG_LEVEL", "SLURM_JOB_ID", "SLURM_NNODES",
                                 "SLURM_JOB_NUM_NODES", "CC",           "CXX"};
  json out = json::object();
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = kv.substr(0, eq);
    bool allowed = false;
    for (const char* p : kPrefixes) allowed = allowed || key.rfind(p, 0) == 0;
    for (const char* x : kExact) allowed = allowed || key == x;
    if (allowed) out[key] = kv.substr(eq + 1);
  }
  return out;
}

namespace {

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot.
std::optional<uint64_t> process_start_ticks(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may contain spaces and parentheses: count after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(rest >> field)) return std::nullopt;
  try {
    return std::stoull(field);
  } catch (...) {
    return std::nullopt;
  }
}

std::string current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::string hostname() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? name : "";
}

template <class T>
T value_or(const json& j, const char* key, T fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

}  // namespace

Supervisor Supervisor::self() {
  Supervisor s;
  s.pid = ::getpid();
  s.host = hostname();
  s.boot_id = current_boot_id();
  s.start_ticks = process_start_ticks(s.pid).value_or(0);
  return s;
}

bool Supervisor::alive() const {
  if (pid <= 0 || host != hostname() || boot_id != current_boot_id()) return false;
  const auto ticks = process_start_ticks(pid);
  return ticks && *ticks == start_ticks;
}

std::string Supervisor::describe() const {
  return "pid " + std::to_string(pid) + " on " + (host.empty() ? "an unknown host" : host);
}

json RunManifest::to_json() const {
  json m = plan;
  m["schema"] = kManifestSchema;
  m["version"] = kManifestVersion;
  m["status"] = std::string(to_string(status));
  json att = json::array();
  for (const Attempt& a : attempts) {
    json j = {{"started_at", a.started_at},
              {"resumed_from_checkpoint", a.resumed_from_checkpoint},
              {"argv", a.argv},
              {"launch", a.launch}};
    if (!a.ended_at.empty()) j["ended_at"] = a.ended_at;
    if (a.seconds) j["seconds"] = *a.seconds;
    if (a.outcome) {
      j["outcome"] = std::string(to_string(*a.outcome));
      j["reason"] = a.reason;
    }
    json ranks = json::array();
    for (const RankRecord& r : a.ranks) {
      json rj = {{"rank", r.rank},
                 {"exit_code", r.exit_code ? json(*r.exit_code) : json(nullptr)},
                 {"signal", r.signal ? json(*r.signal) : json(nullptr)},
                 {"stopped_by_runner", r.stopped_by_runner}};
      if (r.pid) rj["pid"] = r.pid;
      ranks.push_back(std::move(rj));
    }
    if (!a.ranks.empty()) j["ranks"] = std::move(ranks);
    att.push_back(std::move(j));
  }
  m["attempts"] = std::move(att);
  if (!host.is_null()) m["host"] = host;
  if (!env.is_null()) m["env"] = env;
  if (!torch.is_null()) m["torch"] = torch;
  if (ingested)
    m["ingested"] = {{"db", ingested->db},
                     {"run_ids", ingested->run_ids},
                     {"source", ingested->source},
                     {"source_sha256", ingested->source_sha256}};
  else
    m.erase("ingested");
  if (supervisor)
    m["supervisor"] = {{"pid", supervisor->pid},
                       {"host", supervisor->host},
                       {"boot_id", supervisor->boot_id},
                       {"start_ticks", supervisor->start_ticks}};
  else
    m.erase("supervisor");
  return m;
}

RunManifest RunManifest::from_json(const json& j, const std::string& file) {
  if (!j.is_object() || j.value("schema", "") != kManifestSchema)
    throw core::Error(file + ": not an rn50-exp run manifest");
  if (value_or<int>(j, "version", 0) > kManifestVersion)
    throw core::Error(file + ": written by a newer rn50-exp (manifest version " +
                      std::to_string(value_or<int>(j, "version", 0)) + ")");
  RunManifest m;
  try {
    m.plan = j;
    for (const char* k : {"schema", "version", "status", "attempts", "host", "env", "torch",
                          "ingested", "supervisor"})
      m.plan.erase(k);
    const std::string status = value_or<std::string>(j, "status", "planned");
    const auto st = run_state_from_string(status);
    if (!st) throw core::Error("status '" + status + "' is not a run state");
    m.status = *st;
    for (const json& a : j.value("attempts", json::array())) {
      Attempt at;
      at.started_at = value_or<std::string>(a, "started_at", "");
      at.ended_at = value_or<std::string>(a, "ended_at", "");
      at.resumed_from_checkpoint = value_or<bool>(a, "resumed_from_checkpoint", false);
      at.argv = a.value("argv", json::array());
      at.launch = a.value("launch", json::object());
      if (a.contains("seconds") && a["seconds"].is_number())
        at.seconds = a["seconds"].get<double>();
      if (a.contains("outcome")) {
        const std::string o = a["outcome"].get<std::string>();
        at.outcome = outcome_from_string(o);
        if (!at.outcome) throw core::Error("attempt outcome '" + o + "' is not an outcome");
      }
      at.reason = value_or<std::string>(a, "reason", "");
      for (const json& r : a.value("ranks", json::array())) {
        RankRecord rr;
        rr.rank = value_or<int64_t>(r, "rank", 0);
        if (r.contains("exit_code") && r["exit_code"].is_number())
          rr.exit_code = r["exit_code"].get<int>();
        if (r.contains("signal") && r["signal"].is_number()) rr.signal = r["signal"].get<int>();
        rr.stopped_by_runner = value_or<bool>(r, "stopped_by_runner", false);
        rr.pid = value_or<int64_t>(r, "pid", 0);
        at.ranks.push_back(rr);
      }
      m.attempts.push_back(std::move(at));
    }
    m.host = j.value("host", json(nullptr));
    m.env = j.value("env", json(nullptr));
    m.torch = j.value("torch", json(nullptr));
    if (j.contains("ingested") && j["ingested"].is_object()) {
      const json& ing = j["ingested"];
      IngestRecord r;
      r.db = value_or<std::string>(ing, "db", "");
      r.run_ids = ing.value("run_ids", std::vector<int64_t>{});
      r.source = value_or<std::string>(ing, "source", "");
      r.source_sha256 = value_or<std::string>(ing, "source_sha256", "");
      m.ingested = r;
    }
    if (j.contains("supervisor") && j["supervisor"].is_object()) {
      const json& s = j["supervisor"];
      Supervisor sup;
      sup.pid = value_or<int64_t>(s, "pid", 0);
      sup.host = value_or<std::string>(s, "host", "");
      sup.boot_id = value_or<std::string>(s, "boot_id", "");
      sup.start_ticks = value_or<uint64_t>(s, "start_ticks", 0);
      m.supervisor = sup;
    }
  } catch (const json::exception& e) {
    throw core::Error(file + ": malformed run manifest: " + e.what());
  } catch (const core::Error& e) {
    throw core::Error(file + ": malformed run manifest: " + e.what());
  }
  return m;
}

std::optional<RunManifest> RunManifest::read(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  json j;
  try {
    j = json::parse(core::read_file(file, uint64_t(64) << 20));
  } catch (const json::exception& e) {
    throw core::Error(file.string() + ": not valid JSON (" + e.what() +
                      "); remove the run directory to start the run over");
  }
  return from_json(j, file.string());
}

void RunManifest::write(const std::filesystem::path& file) const {
  core::write_file_atomic(file, to_json().dump(2) + "\n");
}

}  // namespace rn50::runner
