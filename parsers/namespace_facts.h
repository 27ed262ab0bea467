// The run's facts that argparse-based training scripts (torchvision's references train.py, the
// Enflame train.py) print under the same names in their `Namespace(...)` line.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/run_record.h"
#include "parsers/diagnostic_log.h"
#include "parsers/python_namespace.h"

namespace rn50::parsers {

class NamespaceFacts {
 public:
  // `line` is where the Namespace was printed: an out-of-range value is reported there.
  NamespaceFacts(const std::vector<PythonArg>& args, int64_t line, DiagnosticLog& diag)
      : args_(args), line_(line), diag_(diag) {}

  // An integer argument within [lo, hi]; a string or no argument is nullopt, a number outside
  // the range a warning and nullopt.
  std::optional<int64_t> count(std::string_view key, int64_t hi, int64_t lo = 1) const;

  // batch_size (per process: `batch_source` says how the script means it), epochs and amp.
  void set_batch_epochs_precision(core::RunRecord& run, const char* batch_source) const;

 private:
  const std::vector<PythonArg>& args_;
  int64_t line_;
  DiagnosticLog& diag_;
};

}  // namespace rn50::parsers
