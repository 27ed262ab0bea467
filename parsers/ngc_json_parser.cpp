// NVIDIA DeepLearningExamples `--raport-file`: dllogger JSONStreamBackend lines
//   DLLL {"timestamp": "1570716916.14697", "type": "LOG", "step": [0, 5], "data": {...}}
// (JSON lines, not one JSON document), see docs/formats/ngc.md.
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/time_util.h"
#include "parsers/ngc_common.h"
#include "parsers/parser.h"

namespace rn50::parsers {

namespace {

using ngc::Step;
using ngc::StepKind;
using nlohmann::json;

constexpr std::string_view kName = "ngc-dllogger-json";
constexpr int kMaxLineWarnings = 100;

// Python's json.dumps writes NaN, Infinity and -Infinity, which are not JSON. Outside strings
// they become null, so the record still parses; returns how many were replaced.
int replace_non_json_numbers(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  int replaced = 0;
  bool in_string = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < in.size()) {
        out += in[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    for (std::string_view tok : {"-Infinity", "Infinity", "NaN"}) {
      if (in.substr(i, tok.size()) == tok) {
        out += "null";
        i += tok.size() - 1;
        ++replaced;
        goto next;
      }
    }
    out += c;
  next:;
  }
  return replaced;
}

// PARAMETER values as text. Scalars follow Python str() (what the stdout backend prints for the
// same run: True, None, 0.1), so a run's params read the same from either file.
std::string param_text(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return v.get<std::string>();
    case json::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case json::value_t::null:
      return "None";
    default:
      return v.dump();
  }
}

std::optional<double> record_time(const json& rec) {
  auto it = rec.find("timestamp");
  if (it != rec.end()) {
    if (it->is_string()) {
      if (auto v = ngc::parse_number(it->get_ref<const std::string&>())) return v;
    } else if (it->is_number()) {
      return it->get<double>();
    }
  }
  // Fall back to the naive local datetime, read as UTC like the stdout format.
  it = rec.find("datetime");
  if (it != rec.end() && it->is_string())
    return core::parse_datetime(it->get_ref<const std::string&>());
  return std::nullopt;
}

// "PARAMETER", [e,i,v] / [e,i] / [e] / [], ["Calibration", i], or any other string.
bool read_step(const json& j, Step& step) {
  step = Step{};
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "PARAMETER") {
      step.kind = StepKind::kParameter;
    } else {
      step.kind = StepKind::kOther;
      step.label = s;
    }
    return true;
  }
  if (!j.is_array()) return false;
  if (!j.empty() && j[0].is_string()) {
    step.kind = StepKind::kOther;
    step.label = j[0].get<std::string>();
    if (j.size() > 1 && j[1].is_number_integer()) step.label_iteration = j[1].get<int64_t>();
    return true;
  }
  if (j.size() > 3) return false;
  for (const auto& e : j)
    if (!e.is_number_integer()) return false;
  switch (j.size()) {
    case 0:
      step.kind = StepKind::kSummary;
      break;
    case 1:
      step.kind = StepKind::kEpoch;
      break;
    case 2:
      step.kind = StepKind::kIteration;
      break;
    default:
      step.kind = StepKind::kValidation;
      break;
  }
  if (j.size() > 0) step.epoch = j[0].get<int64_t>();
  if (j.size() > 1) step.iteration = j[1].get<int64_t>();
  if (j.size() > 2) step.val_iteration = j[2].get<int64_t>();
  return true;
}

class JsonScanner {
 public:
  JsonScanner(core::Diagnostics& diags) : diags_(diags), assembler_(kName, diags) {}

  void run(std::string_view content) {
    int64_t line_no = 0;
    size_t pos = 0;
    const char* base = content.data();
    while (pos < content.size()) {
      const void* nl = std::memchr(base + pos, '\n', content.size() - pos);
      const size_t end = nl ? static_cast<const char*>(nl) - base : content.size();
      ++line_no;
      const std::string_view line(base + pos, end - pos);
      const bool last_line = end >= content.size() || end + 1 >= content.size();
      pos = end + 1;
      const size_t tok = line.find("DLLL ");
      if (tok == std::string_view::npos) continue;
      std::string_view body = line.substr(tok + 5);
      while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
      if (body.empty() || body.front() != '{') continue;  // stdout-style DLLL line: not ours
      handle(body, line_no, last_line);
    }
    if (nan_lines_ > 0)
      diags_.push_back({core::Severity::kWarning, nan_first_line_,
                        std::to_string(nan_lines_) +
                            " record(s) contain NaN/Infinity (not JSON); read as null"});
    if (skipped_warnings_ > 0)
      diags_.push_back(
          {core::Severity::kWarning, 0,
           std::to_string(skipped_warnings_) + " more malformed DLLL lines not listed"});
  }

  ngc::RunAssembler& assembler() { return assembler_; }

 private:
  void warn(int64_t line, std::string msg) {
    if (warnings_ >= kMaxLineWarnings) {
      ++skipped_warnings_;
      return;
    }
    ++warnings_;
    diags_.push_back({core::Severity::kWarning, line, std::move(msg)});
  }

  void handle(std::string_view body, int64_t line_no, bool last_line) {
    json rec = json::parse(body.begin(), body.end(), nullptr, false);
    bool had_nan = false;
    if (rec.is_discarded()) {
      const int replaced = replace_non_json_numbers(body, scratch_);
      if (replaced > 0) rec = json::parse(scratch_, nullptr, false);
      if (rec.is_discarded()) {
        warn(line_no, last_line ? "malformed DLLL record on the last line (half-written?)"
                                : "malformed DLLL record: not valid JSON");
        return;
      }
      had_nan = true;
      if (nan_lines_++ == 0) nan_first_line_ = line_no;
    }
    if (!rec.is_object()) {
      warn(line_no, "malformed DLLL record: not a JSON object");
      return;
    }
    auto type = rec.find("type");
    if (type == rec.end() || !type->is_string()) {
      warn(line_no, "malformed DLLL record: no \"type\"");
      return;
    }
    const auto& t = type->get_ref<const std::string&>();
    if (t == "METADATA") return;  // units/formats only; values are stored in canonical units
    if (t != "LOG") return;       // unknown record types of future dllogger versions

    auto step_it = rec.find("step");
    if (step_it == rec.end() || !read_step(*step_it, step_)) {
      warn(line_no, "malformed DLLL record: bad or missing \"step\"");
      return;
    }
    const auto time = record_time(rec);
    if (!time) warn(line_no, "DLLL record without a usable \"timestamp\"");
    auto data = rec.find("data");
    if (data != rec.end() && !data->is_object()) {
      warn(line_no, "malformed DLLL record: \"data\" is not an object");
      return;
    }
    assembler_.begin_record(step_, time, line_no);
    if (data == rec.end()) return;
    const bool is_param = step_.kind == StepKind::kParameter;
    for (const auto& [key, value] : data->items()) {
      if (is_param) {
        assembler_.param(key, param_text(value));
      } else if (value.is_number()) {
        assembler_.metric(key, value.get<double>());
      } else if (value.is_null() && had_nan) {
        // null here is usually a NaN we replaced; count it with the other skipped values.
        assembler_.non_finite_value(key, line_no);
      } else if (step_.kind == StepKind::kOther) {
        assembler_.event_field(key, value);
      }
    }
  }

  core::Diagnostics& diags_;
  ngc::RunAssembler assembler_;
  Step step_;
  std::string scratch_;
  int warnings_ = 0;
  int64_t skipped_warnings_ = 0;
  int64_t nan_lines_ = 0;
  int64_t nan_first_line_ = 0;
};

class NgcJsonParser final : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return "1"; }
  std::string_view description() const override {
    return "NVIDIA DeepLearningExamples --raport-file (dllogger JSON lines 'DLLL {...}')";
  }

  int sniff(std::string_view head) const override {
    // `DLLL {"` opens a JSON record; documentation mentioning `DLLL {json}` does not match.
    size_t pos = head.find("DLLL {\"");
    while (pos != std::string_view::npos) {
      const size_t eol = head.find('\n', pos);
      const std::string_view line =
          head.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
      if (line.find("\"type\"") != std::string_view::npos) return 95;
      if (eol == std::string_view::npos) return 80;  // the head ends inside this record
      pos = head.find("DLLL {\"", pos + 1);
    }
    return 0;
  }

  core::ParsedFile parse(std::string_view content, const core::DeriveOptions& opt) const override {
    core::ParsedFile out;
    out.format = std::string(name());
    out.parser_version = std::string(version());
    JsonScanner scan(out.diagnostics);
    scan.run(content);
    out.runs = scan.assembler().finish(opt);
    return out;
  }
};

}  // namespace

std::unique_ptr<Parser> make_ngc_json_parser() { return std::make_unique<NgcJsonParser>(); }

}  // namespace rn50::parsers
