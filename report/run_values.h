// Read-only questions the analysis asks of one stored run, answered the same way for every
// origin (built-in trainer, NGC, pytorch/examples, MLPerf, Enflame).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/queries.h"

namespace rn50::report {

using store::StoredRun;

std::optional<int64_t> devices(const StoredRun& r);
std::string tag_value(const StoredRun& r, const std::string& key);  // "" when absent
std::string role(const StoredRun& r);                               // tag role=...
std::string param_value(const StoredRun& r, const std::string& key);
std::string precision_label(const StoredRun& r);  // "amp", ... or "?" when unknown
std::string run_label(const StoredRun& r);        // "#12 name"

// Best top-1 / top-5 (percent): the derived value, else the maximum over epoch records.
std::optional<double> best_top1(const StoredRun& r);
std::optional<double> best_top5(const StoredRun& r);
bool has_evaluations(const StoredRun& r);
// Epoch of the best top-1 (as the log numbers it): the derived value, else the first epoch
// record with the highest top-1.
std::optional<int64_t> best_top1_epoch(const StoredRun& r);

// Time to `target` top-1 recomputed for the report's target from the epoch records when they
// are loaded (the stored value was derived with the ingest's target).
struct TargetReach {
  bool reached = false;
  std::optional<double> time_s;  // first step -> first evaluation >= target
  std::optional<int64_t> epoch;  // epoch of that evaluation, as the log numbers it
};
TargetReach target_reach(const StoredRun& r, double target);

// Throughput values with the basis they rest on.
enum class IpsKind { kTotal, kCompute };
enum class IpsBasis { kSummary, kWindow };
struct Ips {
  double value = 0;
  IpsKind kind = IpsKind::kTotal;
  IpsBasis basis = IpsBasis::kWindow;
};
// `prefer` decides which basis wins when both are known; the other is the fallback.
std::optional<Ips> throughput(const StoredRun& r, IpsKind kind, IpsBasis prefer);
std::string to_string(IpsKind k);
std::string to_string(IpsBasis b);

// Which set of repeats a run belongs to for MLPerf-style scoring: where it comes from, never a
// string its log prints (docs/ingest.md): "org/system/benchmark" of the MLPerf results layout,
// else the folder its log was in. Runs of different sets are never averaged together.
std::string set_key(const StoredRun& r);
// How a set is named: "org/system" in the MLPerf layout, else the system named by a system
// description beside the log (param system.system_name), else the folder's name.
std::string set_label(const StoredRun& r);
// The set an MLPerf run belongs to (its set_label), empty for other origins. MLPerf runs are
// repeats of one submission only within their set: tables and plots never pool two sets.
std::string mlperf_set_of(const StoredRun& r);
// The scaling factor a set's olympic mean is multiplied by, and where it comes from: an explicit
// --scaling-json wins; otherwise the set's own scaling.json (memberships.scaling_factor).
struct SetScaling {
  double factor = 1.0;
  std::string source;  // file name, or "" when there is none
};
SetScaling set_scaling(const std::vector<const StoredRun*>& set, double explicit_factor,
                       const std::string& explicit_source);

// MLPerf score input: wall time for MLPerf logs (run_start -> run_stop, the official score),
// time to target for every other origin (their end record is not at the target).
bool is_mlperf(const StoredRun& r);

// A run of the built-in trainer (its rn50-native log, from `rn50-exp run` or `train`).
bool is_own_run(const StoredRun& r);
// The experiment runner's id of the run (param runner.run_id), "" when `rn50-exp run` did not
// start it.
std::string runner_run_id(const StoredRun& r);
// Tags `rn50-exp run` adds for its own bookkeeping (run id, config hash, matrix keys, attempt):
// `runs show` lists them; the report's Runs table does not. runner/plan.cpp sets them (a runner
// test keeps the two lists equal); role is not bookkeeping.
bool is_runner_bookkeeping_tag(const std::string& key);
// "k=v, k=v" of the tags a person set (ingest --tag, the experiment's role), in stored order.
std::string user_tags_text(const StoredRun& r);

}  // namespace rn50::report
