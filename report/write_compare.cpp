#include "report/write_compare.h"

#include <cmath>
#include <set>

#include "core/error.h"
#include "core/file_util.h"
#include "report/render.h"
#include "report/run_values.h"
#include "report/text_format.h"
#include "report/write_report.h"

namespace rn50::report {

namespace fs = std::filesystem;

std::vector<WorkInterval> iteration_intervals(const std::vector<core::MetricPoint>& points) {
  std::vector<WorkInterval> out;
  for (size_t i = 1; i < points.size(); ++i) {
    const auto& a = points[i - 1];
    const auto& b = points[i];
    if (!a.epoch || !b.epoch || *a.epoch != *b.epoch) continue;
    if (!a.step || !b.step || *b.step <= *a.step) continue;
    if (!a.time || !b.time || !(*b.time > *a.time) || !std::isfinite(*b.time - *a.time)) continue;
    out.push_back({static_cast<double>(*b.step - *a.step), *b.time - *a.time});
  }
  return out;
}

std::vector<WorkInterval> batch_time_intervals(const std::vector<core::MetricPoint>& points) {
  std::vector<WorkInterval> out;
  for (const auto& p : points)
    if (std::isfinite(p.value) && p.value > 0) out.push_back({1.0, p.value});
  return out;
}

std::vector<WorkInterval> load_iteration_intervals(store::Database& db, int64_t run_id) {
  for (const char* key : {"train.total_ips", "train.loss"}) {
    auto v = iteration_intervals(store::load_metric_series(db, run_id, key, "iter"));
    if (!v.empty()) return v;
  }
  return batch_time_intervals(store::load_metric_series(db, run_id, "train.batch_time", "iter"));
}

CompareWriteResult write_compare(store::Database& db, const CompareWriteOptions& opt) {
  if (opt.format != "md" && opt.format != "json" && opt.format != "csv")
    throw core::UsageError("--format " + opt.format + ": expected md, json or csv");
  const auto& c = opt.compare;
  if (!(c.target_top1 > 0 && c.target_top1 <= 100))
    throw core::UsageError("--target " + fmt_shortest(c.target_top1) +
                           ": expected a top-1 percentage in (0, 100]");
  if (c.resamples < 1000 || c.resamples > 1000000)
    throw core::UsageError("--resamples " + std::to_string(c.resamples) +
                           ": expected 1000 to 1000000");
  if (c.fail_if_slower_pct && !(*c.fail_if_slower_pct >= 0 && *c.fail_if_slower_pct < 100))
    throw core::UsageError("--fail-if-slower " + fmt_shortest(*c.fail_if_slower_pct) +
                           ": expected a percentage in [0, 100)");
  if (c.fail_if_less_accurate_pp &&
      !(*c.fail_if_less_accurate_pp >= 0 && *c.fail_if_less_accurate_pp <= 100))
    throw core::UsageError("--fail-if-less-accurate " + fmt_shortest(*c.fail_if_less_accurate_pp) +
                           ": expected percentage points in [0, 100]");
  rcp_table(c.rcp_ruleset);  // an unknown ruleset is a usage error before any work
  check_experiment(db, opt.baseline);
  check_experiment(db, opt.candidate);

  auto load = [&](const store::RunFilter& f, const char* side) {
    auto runs = store::load_runs(db, f, store::Detail::kEpochs);
    if (runs.empty())
      throw core::Error(std::string("no runs match the ") + side + " selection (" +
                        describe_filter(f) + ") in " + db.path());
    // MLPerf epochs may be fractional: the eval series keeps them for the RCP check.
    for (auto& r : runs)
      if (is_mlperf(r)) r.run.metrics = store::load_metric_series(db, r.id, "val.top1", "eval");
    return runs;
  };
  const auto baseline = load(opt.baseline, "baseline");
  const auto candidate = load(opt.candidate, "candidate");
  std::set<int64_t> ids;
  for (const auto& r : baseline) ids.insert(r.id);
  std::string both;
  for (const auto& r : candidate)
    if (ids.count(r.id)) both += (both.empty() ? "#" : ", #") + std::to_string(r.id);
  if (!both.empty())
    throw core::UsageError("runs " + both +
                           " are in both the baseline and the candidate selection; a run can be "
                           "on one side only");

  CompareOptions co = c;
  co.baseline_selection = describe_filter(opt.baseline);
  co.candidate_selection = describe_filter(opt.candidate);
  CompareWriteResult res;
  res.result = compare_runs(
      baseline, candidate,
      [&db](const store::StoredRun& r) { return load_iteration_intervals(db, r.id); }, co);
  const std::string body = opt.format == "md"     ? render_compare_markdown(res.result)
                           : opt.format == "json" ? render_json(res.result.report)
                                                  : render_csv(res.result.report);

  const fs::path plots = opt.out_dir / "plots";
  std::error_code ec;
  fs::create_directories(plots, ec);
  if (ec) throw core::Error("cannot create " + plots.string() + ": " + ec.message());
  const fs::path file = opt.out_dir / ("compare." + opt.format);
  res.written.push_back(file);
  for (const auto& p : res.result.report.plots) {
    const fs::path svg = plots / (p.id + ".svg");
    if (p.svg.empty()) {
      fs::remove(svg, ec);  // never leave a stale plot beside a result that says it is absent
      continue;
    }
    core::write_file_atomic(svg, p.svg);
    res.written.push_back(svg);
  }
  core::write_file_atomic(file, body);
  return res;
}

}  // namespace rn50::report
