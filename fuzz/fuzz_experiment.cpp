// Experiment files as `rn50-exp run --dry-run` reads them: YAML/JSON document, --set overrides,
// validation, plan. base_config paths resolve in a private temporary folder.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "fuzz/check_experiment.h"
#include "fuzz/fuzz_target.h"

namespace {

std::filesystem::path make_base_dir() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rn50-fuzz-experiment-" + std::to_string(::getpid()));
  rn50::fuzz::prepare_experiment_dir(dir, RN50_SOURCE_DIR);
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                    ("rn50-fuzz-experiment-" + std::to_string(::getpid())),
                                ec);
  });
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path base_dir = make_base_dir();
  rn50::fuzz::report_if_bad(
      rn50::fuzz::check_experiment({reinterpret_cast<const char*>(data), size}, base_dir));
  return 0;
}
