#include "runner/manifest.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
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

std::optional<json> read_manifest(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return std::nullopt;
  json m;
  try {
    m = json::parse(core::read_file(file));
  } catch (const json::exception& e) {
    throw core::Error(file.string() + ": not valid JSON (" + e.what() +
                      "); remove the run directory to start the run over");
  }
  if (!m.is_object() || m.value("schema", "") != kManifestSchema)
    throw core::Error(file.string() + ": not an rn50-exp run manifest");
  if (m.value("version", 0) > kManifestVersion)
    throw core::Error(file.string() + ": written by a newer rn50-exp (manifest version " +
                      std::to_string(m.value("version", 0)) + ")");
  return m;
}

void write_manifest(const std::filesystem::path& file, const json& manifest) {
  core::write_file_atomic(file, manifest.dump(2) + "\n");
}

}  // namespace rn50::runner
