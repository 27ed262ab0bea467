// `rn50-exp compare`: is the candidate really faster than the baseline? Two selections of runs,
// matched by configuration; per matched group the throughput and time-to-train ratios with
// seeded bootstrap intervals and a rank test, Welch's interval for the top-1 difference, the
// MLPerf RCP convergence check of each side, a verdict in words, and the CI gate
// (docs/compare.md). Pure analysis: no SQL, no files; write_compare.h loads and writes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/derive.h"
#include "report/compare_bootstrap.h"
#include "report/compare_stats.h"
#include "report/rcp_check.h"
#include "report/report_model.h"
#include "store/queries.h"

namespace rn50::report {

// Configuration keys runs must share to be compared.
enum class MatchKey { kDevices, kPrecision, kBatch, kNodes, kGlobalBatch };
struct MatchSpec {
  bool automatic = true;  // devices, precision, batch; nothing when both sides are MLPerf results
  std::vector<MatchKey> keys;
};
// "auto", "none", or a comma list of devices, precision, batch, nodes, global-batch. Throws
// core::UsageError naming the bad key.
MatchSpec parse_match(const std::string& text);
std::string match_key_name(MatchKey k);

struct CompareOptions {
  MatchSpec match;
  double target_top1 = core::kDefaultTargetTop1;
  std::string rcp_ruleset;  // "" = the newest compiled in
  uint64_t seed = 1;
  int64_t resamples = 10000;
  std::optional<double> fail_if_slower_pct;        // gate: throughput / time to train
  std::optional<double> fail_if_less_accurate_pp;  // gate: best top-1
  std::string baseline_selection = "baseline", candidate_selection = "candidate";
  std::string title = "ResNet-50 comparison";
};

// Iteration intervals (iterations, seconds) of one run's steady window, in log order, for
// within-run evidence. Called only for groups with one run per side.
using StepSeriesLoader = std::function<std::vector<WorkInterval>(const store::StoredRun&)>;

enum class Evidence { kNone, kAcrossRuns, kWithinRun };

// candidate / baseline of one measure.
struct RatioResult {
  std::string measure;  // "total_ips", "compute_ips", "time to train"
  Evidence evidence = Evidence::kNone;
  std::string why_none;                                   // set when evidence is kNone
  std::vector<double> baseline_values, candidate_values;  // per run (across runs)
  double baseline_mean = 0, candidate_mean = 0;           // img/s or minutes
  std::optional<BootstrapInterval> ci;                    // of the ratio
  std::optional<RankTest> rank;
  std::optional<double> cv;            // pooled coefficient of variation of per-run values
  std::optional<int64_t> runs_needed;  // per side, to resolve ±resolve_pct
  double resolve_pct = 1;
  size_t baseline_intervals = 0, candidate_intervals = 0;  // within-run series lengths
  std::string basis;    // where per-run throughput came from: "window", "log summary", "mixed"
  int direction = 0;    // +1 better, -1 worse, 0 nothing detectable / no evidence
  std::string verdict;  // one sentence
};

struct Top1Result {
  std::vector<double> baseline_values, candidate_values;
  std::optional<WelchInterval> welch;
  int direction = 0;
  std::string verdict;
};

struct SideRcp {
  RcpSetResult result;
  std::string text;
};

struct GroupResult {
  std::string label;  // "8 devices, amp, batch 256/device" or "all runs"
  std::vector<const store::StoredRun*> baseline, candidate;
  RatioResult total_ips, compute_ips, time_to_train;
  int64_t baseline_converged = 0, candidate_converged = 0;
  std::optional<double> baseline_olympic, candidate_olympic;  // MLPerf olympic mean (minutes)
  Top1Result top1;
  SideRcp rcp_baseline, rcp_candidate;
  // Per-side mean total_ips with its own 95 % interval, for the plot.
  struct Bar {
    double mean = 0, lo = 0, hi = 0;
    bool valid = false;
  } bar_baseline, bar_candidate;
};

struct UnmatchedGroup {
  std::string side;  // "baseline" / "candidate"
  std::string label;
  std::vector<const store::StoredRun*> runs;
};

struct CompareResult {
  std::vector<GroupResult> groups;
  std::vector<UnmatchedGroup> unmatched;
  std::vector<MatchKey> keys_used;
  std::string match_description;
  std::vector<std::string> verdicts;       // "<group>: <measure>: <sentence>"
  std::vector<std::string> gate_failures;  // empty: the gate passes (or was not asked for)
  Report report;                           // header, warnings, tables, plots
};

// Throws core::UsageError when no configuration of the baseline matches one of the candidate
// (the message lists both sides' configurations and how to widen --match), or when a selection
// is empty.
CompareResult compare_runs(const std::vector<store::StoredRun>& baseline,
                           const std::vector<store::StoredRun>& candidate,
                           const StepSeriesLoader& steps, const CompareOptions& opt);

// compare.md: title, verdicts, gate, then the Report's header, warnings, tables and plots.
std::string render_compare_markdown(const CompareResult& r, const std::string& plots_dir = "plots");

}  // namespace rn50::report
