#include "parsers/ngc_common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace rn50::parsers::ngc {

bool Step::same_as(const Step& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case StepKind::kParameter:
    case StepKind::kSummary:
      return true;
    case StepKind::kEpoch:
      return epoch == o.epoch;
    case StepKind::kIteration:
      return epoch == o.epoch && iteration == o.iteration;
    case StepKind::kValidation:
      return epoch == o.epoch && iteration == o.iteration && val_iteration == o.val_iteration;
    case StepKind::kOther:
      return label == o.label && label_iteration == o.label_iteration;
  }
  return false;
}

std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  // from_chars rejects a leading '+', Python never prints one for floats but users' code may.
  if (*first == '+') ++first;
  double v = 0;
  auto [p, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || p != last) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_integer(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

namespace {
// Length of the valid UTF-8 sequence starting at s[i], 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}
}  // namespace

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;  // logs are mostly ASCII
  while (i < s.size()) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_valid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      const auto c = static_cast<unsigned char>(s[i++]);
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string_view canonical_metric_key(std::string_view key) {
  if (key == "lr") return "train.lr";
  return key;
}

namespace {
constexpr int kMaxLineWarnings = 100;
}  // namespace

LineWarnings::LineWarnings(core::Diagnostics& diagnostics, std::string_view line_kind)
    : diags_(diagnostics), line_kind_(line_kind) {}

void LineWarnings::warn(int64_t line, std::string_view message) {
  if (listed_ >= kMaxLineWarnings) {
    ++held_back_;
    return;
  }
  ++listed_;
  // Messages quote log text, which need not be UTF-8.
  diags_.push_back({core::Severity::kWarning, line, to_valid_utf8(message)});
}

void LineWarnings::report_held_back() {
  if (held_back_ == 0) return;
  diags_.push_back(
      {core::Severity::kWarning, 0,
       std::to_string(held_back_) + " more malformed " + line_kind_ + " lines not listed"});
}

RunAssembler::RunAssembler(std::string_view format, core::Diagnostics& diagnostics)
    : format_(format), diags_(diagnostics) {}

RunAssembler::RunState& RunAssembler::state() {
  if (!current_) start_run();
  return runs_.back();
}

void RunAssembler::start_run() {
  runs_.emplace_back();
  RunState& st = runs_.back();
  st.run.source_format = format_;
  st.run.run_key = runs_.size() == 1 ? "" : "run" + std::to_string(runs_.size());
  st.run.status = core::RunStatus::kIncomplete;
  current_ = true;
  have_step_ = false;
}

void RunAssembler::begin_record(const Step& step, std::optional<double> time, int64_t line) {
  if (step.kind == StepKind::kParameter && current_ && runs_.back().has_training) start_run();
  RunState& st = state();
  const bool same_group = have_step_ && step_.same_as(step);
  step_ = step;
  have_step_ = true;
  time_ = time;
  line_ = line;
  if (!same_group) group_time_ = time;
  if (!group_time_) group_time_ = time;  // first record of the group had no usable timestamp

  switch (step.kind) {
    case StepKind::kParameter:
      break;
    case StepKind::kIteration:
      st.has_training = true;
      if (!same_group) st.iters.push_back(IterPoint{step.epoch, step.iteration, group_time_, {}});
      if (!st.run.start_time && time) st.run.start_time = time;
      {
        auto& last = st.last_iteration[step.epoch];
        last = std::max(last, step.iteration);
      }
      break;
    case StepKind::kValidation: {
      st.has_training = true;
      // Validation records name the last training iteration of the epoch (e.g. 5005).
      auto& last = st.last_iteration[step.epoch];
      last = std::max(last, step.iteration);
      break;
    }
    case StepKind::kEpoch: {
      st.has_training = true;
      auto it = st.epoch_index.find(step.epoch);
      if (it == st.epoch_index.end()) {
        core::EpochRecord e;
        e.epoch = step.epoch;
        e.time = time;
        st.run.epochs.push_back(e);
        st.epoch_time_from_top1.push_back(false);
        it = st.epoch_index.emplace(step.epoch, st.run.epochs.size() - 1).first;
      } else if (!st.run.epochs[it->second].time) {
        st.run.epochs[it->second].time = time;
      }
      epoch_slot_ = it->second;
      break;
    }
    case StepKind::kSummary:
      st.has_training = true;
      if (!st.has_summary) {
        st.has_summary = true;
        st.run.end_time = time;
        st.run.status = core::RunStatus::kFinished;
      } else if (!st.run.end_time && time) {
        st.run.end_time = time;
      }
      break;
    case StepKind::kOther:
      if (!same_group) {
        core::Event ev;
        ev.key = step.label.empty() ? std::string("(empty step)") : to_valid_utf8(step.label);
        ev.time = group_time_;
        event_data_ = nlohmann::json::object();
        if (step.label_iteration) event_data_["iteration"] = *step.label_iteration;
        ev.value_json = event_data_.dump();
        ev.metadata_json = "{}";
        st.run.events.push_back(std::move(ev));
        event_slot_ = st.run.events.size() - 1;
      }
      break;
  }
}

void RunAssembler::param(std::string_view key, std::string value) {
  if (!is_valid_utf8(value)) value = to_valid_utf8(value);
  state().run.set_param(to_valid_utf8(key), std::move(value));
}

void RunAssembler::event_field(std::string_view key, nlohmann::json value) {
  if (!have_step_ || step_.kind != StepKind::kOther) return;
  RunState& st = state();
  if (value.is_string() && !is_valid_utf8(value.get_ref<const std::string&>()))
    value = to_valid_utf8(value.get_ref<const std::string&>());
  event_data_[to_valid_utf8(key)] = std::move(value);
  st.run.events[event_slot_].value_json = event_data_.dump();
}

void RunAssembler::non_finite_value(std::string_view key, int64_t line) {
  if (non_finite_count_++ == 0) {
    non_finite_first_line_ = line;
    non_finite_first_key_ = to_valid_utf8(key);
  }
}

void RunAssembler::metric(std::string_view raw_key, double value) {
  if (!have_step_) return;
  const std::string_view key = canonical_metric_key(raw_key);
  if (!std::isfinite(value)) {
    non_finite_value(key, line_);
    return;
  }
  RunState& st = state();
  core::MetricPoint mp;
  mp.time = group_time_;
  mp.value = value;
  switch (step_.kind) {
    case StepKind::kParameter:
      return;  // PARAMETER values are text (param())
    case StepKind::kOther:
      event_field(key, value);
      return;
    case StepKind::kIteration:
      mp.level = "iter";
      mp.epoch = static_cast<double>(step_.epoch);
      mp.step = step_.iteration;
      if (key == "train.compute_ips" && !st.iters.empty()) st.iters.back().compute_ips = value;
      break;
    case StepKind::kValidation:
      // The training iteration is the same for every validation record of an epoch; the
      // validation iteration is what distinguishes the points.
      mp.level = "val_iter";
      mp.epoch = static_cast<double>(step_.epoch);
      mp.step = step_.val_iteration;
      break;
    case StepKind::kEpoch: {
      mp.level = "epoch";
      mp.epoch = static_cast<double>(step_.epoch);
      core::EpochRecord& e = st.run.epochs[epoch_slot_];
      if (key == "train.loss") {
        e.train_loss = value;
      } else if (key == "val.top1") {
        e.top1 = value;
        // Time-to-target counts to the evaluation, i.e. the record that carries val.top1.
        if (!st.epoch_time_from_top1[epoch_slot_] && time_) {
          e.time = time_;
          st.epoch_time_from_top1[epoch_slot_] = true;
        }
      } else if (key == "val.top5") {
        e.top5 = value;
      } else if (key == "train.lr") {
        e.lr = value;
      } else if (key == "train.total_ips") {
        e.total_ips = value;
      } else if (key == "train.compute_ips") {
        e.compute_ips = value;
      }
      break;
    }
    case StepKind::kSummary: {
      mp.level = "summary";
      core::Derived& d = st.run.derived;
      // The first Summary wins; NGC's Summary train.loss is a max (MinMeter bug): never used.
      if (key == "train.total_ips" && !d.summary_total_ips) d.summary_total_ips = value;
      if (key == "train.compute_ips" && !d.summary_compute_ips) d.summary_compute_ips = value;
      if (key == "val.top1" && !d.summary_top1) d.summary_top1 = value;
      if (key == "val.top5" && !d.summary_top5) d.summary_top5 = value;
      break;
    }
  }
  mp.key = to_valid_utf8(key);
  st.run.metrics.push_back(std::move(mp));
}

void RunAssembler::facts_from_params(core::RunRecord& run) const {
  auto int_param = [&](std::string_view key) -> std::optional<int64_t> {
    const core::Param* p = run.find_param(key);
    if (!p) return std::nullopt;
    return parse_integer(p->value);
  };
  auto flag = [&](std::string_view key) -> std::optional<bool> {
    const core::Param* p = run.find_param(key);
    if (!p) return std::nullopt;
    // stdout prints Python str() (True/False); the JSON renderer maps true/false to the same.
    if (p->value == "True") return true;
    if (p->value == "False") return false;
    return std::nullopt;
  };

  if (auto ws = int_param("world_size"); ws && *ws > 0) {
    run.world_size.set(*ws, core::Source::kLog, "PARAMETER world_size");
  } else if (!run.find_param("world_size") && flag("distributed") == false) {
    run.world_size.set(1, core::Source::kInferred, "no world_size PARAMETER and distributed False");
  }
  if (auto bs = int_param("batch_size"); bs && *bs > 0)
    run.batch_per_device.set(*bs, core::Source::kLog, "PARAMETER batch_size");
  if (auto ep = int_param("epochs"); ep && *ep > 0)
    run.epochs_planned.set(*ep, core::Source::kLog, "PARAMETER epochs");

  const auto amp = flag("amp");
  const auto fp16 = flag("fp16");
  if (amp == true) {
    run.precision.set("amp", core::Source::kLog, "PARAMETER amp True");
  } else if (fp16 == true) {
    run.precision.set("fp16", core::Source::kLog, "PARAMETER fp16 True");
  } else if (amp.has_value() || fp16.has_value()) {
    // FP32 mode on Ampere and later runs TF32 math by default; the log cannot tell.
    run.precision.set("fp32", core::Source::kInferred, "amp and fp16 not enabled");
  }
}

void RunAssembler::derive_throughput(RunState& st, const core::DeriveOptions& opt) const {
  core::RunRecord& run = st.run;
  core::Derived& d = run.derived;
  const int64_t skip = opt.skip_steps.value_or(0);
  auto in_window = [&](int64_t it) {
    return it > skip && (!opt.window_first || it >= *opt.window_first) &&
           (!opt.window_last || it <= *opt.window_last);
  };
  std::string window_text = "iteration > " + std::to_string(skip);
  if (opt.window_first) window_text += " and >= " + std::to_string(*opt.window_first);
  if (opt.window_last) window_text += " and <= " + std::to_string(*opt.window_last);

  // Our total_ips: images between consecutive logged iterations over the wall time between their
  // timestamps, summed (never a mean of rates). Pairs never span an epoch boundary, so validation
  // and checkpointing time is excluded.
  double sum_iters = 0, sum_seconds = 0;
  int64_t pairs = 0;
  std::vector<double> step_times;
  for (size_t i = 1; i < st.iters.size(); ++i) {
    const IterPoint& a = st.iters[i - 1];
    const IterPoint& b = st.iters[i];
    if (a.epoch != b.epoch || b.iteration <= a.iteration || !a.time || !b.time) continue;
    if (!in_window(a.iteration) || !in_window(b.iteration)) continue;
    const double dt = *b.time - *a.time;
    if (!(dt > 0)) continue;
    const double n = static_cast<double>(b.iteration - a.iteration);
    sum_iters += n;
    sum_seconds += dt;
    step_times.push_back(dt / n);
    ++pairs;
  }
  const std::optional<int64_t> gb = run.global_batch.value;
  d.total_ips.reset();
  d.total_ips_definition.clear();
  if (pairs > 0 && gb) {
    d.total_ips = static_cast<double>(*gb) * sum_iters / sum_seconds;
    d.total_ips_definition =
        "global_batch x iterations / seconds, summed over " + std::to_string(pairs) +
        " pairs of consecutive logged training iterations of the same epoch (" + window_text +
        "), timestamps of the dllogger records";
  }
  if (pairs > 0) {
    d.step_time_p50 = core::percentile_in_place(step_times, 50);
    d.step_time_p90 = core::percentile_in_place(step_times, 90);
    d.step_time_p99 = core::percentile_in_place(step_times, 99);
  }

  // Our compute_ips: images over Σ images/compute_ips, i.e. the harmonic mean of the logged rates
  // weighted by the images each covers. Iteration records cover the iterations since the previous
  // logged one; epoch records cover the epoch.
  d.compute_ips.reset();
  d.compute_ips_definition.clear();
  double images = 0, seconds = 0;
  int64_t used = 0;
  for (size_t i = 0; i < st.iters.size(); ++i) {
    const IterPoint& p = st.iters[i];
    if (!p.compute_ips || *p.compute_ips <= 0 || !in_window(p.iteration)) continue;
    int64_t prev = 0;
    if (i > 0 && st.iters[i - 1].epoch == p.epoch && st.iters[i - 1].iteration < p.iteration)
      prev = st.iters[i - 1].iteration;
    const double im = static_cast<double>(gb.value_or(1) * (p.iteration - prev));
    images += im;
    seconds += im / *p.compute_ips;
    ++used;
  }
  if (used > 0) {
    d.compute_ips = images / seconds;
    d.compute_ips_definition = "images / sum(images / train.compute_ips) over " +
                               std::to_string(used) + " logged training iterations (" +
                               window_text + "; each covers the iterations since the previous one)";
    return;
  }
  bool all_sized = true;
  for (const auto& e : run.epochs)
    if (e.compute_ips && *e.compute_ips > 0 && st.last_iteration[e.epoch] <= 0) all_sized = false;
  for (const auto& e : run.epochs) {
    if (!e.compute_ips || *e.compute_ips <= 0) continue;
    const double im = all_sized ? static_cast<double>(st.last_iteration[e.epoch]) : 1.0;
    images += im;
    seconds += im / *e.compute_ips;
    ++used;
  }
  if (used > 0) {
    d.compute_ips = images / seconds;
    d.compute_ips_definition =
        std::string("harmonic mean of ") + std::to_string(used) +
        " epoch train.compute_ips values " +
        (all_sized ? "weighted by the iterations of each epoch" : "with equal weights") +
        " (the log has no per-iteration compute_ips)";
  }
}

void RunAssembler::finish_run(RunState& st, const core::DeriveOptions& opt) const {
  facts_from_params(st.run);
  core::apply_user_facts(st.run, opt);
  derive_throughput(st, opt);
  core::derive_common(st.run, opt);
}

std::vector<core::RunRecord> RunAssembler::finish(const core::DeriveOptions& opt) {
  std::vector<core::RunRecord> out;
  if (non_finite_count_ > 0) {
    diags_.push_back({core::Severity::kWarning, non_finite_first_line_,
                      std::to_string(non_finite_count_) +
                          " NaN/Infinity metric value(s) skipped (first: '" +
                          non_finite_first_key_ + "')"});
  }
  for (RunState& st : runs_) {
    finish_run(st, opt);
    out.push_back(std::move(st.run));
  }
  runs_.clear();
  current_ = false;
  return out;
}

}  // namespace rn50::parsers::ngc
