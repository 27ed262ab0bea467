#include "report/runs_command_tables.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/error.h"
#include "core/time_util.h"
#include "report/render.h"
#include "report/run_values.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

std::string opt_text(const std::optional<double>& v, int decimals) {
  return v ? fmt_fixed(*v, decimals) : std::string();
}
std::string opt_text(const std::optional<int64_t>& v) { return v ? fmt_int(*v) : std::string(); }

template <class T>
std::string fact_text(const core::Fact<T>& f) {
  if (!f.value) return {};
  if constexpr (std::is_same_v<T, std::string>)
    return *f.value;
  else
    return fmt_int(*f.value);
}

template <class T>
std::string fact_source(const core::Fact<T>& f) {
  if (!f.value) return {};
  std::string s(core::to_string(f.source));
  if (!f.detail.empty()) s += ": " + f.detail;
  return s;
}

// Ordered (section, key) -> (value, source) view of everything a run carries.
using Entries = std::vector<std::tuple<std::string, std::string, std::string, std::string>>;

Entries entries(const StoredRun& r) {
  Entries e;
  auto add = [&](const std::string& sec, const std::string& k, const std::string& v,
                 const std::string& src = "") { e.emplace_back(sec, k, v, src); };
  const auto& run = r.run;
  add("run", "id", fmt_int(r.id));
  add("run", "name", run.name);
  add("run", "experiment", r.experiment);
  add("run", "origin", run.source_format);
  add("run", "run_key", run.run_key);
  add("run", "source_path", r.source_path);
  add("run", "source_sha256", r.source_sha256);
  add("run", "ingested_at", r.ingested_at);
  add("run", "status", std::string(core::to_string(run.status)));
  add("run", "start_time", run.start_time ? core::format_iso8601(*run.start_time) : "");
  add("run", "end_time", run.end_time ? core::format_iso8601(*run.end_time) : "");
  add("facts", "nodes", fact_text(run.nodes), fact_source(run.nodes));
  add("facts", "world_size", fact_text(run.world_size), fact_source(run.world_size));
  add("facts", "batch_per_device", fact_text(run.batch_per_device),
      fact_source(run.batch_per_device));
  add("facts", "global_batch", fact_text(run.global_batch), fact_source(run.global_batch));
  add("facts", "epochs_planned", fact_text(run.epochs_planned), fact_source(run.epochs_planned));
  add("facts", "epochs_completed", opt_text(run.epochs_completed));
  add("facts", "precision", fact_text(run.precision), fact_source(run.precision));
  const auto& d = run.derived;
  add("metrics", "best_top1", opt_text(d.best_top1, 2));
  add("metrics", "best_top1_epoch", opt_text(d.best_top1_epoch));
  add("metrics", "best_top5", opt_text(d.best_top5, 2));
  add("metrics", "last_top1", opt_text(d.last_top1, 2));
  add("metrics", "total_ips", opt_text(d.total_ips, 2), d.total_ips ? d.total_ips_definition : "");
  add("metrics", "compute_ips", opt_text(d.compute_ips, 2),
      d.compute_ips ? d.compute_ips_definition : "");
  add("metrics", "summary_total_ips", opt_text(d.summary_total_ips, 2));
  add("metrics", "summary_compute_ips", opt_text(d.summary_compute_ips, 2));
  add("metrics", "summary_top1", opt_text(d.summary_top1, 2));
  add("metrics", "summary_top5", opt_text(d.summary_top5, 2));
  add("metrics", "target_top1", opt_text(d.target_top1, 2));
  add("metrics", "time_to_target_s", opt_text(d.time_to_target_s, 2));
  add("metrics", "target_epoch", opt_text(d.target_epoch));
  add("metrics", "wall_time_s", opt_text(d.wall_time_s, 2));
  add("metrics", "step_time_p50_ms", d.step_time_p50 ? fmt_fixed(*d.step_time_p50 * 1e3, 2) : "");
  add("metrics", "step_time_p90_ms", d.step_time_p90 ? fmt_fixed(*d.step_time_p90 * 1e3, 2) : "");
  add("metrics", "step_time_p99_ms", d.step_time_p99 ? fmt_fixed(*d.step_time_p99 * 1e3, 2) : "");
  std::vector<std::pair<std::string, std::string>> tags = run.tags;
  std::sort(tags.begin(), tags.end());
  for (const auto& [k, v] : tags) add("tags", k, v);
  std::vector<const core::Param*> params;
  for (const auto& p : run.params) params.push_back(&p);
  std::sort(params.begin(), params.end(), [](auto* a, auto* b) { return a->key < b->key; });
  for (const auto* p : params) {
    const bool env = p->key.rfind("system.", 0) == 0 || p->key.rfind("env.", 0) == 0;
    add(env ? "environment" : "params", p->key, p->value,
        p->source == core::Source::kLog ? "" : std::string(core::to_string(p->source)));
  }
  return e;
}

}  // namespace

Table runs_list_table(const std::vector<StoredRun>& runs) {
  Table t;
  t.id = "runs";
  t.title = "Runs";
  t.columns = {"id",
               "experiment",
               "name",
               "origin",
               "status",
               "devices",
               "precision",
               "batch/dev",
               "epochs",
               "best_top1",
               "total_ips",
               "summary_total_ips",
               "time_to_target_s",
               "wall_time_s",
               "tags"};
  if (runs.empty()) t.empty_reason = "No runs match.";
  for (const auto& r : runs) {
    const auto& d = r.run.derived;
    auto num = [](const std::optional<double>& v, int dec) {
      return v ? Cell::num(*v, dec) : Cell::na("");
    };
    std::string tags;
    for (const auto& [k, v] : r.run.tags) tags += (tags.empty() ? "" : ",") + k + "=" + v;
    t.rows.push_back(
        {Cell::integer(r.id), Cell::str(r.experiment), Cell::str(r.run.name),
         Cell::str(r.run.source_format), Cell::str(std::string(core::to_string(r.run.status))),
         r.run.world_size.value ? Cell::integer(*r.run.world_size.value) : Cell::na(""),
         Cell::str(r.run.precision.value.value_or("")),
         r.run.batch_per_device.value ? Cell::integer(*r.run.batch_per_device.value) : Cell::na(""),
         r.run.epochs_completed ? Cell::integer(*r.run.epochs_completed) : Cell::na(""),
         num(best_top1(r), 2), num(d.total_ips, 2), num(d.summary_total_ips, 2),
         num(d.time_to_target_s, 2), num(d.wall_time_s, 2), Cell::str(tags)});
  }
  return t;
}

Table run_show_table(const StoredRun& run) {
  Table t;
  t.id = "run";
  t.title = "Run #" + std::to_string(run.id);
  t.columns = {"section", "key", "value", "source"};
  for (const auto& [sec, k, v, src] : entries(run))
    t.rows.push_back(
        {Cell::str(sec), Cell::str(k), v.empty() ? Cell::na("") : Cell::str(v), Cell::str(src)});
  return t;
}

Table runs_diff_table(const StoredRun& a, const StoredRun& b) {
  Table t;
  t.id = "diff";
  t.title = "Run #" + std::to_string(a.id) + " vs #" + std::to_string(b.id);
  t.columns = {"section", "key", "#" + std::to_string(a.id), "#" + std::to_string(b.id)};
  // Identity rows always differ and say nothing about the runs' comparability.
  static const std::set<std::string> kSkip = {"id", "source_sha256", "ingested_at"};
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> merged;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& [sec, k, v, src] : entries(a)) {
    if (!merged.count({sec, k})) order.emplace_back(sec, k);
    merged[{sec, k}].first = v;
  }
  for (const auto& [sec, k, v, src] : entries(b)) {
    if (!merged.count({sec, k})) order.emplace_back(sec, k);
    merged[{sec, k}].second = v;
  }
  for (const auto& key : order) {
    const auto& [va, vb] = merged[key];
    if (va == vb || (key.first == "run" && kSkip.count(key.second))) continue;
    t.rows.push_back({Cell::str(key.first), Cell::str(key.second),
                      va.empty() ? Cell::na("(absent)") : Cell::str(va),
                      vb.empty() ? Cell::na("(absent)") : Cell::str(vb)});
  }
  if (t.rows.empty()) t.empty_reason = "The two runs do not differ in params, facts or metrics.";
  return t;
}

std::string render_table(const Table& t, const std::string& format) {
  if (format == "table") return render_table_text(t);
  if (format == "csv") return render_table_csv(t);
  if (format == "json") return render_table_json(t);
  if (format == "md") return render_table_markdown(t);
  throw core::UsageError("--format " + format + ": expected table, csv, json or md");
}

}  // namespace rn50::report
