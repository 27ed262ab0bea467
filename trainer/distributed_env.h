// Helpers behind DistEnv, exposed for tests.
#pragma once

#include <string>

namespace rn50::trainer {

// First host of a SLURM node list: "gpu[03-05,9],cpu1" -> "gpu03". Throws core::UsageError for
// an unclosed bracket or empty range.
std::string slurm_first_node(const std::string& nodelist);

}  // namespace rn50::trainer
