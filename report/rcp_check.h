// MLPerf's convergence check for ResNet: epochs-to-target of a set of runs against the reference
// convergence points (RCPs) of a ruleset, with the interpolation, outlier pruning and acceptance
// rule of mlcommons/logging mlperf_logging/rcp_checker/rcp_checker.py (read at commit e6ba2a93;
// docs/compare.md "Convergence check" maps each function to the Python it follows).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "store/queries.h"

namespace rn50::report {

// One reference (or interpolated) convergence point.
struct RcpReference {
  int64_t batch = 0;           // global batch size ("BS")
  std::vector<double> epochs;  // "Epochs to converge", sorted; empty for an interpolated point
  double mean = 0;             // olympic mean: drop the fastest and slowest reference run
  double stdev = 0;            // population standard deviation (numpy.std) of all reference runs
  double min_epochs = 0;       // the smallest submission mean the t-test accepts
  double max_speedup = 0;      // mean / min_epochs
  bool interpolated = false;
};

struct RcpTable {
  std::string ruleset;               // "2.1.0"
  std::string source;                // the shipped file it was read from
  std::vector<RcpReference> all;     // sorted by batch
  std::vector<RcpReference> pruned;  // what the checker compares with (its default pass)
};

// Rulesets compiled in, ascending ("1.0.0" ... "4.0.0"), and the newest of them.
std::vector<std::string> rcp_rulesets();
std::string newest_rcp_ruleset();
// The processed table of a ruleset ("" = the newest). Throws core::UsageError for an unknown
// ruleset, naming the known ones.
const RcpTable& rcp_table(const std::string& ruleset);

// ResNet submissions are sets of 5 runs; the acceptance test assumes 5 - 2 counted runs.
inline constexpr int64_t kRcpSubmissionRuns = 5;
inline constexpr double kRcpAlpha = 0.05;
inline constexpr double kRcpTolerance = 0.0001;

// rcp_checker._find_min_acceptable_mean: bisection on [0, mean] for the smallest submission mean
// whose one-sided pooled t-test p-value (equal variances, `stdev` on both sides, n_ref reference
// and kRcpSubmissionRuns - 2 submission samples) stays above alpha.
double rcp_min_acceptable_mean(double mean, double stdev, int64_t n_ref);
// rcp_checker._create_interp_rcp: linear interpolation (numpy.interp) of mean and stdev between
// two references; min_epochs from the t-test with 2 x kRcpSubmissionRuns reference samples.
RcpReference rcp_interpolate(int64_t batch, const RcpReference& lo, const RcpReference& hi);

enum class RcpOutcome {
  kPasses,         // submission mean >= RCP mean: not faster than the reference
  kPassesFaster,   // faster than the RCP mean but within its max speedup: MLPerf normalizes
  kTooFast,        // faster than the max speedup allows: the checker fails the set
  kMissingRcp,     // batch larger than every reference: "please submit RCP with BS = ..."
  kNotConverged,   // more than one run did not converge (or any, in a set of fewer than 3)
  kUnknownBatch,   // global batch unknown
  kBatchesDiffer,  // runs of the set have different global batches
  kNoRuns,
};

struct RcpSetResult {
  RcpOutcome outcome = RcpOutcome::kNoRuns;
  std::string ruleset;
  std::optional<int64_t> batch;
  int64_t runs = 0, converged = 0;
  std::vector<double> epochs;  // per run, ascending; infinity = did not converge
  std::optional<double> submission_mean;
  bool olympic = true;  // mean of the middle runs (>= 3 runs); else plain mean (see docs)
  std::string basis;    // "RCP found", "RCP interpolation", "smaller than every RCP batch"
  std::optional<RcpReference> reference;
  std::optional<int64_t> interpolated_from, interpolated_to;  // reference batches
  // What MLPerf's checker writes into scaling.json: RCP mean / submission mean, only for
  // kPassesFaster (it writes no file otherwise).
  std::optional<double> scaling_factor;
  bool passes() const {
    return outcome == RcpOutcome::kPasses || outcome == RcpOutcome::kPassesFaster;
  }
};

// rcp_checker.check_directory for one set: `epochs` per run, infinity for a run that did not
// converge; `batch` the set's global batch (nullopt: unknown; batches_differ: the runs disagree).
RcpSetResult rcp_check(const RcpTable& table, std::optional<int64_t> batch,
                       std::vector<double> epochs, bool batches_differ = false);

// What a run contributes to the check.
struct RcpRunInput {
  std::optional<double> epochs;         // epochs to converge; nullopt = did not converge
  std::optional<int64_t> global_batch;  // global_batch, else batch_per_device x world_size
};
// MLPerf logs (rcp_checker.read_submission_file): a run converged when run_stop says success;
// its epochs are the epoch_num of its last evaluation (from the val.top1 eval series when loaded,
// which keeps fractional epochs, else the epoch records), rounded to 3 decimals. Other origins
// (they number epochs from 0 and keep training past the target): epochs = epoch of the first
// evaluation >= target + 1, i.e. the epochs trained when the target was reached.
RcpRunInput rcp_run_input(const store::StoredRun& r, double target_top1);

// The check for a set of runs (a time-to-train set or one side of a compare group).
RcpSetResult rcp_check_runs(const RcpTable& table, const std::vector<const store::StoredRun*>& runs,
                            double target_top1);

// One sentence: "passes: 42.00 epochs vs RCP mean 38.64 (interpolated between 3264 and 32768)",
// "converges faster than the reference by 0.15 epochs (35.00 vs 35.15): passes, MLPerf scales
// the score by 1.004396", "fails: ...", "no RCP for this batch size (...)".
std::string describe(const RcpSetResult& r);

}  // namespace rn50::report
