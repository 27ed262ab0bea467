// PLACEHOLDER: replaced by the real parser.
#include "core/error.h"
#include "parsers/parser.h"
namespace rn50::parsers {
std::unique_ptr<Parser> make_ngc_json_parser() { throw core::Error("parser ngc_json not built yet"); }
}  // namespace rn50::parsers
