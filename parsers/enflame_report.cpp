#include "parsers/enflame_report.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "parsers/json_scan.h"
#include "parsers/numbers.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using core::Severity;
using core::Source;
using Json = nlohmann::json;

constexpr const char* kEnflameKeys[] = {"model",
                                        "local_rank",
                                        "batch_size",
                                        "epochs",
                                        "training_step_per_epoch",
                                        "eval_step_per_epoch",
                                        "acc1_best",
                                        "acc5_best",
                                        "device",
                                        "skip_steps",
                                        "train_fps_mean",
                                        "train_fps_min",
                                        "train_fps_max",
                                        "training_time"};

int count_enflame_keys(const Json& j) {
  int n = 0;
  for (const char* k : kEnflameKeys) n += j.contains(k) ? 1 : 0;
  return n;
}

int64_t line_of_offset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

class ReportReader {
 public:
  ReportReader(std::string_view text, int64_t first_line, ReportRole role,
               const core::DeriveOptions& opt, core::RunRecord& run, DiagnosticLog& diag)
      : text_(text), first_line_(first_line), role_(role), opt_(opt), run_(run), diag_(diag) {}

  bool read() {
    Json j;
    try {
      j = Json::parse(text_);
    } catch (const Json::parse_error& e) {
      diag_.error(line(line_of_offset(text_, e.byte > 0 ? e.byte - 1 : 0)), "report",
                  "report is not valid JSON: " + json::library_message(e.what()));
      return false;
    } catch (const Json::exception& e) {
      diag_.error(line(1), "report",
                  "report is not valid JSON: " + json::library_message(e.what()));
      return false;
    }
    if (!j.is_object()) {
      diag_.error(line(1), "report", "report must be one JSON object");
      return false;
    }
    if (count_enflame_keys(j) < 2) {
      diag_.error(first_line_ > 1 ? first_line_ : 0, "report",
                  "not an Enflame report: none of acc1_best, train_fps_mean, batch_size, ... "
                  "found");
      return false;
    }
    j_ = std::move(j);
    apply();
    return true;
  }

  std::optional<double> training_time() const { return training_time_; }

 private:
  bool whole() const { return role_ == ReportRole::kWholeRun; }

  int64_t line(int64_t relative) const { return first_line_ - 1 + relative; }

  // Line of the first occurrence of "key": in the text, so a bad field can be pointed at.
  int64_t line_of_key(const std::string& key) const {
    const size_t at = text_.find("\"" + key + "\"");
    return at == std::string_view::npos ? 0 : line(line_of_offset(text_, at));
  }

  void warn(const std::string& key, const std::string& msg) {
    diag_.warning(line_of_key(key), "report field", key + ": " + msg);
  }
  void note(const std::string& key, const std::string& msg) {
    diag_.info(line_of_key(key), "report field", key + ": " + msg);
  }

  // A number, or a numeric string (accepted with a note); anything else is a diagnostic.
  std::optional<double> number(const std::string& key) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return std::nullopt;
    if (it->is_number()) {
      const double v = it->get<double>();
      if (std::isfinite(v)) return v;
      warn(key, "not a finite number");
      return std::nullopt;
    }
    if (it->is_string()) {
      if (auto v = parse_double(trim(it->get_ref<const std::string&>())); v && std::isfinite(*v)) {
        note(key, "number given as a string");
        return v;
      }
    }
    warn(key, "expected a number, got " + shown(*it));
    return std::nullopt;
  }

  std::optional<int64_t> count(const std::string& key, int64_t lo, int64_t hi) {
    auto v = number(key);
    if (!v) return std::nullopt;
    std::string why;
    auto n = to_int64(*v, &why, lo, hi);
    if (!n)
      warn(key, std::string(lo > 0 ? "expected a positive integer" : "expected an integer") +
                    ", got " + shown(j_[key]) + " (" + why + ")");
    return n;
  }

  std::optional<double> percent(const std::string& key) {
    auto v = number(key);
    if (!v) return std::nullopt;
    if (*v == 0) {
      note(key, "0 read as 'never evaluated'");
      return std::nullopt;
    }
    if (*v < 0 || *v > 100) {
      warn(key, "accuracy outside 0..100");
      return std::nullopt;
    }
    if (*v <= 1.0) {
      warn(key, "value " + shown(j_[key]) + " is a fraction: stored as percent (x100)");
      return *v * 100.0;
    }
    return v;
  }

  // Seconds: a number, or str(timedelta) as the Enflame train.py writes it ("0:01:41").
  std::optional<double> seconds(const std::string& key) {
    auto it = j_.find(key);
    if (it != j_.end() && it->is_string())
      if (auto t = parse_timedelta(trim(it->get_ref<const std::string&>()))) return t;
    return number(key);
  }

  // JSON text of a value for a message (valid UTF-8: the document was made so before parsing).
  static std::string shown(const Json& v) {
    return v.dump(-1, ' ', false, Json::error_handler_t::replace);
  }

  template <class T>
  void set_fact(core::Fact<T>& fact, T value, const char* key) {
    if (whole() || !fact.known()) fact.set(std::move(value), Source::kLog, std::string(key));
  }

  void apply() {
    const std::string prefix = whole() ? "" : "report.";
    for (const auto& [k, v] : j_.items())
      run_.set_param(stored_text(prefix + k, TextKind::kKey),
                     stored_text(v.is_string() ? v.get_ref<const std::string&>() : shown(v),
                                 TextKind::kValue));

    if (auto b = count("batch_size", 1, kMaxBatch))
      set_fact(run_.batch_per_device, *b, "batch_size");
    if (auto e = count("epochs", 1, kMaxEpochs)) set_fact(run_.epochs_planned, *e, "epochs");
    if (j_.contains("world_size"))
      if (auto w = count("world_size", 1, kMaxWorldSize))
        set_fact(run_.world_size, *w, "world_size");
    if (j_.contains("global_batch"))
      if (auto g = count("global_batch", 1, kMaxBatch))
        set_fact(run_.global_batch, *g, "global_batch");
    if (j_.contains("epochs_completed"))
      if (auto c = count("epochs_completed", 0, kMaxEpochs))
        if (whole() || !run_.epochs_completed) run_.epochs_completed = *c;
    if (auto it = j_.find("precision"); it != j_.end() && it->is_string()) {
      std::string p = it->get<std::string>();
      std::transform(p.begin(), p.end(), p.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (p == "fp32" || p == "tf32" || p == "amp" || p == "fp16" || p == "bf16")
        set_fact(run_.precision, p, "precision");
      else
        warn("precision",
             "unknown precision '" + stored_text(p, TextKind::kValue) + "' (kept as a param only)");
    }
    if (whole()) {
      run_.status = core::RunStatus::kFinished;  // the report is written when training ends
      if (auto it = j_.find("status"); it != j_.end()) {
        const std::string s = it->is_string() ? it->get<std::string>() : shown(*it);
        if (s == "success" || s == "finished")
          run_.status = core::RunStatus::kFinished;
        else if (s == "aborted")
          run_.status = core::RunStatus::kAborted;
        else if (s == "fail" || s == "failed")
          run_.status = core::RunStatus::kFailed;
        else if (s == "incomplete" || s == "interrupted" || s == "running")
          run_.status = core::RunStatus::kIncomplete;
        else
          warn("status", "unknown status " + shown(*it) + ": run taken as finished");
      }
      core::apply_user_facts(run_, opt_);
      core::derive_common(run_, opt_);  // no epochs: only sets the target
    }

    auto& d = run_.derived;
    const auto top1 = percent("acc1_best");
    const auto top5 = percent("acc5_best");
    d.summary_top1 = top1;
    d.summary_top5 = top5;
    if (whole()) {
      d.best_top1 = top1;
      d.best_top5 = top5;
    }
    if (auto t = seconds("training_time"); t && *t >= 0) {
      training_time_ = t;
      if (whole()) d.wall_time_s = t;
    }
    if (auto fps = number("train_fps_mean"); fps && *fps > 0) d.summary_total_ips = fps;
    const bool own_report = j_.contains("total_ips") || j_.contains("compute_ips");
    if (own_report && whole()) {
      const std::string window = "after skip_steps of each epoch, all ranks (rn50 trainer report)";
      if (auto v = number("total_ips"); v && *v > 0) {
        d.total_ips = v;
        d.total_ips_definition = "sum of images / sum of step seconds " + window;
      }
      if (auto v = number("compute_ips"); v && *v > 0) {
        d.compute_ips = v;
        d.compute_ips_definition = "sum of images / sum of (step - data) seconds " + window;
      }
    } else if (d.summary_total_ips && whole()) {
      d.total_ips_definition =
          "NULL: an Enflame report has no steady-window sum; summary_total_ips is Enflame "
          "train_fps_mean: mean of per-step fps after skip_steps";
    }
    if (whole()) {
      if (auto tt = number("time_to_target_s"); tt && *tt >= 0) {
        auto target = number("target_top1");
        if (target && std::fabs(*target - opt_.target_top1) < 1e-9) {
          d.time_to_target_s = tt;
          if (j_.contains("target_epoch"))
            if (auto te = count("target_epoch", 0, kMaxEpochs)) d.target_epoch = *te;
        } else {
          diag_.info(line_of_key("time_to_target_s"), "report field",
                     "time_to_target_s is for the report's target_top1, not the requested target: "
                     "not used");
        }
      }
      if (!d.best_top1 && !d.summary_total_ips && !d.wall_time_s)
        diag_.warning(0, "report", "report has none of acc1_best, train_fps_mean, training_time");
    }
  }

  std::string_view text_;
  int64_t first_line_;
  ReportRole role_;
  const core::DeriveOptions& opt_;
  core::RunRecord& run_;
  DiagnosticLog& diag_;
  Json j_;
  std::optional<double> training_time_;
};

}  // namespace

std::optional<double> parse_timedelta(std::string_view s) {
  double days = 0;
  if (const size_t comma = s.find(", "); comma != std::string_view::npos) {
    std::string_view d = s.substr(0, comma);
    const size_t sp = d.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    const std::string_view unit = d.substr(sp + 1);
    if (unit != "day" && unit != "days") return std::nullopt;
    const auto n = parse_int(d.substr(0, sp));
    if (!n || *n < -1'000'000'000 || *n > 1'000'000'000) return std::nullopt;
    days = static_cast<double>(*n);
    s.remove_prefix(comma + 2);
  }
  // H:MM:SS[.ffffff]
  const size_t c1 = s.find(':');
  if (c1 == std::string_view::npos || c1 == 0 || c1 > 2) return std::nullopt;
  if (s.size() < c1 + 6 || s[c1 + 3] != ':') return std::nullopt;
  const auto h = parse_int(s.substr(0, c1));
  const auto m = parse_int(s.substr(c1 + 1, 2));
  const auto sec = parse_double(s.substr(c1 + 4));
  if (!h || !m || !sec || s[c1 + 4] == '-' || s[c1 + 4] == '+' || *h < 0 || *h > 23 || *m < 0 ||
      *m > 59 || !(*sec >= 0 && *sec < 60))
    return std::nullopt;
  return days * 86400.0 + static_cast<double>(*h) * 3600.0 + static_cast<double>(*m) * 60.0 + *sec;
}

bool read_enflame_report(std::string_view json_text, int64_t first_line, ReportRole role,
                         const core::DeriveOptions& opt, core::RunRecord& run, DiagnosticLog& diag,
                         std::optional<double>* training_time_s) {
  // Files are UTF-8 by convention; a latin-1 byte must not make the whole report unreadable.
  const std::string text = to_utf8(json_text);
  ReportReader reader(text, first_line, role, opt, run, diag);
  try {
    const bool ok = reader.read();
    if (training_time_s) *training_time_s = reader.training_time();
    return ok;
  } catch (const nlohmann::json::exception& e) {
    // Every access above checks types first; this is the boundary that keeps a library
    // exception from reaching the user should one still escape.
    diag.error(first_line, "report", "report: " + json::library_message(e.what()));
    return false;
  }
}

}  // namespace rn50::parsers
