#include "parsers/ngc_common.h"

#include <algorithm>
#include <cmath>

#include "parsers/numbers.h"
#include "parsers/text.h"

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

std::string_view canonical_metric_key(std::string_view key) {
  if (key == "lr") return "train.lr";
  return key;
}

RunAssembler::RunAssembler(std::string_view format, core::ParsedFile& out, core::MetricSink& points,
                           DiagnosticLog& diagnostics, const core::DeriveOptions& opt)
    : format_(format), out_(out), points_(points), diag_(diagnostics), opt_(opt) {}

RunAssembler::RunState& RunAssembler::state() {
  if (runs_.empty()) start_run();
  return runs_.back();
}

void RunAssembler::start_run() {
  core::RunRecord rec;
  rec.source_format = format_;
  rec.run_key = runs_.empty() ? "" : "run" + std::to_string(runs_.size() + 1);
  rec.status = core::RunStatus::kIncomplete;
  out_.runs.push_back(std::move(rec));
  RunState st;
  st.index = out_.runs.size() - 1;
  runs_.push_back(std::move(st));
  have_step_ = false;
}

bool RunAssembler::in_window(int64_t it) const {
  const int64_t skip = opt_.skip_steps.value_or(0);
  return it > skip && (!opt_.window_first || it >= *opt_.window_first) &&
         (!opt_.window_last || it <= *opt_.window_last);
}

// The current logged iteration is complete: its pair with the one before counts for throughput.
// Pairs never span an epoch boundary, so validation and checkpointing time is excluded.
void RunAssembler::close_iteration(RunState& st) {
  if (!st.cur) return;
  const IterPoint& b = *st.cur;
  if (st.prev) {
    const IterPoint& a = *st.prev;
    if (a.epoch == b.epoch && b.iteration > a.iteration && a.time && b.time &&
        in_window(a.iteration) && in_window(b.iteration)) {
      const double dt = *b.time - *a.time;
      if (dt > 0) {
        const double n = static_cast<double>(b.iteration) - static_cast<double>(a.iteration);
        st.tp.iterations += n;
        st.tp.seconds += dt;
        st.tp.step_times.push_back(dt / n);
        ++st.tp.pairs;
      }
    }
  }
  // Each logged compute_ips covers the iterations since the previous logged one.
  if (b.compute_ips && *b.compute_ips > 0 && in_window(b.iteration)) {
    int64_t prev = 0;
    if (st.prev && st.prev->epoch == b.epoch && st.prev->iteration < b.iteration)
      prev = st.prev->iteration;
    const double n = static_cast<double>(b.iteration) - static_cast<double>(prev);
    st.tp.compute_iterations += n;
    st.tp.compute_seconds += n / *b.compute_ips;
    ++st.tp.compute_used;
  }
  st.prev = std::move(st.cur);
  st.cur.reset();
}

void RunAssembler::begin_record(const Step& step, std::optional<double> time, int64_t line) {
  if (step.kind == StepKind::kParameter && !runs_.empty() && runs_.back().has_training) start_run();
  RunState& st = state();
  core::RunRecord& r = run(st);
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
      if (!same_group) {
        close_iteration(st);
        st.cur = IterPoint{step.epoch, step.iteration, group_time_, {}};
      }
      if (!r.start_time && time) r.start_time = time;
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
        r.epochs.push_back(e);
        st.epoch_time_from_top1.push_back(false);
        it = st.epoch_index.emplace(step.epoch, r.epochs.size() - 1).first;
      } else if (!r.epochs[it->second].time) {
        r.epochs[it->second].time = time;
      }
      epoch_slot_ = it->second;
      break;
    }
    case StepKind::kSummary:
      st.has_training = true;
      if (!st.has_summary) {
        st.has_summary = true;
        r.end_time = time;
        r.status = core::RunStatus::kFinished;
      } else if (!r.end_time && time) {
        r.end_time = time;
      }
      break;
    case StepKind::kOther:
      if (!same_group) {
        core::Event ev;
        ev.key = step.label.empty() ? std::string("(empty step)")
                                    : stored_text(step.label, TextKind::kKey);
        ev.time = group_time_;
        event_data_ = nlohmann::json::object();
        if (step.label_iteration) event_data_["iteration"] = *step.label_iteration;
        ev.value_json = event_data_.dump();
        ev.metadata_json = "{}";
        r.events.push_back(std::move(ev));
        event_slot_ = r.events.size() - 1;
      }
      break;
  }
}

void RunAssembler::param(std::string_view key, std::string_view value) {
  run(state()).set_param(stored_text(key, TextKind::kKey), stored_text(value, TextKind::kValue));
  if (key == "world_size" || key == "batch_size" || key == "epochs") {
    // Facts are read from the params when the run ends; a bad value is reported with its line.
    const auto n = parse_int(value);
    const int64_t hi = key == "world_size"   ? kMaxWorldSize
                       : key == "batch_size" ? kMaxBatch
                                             : kMaxEpochs;
    std::string why;
    if (n && !in_range(*n, 1, hi, &why))
      diag_.warning(line_, "implausible PARAMETER",
                    "PARAMETER " + std::string(key) + ": " + why + ": not used as a fact");
  }
}

void RunAssembler::event_field(std::string_view key, nlohmann::json value) {
  if (!have_step_ || step_.kind != StepKind::kOther) return;
  core::RunRecord& r = run(state());
  if (value.is_string()) value = stored_text(value.get_ref<const std::string&>(), TextKind::kValue);
  event_data_[stored_text(key, TextKind::kKey)] = std::move(value);
  r.events[event_slot_].value_json = event_data_.dump();
}

void RunAssembler::metric(std::string_view raw_key, double value) {
  if (!have_step_) return;
  const std::string_view key = canonical_metric_key(raw_key);
  if (!std::isfinite(value)) {
    if (non_finite_count_++ == 0) {
      non_finite_first_line_ = line_;
      non_finite_first_key_ = stored_text(key, TextKind::kValue);
    }
    return;
  }
  RunState& st = state();
  core::RunRecord& r = run(st);
  std::string_view level;
  std::optional<double> epoch;
  std::optional<int64_t> step;
  switch (step_.kind) {
    case StepKind::kParameter:
      return;  // PARAMETER values are text (param())
    case StepKind::kOther:
      event_field(key, value);
      return;
    case StepKind::kIteration:
      level = "iter";
      epoch = static_cast<double>(step_.epoch);
      step = step_.iteration;
      if (key == "train.compute_ips" && st.cur) st.cur->compute_ips = value;
      break;
    case StepKind::kValidation:
      // The training iteration is the same for every validation record of an epoch; the
      // validation iteration is what distinguishes the points.
      level = "val_iter";
      epoch = static_cast<double>(step_.epoch);
      step = step_.val_iteration;
      break;
    case StepKind::kEpoch: {
      level = "epoch";
      epoch = static_cast<double>(step_.epoch);
      core::EpochRecord& e = r.epochs[epoch_slot_];
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
      level = "summary";
      core::Derived& d = r.derived;
      // The first Summary wins; NGC's Summary train.loss is a max (MinMeter bug): never used.
      if (key == "train.total_ips" && !d.summary_total_ips) d.summary_total_ips = value;
      if (key == "train.compute_ips" && !d.summary_compute_ips) d.summary_compute_ips = value;
      if (key == "val.top1" && !d.summary_top1) d.summary_top1 = value;
      if (key == "val.top5" && !d.summary_top5) d.summary_top5 = value;
      break;
    }
  }
  points_.add(st.index, stored_view(key, TextKind::kKey, key_scratch_), level, epoch, step,
              group_time_, value);
}

void RunAssembler::facts_from_params(core::RunRecord& run) {
  auto int_param = [&](std::string_view key, int64_t hi) -> std::optional<int64_t> {
    const core::Param* p = run.find_param(key);
    if (!p) return std::nullopt;
    const auto n = parse_int(p->value);
    if (!n || *n < 1 || *n > hi) return std::nullopt;  // reported when the PARAMETER was read
    return n;
  };
  auto flag = [&](std::string_view key) -> std::optional<bool> {
    const core::Param* p = run.find_param(key);
    if (!p) return std::nullopt;
    // stdout prints Python str() (True/False); the JSON renderer maps true/false to the same.
    if (p->value == "True") return true;
    if (p->value == "False") return false;
    return std::nullopt;
  };

  if (auto ws = int_param("world_size", kMaxWorldSize)) {
    run.world_size.set(*ws, core::Source::kLog, "PARAMETER world_size");
  } else if (!run.find_param("world_size") && flag("distributed") == false) {
    run.world_size.set(1, core::Source::kInferred, "no world_size PARAMETER and distributed False");
  }
  if (auto bs = int_param("batch_size", kMaxBatch))
    run.batch_per_device.set(*bs, core::Source::kLog, "PARAMETER batch_size");
  if (auto ep = int_param("epochs", kMaxEpochs))
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

void RunAssembler::derive_throughput(RunState& st) {
  close_iteration(st);
  core::RunRecord& r = run(st);
  core::Derived& d = r.derived;
  const int64_t skip = opt_.skip_steps.value_or(0);
  std::string window_text = "iteration > " + std::to_string(skip);
  if (opt_.window_first) window_text += " and >= " + std::to_string(*opt_.window_first);
  if (opt_.window_last) window_text += " and <= " + std::to_string(*opt_.window_last);

  // Our total_ips: images between consecutive logged iterations over the wall time between their
  // timestamps, summed (never a mean of rates).
  const Throughput& tp = st.tp;
  const std::optional<int64_t> gb = r.global_batch.value;
  d.total_ips.reset();
  d.total_ips_definition.clear();
  if (tp.pairs > 0 && gb) {
    d.total_ips = static_cast<double>(*gb) * tp.iterations / tp.seconds;
    d.total_ips_definition =
        "global_batch x iterations / seconds, summed over " + std::to_string(tp.pairs) +
        " pairs of consecutive logged training iterations of the same epoch (" + window_text +
        "), timestamps of the dllogger records";
  }
  if (tp.pairs > 0) {
    std::vector<double>& times = st.tp.step_times;
    d.step_time_p50 = core::percentile_in_place(times, 50);
    d.step_time_p90 = core::percentile_in_place(times, 90);
    d.step_time_p99 = core::percentile_in_place(times, 99);
  }

  // Our compute_ips: images over Σ images/compute_ips, i.e. the harmonic mean of the logged rates
  // weighted by the images each covers (the global batch cancels out).
  d.compute_ips.reset();
  d.compute_ips_definition.clear();
  if (tp.compute_used > 0 && tp.compute_seconds > 0) {
    d.compute_ips = tp.compute_iterations / tp.compute_seconds;
    d.compute_ips_definition = "images / sum(images / train.compute_ips) over " +
                               std::to_string(tp.compute_used) + " logged training iterations (" +
                               window_text + "; each covers the iterations since the previous one)";
    return;
  }
  // Epoch records cover the epoch: weighted by its iterations when every epoch's are known.
  bool all_sized = true;
  for (const auto& e : r.epochs)
    if (e.compute_ips && *e.compute_ips > 0 && st.last_iteration[e.epoch] <= 0) all_sized = false;
  double images = 0, seconds = 0;
  int64_t used = 0;
  for (const auto& e : r.epochs) {
    if (!e.compute_ips || *e.compute_ips <= 0) continue;
    const double im = all_sized ? static_cast<double>(st.last_iteration[e.epoch]) : 1.0;
    images += im;
    seconds += im / *e.compute_ips;
    ++used;
  }
  if (used > 0 && seconds > 0) {
    d.compute_ips = images / seconds;
    d.compute_ips_definition =
        std::string("harmonic mean of ") + std::to_string(used) +
        " epoch train.compute_ips values " +
        (all_sized ? "weighted by the iterations of each epoch" : "with equal weights") +
        " (the log has no per-iteration compute_ips)";
  }
}

void RunAssembler::finish_run(RunState& st) {
  core::RunRecord& r = run(st);
  facts_from_params(r);
  core::apply_user_facts(r, opt_);
  derive_throughput(st);
  core::derive_common(r, opt_);
}

void RunAssembler::finish() {
  if (non_finite_count_ > 0) {
    diag_.warning(non_finite_first_line_, "NaN/Infinity",
                  std::to_string(non_finite_count_) +
                      " NaN/Infinity metric value(s) skipped (first: '" + non_finite_first_key_ +
                      "')");
  }
  for (RunState& st : runs_) finish_run(st);
  runs_.clear();
}

}  // namespace rn50::parsers::ngc
