// One libFuzzer target per log format: RN50_FUZZ_FORMAT names the parser (fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/check_parsers.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const rn50::parsers::Parser* parser = [] {
    const auto* p = rn50::parsers::find_parser(RN50_FUZZ_FORMAT);
    if (!p) rn50::fuzz::report_if_bad("no parser named " RN50_FUZZ_FORMAT);
    return p;
  }();
  rn50::fuzz::report_if_bad(
      rn50::fuzz::check_parser(*parser, {reinterpret_cast<const char*>(data), size}));
  return 0;
}
