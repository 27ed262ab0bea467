#include "report/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "report/analysis.h"
#include "report/compare_plots.h"
#include "report/run_values.h"
#include "report/stats.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

constexpr double kLevel = 0.95;
constexpr double kAlpha = 0.05;

using Runs = std::vector<const StoredRun*>;

std::optional<int64_t> global_batch_of(const StoredRun& r) {
  if (r.run.global_batch.value) return r.run.global_batch.value;
  if (r.run.batch_per_device.value && r.run.world_size.value)
    return *r.run.batch_per_device.value * *r.run.world_size.value;
  return std::nullopt;
}

std::string opt_int(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string("?");
}

std::string key_value(const StoredRun& r, MatchKey k) {
  switch (k) {
    case MatchKey::kDevices:
      return opt_int(r.run.world_size.value);
    case MatchKey::kPrecision:
      return precision_label(r);
    case MatchKey::kBatch:
      return opt_int(r.run.batch_per_device.value);
    case MatchKey::kNodes:
      return opt_int(r.run.nodes.value);
    case MatchKey::kGlobalBatch:
      return opt_int(global_batch_of(r));
  }
  return "?";
}

std::string key_text(MatchKey k, const std::string& v) {
  switch (k) {
    case MatchKey::kDevices:
      return v == "?" ? "devices unknown" : v + (v == "1" ? " device" : " devices");
    case MatchKey::kPrecision:
      return v == "?" ? "precision unknown" : v;
    case MatchKey::kBatch:
      return "batch " + v + "/device";
    case MatchKey::kNodes:
      return v == "?" ? "nodes unknown" : v + (v == "1" ? " node" : " nodes");
    case MatchKey::kGlobalBatch:
      return "global batch " + v;
  }
  return v;
}

std::string label_of(const std::vector<MatchKey>& keys, const std::vector<std::string>& values) {
  if (keys.empty()) return "all runs";
  std::string s;
  for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", " : "") + key_text(keys[i], values[i]);
  return s;
}

// The configuration of a run over all keys (for messages about unmatched runs).
std::string full_config(const StoredRun& r) {
  return label_of({MatchKey::kDevices, MatchKey::kPrecision, MatchKey::kBatch},
                  {key_value(r, MatchKey::kDevices), key_value(r, MatchKey::kPrecision),
                   key_value(r, MatchKey::kBatch)});
}

std::string pct_text(double v) { return fmt_fixed(v, std::fabs(v) < 1 ? 2 : 1); }
std::string p_text(double p) { return p < 0.001 ? "< 0.001" : fmt_fixed(p, 3); }
std::string signed_text(double v, int decimals) {
  const std::string s = fmt_fixed(v, decimals);
  return s.starts_with("-") || s == fmt_fixed(0.0, decimals) ? s : "+" + s;
}

std::string n_text(size_t b, size_t c) {
  return "n = " + std::to_string(b) + " vs " + std::to_string(c);
}

// "; Mann–Whitney p = 0.008 (exact), n = 5 vs 5" or the within-run caveat.
std::string evidence_text(const RatioResult& r, bool is_time) {
  if (r.evidence == Evidence::kWithinRun)
    return "; within-run evidence: one run per side, moving-block bootstrap over " +
           std::to_string(r.baseline_intervals) + " vs " + std::to_string(r.candidate_intervals) +
           " logged iteration intervals, which measures run-to-run noise only partly";
  std::string s;
  if (r.rank) s = "; Mann–Whitney p = " + p_text(r.rank->p) + " (" + r.rank->method() + ")";
  return s + ", " + n_text(r.baseline_values.size(), r.candidate_values.size()) +
         (is_time ? " converged runs" : " runs");
}

// "28.7062 → 4.3010 min" / "851.65 → 6243.98 img/s".
std::string means_text(const RatioResult& r, bool is_time) {
  return is_time
             ? fmt_fixed(r.baseline_mean, 4) + " → " + fmt_fixed(r.candidate_mean, 4) + " min"
             : fmt_fixed(r.baseline_mean, 2) + " → " + fmt_fixed(r.candidate_mean, 2) + " img/s";
}

std::string ci_ratio_text(const BootstrapInterval& ci) {
  return "ratio " + fmt_fixed(ci.estimate, 3) + ", 95 % CI " + fmt_fixed(ci.lo, 3) + "–" +
         fmt_fixed(ci.hi, 3);
}

std::string runs_needed_text(const RatioResult& r) {
  if (!r.runs_needed || !r.cv) return "";
  return "; about " + std::to_string(*r.runs_needed) + " runs each would resolve ±" +
         pct_text(r.resolve_pct) +
         " % (assuming a two-sided 5 % test with 80 % power and independent, normally "
         "distributed runs with the pooled coefficient of variation " +
         pct_text(*r.cv * 100) + " % seen here)";
}

// Fills direction and verdict. Throughput: larger is better; time to train: smaller is better.
void decide(RatioResult& r, bool is_time) {
  if (r.evidence == Evidence::kNone) {
    r.verdict = "n/a (" + r.why_none + ")";
    return;
  }
  const auto& ci = *r.ci;
  const size_t nb = r.baseline_values.size(), nc = r.candidate_values.size();
  const std::string subject =
      is_time ? "no difference in time to train detectable" : "no difference detectable";
  if (r.evidence == Evidence::kAcrossRuns && std::min(nb, nc) < 2) {
    // One run on a side: its run-to-run spread is unknown, a bootstrap interval would pretend.
    r.verdict = std::string(is_time ? "time to train" : "throughput") + " cannot be judged with " +
                n_text(nb, nc) + (is_time ? " converged runs" : " runs") + " (ratio " +
                fmt_fixed(ci.estimate, 3) + ", " + means_text(r, is_time) +
                "): an interval needs at least 2 runs per side, a rank-test verdict at least 4" +
                runs_needed_text(r);
    return;
  }
  const bool significant = r.evidence == Evidence::kWithinRun || (r.rank && r.rank->p < kAlpha);
  int up = 0;  // +1: ratio above 1 with confidence, -1: below
  if (significant && ci.lo > 1) up = 1;
  if (significant && ci.hi < 1) up = -1;
  r.direction = is_time ? -up : up;
  const std::string tail = means_text(r, is_time) + "; 95 % CI ";
  if (up > 0) {
    if (!is_time && ci.estimate >= 2) {
      r.verdict = "faster: " + fmt_fixed(ci.estimate, 2) + "x the baseline (" + tail +
                  fmt_fixed(ci.lo, 2) + "–" + fmt_fixed(ci.hi, 2) + "x" +
                  evidence_text(r, is_time) + ")";
      return;
    }
    r.verdict = std::string(is_time ? "time to train longer by " : "faster by ") +
                pct_text((ci.estimate - 1) * 100) + " % (" + tail + pct_text((ci.lo - 1) * 100) +
                "–" + pct_text((ci.hi - 1) * 100) + " %" + evidence_text(r, is_time) + ")";
    return;
  }
  if (up < 0) {
    r.verdict = std::string(is_time ? "time to train shorter by " : "slower by ") +
                pct_text((1 - ci.estimate) * 100) + " % (" + tail + pct_text((1 - ci.hi) * 100) +
                "–" + pct_text((1 - ci.lo) * 100) + " %" + evidence_text(r, is_time) + ")";
    return;
  }
  if (r.evidence == Evidence::kWithinRun) {
    r.verdict = subject + " within the runs (" + ci_ratio_text(ci) + ", " + means_text(r, is_time) +
                evidence_text(r, is_time) +
                "); repeat the runs (at least 4 per side) for run-to-run evidence";
    return;
  }
  std::string s = subject + " with " + n_text(nb, nc) + (is_time ? " converged runs" : " runs") +
                  " (" + ci_ratio_text(ci) + ", " + means_text(r, is_time);
  if (r.rank) {
    s += "; Mann–Whitney p = " + p_text(r.rank->p) + ", " + r.rank->method();
    const double floor_p = mann_whitney_min_p(static_cast<int64_t>(nb), static_cast<int64_t>(nc));
    if (floor_p >= kAlpha)
      s += "; with " + std::to_string(nb) + " vs " + std::to_string(nc) +
           " runs no rank test can go below p = " + fmt_fixed(floor_p, 3);
  }
  r.verdict = s + ")" + runs_needed_text(r);
}

RatioResult across_runs(std::string measure, std::vector<double> b, std::vector<double> c,
                        const std::string& stream, const CompareOptions& opt, double resolve) {
  RatioResult r;
  r.measure = std::move(measure);
  r.resolve_pct = resolve;
  r.baseline_values = std::move(b);
  r.candidate_values = std::move(c);
  if (r.baseline_values.empty() || r.candidate_values.empty()) {
    r.why_none = r.baseline_values.empty() && r.candidate_values.empty()
                     ? "no run on either side has a value"
                 : r.baseline_values.empty() ? "no baseline run has a value"
                                             : "no candidate run has a value";
    return r;
  }
  r.evidence = Evidence::kAcrossRuns;
  r.baseline_mean = mean_of(r.baseline_values);
  r.candidate_mean = mean_of(r.candidate_values);
  BootstrapRng rng(opt.seed, stream);
  r.ci =
      bootstrap_ratio_of_means(r.baseline_values, r.candidate_values, rng, opt.resamples, kLevel);
  r.rank = mann_whitney(r.baseline_values, r.candidate_values);
  r.cv = pooled_cv(r.baseline_values, r.candidate_values);
  if (r.cv) r.runs_needed = runs_per_side(*r.cv, resolve / 100, kAlpha, 0.8);
  return r;
}

struct TimeToTrain {
  std::vector<double> minutes;  // converged runs
  int64_t failed = 0;
  std::vector<std::string> listing;
};

TimeToTrain time_to_train(const Runs& runs, double target) {
  TimeToTrain t;
  std::vector<std::pair<double, std::string>> ok;
  for (const auto* r : runs) {
    if (!has_evaluations(*r)) continue;
    const auto reach = target_reach(*r, target);
    std::optional<double> minutes;
    if (is_mlperf(*r)) {
      if (r->run.derived.wall_time_s) minutes = *r->run.derived.wall_time_s / 60.0;
    } else if (reach.time_s) {
      minutes = *reach.time_s / 60.0;
    }
    if (minutes && !(std::isfinite(*minutes) && *minutes > 0)) minutes.reset();  // bad clock
    if (r->run.status == core::RunStatus::kFinished && reach.reached && minutes) {
      t.minutes.push_back(*minutes);
      ok.emplace_back(*minutes, fmt_fixed(*minutes, 4));
    } else {
      ++t.failed;
      const std::string why = r->run.status != core::RunStatus::kFinished
                                  ? std::string(core::to_string(r->run.status))
                              : !reach.reached ? "not reached"
                                               : "no timestamps";
      t.listing.push_back((minutes ? fmt_fixed(*minutes, 4) : std::string("-")) + " (#" +
                          std::to_string(r->id) + " " + why + ")");
    }
  }
  std::sort(ok.begin(), ok.end());
  std::vector<std::string> all;
  for (const auto& [m, s] : ok) all.push_back(s);
  all.insert(all.end(), t.listing.begin(), t.listing.end());
  t.listing = std::move(all);
  return t;
}

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

Cell ci_cell(const std::optional<BootstrapInterval>& ci, bool lo) {
  if (!ci) return Cell::na();
  return Cell::num(lo ? ci->lo : ci->hi, 4);
}

std::string evidence_label(const RatioResult& r) {
  switch (r.evidence) {
    case Evidence::kAcrossRuns:
      return "across runs";
    case Evidence::kWithinRun:
      return "within run (block bootstrap)";
    case Evidence::kNone:
      break;
  }
  return "none";
}

}  // namespace

std::string match_key_name(MatchKey k) {
  switch (k) {
    case MatchKey::kDevices:
      return "devices";
    case MatchKey::kPrecision:
      return "precision";
    case MatchKey::kBatch:
      return "batch";
    case MatchKey::kNodes:
      return "nodes";
    case MatchKey::kGlobalBatch:
      return "global-batch";
  }
  return "?";
}

MatchSpec parse_match(const std::string& text) {
  MatchSpec m;
  if (text.empty() || text == "auto") return m;
  m.automatic = false;
  if (text == "none") return m;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string k = text.substr(start, end - start);
    MatchKey key;
    if (k == "devices")
      key = MatchKey::kDevices;
    else if (k == "precision")
      key = MatchKey::kPrecision;
    else if (k == "batch")
      key = MatchKey::kBatch;
    else if (k == "nodes")
      key = MatchKey::kNodes;
    else if (k == "global-batch")
      key = MatchKey::kGlobalBatch;
    else
      throw core::UsageError("--match " + text + ": unknown key '" + k +
                             "' (expected auto, none, or a comma list of devices, precision, "
                             "batch, nodes, global-batch)");
    if (std::find(m.keys.begin(), m.keys.end(), key) == m.keys.end()) m.keys.push_back(key);
    start = end + 1;
  }
  return m;
}

CompareResult compare_runs(const std::vector<StoredRun>& baseline,
                           const std::vector<StoredRun>& candidate, const StepSeriesLoader& steps,
                           const CompareOptions& opt) {
  if (baseline.empty() || candidate.empty())
    throw core::UsageError(std::string("nothing to compare: the ") +
                           (baseline.empty() ? "baseline" : "candidate") + " selection is empty");
  CompareResult res;
  const auto& table = rcp_table(opt.rcp_ruleset);
  const double resolve =
      opt.fail_if_slower_pct && *opt.fail_if_slower_pct > 0 ? *opt.fail_if_slower_pct : 1.0;

  // Which keys: automatic = devices, precision, batch, except MLPerf results against MLPerf
  // results, where the system (and with it the device count) is what is being compared.
  bool all_mlperf = true;
  for (const auto* side : {&baseline, &candidate})
    for (const auto& r : *side) all_mlperf = all_mlperf && is_mlperf(r);
  if (opt.match.automatic) {
    if (all_mlperf) {
      res.match_description =
          "nothing (automatic: both sides are MLPerf results, whose closed division fixes the "
          "model, data and target; the system, devices included, is what is compared. --match "
          "names keys to require)";
    } else {
      res.keys_used = {MatchKey::kDevices, MatchKey::kPrecision, MatchKey::kBatch};
      res.match_description = "devices, precision, batch per device (automatic)";
    }
  } else {
    res.keys_used = opt.match.keys;
    if (res.keys_used.empty()) {
      res.match_description =
          "nothing (--match none: every baseline run against every candidate run)";
    } else {
      std::vector<std::string> names;
      for (auto k : res.keys_used) names.push_back(match_key_name(k));
      res.match_description = join(names) + " (--match)";
    }
  }

  using Key = std::vector<std::string>;
  auto group = [&](const std::vector<StoredRun>& runs) {
    std::map<Key, Runs> g;
    for (const auto& r : runs) {
      Key k;
      for (auto m : res.keys_used) k.push_back(key_value(r, m));
      g[k].push_back(&r);
    }
    return g;
  };
  const auto gb = group(baseline), gc = group(candidate);
  for (const auto& [k, runs] : gb)
    if (!gc.count(k)) res.unmatched.push_back({"baseline", label_of(res.keys_used, k), runs});
  for (const auto& [k, runs] : gc)
    if (!gb.count(k)) res.unmatched.push_back({"candidate", label_of(res.keys_used, k), runs});

  bool any = false;
  for (const auto& [k, runs] : gb) any = any || gc.count(k);
  if (!any) {
    std::string msg =
        "configuration mismatch: no baseline runs share their configuration with candidate runs "
        "(matched on " +
        res.match_description + ")";
    for (const auto& [side, groups] : {std::pair{"baseline", &gb}, std::pair{"candidate", &gc}})
      for (const auto& [key, runs] : *groups)
        msg += "\n  " + std::string(side) + ": " + label_of(res.keys_used, key) + " (" +
               id_list(runs) + ")";
    msg +=
        "\nRuns with different device counts, precisions or batch sizes measure different "
        "things (for scaling across device counts use `rn50-exp report`). To compare them "
        "anyway, name the keys that must agree: --match precision,batch (or --match none).";
    throw core::UsageError(msg);
  }

  std::vector<std::string> warnings;
  if (!res.unmatched.empty()) {
    std::string w = "Configurations present on one side only are not compared:";
    for (const auto& u : res.unmatched)
      w += "\n- " + u.side + ": " + u.label + " (" + id_list(u.runs) + ")";
    warnings.push_back(w);
  }

  for (const auto& [k, bruns] : gb) {
    const auto it = gc.find(k);
    if (it == gc.end()) continue;
    GroupResult g;
    g.label = label_of(res.keys_used, k);
    g.baseline = bruns;
    g.candidate = it->second;
    for (size_t i = 0; i < k.size(); ++i)
      if (k[i] == "?")
        warnings.push_back(g.label + ": " + match_key_name(res.keys_used[i]) +
                           " is unknown on both sides; unknown values are matched to each other.");
    for (const auto& [side, runs] :
         {std::pair{"baseline", &g.baseline}, std::pair{"candidate", &g.candidate}}) {
      std::set<std::string> systems;
      for (const auto* r : *runs) systems.insert(set_key(*r));
      if (all_mlperf && systems.size() > 1)
        warnings.push_back(g.label + ": the " + side + " mixes " + std::to_string(systems.size()) +
                           " systems (" +
                           join(std::vector<std::string>(systems.begin(), systems.end())) +
                           "); a comparison of repeats needs one system per side.");
    }

    // Throughput: per-run steady-window values across runs; one run per side: within-run.
    const bool one_each = g.baseline.size() == 1 && g.candidate.size() == 1;
    for (auto kind : {IpsKind::kTotal, IpsKind::kCompute}) {
      RatioResult& out = kind == IpsKind::kTotal ? g.total_ips : g.compute_ips;
      const std::string measure = kind == IpsKind::kTotal ? "total_ips" : "compute_ips";
      const std::string stream = g.label + "/" + measure;
      if (one_each) {
        out.measure = measure;
        out.resolve_pct = resolve;
        if (kind == IpsKind::kCompute) {
          out.why_none =
              "one run per side: within-run evidence covers total_ips only (iteration times "
              "include data loading)";
        } else {
          const auto sb = steps(*g.baseline[0]), sc = steps(*g.candidate[0]);
          const auto gbb = global_batch_of(*g.baseline[0]), gbc = global_batch_of(*g.candidate[0]);
          if (sb.empty() || sc.empty()) {
            out.why_none =
                "one run per side and no per-iteration times in " +
                std::string(sb.empty() && sc.empty() ? "either log"
                            : sb.empty()             ? "the baseline's log"
                                                     : "the candidate's log") +
                " (MLPerf logs time epochs only); repeat the runs for run-to-run evidence";
          } else if (!gbb || !gbc) {
            out.why_none = "one run per side and its global batch is unknown";
          } else {
            BootstrapRng rng(opt.seed, stream + "/within");
            auto ci = block_bootstrap_rate_ratio(sb, sc, rng, opt.resamples, kLevel);
            const double f = static_cast<double>(*gbc) / static_cast<double>(*gbb);
            ci.estimate *= f;
            ci.lo *= f;
            ci.hi *= f;
            out.evidence = Evidence::kWithinRun;
            out.ci = ci;
            out.baseline_intervals = sb.size();
            out.candidate_intervals = sc.size();
            double wb = 0, tb = 0, wc = 0, tc = 0;
            for (const auto& x : sb) {
              wb += x.work;
              tb += x.seconds;
            }
            for (const auto& x : sc) {
              wc += x.work;
              tc += x.seconds;
            }
            out.baseline_mean = static_cast<double>(*gbb) * wb / tb;
            out.candidate_mean = static_cast<double>(*gbc) * wc / tc;
            out.basis = "logged iteration times";
            BootstrapRng rb(opt.seed, g.label + "/bar/baseline"),
                rc(opt.seed, g.label + "/bar/candidate");
            const auto ib = block_bootstrap_rate(sb, rb, opt.resamples, kLevel);
            const auto ic = block_bootstrap_rate(sc, rc, opt.resamples, kLevel);
            const double fb = static_cast<double>(*gbb), fc = static_cast<double>(*gbc);
            g.bar_baseline = {ib.estimate * fb, ib.lo * fb, ib.hi * fb, true};
            g.bar_candidate = {ic.estimate * fc, ic.lo * fc, ic.hi * fc, true};
          }
        }
        decide(out, false);
        continue;
      }
      std::vector<double> vb, vc;
      std::set<IpsBasis> bases;
      for (const auto& [runs, vals] : {std::pair{&g.baseline, &vb}, std::pair{&g.candidate, &vc}})
        for (const auto* r : *runs)
          if (auto ips = throughput(*r, kind, IpsBasis::kWindow)) {
            vals->push_back(ips->value);
            bases.insert(ips->basis);
          }
      out = across_runs(measure, vb, vc, stream, opt, resolve);
      out.basis = bases.size() > 1 ? "mixed" : bases.empty() ? "" : to_string(*bases.begin());
      if (out.basis == "mixed")
        warnings.push_back(g.label + ": " + measure +
                           " mixes steady-window values with the logs' own summary values for "
                           "runs without a window value.");
      decide(out, false);
      if (kind == IpsKind::kTotal && out.evidence == Evidence::kAcrossRuns) {
        BootstrapRng rb(opt.seed, g.label + "/bar/baseline"),
            rc(opt.seed, g.label + "/bar/candidate");
        const auto ib = bootstrap_mean(vb, rb, opt.resamples, kLevel);
        const auto ic = bootstrap_mean(vc, rc, opt.resamples, kLevel);
        g.bar_baseline = {ib.estimate, ib.lo, ib.hi, true};
        g.bar_candidate = {ic.estimate, ic.lo, ic.hi, true};
      }
    }

    // Time to train.
    const auto tb = time_to_train(g.baseline, opt.target_top1);
    const auto tc = time_to_train(g.candidate, opt.target_top1);
    g.baseline_converged = static_cast<int64_t>(tb.minutes.size());
    g.candidate_converged = static_cast<int64_t>(tc.minutes.size());
    if (auto o = olympic_mean(tb.minutes, tb.failed); o.score) g.baseline_olympic = o.score;
    if (auto o = olympic_mean(tc.minutes, tc.failed); o.score) g.candidate_olympic = o.score;
    g.time_to_train = across_runs("time to train", tb.minutes, tc.minutes,
                                  g.label + "/time_to_train", opt, resolve);
    if (g.time_to_train.evidence == Evidence::kNone)
      g.time_to_train.why_none = "needs a converged run (top-1 ≥ " + fmt_fixed(opt.target_top1, 2) +
                                 " %) on both sides; has " + std::to_string(tb.minutes.size()) +
                                 " vs " + std::to_string(tc.minutes.size());
    decide(g.time_to_train, true);
    g.time_to_train.basis = join(tb.listing) + " | " + join(tc.listing);

    // Best top-1.
    for (const auto& [runs, vals] : {std::pair{&g.baseline, &g.top1.baseline_values},
                                     std::pair{&g.candidate, &g.top1.candidate_values}})
      for (const auto* r : *runs)
        if (auto t = best_top1(*r)) vals->push_back(*t);
    g.top1.welch = welch_interval(g.top1.baseline_values, g.top1.candidate_values, kLevel);
    const std::string n_top1 =
        n_text(g.top1.baseline_values.size(), g.top1.candidate_values.size());
    if (!g.top1.welch) {
      g.top1.verdict =
          "n/a (Welch's interval needs 2 runs with an evaluation per side; " + n_top1 + ")";
    } else if (!(g.top1.welch->se > 0)) {
      g.top1.verdict = "n/a (no spread in best top-1 on either side; difference " +
                       signed_text(g.top1.welch->difference, 2) + " pp)";
    } else {
      const auto& w = *g.top1.welch;
      const std::string ci = "95 % CI " + signed_text(w.lo, 2) + " to " + signed_text(w.hi, 2) +
                             " pp, Welch, " + n_top1;
      if (w.lo > 0) {
        g.top1.direction = 1;
        g.top1.verdict =
            "more accurate by " + fmt_fixed(w.difference, 2) + " pp top-1 (" + ci + ")";
      } else if (w.hi < 0) {
        g.top1.direction = -1;
        g.top1.verdict =
            "less accurate by " + fmt_fixed(-w.difference, 2) + " pp top-1 (" + ci + ")";
      } else {
        g.top1.verdict =
            "no top-1 difference detectable: " + signed_text(w.difference, 2) + " pp (" + ci + ")";
      }
    }

    // Convergence against the RCPs, each side on its own.
    for (const auto& [runs, out] :
         {std::pair{&g.baseline, &g.rcp_baseline}, std::pair{&g.candidate, &g.rcp_candidate}}) {
      Runs with_eval;
      for (const auto* r : *runs)
        if (has_evaluations(*r)) with_eval.push_back(r);
      out->result = rcp_check_runs(table, with_eval, opt.target_top1);
      out->text = with_eval.empty() ? "n/a (no evaluations)" : describe(out->result);
    }

    res.verdicts.push_back(g.label + ": throughput (total_ips): " + g.total_ips.verdict);
    res.verdicts.push_back(g.label + ": time to train: " + g.time_to_train.verdict);
    res.verdicts.push_back(g.label + ": top-1: " + g.top1.verdict);

    // The gate.
    if (opt.fail_if_slower_pct) {
      const double pct = *opt.fail_if_slower_pct;
      const auto& t = g.total_ips;
      if (t.direction < 0 && t.ci && t.ci->hi < 1 - pct / 100)
        res.gate_failures.push_back(
            g.label + ": total_ips slower by more than " + pct_text(pct) +
            " % with 95 % confidence (ratio " + fmt_fixed(t.ci->estimate, 4) + ", upper bound " +
            fmt_fixed(t.ci->hi, 4) + " < " + fmt_fixed(1 - pct / 100, 4) + ")");
      const auto& tt = g.time_to_train;
      if (tt.direction < 0 && tt.ci && tt.ci->lo > 1 + pct / 100)
        res.gate_failures.push_back(
            g.label + ": time to train longer by more than " + pct_text(pct) +
            " % with 95 % confidence (ratio " + fmt_fixed(tt.ci->estimate, 4) + ", lower bound " +
            fmt_fixed(tt.ci->lo, 4) + " > " + fmt_fixed(1 + pct / 100, 4) + ")");
    }
    if (opt.fail_if_less_accurate_pp && g.top1.welch && g.top1.welch->se > 0 &&
        g.top1.welch->hi < -*opt.fail_if_less_accurate_pp)
      res.gate_failures.push_back(
          g.label + ": top-1 lower by more than " + fmt_fixed(*opt.fail_if_less_accurate_pp, 2) +
          " pp with 95 % confidence (difference " + signed_text(g.top1.welch->difference, 2) +
          " pp, upper bound " + signed_text(g.top1.welch->hi, 2) + " pp)");
    res.groups.push_back(std::move(g));
  }

  // The report: header, warnings, tables, plots.
  Report& rep = res.report;
  rep.title = opt.title;
  rep.header = {
      {"Baseline", opt.baseline_selection + " (" + std::to_string(baseline.size()) + " runs)"},
      {"Candidate", opt.candidate_selection + " (" + std::to_string(candidate.size()) + " runs)"},
      {"Configurations matched on", res.match_description},
      {"Target top-1", fmt_fixed(opt.target_top1, 2) + " %"},
      {"Throughput per run",
       "steady-window total_ips / compute_ips (docs/definitions.md); a run without a window value "
       "contributes the log's own summary value"},
      {"Intervals",
       "95 % percentile bootstrap of the ratio of means (candidate / baseline), runs resampled "
       "with replacement on each side, " +
           std::to_string(opt.resamples) + " resamples, seed " + std::to_string(opt.seed) +
           " (mt19937_64); one run per side: moving-block bootstrap over the logged iteration "
           "intervals"},
      {"Rank test",
       "two-sided Mann–Whitney U over runs: exact null distribution without ties and at most " +
           std::to_string(kExactMaxN) +
           " runs per side, else normal approximation with tie and continuity correction"},
      {"Top-1", "Welch's 95 % interval for the difference of mean best top-1 (percentage points)"},
      {"Verdict rule",
       "faster / slower (shorter / longer) when the 95 % interval excludes a ratio of 1 and the "
       "rank test gives p < 0.05; within-run evidence: the interval alone"},
      {"Runs needed",
       "per side, for a two-sided 5 % test with 80 % power to detect ±" + pct_text(resolve) +
           " %: 2 (z_0.975 + z_0.8)² (CV / " + pct_text(resolve) +
           " %)² with the pooled CV of the per-run values, divided by 3/π (the rank test's "
           "efficiency under normality), at least 4; assumes independent, normally distributed "
           "runs"},
      {"RCP ruleset",
       "MLPerf Training " + table.ruleset + " (" + table.source +
           "; rules of mlcommons/logging mlperf_logging/rcp_checker/rcp_checker.py)"},
  };
  if (opt.fail_if_slower_pct || opt.fail_if_less_accurate_pp) {
    std::string gate;
    if (opt.fail_if_slower_pct) gate += "--fail-if-slower " + pct_text(*opt.fail_if_slower_pct);
    if (opt.fail_if_less_accurate_pp)
      gate += std::string(gate.empty() ? "" : ", ") + "--fail-if-less-accurate " +
              fmt_fixed(*opt.fail_if_less_accurate_pp, 2);
    gate +=
        res.gate_failures.empty() ? ": passed" : ": FAILED (" + join(res.gate_failures, "; ") + ")";
    rep.header.emplace_back("Gate", gate);
  }
  rep.warnings = std::move(warnings);

  Table verdict;
  verdict.id = "verdict";
  verdict.title = "Verdict";
  verdict.description = "Per matched configuration: candidate against baseline.";
  verdict.columns = {"Group", "Measure", "Verdict"};
  Table thr;
  thr.id = "throughput";
  thr.title = "Throughput: candidate / baseline";
  thr.description =
      "Mean of per-run steady-window throughput on each side (img/s, all devices), their ratio "
      "with its 95 % bootstrap interval, the two-sided Mann–Whitney p-value over runs, and the "
      "runs per side that would resolve ±" +
      pct_text(resolve) + " %.";
  thr.columns = {"Group",
                 "Measure",
                 "Evidence",
                 "Runs (baseline vs candidate)",
                 "Baseline (img/s)",
                 "Candidate (img/s)",
                 "Ratio",
                 "95 % CI low",
                 "95 % CI high",
                 "Rank test p",
                 "Runs per side for ±" + pct_text(resolve) + " %",
                 "Basis"};
  Table ttt;
  ttt.id = "time_to_train";
  ttt.title = "Time to train: candidate / baseline";
  ttt.description =
      "Converged runs (finished, top-1 ≥ " + fmt_fixed(opt.target_top1, 2) +
      " %): minutes run_start → run_stop for MLPerf logs, first step → first evaluation ≥ target "
      "for other origins (docs/definitions.md). Ratio of mean minutes with its 95 % bootstrap "
      "interval; MLPerf olympic means where a side has 5 runs.";
  ttt.columns = {"Group",
                 "Converged (baseline)",
                 "Converged (candidate)",
                 "Baseline mean (min)",
                 "Candidate mean (min)",
                 "Baseline olympic (min)",
                 "Candidate olympic (min)",
                 "Ratio",
                 "95 % CI low",
                 "95 % CI high",
                 "Rank test p",
                 "Per-run baseline (min)",
                 "Per-run candidate (min)"};
  Table top;
  top.id = "top1";
  top.title = "Best top-1: candidate - baseline";
  top.description =
      "Best evaluated top-1 of each run (percent); difference of the means in percentage points "
      "with Welch's 95 % interval.";
  top.columns = {"Group",
                 "n (baseline)",
                 "n (candidate)",
                 "Baseline mean ± sd",
                 "Candidate mean ± sd",
                 "Difference (pp)",
                 "95 % CI low",
                 "95 % CI high",
                 "Welch df"};
  Table conv;
  conv.id = "convergence";
  conv.title = "Epochs to target vs MLPerf RCP (ruleset " + table.ruleset + ")";
  conv.description =
      "Each side on its own, as MLPerf's rcp_checker.py judges a submission: epochs to converge "
      "per run (MLPerf logs: epoch_num of the last evaluation of a successful run; other origins: "
      "epochs trained when top-1 first reached the target), olympic mean of the set against the "
      "reference convergence point of its global batch (interpolated between reference batches).";
  conv.columns = {"Group", "Side", "Runs", "Global batch", "Epochs to target (per run)", "vs RCP"};

  auto sd_text = [](const std::vector<double>& v) {
    if (v.empty()) return std::string("n/a");
    return fmt_fixed(mean_of(v), 2) +
           (v.size() > 1 ? " ± " + fmt_fixed(sample_sd(v), 2) : std::string(" (one run)"));
  };
  for (const auto& g : res.groups) {
    verdict.rows.push_back(
        {Cell::str(g.label), Cell::str("throughput (total_ips)"), Cell::str(g.total_ips.verdict)});
    verdict.rows.push_back(
        {Cell::str(g.label), Cell::str("time to train"), Cell::str(g.time_to_train.verdict)});
    verdict.rows.push_back({Cell::str(g.label), Cell::str("top-1"), Cell::str(g.top1.verdict)});
    verdict.rows.push_back(
        {Cell::str(g.label), Cell::str("convergence vs RCP"),
         Cell::str("baseline " + g.rcp_baseline.text + "; candidate " + g.rcp_candidate.text)});
    for (const auto* m : {&g.total_ips, &g.compute_ips}) {
      std::vector<Cell> row = {Cell::str(g.label), Cell::str(m->measure),
                               Cell::str(evidence_label(*m))};
      if (m->evidence == Evidence::kNone) {
        row.push_back(Cell::str(std::to_string(g.baseline.size()) + " vs " +
                                std::to_string(g.candidate.size())));
        for (int i = 0; i < 7; ++i)
          row.push_back(Cell::na(i == 0 ? "n/a (" + m->why_none + ")" : "n/a"));
        row.push_back(Cell::str(m->basis));
      } else {
        row.push_back(Cell::str(m->evidence == Evidence::kWithinRun
                                    ? "1 vs 1 (" + std::to_string(m->baseline_intervals) + " vs " +
                                          std::to_string(m->candidate_intervals) + " intervals)"
                                    : std::to_string(m->baseline_values.size()) + " vs " +
                                          std::to_string(m->candidate_values.size())));
        row.push_back(Cell::num(m->baseline_mean, 2));
        row.push_back(Cell::num(m->candidate_mean, 2));
        row.push_back(Cell::num(m->ci->estimate, 4));
        row.push_back(ci_cell(m->ci, true));
        row.push_back(ci_cell(m->ci, false));
        row.push_back(m->rank ? Cell{p_text(m->rank->p), m->rank->p, false}
                              : Cell::na("n/a (within run)"));
        row.push_back(m->runs_needed ? Cell::integer(*m->runs_needed) : Cell::na());
        row.push_back(Cell::str(m->basis));
      }
      thr.rows.push_back(std::move(row));
    }
    {
      const auto& m = g.time_to_train;
      std::vector<Cell> row = {
          Cell::str(g.label),
          Cell::str(std::to_string(g.baseline_converged) + "/" + std::to_string(g.baseline.size())),
          Cell::str(std::to_string(g.candidate_converged) + "/" +
                    std::to_string(g.candidate.size()))};
      row.push_back(m.baseline_values.empty() ? Cell::na()
                                              : Cell::num(mean_of(m.baseline_values), 4));
      row.push_back(m.candidate_values.empty() ? Cell::na()
                                               : Cell::num(mean_of(m.candidate_values), 4));
      row.push_back(g.baseline_olympic ? Cell::num(*g.baseline_olympic, 4) : Cell::na());
      row.push_back(g.candidate_olympic ? Cell::num(*g.candidate_olympic, 4) : Cell::na());
      row.push_back(m.ci ? Cell::num(m.ci->estimate, 4) : Cell::na("n/a (" + m.why_none + ")"));
      row.push_back(ci_cell(m.ci, true));
      row.push_back(ci_cell(m.ci, false));
      row.push_back(m.rank ? Cell{p_text(m.rank->p), m.rank->p, false} : Cell::na());
      const auto bar = m.basis.find(" | ");
      row.push_back(Cell::str(m.basis.substr(0, bar)));
      row.push_back(Cell::str(bar == std::string::npos ? "" : m.basis.substr(bar + 3)));
      ttt.rows.push_back(std::move(row));
    }
    {
      const auto& t = g.top1;
      std::vector<Cell> row = {
          Cell::str(g.label), Cell::integer(static_cast<long long>(t.baseline_values.size())),
          Cell::integer(static_cast<long long>(t.candidate_values.size())),
          Cell::str(sd_text(t.baseline_values)), Cell::str(sd_text(t.candidate_values))};
      if (t.welch) {
        row.push_back(Cell{signed_text(t.welch->difference, 2), t.welch->difference, false});
        if (t.welch->se > 0) {
          row.push_back(Cell{signed_text(t.welch->lo, 2), t.welch->lo, false});
          row.push_back(Cell{signed_text(t.welch->hi, 2), t.welch->hi, false});
          row.push_back(Cell::num(t.welch->df, 1));
        } else {
          for (int i = 0; i < 3; ++i) row.push_back(Cell::na("n/a (no spread)"));
        }
      } else {
        for (int i = 0; i < 4; ++i) row.push_back(Cell::na("n/a (needs 2 runs per side)"));
      }
      top.rows.push_back(std::move(row));
    }
    for (const auto& [side, rcp] :
         {std::pair{"baseline", &g.rcp_baseline}, std::pair{"candidate", &g.rcp_candidate}}) {
      std::vector<std::string> per_run;
      for (double e : rcp->result.epochs)
        per_run.push_back(std::isfinite(e) ? fmt_fixed(e, e == std::floor(e) ? 0 : 3)
                                           : std::string("not converged"));
      conv.rows.push_back({Cell::str(g.label), Cell::str(side), Cell::integer(rcp->result.runs),
                           rcp->result.batch ? Cell::integer(*rcp->result.batch) : Cell::na(),
                           Cell::str(per_run.empty() ? "n/a" : join(per_run)),
                           Cell::str(rcp->text)});
    }
  }
  Table unmatched;
  unmatched.id = "unmatched";
  unmatched.title = "Not compared";
  unmatched.description = "Configurations present on one side only.";
  unmatched.columns = {"Side", "Configuration", "Runs", "Runs' configuration"};
  for (const auto& u : res.unmatched) {
    std::set<std::string> configs;
    for (const auto* r : u.runs) configs.insert(full_config(*r));
    unmatched.rows.push_back(
        {Cell::str(u.side), Cell::str(u.label), Cell::str(id_list(u.runs)),
         Cell::str(join(std::vector<std::string>(configs.begin(), configs.end()), "; "))});
  }
  if (unmatched.rows.empty()) unmatched.empty_reason = "Every configuration has both sides.";
  rep.tables = {verdict, thr, ttt, top, conv, unmatched};
  rep.plots.push_back(compare_throughput_plot(res.groups));
  rep.plots.push_back(compare_rcp_plot(res.groups, table));
  return res;
}

}  // namespace rn50::report
