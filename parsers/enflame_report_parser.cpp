// PLACEHOLDER: replaced by the real parser.
#include "core/error.h"
#include "parsers/parser.h"
namespace rn50::parsers {
std::unique_ptr<Parser> make_enflame_report_parser() { throw core::Error("parser enflame_report not built yet"); }
}  // namespace rn50::parsers
