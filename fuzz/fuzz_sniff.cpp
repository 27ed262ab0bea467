// Content sniffing over every parser (parsers::sniff_format).
#include <cstddef>
#include <cstdint>

#include "fuzz/check_parsers.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rn50::fuzz::report_if_bad(rn50::fuzz::check_sniff({reinterpret_cast<const char*>(data), size}));
  return 0;
}
