// The libFuzzer side of a target: a check from fuzz/check_*.h that returns a problem is a finding.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace rn50::fuzz {

inline void report_if_bad(const std::string& problem) {
  if (problem.empty()) return;
  std::fprintf(stderr, "==rn50-fuzz== %s\n", problem.c_str());
  std::abort();  // libFuzzer saves the input as crash-<sha1>
}

}  // namespace rn50::fuzz
