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

}  // namespace rn50::parsers
