// The body that every line-oriented parser shares: name the format, feed each line of the input to
// a per-file Run object, finish it, then say what the diagnostics cap held back. Run has
// Run(ParsedFile&, MetricSink&, DiagnosticLog&, const DeriveOptions&), line(string_view, line
// number) and finish().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/derive.h"
#include "core/metric_sink.h"
#include "core/parsed_file.h"
#include "parsers/diagnostic_log.h"
#include "parsers/text_input.h"

namespace rn50::parsers {

template <class Run>
void parse_lines(std::string_view format, std::string_view version, TextInput& in,
                 core::ParsedFile& out, core::MetricSink& points, const core::DeriveOptions& opt,
                 int64_t diagnostics_per_kind = DiagnosticLog::kDefaultCap) {
  out.format = std::string(format);
  out.parser_version = std::string(version);
  DiagnosticLog diag(out.diagnostics, diagnostics_per_kind);
  Run run(out, points, diag, opt);
  std::string_view line;
  while (in.next_line(line)) run.line(line, in.line_number());
  run.finish();
  diag.finish();
}

}  // namespace rn50::parsers
