// The `Namespace(key=value, ...)` line that argparse-based training scripts print with
// `print(args)` (torchvision's references/classification/train.py, the Enflame train.py): the
// run's settings as Python's repr() writes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rn50::parsers {

struct PythonArg {
  std::string key;
  std::string value;  // strings decoded from their repr; other values as written (None, True,
                      // 0.1, [1, 2], {'a': 1}); both in stored-text form (text.h)
  bool is_string = false;
};

// Reads `Namespace(...)` starting at `text` (anything after the closing parenthesis is ignored).
// False when it is not one, or cut before its closing parenthesis; `out` then holds nothing.
// Bounded: at most kMaxPythonArgs arguments, nesting at most 64 brackets deep.
bool parse_python_namespace(std::string_view text, std::vector<PythonArg>& out);

inline constexpr size_t kMaxPythonArgs = 4096;

// Helpers for the values above.
const PythonArg* find_arg(const std::vector<PythonArg>& args, std::string_view key);
// True / False; nullopt for anything else.
std::optional<bool> python_bool(const PythonArg* arg);

}  // namespace rn50::parsers
