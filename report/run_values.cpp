#include "report/run_values.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "core/native_log_format.h"

namespace rn50::report {

std::optional<int64_t> devices(const StoredRun& r) { return r.run.world_size.value; }

std::string tag_value(const StoredRun& r, const std::string& key) {
  for (const auto& [k, v] : r.run.tags)
    if (k == key) return v;
  return {};
}

std::string role(const StoredRun& r) { return tag_value(r, "role"); }

std::string param_value(const StoredRun& r, const std::string& key) {
  const auto* p = r.run.find_param(key);
  return p ? p->value : std::string();
}

std::string precision_label(const StoredRun& r) {
  return r.run.precision.value ? *r.run.precision.value : std::string("?");
}

std::string run_label(const StoredRun& r) {
  std::string s(1, '#');  // appended: GCC 12's false -Wrestrict (PR 105329) on "#" + ...
  s += std::to_string(r.id);
  s += ' ';
  s += r.run.name;
  return s;
}

std::optional<double> best_top1(const StoredRun& r) {
  if (r.run.derived.best_top1) return r.run.derived.best_top1;
  std::optional<double> best;
  for (const auto& e : r.run.epochs)
    if (e.top1 && std::isfinite(*e.top1) && (!best || *e.top1 > *best)) best = e.top1;
  if (!best && r.run.derived.summary_top1) best = r.run.derived.summary_top1;
  return best;
}

std::optional<double> best_top5(const StoredRun& r) {
  if (r.run.derived.best_top5) return r.run.derived.best_top5;
  std::optional<double> best;
  for (const auto& e : r.run.epochs)
    if (e.top5 && std::isfinite(*e.top5) && (!best || *e.top5 > *best)) best = e.top5;
  if (!best && r.run.derived.summary_top5) best = r.run.derived.summary_top5;
  return best;
}

bool has_evaluations(const StoredRun& r) { return best_top1(r).has_value(); }

std::optional<int64_t> best_top1_epoch(const StoredRun& r) {
  if (r.run.derived.best_top1_epoch) return r.run.derived.best_top1_epoch;
  const core::EpochRecord* best = nullptr;
  for (const auto& e : r.run.epochs)
    if (e.top1 && std::isfinite(*e.top1) && (!best || *e.top1 > *best->top1)) best = &e;
  if (!best) return std::nullopt;
  return best->epoch;
}

TargetReach target_reach(const StoredRun& r, double target) {
  constexpr double kEps = 1e-9;
  TargetReach t;
  bool any_epoch_top1 = false;
  std::vector<const core::EpochRecord*> sorted;
  for (const auto& e : r.run.epochs) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](auto* a, auto* b) { return a->epoch < b->epoch; });
  for (const auto* e : sorted) {
    if (!e->top1 || !std::isfinite(*e->top1)) continue;
    any_epoch_top1 = true;
    if (*e->top1 >= target - kEps) {
      t.reached = true;
      t.epoch = e->epoch;
      if (e->time && r.run.start_time) t.time_s = *e->time - *r.run.start_time;
      return t;
    }
  }
  if (any_epoch_top1) return t;
  // No epoch records loaded: fall back to what was derived at ingest, when the target matches.
  const auto& d = r.run.derived;
  if (d.target_top1 && std::fabs(*d.target_top1 - target) < kEps) {
    t.reached = d.target_epoch.has_value() || d.time_to_target_s.has_value();
    t.time_s = d.time_to_target_s;
    t.epoch = d.target_epoch;
    if (t.reached) return t;
  }
  if (auto b = best_top1(r)) t.reached = *b >= target - kEps;
  return t;
}

std::optional<Ips> throughput(const StoredRun& r, IpsKind kind, IpsBasis prefer) {
  const auto& d = r.run.derived;
  const auto& window = kind == IpsKind::kTotal ? d.total_ips : d.compute_ips;
  const auto& summary = kind == IpsKind::kTotal ? d.summary_total_ips : d.summary_compute_ips;
  auto ok = [](const std::optional<double>& v) { return v && std::isfinite(*v) && *v > 0; };
  const auto& first = prefer == IpsBasis::kWindow ? window : summary;
  const auto& second = prefer == IpsBasis::kWindow ? summary : window;
  const IpsBasis other = prefer == IpsBasis::kWindow ? IpsBasis::kSummary : IpsBasis::kWindow;
  if (ok(first)) return Ips{*first, kind, prefer};
  if (ok(second)) return Ips{*second, kind, other};
  return std::nullopt;
}

std::string to_string(IpsKind k) { return k == IpsKind::kTotal ? "total" : "compute"; }
std::string to_string(IpsBasis b) { return b == IpsBasis::kSummary ? "log summary" : "window"; }

std::string set_key(const StoredRun& r) {
  if (!r.set_key.empty()) return r.set_key;
  const std::filesystem::path p(r.source_path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

std::string mlperf_set_of(const StoredRun& r) { return is_mlperf(r) ? set_label(r) : ""; }

std::string set_label(const StoredRun& r) {
  if (r.set_org && r.set_system) return *r.set_org + "/" + *r.set_system;
  if (std::string v = param_value(r, "system.system_name"); !v.empty()) return v;
  const std::filesystem::path p(set_key(r));
  const std::string name = p.filename().string();
  return name.empty() ? p.string() : name;
}

SetScaling set_scaling(const std::vector<const StoredRun*>& set, double explicit_factor,
                       const std::string& explicit_source) {
  if (!explicit_source.empty()) return {explicit_factor, explicit_source};
  for (const StoredRun* r : set)
    if (r->scaling_factor)
      return {*r->scaling_factor, r->scaling_file
                                      ? std::filesystem::path(*r->scaling_file).filename().string()
                                      : std::string("scaling.json")};
  return {};
}

bool is_mlperf(const StoredRun& r) { return r.run.source_format == "mlperf"; }

bool is_own_run(const StoredRun& r) { return r.run.source_format == core::kNativeLogFormat; }

std::string runner_run_id(const StoredRun& r) { return param_value(r, "runner.run_id"); }

bool is_runner_bookkeeping_tag(const std::string& key) {
  static const std::set<std::string> keys = {
      "run_id",    "config_sha256",    "shape", "nodes",  "devices_per_node", "devices",
      "precision", "batch_per_device", "seed",  "repeat", "attempt"};
  return keys.count(key) > 0;
}

std::string user_tags_text(const StoredRun& r) {
  const bool by_runner = !runner_run_id(r).empty();
  std::string s;
  for (const auto& [k, v] : r.run.tags) {
    if (by_runner && is_runner_bookkeeping_tag(k)) continue;
    s += (s.empty() ? "" : ", ") + k + "=" + v;
  }
  return s;
}

}  // namespace rn50::report
