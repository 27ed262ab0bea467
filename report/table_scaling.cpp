// Scaling table, DLPerf style (docs/report.md "Scaling").
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/scaling_selection.h"
#include "report/stats.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

// Definitions differ in counts ("summed over 1260 pairs") without differing in method: compare
// them with every number replaced by N.
std::string definition_shape(const std::string& d) {
  std::string out;
  for (size_t i = 0; i < d.size();) {
    if (std::isdigit(static_cast<unsigned char>(d[i]))) {
      while (i < d.size() && (std::isdigit(static_cast<unsigned char>(d[i])) || d[i] == '.')) ++i;
      out += 'N';
    } else {
      out += d[i++];
    }
  }
  return out;
}

}  // namespace

Table scaling_table(const std::vector<StoredRun>& all, const AnalysisOptions& opt,
                    std::vector<std::string>& warnings) {
  Table t;
  t.id = "scaling";
  t.title = "Scaling (DLPerf style)";
  t.description =
      "Runs grouped by precision, batch per device, nodes and devices (MLPerf runs also by their "
      "set). Throughput is total_ips "
      "(with data loading): our steady-window value, else the log's Summary value (basis "
      "column). Median over the runs of a group (n, min-max); speedup = median_N / median_1 "
      "with the 1-device group of the same precision and batch per device; efficiency = "
      "speedup / devices. Runs tagged role=accuracy are left out.";
  t.columns = {"Precision",    "Batch/device",  "Nodes",   "Devices/node", "Devices", "n",
               "Median img/s", "Min-max img/s", "Speedup", "Efficiency",   "Basis",   "Runs"};
  const ScalingSelection sel = select_for_scaling(all);
  const auto& groups = sel.groups;
  t.notes = left_out_notes(sel);
  if (groups.empty()) {
    t.empty_reason = sel.empty_reason;
    return t;
  }

  // Baseline per (precision, batch, MLPerf set): the 1-device group (any node count; it is 1 node).
  std::map<std::tuple<std::string, std::optional<int64_t>, std::string>, double> baseline;
  std::map<ConfigKey, MedianStats> stats;
  std::map<ConfigKey, std::set<IpsBasis>> bases;
  std::map<std::string, std::string> definitions;  // shape -> first definition seen
  std::vector<std::string> small;
  for (const auto& [k, runs] : groups) {
    std::vector<double> v;
    for (const auto* r : runs) {
      auto ips = throughput(*r, IpsKind::kTotal, IpsBasis::kWindow);
      v.push_back(ips->value);
      bases[k].insert(ips->basis);
      if (ips->basis == IpsBasis::kWindow && !r->run.derived.total_ips_definition.empty())
        definitions.emplace(definition_shape(r->run.derived.total_ips_definition),
                            r->run.derived.total_ips_definition);
    }
    stats[k] = *median_stats(v);
    if (k.devices == 1)
      baseline.emplace(std::make_tuple(k.precision, k.batch, k.set), stats[k].median);
    if (runs.size() < 3)
      small.push_back(describe(k, true) + " (n=" + std::to_string(runs.size()) + ")");
  }
  std::set<std::string> missing;
  for (const auto& [k, runs] : groups) {
    const auto& s = stats[k];
    std::vector<Cell> row;
    row.push_back(Cell::str(k.precision));
    row.push_back(k.batch ? Cell::integer(*k.batch) : Cell::na());
    row.push_back(k.nodes ? Cell::integer(*k.nodes) : Cell::na());
    if (k.nodes && *k.nodes > 0 && k.devices % *k.nodes == 0)
      row.push_back(Cell::integer(k.devices / *k.nodes));
    else
      row.push_back(Cell::na());
    row.push_back(Cell::integer(k.devices));
    row.push_back(Cell::integer(s.n));
    row.push_back(Cell::num(s.median, 2));
    row.push_back(Cell::str(fmt_fixed(s.min, 2) + " - " + fmt_fixed(s.max, 2)));
    auto b = baseline.find({k.precision, k.batch, k.set});
    std::optional<double> sp;
    if (b != baseline.end()) sp = speedup(s.median, b->second);
    if (sp) {
      row.push_back(Cell::num(*sp, 2));
      auto e = efficiency(*sp, k.devices);
      row.push_back(e ? Cell::num(*e, 3) : Cell::na());
    } else {
      missing.insert(k.precision + ", batch " + (k.batch ? std::to_string(*k.batch) : "?") +
                     "/device" + (k.set.empty() ? "" : " (" + k.set + ")"));
      row.push_back(Cell::na("n/a (no 1-device baseline)"));
      row.push_back(Cell::na("n/a (no 1-device baseline)"));
    }
    const auto& bs = bases[k];
    row.push_back(Cell::str(bs.size() > 1 ? "mixed" : to_string(*bs.begin())));
    row.push_back(Cell::str(runs_cell_text(k.set, runs)));
    t.rows.push_back(std::move(row));
    if (bs.size() > 1)
      warnings.push_back("Scaling group " + describe(k, true) +
                         " mixes steady-window and log-summary throughput values.");
  }
  if (auto note = missing_baselines_note(missing, "speedup or efficiency"))
    t.notes.push_back(*note);
  else
    for (const auto& m : missing)
      t.notes.push_back("No speedup or efficiency for " + m +
                        ": there is no 1-device run with that precision and batch per device.");
  if (!small.empty()) {
    std::string s;
    for (const auto& x : small) s += (s.empty() ? "" : "; ") + x;
    warnings.push_back("Medians over fewer than 3 runs (scaling): " + s + ".");
  }
  if (definitions.size() > 1) {
    std::string s;
    for (const auto& [shape, d] : definitions) s += "\n  - " + d;
    warnings.push_back(
        "Runs in the scaling table measure throughput differently (total_ips "
        "definitions):" +
        s);
  }
  return t;
}

}  // namespace rn50::report
