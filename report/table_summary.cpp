// Summary by device count, in the layout of the AI-Rank table (docs/report.md "Summary").
#include <map>
#include <set>

#include "report/analysis.h"
#include "report/run_values.h"
#include "report/stats.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

using Runs = std::vector<const StoredRun*>;

std::optional<double> median_of(std::vector<double> v) {
  auto s = median_stats(std::move(v));
  if (!s) return std::nullopt;
  return s->median;
}

// Median of one throughput kind over a group, with the bases it rests on.
struct IpsAgg {
  std::optional<double> value;
  std::set<IpsBasis> bases;
};
IpsAgg aggregate_ips(const Runs& runs, IpsKind kind) {
  IpsAgg a;
  std::vector<double> vals;
  for (const auto* r : runs)
    if (auto ips = throughput(*r, kind, IpsBasis::kSummary)) {
      vals.push_back(ips->value);
      a.bases.insert(ips->basis);
    }
  a.value = median_of(vals);
  return a;
}

std::string basis_suffix(const std::set<IpsBasis>& bases) {
  if (bases.size() == 1 && *bases.begin() == IpsBasis::kSummary) return "";
  if (bases.size() == 1) return " [window]";
  return " [summary+window]";
}

constexpr const char* kNoIps = "n/a (neither a log summary nor a steady-window value)";

Cell ips_cell(const IpsAgg& a) {
  if (!a.value) return Cell::na(kNoIps);
  return Cell::num(*a.value, 2, basis_suffix(a.bases));
}

Cell ratio_cell(const std::optional<double>& n, const std::optional<double>& one) {
  if (!n) return Cell::na("n/a (no value in this row)");
  if (!one) return Cell::na("n/a (no value in the 1-device row)");
  auto s = speedup(*n, *one);
  return s ? Cell::num(*s, 2) : Cell::na();
}

// Top-1: the accuracy-role runs of the configuration win; else the row's own runs.
Cell top1_cell(const Runs& accuracy_runs, const Runs& runs) {
  std::vector<double> top1;
  std::string label;
  for (const auto* r : accuracy_runs)
    if (auto b = best_top1(*r)) top1.push_back(*b);
  if (!top1.empty()) label = " (accuracy run " + id_list(accuracy_runs) + ")";
  if (top1.empty()) {
    for (const auto* r : runs)
      if (auto b = best_top1(*r)) top1.push_back(*b);
    if (top1.size() > 1) label = " (mean of " + std::to_string(top1.size()) + ")";
  }
  auto m = mean_std(top1);
  return m ? Cell::num(m->mean, 2, label) : Cell::na("n/a (no evaluation)");
}

}  // namespace

Table summary_table(const std::vector<StoredRun>& all, const AnalysisOptions& opt,
                    std::vector<std::string>& warnings) {
  Table t;
  t.id = "summary";
  t.title = "Summary by device count (AI-Rank layout)";
  const std::string target = fmt_fixed(opt.target_top1, 2);
  t.description =
      "One row per device count (and precision, batch per device; MLPerf runs also per set). "
      "Throughput prefers the log's "
      "own Summary value (as the AI-Rank table does), else our steady-window value, marked "
      "[window]. \"Published (AI-Rank)\" reproduces that table's choice: compute_ips for the "
      "1-device row, total_ips for the others, each cell labelled. Wall time is AI-Rank's "
      "\"Time2train\" (first training iteration to the end record, the whole training); time to "
      "target is the MLPerf sense (first iteration to the first evaluation with top-1 ≥ " +
      target +
      " %). Top-1 is the best evaluation; it comes from a run tagged role=accuracy with the same "
      "configuration when there is one. Several runs in a row: medians (top-1: mean).";
  t.columns = {"Devices",
               "Precision",
               "Batch/device",
               "Runs",
               "Wall time, AI-Rank Time2train (s)",
               "Time to target " + target + " %, MLPerf sense (s)",
               "Throughput total_ips (img/s)",
               "Throughput compute_ips (img/s)",
               "Throughput as published, AI-Rank (img/s)",
               "Top-1 (%)",
               "Speedup as published, AI-Rank",
               "Speedup total/total",
               "Speedup compute/compute"};

  std::map<ConfigKey, Runs> rows, accuracy_runs;
  Runs unknown_devices;
  for (const auto& r : all) {
    auto d = devices(r);
    if (!d) {
      unknown_devices.push_back(&r);
      continue;
    }
    ConfigKey k{precision_label(r), r.run.batch_per_device.value, std::nullopt, *d,
                mlperf_set_of(r)};
    (role(r) == "accuracy" ? accuracy_runs : rows)[k].push_back(&r);
  }
  // An accuracy-only configuration still gets a row (its top-1 is the point of it).
  for (const auto& [k, v] : accuracy_runs)
    if (!rows.count(k)) rows[k];
  if (!unknown_devices.empty())
    t.notes.push_back("Not in this table (device count unknown): " + id_list(unknown_devices) +
                      ". Set it at ingest with --set world_size=N.");
  if (rows.empty()) {
    t.empty_reason = all.empty() ? "No runs selected."
                                 : "No run states its device count (world_size), so runs cannot "
                                   "be grouped by devices.";
    return t;
  }

  // Baselines: the 1-device row of the same precision and batch per device.
  struct Values {
    IpsAgg total, compute;
    std::optional<double> published;
    IpsKind published_kind = IpsKind::kTotal;
  };
  std::map<ConfigKey, Values> values;
  for (const auto& [k, runs] : rows) {
    Values v;
    v.total = aggregate_ips(runs, IpsKind::kTotal);
    v.compute = aggregate_ips(runs, IpsKind::kCompute);
    // AI-Rank's own choice: compute_ips on one card, total_ips on several.
    const bool one = k.devices == 1;
    const IpsAgg& first = one ? v.compute : v.total;
    const IpsAgg& second = one ? v.total : v.compute;
    if (first.value) {
      v.published = first.value;
      v.published_kind = one ? IpsKind::kCompute : IpsKind::kTotal;
    } else if (second.value) {
      v.published = second.value;
      v.published_kind = one ? IpsKind::kTotal : IpsKind::kCompute;
    }
    values[k] = v;
  }

  std::set<IpsKind> published_kinds;
  std::set<std::string> missing_baseline;
  for (const auto& [k, runs] : rows) {
    const Values& v = values[k];
    ConfigKey base_key = k;
    base_key.devices = 1;
    const Values* base = values.count(base_key) ? &values[base_key] : nullptr;
    if (!base && k.devices != 1) missing_baseline.insert(describe(base_key, false));

    const auto acc_it = accuracy_runs.find(k);
    std::vector<Cell> row;
    row.push_back(Cell::integer(k.devices));
    row.push_back(Cell::str(k.precision));
    row.push_back(k.batch ? Cell::integer(*k.batch) : Cell::na());
    if (runs.empty()) {
      // Only runs tagged role=accuracy: they give this row its top-1 and nothing else.
      const std::string ids = id_list(acc_it->second);
      const Cell left_out = Cell::na("left out: " + ids + " tagged role=accuracy");
      row.push_back(Cell::str("none (only " + ids + ", tagged role=accuracy: top-1 only)"));
      for (int i = 0; i < 5; ++i) row.push_back(left_out);
      row.push_back(top1_cell(acc_it->second, {}));
      for (int i = 0; i < 3; ++i) row.push_back(left_out);
      t.rows.push_back(std::move(row));
      continue;
    }
    row.push_back(Cell::str(runs_cell_text(k.set, runs)));

    std::vector<double> wall, ttt;
    bool any_evaluation = false, any_reached = false;
    for (const auto* r : runs) {
      if (r->run.derived.wall_time_s) wall.push_back(*r->run.derived.wall_time_s);
      auto reach = target_reach(*r, opt.target_top1);
      if (reach.time_s) ttt.push_back(*reach.time_s);
      any_evaluation = any_evaluation || has_evaluations(*r);
      any_reached = any_reached || reach.reached;
    }
    auto w = median_of(wall);
    row.push_back(w ? Cell::num(*w, 2) : Cell::na("n/a (no start or end record)"));
    auto tt = median_of(ttt);
    row.push_back(tt ? Cell::num(*tt, 2)
                     : Cell::na(any_reached      ? "n/a (reached; no timestamps)"
                                : any_evaluation ? "not reached"
                                                 : "n/a (no evaluation in " + id_list(runs) + ")"));
    row.push_back(ips_cell(v.total));
    row.push_back(ips_cell(v.compute));
    if (v.published) {
      published_kinds.insert(v.published_kind);
      row.push_back(Cell::num(*v.published, 2, " (" + to_string(v.published_kind) + ")"));
    } else {
      row.push_back(Cell::na(kNoIps));
    }

    row.push_back(top1_cell(acc_it != accuracy_runs.end() ? acc_it->second : Runs{}, runs));

    if (base) {
      row.push_back(ratio_cell(v.published, base->published));
      row.push_back(ratio_cell(v.total.value, base->total.value));
      row.push_back(ratio_cell(v.compute.value, base->compute.value));
    } else {
      for (int i = 0; i < 3; ++i) row.push_back(Cell::na("n/a (no 1-device baseline)"));
    }
    t.rows.push_back(std::move(row));
  }
  if (auto note = missing_baselines_note(missing_baseline, "speedup"))
    t.notes.push_back(*note);
  else
    for (const auto& b : missing_baseline)
      t.notes.push_back("No speedup where the baseline (" + b +
                        ") is missing: speedup needs a 1-device run with the same precision and "
                        "batch per device.");
  if (published_kinds.size() > 1)
    warnings.push_back(
        "Mixed throughput definitions in the \"as published (AI-Rank)\" column: the 1-device value "
        "is compute_ips (without data loading) and the multi-device values are total_ips (with "
        "data loading), so the published speedups divide a total_ips by a compute_ips. Compare "
        "the consistent speedups (total/total, compute/compute) instead.");
  return t;
}

}  // namespace rn50::report
