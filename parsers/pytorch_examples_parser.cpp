// PLACEHOLDER: replaced by the real parser.
#include "core/error.h"
#include "parsers/parser.h"
namespace rn50::parsers {
std::unique_ptr<Parser> make_pytorch_examples_parser() { throw core::Error("parser pytorch_examples not built yet"); }
}  // namespace rn50::parsers
