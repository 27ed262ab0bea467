// Where a parser reports problems with its input. A file of garbage must not bury the useful
// diagnostics under millions of lines, so each kind of problem is listed up to a cap; what the cap
// holds back is counted and said once at the end. Messages quote log text, so they pass through
// the stored-text policy (text.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"

namespace rn50::parsers {

class DiagnosticLog {
 public:
  static constexpr int64_t kDefaultCap = 20;

  explicit DiagnosticLog(core::Diagnostics& out, int64_t cap_per_kind = kDefaultCap)
      : out_(out), cap_(cap_per_kind) {}

  // `kind` groups messages under the cap ("malformed progress line"); `line` is 1-based, 0 for
  // the whole file.
  void add(core::Severity severity, int64_t line, std::string_view kind, std::string_view message);
  void info(int64_t line, std::string_view kind, std::string_view message) {
    add(core::Severity::kInfo, line, kind, message);
  }
  void warning(int64_t line, std::string_view kind, std::string_view message) {
    add(core::Severity::kWarning, line, kind, message);
  }
  void error(int64_t line, std::string_view kind, std::string_view message) {
    add(core::Severity::kError, line, kind, message);
  }

  // After the last line: one warning per kind that the cap held back, with the count.
  void finish();

  core::Diagnostics& diagnostics() { return out_; }

 private:
  struct Kind {
    std::string name;
    int64_t count = 0;
  };
  core::Diagnostics& out_;
  int64_t cap_;
  std::vector<Kind> kinds_;  // a parser has a handful of kinds
};

}  // namespace rn50::parsers
