// What the scaling.json fuzz target checks (see fuzz/check_parsers.h): parse_scaling never throws,
// and it returns either a usable factor or a problem that names the file.
#pragma once

#include <cmath>
#include <exception>
#include <string>
#include <string_view>

#include "ingest/layout.h"

namespace rn50::fuzz {

inline std::string check_scaling(std::string_view bytes) {
  try {
    const ingest::Scaling s = ingest::parse_scaling(bytes, "scaling.json");
    if (s.factor && !s.problem.empty()) return "a factor and a problem: " + s.problem;
    if (!s.factor && s.problem.rfind("scaling.json: ", 0) != 0)
      return "no factor, and the problem does not name the file: " + s.problem;
    if (s.factor && !(std::isfinite(*s.factor) && *s.factor > 0))
      return "factor " + std::to_string(*s.factor) + " is not a positive number";
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
  return "";
}

}  // namespace rn50::fuzz
