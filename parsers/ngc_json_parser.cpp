// NVIDIA DeepLearningExamples `--raport-file`: dllogger JSONStreamBackend lines
//   DLLL {"timestamp": "1570716916.14697", "type": "LOG", "step": [0, 5], "data": {...}}
// (JSON lines, not one JSON document), see docs/formats/ngc.md.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/time_util.h"
#include "parsers/ngc_common.h"
#include "parsers/ngc_json_record.h"
#include "parsers/parser.h"

namespace rn50::parsers {

namespace {

using ngc::DlllRecord;
using ngc::JsonScalar;
using ngc::Step;
using ngc::StepKind;

constexpr std::string_view kName = "ngc-dllogger-json";

// PARAMETER values as text. Scalars read as Python str() prints them, i.e. what the stdout
// backend shows for the same run (True, None, 0.1): json.dumps writes floats with repr(), which
// is str(), so numbers are kept exactly as written. Lists and dicts stay JSON text.
std::string param_text(const JsonScalar& v) {
  switch (v.kind) {
    case JsonScalar::Kind::kString:
      return std::string(v.text);
    case JsonScalar::Kind::kBool:
      return v.boolean ? "True" : "False";
    case JsonScalar::Kind::kNull:
      return "None";
    case JsonScalar::Kind::kNumber:
      if (v.text == "NaN") return "nan";
      if (v.text == "Infinity") return "inf";
      if (v.text == "-Infinity") return "-inf";
      return std::string(v.text);
    case JsonScalar::Kind::kNested:
      return std::string(v.text);
  }
  return {};
}

nlohmann::json event_value(const JsonScalar& v) {
  switch (v.kind) {
    case JsonScalar::Kind::kString:
      return std::string(v.text);
    case JsonScalar::Kind::kBool:
      return v.boolean;
    case JsonScalar::Kind::kNumber:
      return v.number;
    case JsonScalar::Kind::kNested: {
      auto j = nlohmann::json::parse(v.text, nullptr, false);
      return j.is_discarded() ? nlohmann::json(std::string(v.text)) : j;
    }
    case JsonScalar::Kind::kNull:
      break;
  }
  return nullptr;
}

std::optional<double> record_time(const DlllRecord& rec) {
  if (rec.timestamp) {
    if (rec.timestamp->kind == JsonScalar::Kind::kString) {
      if (auto v = ngc::parse_number(rec.timestamp->text)) return v;
    } else if (rec.timestamp->kind == JsonScalar::Kind::kNumber) {
      return rec.timestamp->number;
    }
  }
  // Fall back to the naive local datetime, read as UTC like the stdout format.
  if (rec.datetime && rec.datetime->kind == JsonScalar::Kind::kString)
    return core::parse_datetime(rec.datetime->text);
  return std::nullopt;
}

bool is_int(const JsonScalar& v) { return v.kind == JsonScalar::Kind::kNumber && v.integral; }

// "PARAMETER", [e,i,v] / [e,i] / [e] / [], ["Calibration", i], or any other string.
bool read_step(const DlllRecord& rec, Step& step) {
  step = Step{};
  if (!rec.has_step) return false;
  if (!rec.step_is_array) {
    if (rec.step_scalar.kind != JsonScalar::Kind::kString) return false;
    if (rec.step_scalar.text == "PARAMETER") {
      step.kind = StepKind::kParameter;
    } else {
      step.kind = StepKind::kOther;
      step.label = std::string(rec.step_scalar.text);
    }
    return true;
  }
  const auto& items = rec.step_items;
  if (!items.empty() && items[0].kind == JsonScalar::Kind::kString) {
    step.kind = StepKind::kOther;
    step.label = std::string(items[0].text);
    if (items.size() > 1 && is_int(items[1]))
      step.label_iteration = static_cast<int64_t>(items[1].number);
    return true;
  }
  if (items.size() > 3) return false;
  for (const auto& e : items)
    if (!is_int(e)) return false;
  static constexpr StepKind kKinds[] = {StepKind::kSummary, StepKind::kEpoch, StepKind::kIteration,
                                        StepKind::kValidation};
  step.kind = kKinds[items.size()];
  if (items.size() > 0) step.epoch = static_cast<int64_t>(items[0].number);
  if (items.size() > 1) step.iteration = static_cast<int64_t>(items[1].number);
  if (items.size() > 2) step.val_iteration = static_cast<int64_t>(items[2].number);
  return true;
}

class JsonScanner {
 public:
  explicit JsonScanner(core::Diagnostics& diags)
      : diags_(diags), warnings_(diags, "DLLL"), assembler_(kName, diags) {}

  void run(std::string_view content) {
    ngc::for_each_line(content, [&](std::string_view line, int64_t line_no, bool is_last_line) {
      const size_t tok = line.find("DLLL ");
      if (tok == std::string_view::npos) return;
      std::string_view body = line.substr(tok + 5);
      while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
      if (body.empty() || body.front() != '{') return;  // stdout-style DLLL line: not ours
      handle(body, line_no, is_last_line);
    });
    if (nan_records_ > 0)
      diags_.push_back({core::Severity::kWarning, nan_first_line_,
                        std::to_string(nan_records_) +
                            " record(s) contain NaN/Infinity (not JSON; Python json.dumps)"});
    warnings_.report_held_back();
  }

  ngc::RunAssembler& assembler() { return assembler_; }

 private:
  void handle(std::string_view body, int64_t line_no, bool last_line) {
    std::string error;
    if (!reader_.read(body, rec_, error)) {
      warnings_.warn(line_no,
                     last_line ? "malformed DLLL record on the last line (half-written?): " + error
                               : "malformed DLLL record: not valid JSON: " + error);
      return;
    }
    if (rec_.non_json_numbers > 0 && nan_records_++ == 0) nan_first_line_ = line_no;
    if (!rec_.type || rec_.type->kind != JsonScalar::Kind::kString) {
      warnings_.warn(line_no, "malformed DLLL record: no \"type\"");
      return;
    }
    if (rec_.type->text == "METADATA") return;  // units/formats; values are in canonical units
    if (rec_.type->text != "LOG") return;       // record types of future dllogger versions

    if (!read_step(rec_, step_)) {
      warnings_.warn(line_no, "malformed DLLL record: bad or missing \"step\"");
      return;
    }
    if (rec_.has_data && !rec_.data_is_object) {
      warnings_.warn(line_no, "malformed DLLL record: \"data\" is not an object");
      return;
    }
    const auto time = record_time(rec_);
    if (!time) warnings_.warn(line_no, "DLLL record without a usable \"timestamp\"");
    assembler_.begin_record(step_, time, line_no);
    const bool is_param = step_.kind == StepKind::kParameter;
    for (const auto& [key, value] : rec_.data) {
      if (is_param) {
        assembler_.param(key, param_text(value));
      } else if (value.kind == JsonScalar::Kind::kNumber) {
        assembler_.metric(key, value.number);  // NaN/Infinity are counted by the assembler
      } else if (step_.kind == StepKind::kOther && value.kind != JsonScalar::Kind::kNull) {
        assembler_.event_field(key, event_value(value));
      }
    }
  }

  core::Diagnostics& diags_;
  ngc::LineWarnings warnings_;
  ngc::RunAssembler assembler_;
  ngc::DlllRecordReader reader_;
  DlllRecord rec_;
  Step step_;
  int64_t nan_records_ = 0;
  int64_t nan_first_line_ = 0;
};

class NgcJsonParser final : public WholeBufferParser {
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

  core::ParsedFile parse_buffer(std::string_view content, const core::DeriveOptions& opt) const override {
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
