// An MLPerf set's scaling.json (ingest::parse_scaling).
#include <cstddef>
#include <cstdint>

#include "fuzz/check_scaling.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rn50::fuzz::report_if_bad(rn50::fuzz::check_scaling({reinterpret_cast<const char*>(data), size}));
  return 0;
}
