// `rn50-exp compare`: is the candidate really faster than the baseline (docs/compare.md)?
//   rn50-exp compare --baseline --experiment old --candidate --experiment new --fail-if-slower 2
// --baseline / --candidate switch the side that the following --experiment, --tag and --runs
// select; the work is done by report::write_compare(). Exit 3 when the gate fails.
#include <iostream>
#include <map>

#include "app/commands.h"
#include "core/derive.h"
#include "core/error.h"
#include "core/user_text.h"
#include "report/write_compare.h"
#include "store/database.h"

namespace rn50::app {

namespace {

constexpr int kExitGateFailed = 3;

struct CompareCliOptions {
  std::string db;
  std::vector<std::string> experiments, tags, runs;  // values in command-line order
  int64_t baseline_flags = 0, candidate_flags = 0;   // counted; parse_order() gives the order
  std::string match = "auto";
  std::string format = "md";
  std::string out = "compare";
  double target = core::kDefaultTargetTop1;
  std::string rcp_ruleset;
  uint64_t seed = 1;
  int64_t resamples = 10000;
  std::optional<double> fail_if_slower, fail_if_less_accurate;
  std::string title = "ResNet-50 comparison";
};

int64_t run_id(const std::string& s) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || v <= 0) throw core::UsageError("--runs " + s + ": expected a run id");
  return v;
}

// Walks the options in command-line order: --baseline / --candidate choose the side that the
// following --experiment / --tag / --runs values belong to.
void build_filters(const CLI::App& sub, const CompareCliOptions& o, store::RunFilter& baseline,
                   store::RunFilter& candidate) {
  store::RunFilter* side = nullptr;
  std::map<const CLI::Option*, size_t> next;  // index of the next unread value per option
  bool have_base = false, have_cand = false;
  bool base_sel = false, cand_sel = false;
  for (const CLI::Option* op : sub.parse_order()) {
    const std::string name = op->get_name();
    if (name == "--baseline") {
      side = &baseline;
      have_base = true;
      continue;
    }
    if (name == "--candidate") {
      side = &candidate;
      have_cand = true;
      continue;
    }
    const std::vector<std::string>* values = name == "--experiment" ? &o.experiments
                                             : name == "--tag"      ? &o.tags
                                             : name == "--runs"     ? &o.runs
                                                                    : nullptr;
    if (!values) continue;
    const size_t i = next[op]++;
    if (i >= values->size()) continue;
    if (!side)
      throw core::UsageError(name + " " + (*values)[i] +
                             ": say which side it selects: put --baseline or --candidate before "
                             "it");
    (side == &baseline ? base_sel : cand_sel) = true;
    const std::string& v = (*values)[i];
    if (name == "--experiment") {
      if (side->experiment && *side->experiment != v)
        throw core::UsageError("--experiment " + v + ": the " +
                               (side == &baseline ? "baseline" : "candidate") +
                               " already selects experiment " + *side->experiment);
      side->experiment = v;
    } else if (name == "--tag") {
      side->tags.push_back(core::parse_key_value("--tag", v));
    } else {
      side->run_ids.push_back(run_id(v));
    }
  }
  if (!have_base || !have_cand)
    throw core::UsageError(
        "compare needs both sides: --baseline SELECTION --candidate SELECTION (each any mix of "
        "--experiment NAME, --tag key=value, --runs ID...)");
  if (!base_sel || !cand_sel)
    throw core::UsageError(std::string("the ") + (!base_sel ? "baseline" : "candidate") +
                           " selects nothing: follow --" + (!base_sel ? "baseline" : "candidate") +
                           " with --experiment, --tag or --runs");
}

}  // namespace

Runner setup_compare(CLI::App& parent) {
  auto opt = std::make_shared<CompareCliOptions>();
  auto* sub = parent.add_subcommand(
      "compare",
      "Candidate vs baseline runs: ratios with confidence intervals, rank test, verdict, MLPerf "
      "RCP check; a CI gate with --fail-if-slower");
  add_db_option(*sub, opt->db, DbUse::kMustExist);
  sub->add_flag("--baseline", opt->baseline_flags,
                "The following --experiment/--tag/--runs select the baseline");
  sub->add_flag("--candidate", opt->candidate_flags,
                "The following --experiment/--tag/--runs select the candidate");
  sub->add_option("--experiment", opt->experiments,
                  "Runs of this experiment (for the side named before)")
      ->allow_extra_args(false);
  sub->add_option("--tag", opt->tags, "Runs with this tag key=value (repeatable; all must match)")
      ->allow_extra_args(false);
  sub->add_option("--runs", opt->runs, "These run ids")->expected(1, -1);
  sub->add_option("--match", opt->match,
                  "Configuration keys both sides must share: auto, none, or a comma list of "
                  "devices, precision, batch, nodes, global-batch")
      ->capture_default_str();
  sub->add_option("--format", opt->format, "Output format: md, json or csv")->capture_default_str();
  sub->add_option("--out", opt->out, "Output folder: compare.<format> and plots/")
      ->capture_default_str();
  sub->add_option("--target", opt->target, "Top-1 target in percent for time to train")
      ->capture_default_str();
  sub->add_option("--rcp-ruleset", opt->rcp_ruleset,
                  "MLPerf RCP ruleset of the convergence check (default: the newest compiled in)");
  sub->add_option("--seed", opt->seed, "Bootstrap seed (output is identical for the same seed)")
      ->capture_default_str();
  sub->add_option("--resamples", opt->resamples, "Bootstrap resamples")->capture_default_str();
  sub->add_option("--fail-if-slower", opt->fail_if_slower,
                  "Exit 3 when the candidate is slower than the baseline by more than PCT % with "
                  "95 % confidence (throughput or time to train)");
  sub->add_option("--fail-if-less-accurate", opt->fail_if_less_accurate,
                  "Exit 3 when the candidate's best top-1 is lower by more than PP percentage "
                  "points with 95 % confidence");
  sub->add_option("--title", opt->title, "Title")->capture_default_str();
  return [opt, sub] {
    report::CompareWriteOptions wo;
    build_filters(*sub, *opt, wo.baseline, wo.candidate);
    wo.compare.match = report::parse_match(opt->match);
    wo.compare.target_top1 = opt->target;
    wo.compare.rcp_ruleset = opt->rcp_ruleset;
    wo.compare.seed = opt->seed;
    wo.compare.resamples = opt->resamples;
    wo.compare.fail_if_slower_pct = opt->fail_if_slower;
    wo.compare.fail_if_less_accurate_pp = opt->fail_if_less_accurate;
    wo.compare.title = opt->title;
    wo.format = opt->format;
    wo.out_dir = opt->out;
    auto db = store::Database::open_existing(opt->db);
    const auto res = report::write_compare(*db, wo);
    for (const auto& v : res.result.verdicts) std::cout << v << "\n";
    for (const auto& p : res.written) std::cout << "wrote " << p.string() << "\n";
    if (!res.result.gate_failures.empty()) {
      for (const auto& f : res.result.gate_failures)
        std::cerr << "rn50-exp: gate failed: " << f << "\n";
      return kExitGateFailed;
    }
    return 0;
  };
}

}  // namespace rn50::app
