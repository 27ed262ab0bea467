// What the numbers rest on (the report header) and the warnings about the selection as a whole
// (docs/report.md "Report layout", "Warnings").
#include <algorithm>
#include <map>
#include <set>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

// Distinct values with the number of runs having each, most common first then alphabetical.
std::string distinct(const std::map<std::string, int>& counts, size_t total,
                     size_t max_values = 6) {
  std::vector<std::pair<int, std::string>> v;
  for (const auto& [val, n] : counts) v.emplace_back(-n, val);
  std::sort(v.begin(), v.end());
  std::string s;
  size_t shown = 0;
  for (const auto& [neg, val] : v) {
    if (shown == max_values) {
      s += ", +" + std::to_string(v.size() - shown) + " more";
      break;
    }
    s += (s.empty() ? "" : ", ") + (val.empty() ? std::string("(unknown)") : val);
    if (counts.size() > 1 || static_cast<size_t>(-neg) != total)
      s += " (" + std::to_string(-neg) + ")";
    ++shown;
  }
  return s;
}

bool is_environment_key(const std::string& k) {
  static const std::set<std::string> keys = {"arch",
                                             "framework",
                                             "data_backend",
                                             "submission_platform",
                                             "submission_org",
                                             "submission_division",
                                             "submission_status",
                                             "torch_version",
                                             "libtorch_version",
                                             "cuda_version",
                                             "cudnn_version",
                                             "nccl_version",
                                             "compiler",
                                             "cpu_model",
                                             "gpu_model",
                                             "gpu_driver",
                                             "hostname",
                                             "os",
                                             "tool_version",
                                             "git_commit",
                                             "device"};
  return keys.count(k) || k.rfind("system.", 0) == 0 || k.rfind("env.", 0) == 0;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> report_header(const std::vector<StoredRun>& runs,
                                                               const AnalysisOptions& opt) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!opt.selection.empty()) h.emplace_back("Selection", opt.selection);
  std::map<std::string, int> status, origin, experiment, devs, prec, batch;
  std::map<std::string, std::map<std::string, int>> env;
  for (const auto& r : runs) {
    status[std::string(core::to_string(r.run.status))]++;
    origin[r.run.source_format]++;
    experiment[r.experiment]++;
    devs[r.run.world_size.value ? std::to_string(*r.run.world_size.value) : ""]++;
    prec[r.run.precision.value.value_or("")]++;
    batch[r.run.batch_per_device.value ? std::to_string(*r.run.batch_per_device.value) : ""]++;
    for (const auto& p : r.run.params)
      if (is_environment_key(p.key)) env[p.key][p.value]++;
  }
  const size_t n = runs.size();
  std::string st;
  for (const auto& [s, c] : status) st += (st.empty() ? "" : ", ") + s + " " + std::to_string(c);
  h.emplace_back("Runs", std::to_string(n) + (n ? " (" + st + ")" : ""));
  if (!n) return h;
  h.emplace_back("Experiments", distinct(experiment, n));
  h.emplace_back("Origins (log formats)", distinct(origin, n));
  h.emplace_back("Devices per run", distinct(devs, n));
  h.emplace_back("Precision", distinct(prec, n));
  h.emplace_back("Batch per device", distinct(batch, n));
  h.emplace_back("Target top-1", fmt_fixed(opt.target_top1, 2) + " %");
  for (const auto& [k, counts] : env) h.emplace_back(k, distinct(counts, n));
  return h;
}

std::vector<std::string> selection_warnings(const std::vector<StoredRun>& runs) {
  std::vector<std::string> w;
  std::vector<const StoredRun*> unfinished;
  std::set<std::string> batches, precisions;
  for (const auto& r : runs) {
    if (r.run.status != core::RunStatus::kFinished) unfinished.push_back(&r);
    if (r.run.batch_per_device.value) batches.insert(std::to_string(*r.run.batch_per_device.value));
    if (r.run.precision.value) precisions.insert(*r.run.precision.value);
  }
  if (!unfinished.empty()) {
    constexpr size_t kMaxNamed = 10;
    std::string s;
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict, PR 105329) on "#" + ... here.
    for (size_t i = 0; i < unfinished.size() && i < kMaxNamed; ++i) {
      if (!s.empty()) s += ", ";
      s += '#';
      s += std::to_string(unfinished[i]->id);
      s += ' ';
      s += core::to_string(unfinished[i]->run.status);
    }
    if (unfinished.size() > kMaxNamed)
      s += " and " + std::to_string(unfinished.size() - kMaxNamed) + " more (" +
           std::to_string(unfinished.size()) + " in all)";
    w.push_back("Runs that did not finish normally: " + s +
                ". Their numbers cover only what was logged.");
  }
  auto join = [](const std::set<std::string>& s) {
    std::string o;
    for (const auto& x : s) o += (o.empty() ? "" : ", ") + x;
    return o;
  };
  if (batches.size() > 1)
    w.push_back("Runs use different batch sizes per device (" + join(batches) +
                "): throughput, speedup and accuracy are only compared within one batch size.");
  if (precisions.size() > 1)
    w.push_back("Runs use different precisions (" + join(precisions) +
                "): numbers are only compared within one precision.");
  return w;
}

}  // namespace rn50::report
