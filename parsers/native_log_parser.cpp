// PLACEHOLDER: replaced by the real parser.
#include "core/error.h"
#include "parsers/parser.h"
namespace rn50::parsers {
std::unique_ptr<Parser> make_native_log_parser() { throw core::Error("parser native_log not built yet"); }
}  // namespace rn50::parsers
