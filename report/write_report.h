// `rn50-exp report` as a library call: load the selected runs, analyse, write report + plots.
// The experiment runner calls write_report() at the end of `rn50-exp run`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/derive.h"
#include "report/report_model.h"
#include "store/database.h"
#include "store/queries.h"

namespace rn50::report {

struct ReportOptions {
  store::RunFilter filter;
  std::string format = "md";                 // md | json | csv | html, or several: "md,html"
  std::filesystem::path out_dir = "report";  // gets report.<format> and plots/
  double target_top1 = core::kDefaultTargetTop1;
  bool png = false;                                   // also plots/*.png via rsvg-convert
  std::optional<std::filesystem::path> scaling_json;  // MLPerf {"scaling_factor": x}
  std::string title = "ResNet-50 benchmark report";
  std::string rcp_ruleset;  // MLPerf RCP ruleset ("" = the newest); unknown: UsageError
};

struct ReportResult {
  std::vector<std::filesystem::path> written;  // report files first (in format order), then plots
  std::vector<std::string> messages;           // e.g. "rsvg-convert not found: no PNGs"
  Report report;
};

// Throws core::UsageError for an unknown experiment (naming the known ones), a bad format or a
// bad scaling.json (naming file and key), core::Error when the selection is empty. Everything
// is computed before the first file is written; each file is written atomically.
ReportResult write_report(store::Database& db, const ReportOptions& opt);

// {"scaling_factor": x} with x > 0; errors name the file and the key.
double read_scaling_factor(const std::filesystem::path& file);

// "experiment = a, tag role=x, runs #1 #2" ("all runs" when the filter is empty).
std::string describe_filter(const store::RunFilter& f);

// Throws UsageError when the filter names an experiment the database does not have.
void check_experiment(store::Database& db, const store::RunFilter& f);

// Path of an executable found in $PATH, or empty.
std::string find_in_path(const std::string& name);

}  // namespace rn50::report
