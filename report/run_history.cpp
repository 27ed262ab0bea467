#include "report/run_history.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "report/run_values.h"

namespace rn50::report {

namespace {

bool is_iteration(const core::MetricPoint& m) {
  return m.level == "iter" && std::isfinite(m.value) && m.step.has_value();
}

std::optional<int64_t> epoch_of(const core::MetricPoint& m) {
  if (!m.epoch || !std::isfinite(*m.epoch)) return std::nullopt;
  return static_cast<int64_t>(std::llround(*m.epoch));
}

}  // namespace

RunHistory::RunHistory(const StoredRun& run) : run_(run) {
  // Epoch lengths: the header's steps per epoch (native logs), else the last step logged in
  // each epoch (logs print every N iterations, so this can fall short by less than N).
  int64_t per_epoch = 0;
  const std::string spe = param_value(run, "log.steps_per_epoch");
  std::from_chars(spe.data(), spe.data() + spe.size(), per_epoch);
  for (const auto& m : run.run.metrics) {
    if (!is_iteration(m)) continue;
    const auto e = epoch_of(m);
    if (!e) continue;
    double& len = epoch_length_[*e];
    len = std::max({len, static_cast<double>(*m.step), static_cast<double>(per_epoch)});
  }
  double offset = 0;
  for (const auto& [e, len] : epoch_length_) {
    epoch_offset_[e] = offset;
    offset += len;
  }
}

std::vector<CurvePoint> RunHistory::iterations(std::string_view key) const {
  std::vector<CurvePoint> out;
  for (const auto& m : run_.run.metrics) {
    if (m.key != key || !is_iteration(m)) continue;
    CurvePoint p;
    p.value = m.value;
    const auto e = epoch_of(m);
    if (!e)
      p.step = static_cast<double>(*m.step);  // the log counts steps over the whole run
    else if (auto it = epoch_offset_.find(*e); it != epoch_offset_.end())
      p.step = it->second + static_cast<double>(*m.step);
    p.seconds = since_start(m.time);
    out.push_back(p);
  }
  return out;
}

std::optional<double> RunHistory::epoch_end_step(int64_t epoch) const {
  auto it = epoch_offset_.find(epoch);
  if (it == epoch_offset_.end()) return std::nullopt;
  return it->second + epoch_length_.at(epoch);
}

std::optional<double> RunHistory::since_start(std::optional<double> t) const {
  if (!t || !run_.run.start_time || !std::isfinite(*t)) return std::nullopt;
  return *t - *run_.run.start_time;
}

StepTimes RunHistory::step_times() const {
  StepTimes st;
  // pytorch/examples prints the time of the iteration itself (Time  0.312 ( 0.330)).
  for (const auto& m : run_.run.metrics)
    if (m.key == "train.batch_time" && is_iteration(m) && m.value > 0)
      st.samples.emplace_back(m.value, 1.0);
  if (!st.samples.empty()) {
    st.method = "train.batch_time of each logged iteration";
    return st;
  }
  // Else the wall time between consecutive logged iterations of one epoch over the steps between
  // them (as the parsers compute step-time percentiles), from the series with most timestamps.
  std::string best_key;
  size_t best = 0;
  std::map<std::string, size_t> timed;
  for (const auto& m : run_.run.metrics)
    if (is_iteration(m) && m.time) ++timed[m.key];
  for (const auto& [k, n] : timed)
    if (n > best) {
      best = n;
      best_key = k;
    }
  const core::MetricPoint* prev = nullptr;
  for (const auto& m : run_.run.metrics) {
    if (m.key != best_key || !is_iteration(m) || !m.time) continue;
    if (prev && epoch_of(*prev) == epoch_of(m) && *m.step > *prev->step && *m.time > *prev->time) {
      const double steps = static_cast<double>(*m.step - *prev->step);
      st.samples.emplace_back((*m.time - *prev->time) / steps, steps);
    }
    prev = &m;
  }
  if (!st.samples.empty())
    st.method = "time between consecutive logged iterations of an epoch / steps between them";
  return st;
}

}  // namespace rn50::report
