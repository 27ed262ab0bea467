#include "report/rcp_check.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "report/compare_stats.h"
#include "report/rcp_data.h"
#include "report/run_values.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// "4.0.0" -> {4, 0, 0} for ordering rulesets numerically.
std::vector<int> version_parts(const std::string& v) {
  std::vector<int> parts;
  size_t start = 0;
  while (start <= v.size()) {
    size_t end = v.find('.', start);
    if (end == std::string::npos) end = v.size();
    int x = 0;
    std::from_chars(v.data() + start, v.data() + end, x);
    parts.push_back(x);
    start = end + 1;
  }
  return parts;
}

double np_mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double np_std(const std::vector<double>& v) {
  const double m = np_mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

// numpy.interp for x between xp0 < xp1.
double np_interp(double x, double xp0, double xp1, double fp0, double fp1) {
  if (x <= xp0) return fp0;
  if (x >= xp1) return fp1;
  const double slope = (fp1 - fp0) / (xp1 - xp0);
  return slope * (x - xp0) + fp0;
}

// rcp_checker._find_p_value: scipy.stats.ttest_ind_from_stats(equal_var=True), two-sided, then
// converted to one-sided (t < 0: p / 2, else 1 - p / 2), i.e. P(T <= t).
double one_sided_p(double m1, double s1, int64_t n1, double m2, double s2, int64_t n2) {
  const double df = static_cast<double>(n1 + n2 - 2);
  const double sp2 =
      (static_cast<double>(n1 - 1) * s1 * s1 + static_cast<double>(n2 - 1) * s2 * s2) / df;
  const double t =
      (m1 - m2) / std::sqrt(sp2 * (1.0 / static_cast<double>(n1) + 1.0 / static_cast<double>(n2)));
  return student_t_cdf(t, df);
}

RcpTable process(const EmbeddedRcpFile& file) {
  RcpTable t;
  t.ruleset = file.ruleset;
  t.source = file.path;
  const auto j = nlohmann::json::parse(file.json);
  for (const auto& [name, rec] : j.items()) {
    if (!rec.is_object() || rec.value("Benchmark", "") != "resnet") continue;
    RcpReference r;
    r.batch = rec.at("BS").get<int64_t>();
    for (const auto& e : rec.at("Epochs to converge")) r.epochs.push_back(e.get<double>());
    std::sort(r.epochs.begin(), r.epochs.end());
    // compute_rcp_stats: olympic mean (drop one each side), stdev of the whole list.
    const std::vector<double> trimmed(r.epochs.begin() + 1, r.epochs.end() - 1);
    r.mean = np_mean(trimmed);
    r.stdev = np_std(r.epochs);
    r.min_epochs = rcp_min_acceptable_mean(r.mean, r.stdev, static_cast<int64_t>(trimmed.size()));
    r.max_speedup = r.mean / r.min_epochs;
    t.all.push_back(std::move(r));
  }
  std::stable_sort(t.all.begin(), t.all.end(),
                   [](const auto& a, const auto& b) { return a.batch < b.batch; });
  // _prune_rcps step 1: drop every point with a smaller batch than the fastest-converging one.
  std::vector<RcpReference> kept;
  if (!t.all.empty()) {
    const auto fastest = std::min_element(t.all.begin(), t.all.end(), [](auto& a, auto& b) {
      return a.mean < b.mean;  // first minimum, like Python's min()
    });
    for (const auto& r : t.all)
      if (r.batch >= fastest->batch) kept.push_back(r);
  }
  // Step 2: drop a point that converges slower than the interpolation of its neighbours; the
  // point that moves into its place is then tested against its new neighbours (the checker's
  // "i = i - 1; ...; i = i + 1").
  size_t i = 1;
  while (i + 1 < kept.size()) {
    const auto interp = rcp_interpolate(kept[i].batch, kept[i - 1], kept[i + 1]);
    if (kept[i].mean > interp.mean)
      kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(i));
    else
      ++i;
  }
  t.pruned = std::move(kept);
  return t;
}

std::string epochs_text(double e) { return fmt_fixed(e, 2); }

}  // namespace

double rcp_min_acceptable_mean(double mean, double stdev, int64_t n_ref) {
  if (stdev == 0) return mean;
  const int64_t n_subm = kRcpSubmissionRuns - 2;
  double hi = mean, lo = 0.0;
  double mid = (lo + hi) / 2;
  while (hi - lo > kRcpTolerance) {
    // Same argument order as the checker (its sample counts look swapped; with equal stdevs the
    // statistic is symmetric in them).
    const double p = one_sided_p(mid, stdev, n_ref, mean, stdev, n_subm);
    if (p > kRcpAlpha)
      hi = mid;
    else
      lo = mid;
    mid = (lo + hi) / 2;
  }
  return mid;
}

RcpReference rcp_interpolate(int64_t batch, const RcpReference& lo, const RcpReference& hi) {
  RcpReference r;
  r.batch = batch;
  r.interpolated = true;
  const auto b = static_cast<double>(batch);
  r.mean =
      np_interp(b, static_cast<double>(lo.batch), static_cast<double>(hi.batch), lo.mean, hi.mean);
  r.stdev = np_interp(b, static_cast<double>(lo.batch), static_cast<double>(hi.batch), lo.stdev,
                      hi.stdev);
  r.min_epochs = rcp_min_acceptable_mean(r.mean, r.stdev, kRcpSubmissionRuns * 2);
  r.max_speedup = r.mean / r.min_epochs;
  return r;
}

std::vector<std::string> rcp_rulesets() {
  std::vector<std::string> v;
  for (const auto& f : embedded_rcp_files()) v.emplace_back(f.ruleset);
  std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
    return version_parts(a) < version_parts(b);
  });
  return v;
}

std::string newest_rcp_ruleset() {
  const auto v = rcp_rulesets();
  return v.empty() ? std::string() : v.back();
}

const RcpTable& rcp_table(const std::string& ruleset) {
  static std::mutex mu;
  static std::map<std::string, RcpTable> cache;
  const std::string want = ruleset.empty() ? newest_rcp_ruleset() : ruleset;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(want); it != cache.end()) return it->second;
  for (const auto& f : embedded_rcp_files())
    if (want == f.ruleset) return cache.emplace(want, process(f)).first->second;
  std::string known;
  for (const auto& r : rcp_rulesets()) known += (known.empty() ? "" : ", ") + r;
  throw core::UsageError("--rcp-ruleset " + ruleset +
                         ": no MLPerf ResNet RCPs for this ruleset (known: " + known + ")");
}

RcpSetResult rcp_check(const RcpTable& table, std::optional<int64_t> batch,
                       std::vector<double> epochs, bool batches_differ) {
  RcpSetResult r;
  r.ruleset = table.ruleset;
  r.batch = batch;
  r.runs = static_cast<int64_t>(epochs.size());
  std::sort(epochs.begin(), epochs.end());
  for (double e : epochs)
    if (std::isfinite(e)) ++r.converged;
  r.epochs = epochs;
  if (epochs.empty()) return r;
  if (batches_differ) {
    r.outcome = RcpOutcome::kBatchesDiffer;
    return r;
  }
  if (!batch || *batch <= 0) {
    r.outcome = RcpOutcome::kUnknownBatch;
    return r;
  }
  const int64_t failed = r.runs - r.converged;
  // get_submission_epochs: more than one non-converged run makes the set unusable. With fewer
  // than 3 runs there is no olympic mean; we then use the plain mean, which needs every run.
  if (failed > 1 || (r.runs < 3 && failed > 0)) {
    r.outcome = RcpOutcome::kNotConverged;
    return r;
  }
  if (r.runs >= 3) {
    const std::vector<double> middle(epochs.begin() + 1, epochs.end() - 1);
    r.submission_mean = np_mean(middle);
  } else {
    r.olympic = false;
    r.submission_mean = np_mean(epochs);
  }

  // check_directory (rcp_pass = pruned_rcps): exact batch, else interpolation between the
  // neighbours, else (smaller than every reference) the smallest reference; larger than every
  // reference: missing RCP.
  const auto& refs = table.pruned;
  const RcpReference* lower = nullptr;
  const RcpReference* upper = nullptr;
  bool below_all = false;
  for (const auto& ref : refs) {
    if (ref.batch == *batch) {
      r.reference = ref;
      r.basis = "RCP found";
      break;
    }
    if (ref.batch < *batch && (!lower || ref.batch > lower->batch)) lower = &ref;
    if (ref.batch > *batch && (!upper || ref.batch < upper->batch)) upper = &ref;
  }
  if (!r.reference) {
    if (lower && upper) {
      r.reference = rcp_interpolate(*batch, *lower, *upper);
      r.basis = "RCP interpolation";
      r.interpolated_from = lower->batch;
      r.interpolated_to = upper->batch;
    } else if (upper) {
      r.reference = refs.front();  // _find_min_rcp: the smallest batch of the pruned set
      r.basis = "smaller than every RCP batch";
      below_all = true;
    } else {
      r.outcome = RcpOutcome::kMissingRcp;
      return r;
    }
  }
  // _eval_submission_record.
  const auto& ref = *r.reference;
  const double mean = *r.submission_mean;
  if (mean >= ref.mean / ref.max_speedup) {
    if (mean < ref.mean) {
      r.outcome = RcpOutcome::kPassesFaster;
      r.scaling_factor = ref.mean / mean;  // _find_norm_factor (> 1 here)
    } else {
      r.outcome = RcpOutcome::kPasses;
    }
  } else {
    // Below the smallest reference batch the checker calls a failure "Missing RCP".
    r.outcome = below_all ? RcpOutcome::kMissingRcp : RcpOutcome::kTooFast;
  }
  return r;
}

RcpRunInput rcp_run_input(const store::StoredRun& s, double target_top1) {
  const auto& run = s.run;
  RcpRunInput in;
  if (run.global_batch.value)
    in.global_batch = run.global_batch.value;
  else if (run.batch_per_device.value && run.world_size.value)
    in.global_batch = *run.batch_per_device.value * *run.world_size.value;
  if (is_mlperf(s)) {
    if (run.status != core::RunStatus::kFinished) return in;
    std::optional<double> last;
    for (const auto& m : run.metrics) {
      if (m.key != "val.top1" || m.level != "eval" || !m.epoch) continue;
      if (m.time && run.end_time && *m.time > *run.end_time) continue;  // after run_stop
      last = m.epoch;
    }
    if (!last) {
      for (const auto& e : run.epochs)
        if (e.top1 && std::isfinite(*e.top1) && (!last || static_cast<double>(e.epoch) > *last))
          last = static_cast<double>(e.epoch);
    }
    if (last) in.epochs = std::round(*last * 1000.0) / 1000.0;
    return in;
  }
  const auto reach = target_reach(s, target_top1);
  if (reach.reached && reach.epoch) in.epochs = static_cast<double>(*reach.epoch) + 1.0;
  return in;
}

RcpSetResult rcp_check_runs(const RcpTable& table, const std::vector<const store::StoredRun*>& runs,
                            double target_top1) {
  std::vector<double> epochs;
  std::optional<int64_t> batch;
  bool differ = false, unknown = false;
  for (const auto* r : runs) {
    const auto in = rcp_run_input(*r, target_top1);
    epochs.push_back(in.epochs.value_or(kInf));
    if (!in.global_batch) {
      unknown = true;
    } else if (batch && *batch != *in.global_batch) {
      differ = true;
    } else {
      batch = in.global_batch;
    }
  }
  return rcp_check(table, unknown ? std::nullopt : batch, std::move(epochs), differ);
}

std::string describe(const RcpSetResult& r) {
  const std::string batch = r.batch ? std::to_string(*r.batch) : std::string("?");
  const std::string n = r.runs == kRcpSubmissionRuns
                            ? std::string()
                            : "; " + std::to_string(r.runs) + (r.runs == 1 ? " run" : " runs") +
                                  ", MLPerf checks sets of 5";
  const std::string how = r.olympic     ? std::string()
                          : r.runs == 1 ? std::string(" (one run)")
                                        : " (plain mean of " + std::to_string(r.runs) + " runs)";
  std::string ref;
  if (r.reference) {
    ref = "RCP mean " + epochs_text(r.reference->mean) + " at batch " +
          std::to_string(r.reference->batch);
    if (r.interpolated_from)
      ref += ", interpolated between " + std::to_string(*r.interpolated_from) + " and " +
             std::to_string(*r.interpolated_to);
    else if (r.basis == "smaller than every RCP batch")
      ref += " (no RCP for batch " + batch + ": compared with the smallest reference batch)";
    ref = ", " + ref;
  }
  switch (r.outcome) {
    case RcpOutcome::kNoRuns:
      return "n/a (no runs)";
    case RcpOutcome::kUnknownBatch:
      return "n/a (global batch unknown)";
    case RcpOutcome::kBatchesDiffer:
      return "n/a (the runs differ in global batch)";
    case RcpOutcome::kNotConverged:
      return "no check: " + std::to_string(r.runs - r.converged) + " of " + std::to_string(r.runs) +
             " runs did not converge (" +
             (r.runs < 3 ? std::string("with fewer than 3 runs all must")
                         : std::string("MLPerf allows 1")) +
             ")";
    case RcpOutcome::kMissingRcp: {
      if (!r.reference)
        return "no RCP for this batch size (global batch " + batch +
               " is larger than every reference batch of ruleset " + r.ruleset + ")";
      return "fails: no RCP for this batch size, and converges faster than the smallest allows (" +
             epochs_text(*r.submission_mean) + " epochs" + how + ", RCP mean " +
             epochs_text(r.reference->mean) + " at batch " + std::to_string(r.reference->batch) +
             ", fastest accepted " + epochs_text(r.reference->min_epochs) + ")" + n;
    }
    case RcpOutcome::kPasses:
      return "passes: " + epochs_text(*r.submission_mean) + " epochs" + how + ref + n;
    case RcpOutcome::kPassesFaster:
      return "passes, converges faster than the reference by " +
             epochs_text(r.reference->mean - *r.submission_mean) + " epochs (" +
             epochs_text(*r.submission_mean) + how + ref + "): MLPerf scales the score by " +
             fmt_fixed(*r.scaling_factor, 6) + n;
    case RcpOutcome::kTooFast:
      return "fails: converges faster than the reference by " +
             epochs_text(r.reference->mean - *r.submission_mean) + " epochs (" +
             epochs_text(*r.submission_mean) + how + ref + "; the fastest accepted mean is " +
             epochs_text(r.reference->min_epochs) + ")" + n;
  }
  return "";
}

}  // namespace rn50::report
