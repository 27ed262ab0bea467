#include "core/derive.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"

namespace rn50::core {

namespace {

int64_t parse_positive_int(const std::string& key, const std::string& v) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out <= 0)
    throw UsageError("--set " + key + "=" + v + ": expected a positive integer");
  return out;
}

// Timestamps are unix seconds near 1.6e9, where a double keeps ~0.2 us: rounding a difference to
// whole microseconds gives back exactly what the log printed (MLPerf ms, dllogger us), so that
// 258.099 s stays 258.099 and rounds to 4.3017 min as MLPerf's summarizer prints it.
double elapsed(double from, double to) { return std::round((to - from) * 1e6) / 1e6; }

}  // namespace

void apply_user_facts(RunRecord& run, const DeriveOptions& opt) {
  for (const auto& [key, value] : opt.sets) {
    if (key == "batch_size" || key == "batch_per_device") {
      run.batch_per_device.set(parse_positive_int(key, value), Source::kUser);
    } else if (key == "global_batch") {
      run.global_batch.set(parse_positive_int(key, value), Source::kUser);
    } else if (key == "world_size" || key == "devices") {
      run.world_size.set(parse_positive_int(key, value), Source::kUser);
    } else if (key == "nodes") {
      run.nodes.set(parse_positive_int(key, value), Source::kUser);
    } else if (key == "epochs") {
      run.epochs_planned.set(parse_positive_int(key, value), Source::kUser);
    } else if (key == "precision") {
      static const char* kAllowed[] = {"fp32", "tf32", "amp", "fp16", "bf16"};
      if (std::none_of(std::begin(kAllowed), std::end(kAllowed),
                       [&v = value](const char* a) { return v == a; }))
        throw UsageError("--set precision=" + value +
                         ": expected one of fp32, tf32, amp, fp16, bf16");
      run.precision.set(value, Source::kUser);
    } else {
      throw UsageError("--set " + key +
                       ": unknown key (known: batch_size, global_batch, world_size, nodes, "
                       "epochs, precision)");
    }
  }
  // Only arithmetic that is certain: gb = bpd * ws, and its inverse when it divides exactly.
  const bool user_involved = run.batch_per_device.source == Source::kUser ||
                             run.world_size.source == Source::kUser ||
                             run.global_batch.source == Source::kUser;
  // Facts from logs are range-checked by the parsers; these guards keep the arithmetic defined
  // whatever a caller passes (a world size of 0 or a product beyond int64 infers nothing).
  int64_t product = 0;
  if (run.batch_per_device.known() && run.world_size.known() &&
      (!run.global_batch.known() || (user_involved && run.global_batch.source != Source::kUser))) {
    if (*run.batch_per_device.value > 0 && *run.world_size.value > 0 &&
        !__builtin_mul_overflow(*run.batch_per_device.value, *run.world_size.value, &product))
      run.global_batch.set(product, Source::kInferred, "batch_per_device x world_size");
  } else if (run.global_batch.known() && run.world_size.known() && !run.batch_per_device.known() &&
             *run.world_size.value > 0 && *run.global_batch.value > 0 &&
             *run.global_batch.value % *run.world_size.value == 0) {
    run.batch_per_device.set(*run.global_batch.value / *run.world_size.value, Source::kInferred,
                             "global_batch / world_size");
  }
}

void derive_common(RunRecord& run, const DeriveOptions& opt) {
  Derived& d = run.derived;
  d.target_top1 = opt.target_top1;
  d.best_top1.reset();
  d.best_top5.reset();
  d.last_top1.reset();
  d.best_top1_epoch.reset();
  d.time_to_target_s.reset();
  d.target_epoch.reset();

  std::stable_sort(run.epochs.begin(), run.epochs.end(),
                   [](const EpochRecord& a, const EpochRecord& b) { return a.epoch < b.epoch; });
  for (const auto& e : run.epochs) {
    if (e.top1 && std::isfinite(*e.top1)) {
      // Ties go to the later epoch: a run whose final evaluation equals its best reports the
      // final epoch (NGC "best = last"); the first epoch reaching a level is target_epoch's job.
      if (!d.best_top1 || *e.top1 >= *d.best_top1) {
        d.best_top1 = e.top1;
        d.best_top1_epoch = e.epoch;
      }
      d.last_top1 = e.top1;
      if (!d.target_epoch && *e.top1 >= opt.target_top1 - 1e-9) {
        d.target_epoch = e.epoch;
        if (e.time && run.start_time) d.time_to_target_s = elapsed(*run.start_time, *e.time);
      }
    }
    if (e.top5 && std::isfinite(*e.top5) && (!d.best_top5 || *e.top5 > *d.best_top5))
      d.best_top5 = e.top5;
  }
  if (!run.epochs.empty() && !run.epochs_completed) {
    // Epoch records exist only for completed epochs.
    run.epochs_completed = static_cast<int64_t>(run.epochs.size());
  }
  if (run.start_time && run.end_time) d.wall_time_s = elapsed(*run.start_time, *run.end_time);
}

std::optional<double> percentile_in_place(std::vector<double>& values, double p) {
  if (values.empty()) return std::nullopt;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  size_t idx = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  if (idx >= values.size()) idx = values.size() - 1;
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(idx);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

std::optional<double> percentile_weighted(std::vector<std::pair<double, int64_t>>& values,
                                          double p) {
  double total = 0;
  for (const auto& [v, n] : values)
    if (n > 0) total += static_cast<double>(n);
  if (!(total > 0)) return std::nullopt;
  const double rank = std::ceil(p / 100.0 * total);
  double idx = rank < 1 ? 0 : rank - 1;
  if (idx > total - 1) idx = total - 1;
  std::sort(values.begin(), values.end());
  double seen = 0;
  for (const auto& [v, n] : values) {
    if (n <= 0) continue;
    seen += static_cast<double>(n);
    if (seen > idx) return v;
  }
  return values.back().first;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  return percentile_in_place(values, p);
}

}  // namespace rn50::core
