// `rn50-exp runs list|show|diff` (docs/report.md "runs"): every listing as table, csv, json or md.
#include <algorithm>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "core/error.h"
#include "core/user_text.h"
#include "report/runs_command_tables.h"
#include "store/database.h"
#include "store/queries.h"

namespace rn50::app {

namespace {

struct RunsCliOptions {
  std::string db;
  std::string format = "table";
  std::string experiment;
  std::vector<std::string> tags;
  int64_t show_id = 0;
  std::vector<int64_t> diff_ids;
};

store::StoredRun load_one(store::Database& db, int64_t id) {
  store::RunFilter f;
  f.run_ids = {id};
  auto runs = store::load_runs(db, f, store::Detail::kSummary);
  if (runs.empty())
    throw core::UsageError("no run with id " + std::to_string(id) + " in " + db.path() +
                           " (see `rn50-exp runs list`)");
  return std::move(runs.front());
}

void add_format(CLI::App* sub, std::string& format) {
  // Checked by report::render_table (a UsageError, exit 2) rather than by CLI11.
  sub->add_option("--format", format, "Output format: table, csv, json or md")
      ->capture_default_str();
  // `runs list --db x.db`: options of `runs` (--db) are accepted after the subcommand too.
  sub->fallthrough();
}

}  // namespace

Runner setup_runs(CLI::App& parent) {
  auto opt = std::make_shared<RunsCliOptions>();
  auto* runs = parent.add_subcommand("runs", "List, show and compare stored runs");
  runs->require_subcommand(1);
  add_db_option(*runs, opt->db, DbUse::kMustExist);
  auto* list = runs->add_subcommand("list", "One line per run");
  list->add_option("--experiment", opt->experiment, "Only runs of this experiment");
  list->add_option("--tag", opt->tags, "Only runs with this tag (key=value, repeatable)")
      ->allow_extra_args(false);
  add_format(list, opt->format);
  auto* show = runs->add_subcommand("show", "Everything stored about one run");
  show->add_option("ID", opt->show_id, "Run id")->required();
  add_format(show, opt->format);
  auto* diff = runs->add_subcommand("diff", "Only what differs between two runs");
  diff->add_option("IDS", opt->diff_ids, "Two run ids")->required()->expected(2);
  add_format(diff, opt->format);

  return [opt, list, show, diff] {
    // Validate the format before touching the database.
    report::render_table(report::Table{}, opt->format);
    auto db = store::Database::open_existing(opt->db);
    report::Table t;
    if (list->parsed()) {
      store::RunFilter f;
      if (!opt->experiment.empty()) {
        const auto known = store::list_experiments(*db);
        if (std::find(known.begin(), known.end(), opt->experiment) == known.end())
          throw core::UsageError("unknown experiment '" + opt->experiment + "' in " + db->path());
        f.experiment = opt->experiment;
      }
      for (const auto& s : opt->tags) f.tags.push_back(core::parse_key_value("--tag", s));
      t = report::runs_list_table(store::load_runs(*db, f, store::Detail::kSummary));
    } else if (show->parsed()) {
      t = report::run_show_table(load_one(*db, opt->show_id));
    } else if (diff->parsed()) {
      t = report::runs_diff_table(load_one(*db, opt->diff_ids.at(0)),
                                  load_one(*db, opt->diff_ids.at(1)));
    }
    std::cout << report::render_table(t, opt->format);
    return 0;
  };
}

}  // namespace rn50::app
