// Which runs the scaling table and the scaling plots use, grouped, with the runs left out and why
// (one selection, so that a table and a plot never disagree about a run).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "report/analysis.h"

namespace rn50::report {

struct ScalingSelection {
  // Precision, batch per device, nodes, devices -> runs with a known device count and throughput.
  std::map<ConfigKey, std::vector<const store::StoredRun*>> groups;
  std::vector<const store::StoredRun*> accuracy_role, no_devices, no_ips;  // left out
  std::string empty_reason;  // a sentence naming the runs, set when `groups` is empty
};

ScalingSelection select_for_scaling(const std::vector<store::StoredRun>& all);

// "Not in this table (...): #1." notes for the runs a selection left out.
std::vector<std::string> left_out_notes(const ScalingSelection& s);

// A table's sentence as a plot's "not drawn (...)" reason: no final period, lower-case start.
std::string as_reason(std::string sentence);

}  // namespace rn50::report
