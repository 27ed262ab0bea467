#include "report/write_report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "core/process.h"
#include "report/analysis.h"
#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace fs = std::filesystem;

double read_scaling_factor(const fs::path& file) {
  const std::string text = core::read_file(file, core::kMaxSidecarBytes);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw core::UsageError(file.string() + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("scaling_factor"))
    throw core::UsageError(file.string() +
                           ": key 'scaling_factor' missing (expected {\"scaling_factor\": x})");
  const auto& v = j["scaling_factor"];
  if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
    throw core::UsageError(file.string() + ": key 'scaling_factor' must be a positive number");
  return v.get<double>();
}

std::string describe_filter(const store::RunFilter& f) {
  std::string s;
  if (f.experiment) s += "experiment = " + *f.experiment;
  for (const auto& [k, v] : f.tags) s += (s.empty() ? "" : ", ") + ("tag " + k + "=" + v);
  if (!f.run_ids.empty()) {
    s += s.empty() ? "runs" : ", runs";
    for (auto id : f.run_ids) s += " #" + std::to_string(id);
  }
  return s.empty() ? "all runs" : s;
}

void check_experiment(store::Database& db, const store::RunFilter& f) {
  if (!f.experiment) return;
  const auto known = store::list_experiments(db);
  if (std::find(known.begin(), known.end(), *f.experiment) != known.end()) return;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw core::UsageError("unknown experiment '" + *f.experiment + "' in " + db.path() +
                         (known.empty() ? " (the database has no experiments; ingest logs first)"
                                        : " (known: " + list + ")"));
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    fs::path cand =
        fs::path(p.substr(start, end - start).empty() ? "." : p.substr(start, end - start)) / name;
    if (::access(cand.c_str(), X_OK) == 0) return cand.string();
    start = end + 1;
  }
  return {};
}

namespace {

// Runs rsvg-convert without a shell (paths may contain anything).
bool svg_to_png(const std::string& tool, const fs::path& svg, const fs::path& png) {
  const fs::path tmp = png.string() + ".tmp." + std::to_string(::getpid());
  int rc = -1;
  try {
    rc = core::run_and_wait({tool, "-f", "png", "-o", tmp.string(), svg.string()});
  } catch (const core::Error&) {
  }
  if (rc != 0) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return false;
  }
  try {
    core::replace_file(tmp, png);  // durable like every other file the report writes
  } catch (const core::Error&) {
    return false;
  }
  return true;
}

}  // namespace

namespace {

// "md,html" -> {md, html}; every name checked, repeats dropped.
std::vector<std::string> parse_formats(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string f = list.substr(start, end - start);
    if (f != "md" && f != "json" && f != "csv" && f != "html")
      throw core::UsageError("--format " + list +
                             ": expected md, json, csv or html (or several, e.g. md,html)");
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    start = end + 1;
  }
  return out;
}

std::string render(const Report& r, const std::string& format) {
  if (format == "md") return render_markdown(r);
  if (format == "json") return render_json(r);
  if (format == "csv") return render_csv(r);
  return render_html(r);
}

// The metric history of the runs the curves draw, and of no other run (a 10,000-run selection
// reads none of its 10 million metric rows).
void load_curve_history(store::Database& db, std::vector<store::StoredRun>& runs,
                        const AnalysisOptions& a) {
  std::vector<int64_t> ids;
  for (const auto* r : curve_runs(runs, a)) ids.push_back(r->id);
  for (auto& r : runs) {
    if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) continue;
    for (const auto& [key, level] : curve_metric_series()) {
      auto points = store::load_metric_series(db, r.id, key, level);
      r.run.metrics.insert(r.run.metrics.end(), std::make_move_iterator(points.begin()),
                           std::make_move_iterator(points.end()));
    }
  }
}

}  // namespace

ReportResult write_report(store::Database& db, const ReportOptions& opt) {
  const std::vector<std::string> formats = parse_formats(opt.format);
  if (!(opt.target_top1 > 0 && opt.target_top1 <= 100))
    throw core::UsageError("--target " + fmt_shortest(opt.target_top1) +
                           ": expected a top-1 percentage in (0, 100]");
  AnalysisOptions a;
  a.target_top1 = opt.target_top1;
  a.title = opt.title;
  a.selection = describe_filter(opt.filter);
  a.rcp_ruleset = opt.rcp_ruleset;
  if (opt.scaling_json) {
    a.scaling_factor = read_scaling_factor(*opt.scaling_json);
    a.scaling_source = opt.scaling_json->filename().string();
  }
  check_experiment(db, opt.filter);
  auto runs = store::load_runs(db, opt.filter, store::Detail::kEpochs);
  if (runs.empty())
    throw core::Error("no runs match the selection (" + a.selection + ") in " + db.path());
  load_curve_history(db, runs, a);

  ReportResult res;
  res.report = build_report(runs, a);
  std::vector<std::pair<fs::path, std::string>> reports;
  for (const auto& f : formats)
    reports.emplace_back(opt.out_dir / ("report." + f), render(res.report, f));

  const fs::path plots = opt.out_dir / "plots";
  std::error_code ec;
  fs::create_directories(plots, ec);
  if (ec) throw core::Error("cannot create " + plots.string() + ": " + ec.message());
  for (const auto& [file, body] : reports) res.written.push_back(file);

  std::string tool;
  if (opt.png) {
    tool = find_in_path("rsvg-convert");
    if (tool.empty())
      res.messages.push_back(
          "warning: rsvg-convert not found in PATH (Debian package librsvg2-bin): no PNGs written");
  }
  for (const auto& p : res.report.plots) {
    const fs::path svg = plots / (p.id + ".svg"), png = plots / (p.id + ".png");
    if (p.svg.empty()) {
      // A plot from an earlier report must not survive next to a report that says it is absent.
      fs::remove(svg, ec);
      fs::remove(png, ec);
      continue;
    }
    core::write_file_atomic(svg, p.svg);
    res.written.push_back(svg);
    if (!tool.empty()) {
      if (svg_to_png(tool, svg, png))
        res.written.push_back(png);
      else
        res.messages.push_back("warning: rsvg-convert failed on " + svg.string());
    }
  }
  // The reports go last: once one exists, every plot it links exists too.
  for (const auto& [file, body] : reports) core::write_file_atomic(file, body);
  return res;
}

}  // namespace rn50::report
