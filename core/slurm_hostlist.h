// SLURM host lists ("dgx[01-04,07]", "rack[2-3]-n[1-4],login1") as `scontrol show hostnames`
// expands them: entries at depth 0 separated by commas; in an entry, every bracket group is a
// comma list of numbers and ranges, zero padding kept per element (the width of the number as
// written); several groups multiply, the leftmost varying slowest.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rn50::core {

// The hosts in order, at most `limit` of them (a list can name millions). Throws
// core::UsageError naming the list for an unclosed bracket, an empty or reversed range, or a
// non-number inside brackets.
std::vector<std::string> expand_hostlist(const std::string& list, size_t limit = 100000);

// The first host (where MASTER_ADDR goes when SLURM launched the job).
std::string first_host(const std::string& list);

}  // namespace rn50::core
