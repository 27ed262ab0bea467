#include "parsers/namespace_facts.h"

#include <string>

#include "parsers/numbers.h"

namespace rn50::parsers {

using core::Source;

std::optional<int64_t> NamespaceFacts::count(std::string_view key, int64_t hi, int64_t lo) const {
  const PythonArg* a = find_arg(args_, key);
  if (!a || a->is_string) return std::nullopt;
  const auto n = parse_int(a->value);
  if (!n) return std::nullopt;
  std::string why;
  if (!in_range(*n, lo, hi, &why)) {
    diag_.warning(line_, "Namespace", "Namespace " + std::string(key) + ": " + why);
    return std::nullopt;
  }
  return n;
}

void NamespaceFacts::set_batch_epochs_precision(core::RunRecord& run,
                                                const char* batch_source) const {
  if (auto b = count("batch_size", kMaxBatch))
    run.batch_per_device.set(*b, Source::kLog, batch_source);
  if (auto e = count("epochs", kMaxEpochs))
    run.epochs_planned.set(*e, Source::kLog, "Namespace epochs");
  if (const auto amp = python_bool(find_arg(args_, "amp"))) {
    if (*amp)
      run.precision.set("amp", Source::kLog, "Namespace amp=True");
    else
      run.precision.set("fp32", Source::kInferred, "Namespace amp=False");
  }
}

}  // namespace rn50::parsers
