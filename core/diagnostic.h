// Problems found while reading input. A bad line is a diagnostic, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rn50::core {

enum class Severity { kInfo, kWarning, kError };
std::string_view to_string(Severity s);

struct Diagnostic {
  Severity severity = Severity::kWarning;
  int64_t line = 0;  // 1-based; 0 when the problem concerns the whole file
  std::string message;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace rn50::core
