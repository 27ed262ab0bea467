#include "trainer/native_log.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/error.h"

namespace rn50::trainer {

double unix_now() {
  using namespace std::chrono;
  return double(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) / 1e6;
}

NativeLog::NativeLog(const std::string& path, bool append) { open(path, append); }

void NativeLog::open(const std::string& path, bool append) {
  if (f_) std::fclose(f_);
  path_ = path;
  f_ = std::fopen(path.c_str(), append ? "a" : "w");
  if (!f_) throw core::Error("cannot open log " + path + ": " + std::strerror(errno));
}

NativeLog::~NativeLog() {
  if (f_) std::fclose(f_);
}

void NativeLog::write(const std::string& type, nlohmann::json record) {
  if (!f_) return;
  record["type"] = type;
  if (!record.contains("time")) record["time"] = unix_now();
  // NaN/inf are not JSON; a diverged loss is logged as null rather than corrupting the line.
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fflush(f_) != 0)
    throw core::Error("cannot write log " + path_ + ": " + std::strerror(errno));
}

void NativeLog::event(const std::string& key, const nlohmann::json& value,
                      const nlohmann::json& metadata, double epoch) {
  nlohmann::json r = {{"key", key}, {"value", value}, {"metadata", metadata}};
  if (epoch >= 0) r["epoch"] = epoch;
  write("event", std::move(r));
}

}  // namespace rn50::trainer
