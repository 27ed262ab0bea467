// Writer of the native run log (docs/native-log.md): JSON lines, one record per line, flushed
// per record so an interrupted run leaves a readable prefix. The first record of a fresh file is
// the header naming the schema and its version.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/native_log_format.h"

namespace rn50::trainer {

using core::kNativeLogSchema;
using core::kNativeLogVersion;

// Unix seconds with microseconds, the timestamp of every record.
double unix_now();

class NativeLog {
 public:
  NativeLog() = default;  // closed: write() is a no-op (ranks other than 0)
  // append = true continues a log after a resume. Throws core::Error when it cannot open.
  NativeLog(const std::string& path, bool append);
  ~NativeLog();
  NativeLog(const NativeLog&) = delete;
  NativeLog& operator=(const NativeLog&) = delete;

  // Opens a closed log (see the constructor).
  void open(const std::string& path, bool append);
  bool is_open() const { return f_ != nullptr; }
  // Adds "type" and "time" (unless present) and writes one line.
  void write(const std::string& type, nlohmann::json record);
  // MLPerf-style event: key, value, metadata (+ epoch when >= 0).
  void event(const std::string& key, const nlohmann::json& value = nullptr,
             const nlohmann::json& metadata = nlohmann::json::object(), double epoch = -1);

 private:
  std::FILE* f_ = nullptr;
  std::string path_;
};

}  // namespace rn50::trainer
