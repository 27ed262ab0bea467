#include "report/scaling_selection.h"

#include <cctype>

#include "report/run_values.h"

namespace rn50::report {

ScalingSelection select_for_scaling(const std::vector<StoredRun>& all) {
  ScalingSelection s;
  for (const auto& r : all) {
    if (role(r) == "accuracy") {
      s.accuracy_role.push_back(&r);
      continue;
    }
    auto d = devices(r);
    if (!d) {
      s.no_devices.push_back(&r);
      continue;
    }
    if (!throughput(r, IpsKind::kTotal, IpsBasis::kWindow)) {
      s.no_ips.push_back(&r);
      continue;
    }
    s.groups[ConfigKey{precision_label(r), r.run.batch_per_device.value, r.run.nodes.value, *d,
                       mlperf_set_of(r)}]
        .push_back(&r);
  }
  if (!s.groups.empty()) return s;
  if (all.empty()) {
    s.empty_reason = "No runs selected.";
  } else if (s.no_devices.empty() && s.no_ips.empty()) {
    s.empty_reason = "Every selected run is tagged role=accuracy (" + id_list(s.accuracy_role) +
                     "), and runs measuring accuracy are left out of scaling.";
  } else {
    std::string why;
    auto add = [&](const std::vector<const StoredRun*>& runs, const std::string& what) {
      if (!runs.empty()) why += (why.empty() ? "" : "; ") + what + ": " + id_list(runs);
    };
    add(s.no_devices, "device count unknown");
    add(s.no_ips, "no throughput");
    add(s.accuracy_role, "tagged role=accuracy");
    s.empty_reason = "No run has both a known device count and a throughput value (" + why + ").";
  }
  return s;
}

std::vector<std::string> left_out_notes(const ScalingSelection& s) {
  std::vector<std::string> notes;
  if (!s.accuracy_role.empty())
    notes.push_back("Not in this table (tagged role=accuracy, which scaling leaves out): " +
                    id_list(s.accuracy_role) + ".");
  if (!s.no_devices.empty())
    notes.push_back("Not in this table (device count unknown): " + id_list(s.no_devices) + ".");
  if (!s.no_ips.empty())
    notes.push_back("Not in this table (no throughput: batch size or timing unknown): " +
                    id_list(s.no_ips) + ".");
  return notes;
}

std::string as_reason(std::string sentence) {
  if (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
  if (!sentence.empty())
    sentence[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(sentence[0])));
  return sentence;
}

}  // namespace rn50::report
