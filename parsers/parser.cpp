#include "parsers/parser.h"

#include <limits>

namespace rn50::parsers {

core::ParsedFile Parser::parse(std::string_view content, const core::DeriveOptions& opt) const {
  TextLimits limits;
  limits.max_document_bytes = std::numeric_limits<size_t>::max();  // already in memory
  TextInput in = TextInput::from_memory(content, limits);
  core::ParsedFile out;
  core::CollectingSink sink(out.runs);
  parse(in, out, sink, opt);
  // Lines the input skipped for their length come first: they explain what is missing.
  out.diagnostics.insert(out.diagnostics.begin(), in.diagnostics().begin(), in.diagnostics().end());
  return out;
}

void WholeBufferParser::parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
                              const core::DeriveOptions& opt) const {
  out = parse_buffer(in.rest(), opt);
  for (size_t r = 0; r < out.runs.size(); ++r) {
    std::vector<core::MetricPoint> metrics = std::move(out.runs[r].metrics);
    out.runs[r].metrics.clear();
    for (const core::MetricPoint& p : metrics) points.add(r, p);
  }
}

}  // namespace rn50::parsers
