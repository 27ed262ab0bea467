#include "core/run_record.h"

#include "core/diagnostic.h"

namespace rn50::core {

std::string_view to_string(RunStatus s) {
  switch (s) {
    case RunStatus::kFinished:
      return "finished";
    case RunStatus::kIncomplete:
      return "incomplete";
    case RunStatus::kAborted:
      return "aborted";
    case RunStatus::kFailed:
      return "failed";
  }
  return "incomplete";
}

std::optional<RunStatus> run_status_from_string(std::string_view s) {
  if (s == "finished") return RunStatus::kFinished;
  if (s == "incomplete") return RunStatus::kIncomplete;
  if (s == "aborted") return RunStatus::kAborted;
  if (s == "failed") return RunStatus::kFailed;
  return std::nullopt;
}

std::string_view to_string(Source s) {
  switch (s) {
    case Source::kLog:
      return "log";
    case Source::kInferred:
      return "inferred";
    case Source::kUser:
      return "user";
  }
  return "log";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "warning";
}

const Param* RunRecord::find_param(std::string_view key) const {
  for (const auto& p : params)
    if (p.key == key) return &p;
  return nullptr;
}

void RunRecord::set_param(std::string key, std::string value, Source source) {
  for (auto& p : params) {
    if (p.key == key) {
      p.value = std::move(value);
      p.source = source;
      return;
    }
  }
  params.push_back(Param{std::move(key), std::move(value), source});
}

}  // namespace rn50::core
