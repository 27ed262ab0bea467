// What a parser returns for one input file: its runs plus diagnostics.
#pragma once

#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/run_record.h"

namespace rn50::core {

struct ParsedFile {
  std::string format;          // parser name, e.g. "ngc-dllogger-stdout"
  std::string parser_version;  // bumps whenever the parser's output for the same bytes changes
  std::vector<RunRecord> runs;
  Diagnostics diagnostics;
};

}  // namespace rn50::core
