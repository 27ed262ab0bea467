// `rn50-exp report`: tables + plots for the selected runs (docs/report.md). The work is done by
// report::write_report(), which the experiment runner calls too.
#include <charconv>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "core/derive.h"
#include "core/error.h"
#include "core/user_text.h"
#include "report/write_report.h"
#include "store/database.h"

namespace rn50::app {

namespace {

struct ReportCliOptions {
  std::string db;
  std::string experiment;
  std::vector<std::string> tags;
  std::vector<int64_t> run_ids;
  std::string format = "md";
  std::string out = "report";
  double target = core::kDefaultTargetTop1;
  bool png = false;
  std::string scaling_json;
  std::string rcp_ruleset;
  std::string title = "ResNet-50 benchmark report";
};

}  // namespace

Runner setup_report(CLI::App& parent) {
  auto opt = std::make_shared<ReportCliOptions>();
  auto* sub = parent.add_subcommand(
      "report", "Tables (summary, scaling, time to train, accuracy, runs) and SVG plots");
  add_db_option(*sub, opt->db, DbUse::kMustExist);
  sub->add_option("--experiment", opt->experiment, "Only runs of this experiment");
  sub->add_option("--tag", opt->tags,
                  "Only runs with this tag (key=value, repeatable; all must match)")
      ->allow_extra_args(false);
  sub->add_option("--runs", opt->run_ids, "Only these run ids")->expected(1, -1);
  // Checked by report::write_report (a UsageError, exit 2) rather than by CLI11.
  sub->add_option("--format", opt->format,
                  "Report file format: md, json, csv or html (self-contained page), or several "
                  "separated by commas (md,html)")
      ->capture_default_str();
  sub->add_option("--out", opt->out, "Output folder: report.<format> and plots/")
      ->capture_default_str();
  sub->add_option("--target", opt->target, "Top-1 target in percent for time to train")
      ->capture_default_str();
  sub->add_flag("--png", opt->png, "Also write plots/*.png with rsvg-convert (librsvg2-bin)");
  sub->add_option("--scaling-json", opt->scaling_json,
                  "MLPerf scaling.json ({\"scaling_factor\": x}) applied to olympic means");
  sub->add_option("--rcp-ruleset", opt->rcp_ruleset,
                  "MLPerf RCP ruleset of the convergence check (default: the newest compiled in)");
  sub->add_option("--title", opt->title, "Report title")->capture_default_str();
  return [opt] {
    report::ReportOptions ro;
    if (!opt->experiment.empty()) ro.filter.experiment = opt->experiment;
    for (const auto& t : opt->tags) ro.filter.tags.push_back(core::parse_key_value("--tag", t));
    ro.filter.run_ids = opt->run_ids;
    ro.format = opt->format;
    ro.out_dir = opt->out;
    ro.target_top1 = opt->target;
    ro.png = opt->png;
    if (!opt->scaling_json.empty()) ro.scaling_json = opt->scaling_json;
    ro.title = opt->title;
    ro.rcp_ruleset = opt->rcp_ruleset;
    auto db = store::Database::open_existing(opt->db);
    const auto res = report::write_report(*db, ro);
    for (const auto& m : res.messages) std::cerr << "rn50-exp: " << m << "\n";
    for (const auto& p : res.written) std::cout << "wrote " << p.string() << "\n";
    std::cout << res.report.warnings.size() << " warning(s) in the report\n";
    return 0;
  };
}

}  // namespace rn50::app
