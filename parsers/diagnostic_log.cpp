#include "parsers/diagnostic_log.h"

#include "parsers/text.h"

namespace rn50::parsers {

void DiagnosticLog::add(core::Severity severity, int64_t line, std::string_view kind,
                        std::string_view message) {
  Kind* k = nullptr;
  for (Kind& existing : kinds_)
    if (existing.name == kind) k = &existing;
  if (!k) k = &kinds_.emplace_back(Kind{std::string(kind), 0});
  if (++k->count > cap_) return;
  out_.push_back({severity, line < 0 ? 0 : line, stored_text(message, TextKind::kValue)});
}

void DiagnosticLog::finish() {
  for (Kind& k : kinds_) {
    if (k.count > cap_)
      out_.push_back(
          {core::Severity::kWarning, 0,
           std::to_string(k.count - cap_) + " more '" + k.name + "' diagnostics not shown"});
    k.count = 0;
  }
}

}  // namespace rn50::parsers
