// NVIDIA DeepLearningExamples `--raport-file`: dllogger JSONStreamBackend lines
//   DLLL {"timestamp": "1570716916.14697", "type": "LOG", "step": [0, 5], "data": {...}}
// (JSON lines, not one JSON document), see docs/formats/ngc.md.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/time_util.h"
#include "parsers/diagnostic_log.h"
#include "parsers/json_scan.h"
#include "parsers/ngc_common.h"
#include "parsers/ngc_json_record.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using ngc::DlllRecord;
using ngc::Step;
using ngc::StepKind;

constexpr std::string_view kName = "ngc-dllogger-json";

// PARAMETER values as text. Scalars read as Python str() prints them, i.e. what the stdout
// backend shows for the same run (True, None, 0.1): json.dumps writes floats with repr(), which
// is str(), so numbers are kept exactly as written. Lists and dicts stay JSON text.
std::string param_text(const json::Value& v, ngc::DlllRecordReader& reader) {
  switch (v.kind) {
    case json::Kind::kString:
      return std::string(reader.decode(v));
    case json::Kind::kBool:
      return v.boolean ? "True" : "False";
    case json::Kind::kNull:
      return "None";
    case json::Kind::kNumber:
      if (v.text == "NaN") return "nan";
      if (v.text == "Infinity") return "inf";
      if (v.text == "-Infinity") return "-inf";
      return std::string(v.text);
    case json::Kind::kObject:
    case json::Kind::kArray:
      return to_utf8(v.text);
  }
  return {};
}

nlohmann::json event_value(const json::Value& v, ngc::DlllRecordReader& reader) {
  switch (v.kind) {
    case json::Kind::kString:
      return stored_text(reader.decode(v), TextKind::kValue);
    case json::Kind::kBool:
      return v.boolean;
    case json::Kind::kNumber:
      return json::number(v).value_or(0.0);
    case json::Kind::kObject:
    case json::Kind::kArray: {
      // nlohmann reads JSON without NaN and needs valid UTF-8; anything else stays text.
      auto j = nlohmann::json::parse(to_utf8(v.text), nullptr, false);
      return j.is_discarded() ? nlohmann::json(stored_text(v.text, TextKind::kValue)) : j;
    }
    case json::Kind::kNull:
      break;
  }
  return nullptr;
}

std::optional<double> record_time(const DlllRecord& rec, ngc::DlllRecordReader& reader) {
  if (rec.timestamp) {
    if (rec.timestamp->kind == json::Kind::kString) {
      if (auto v = parse_double(reader.decode(*rec.timestamp))) return v;
    } else if (rec.timestamp->kind == json::Kind::kNumber) {
      return json::number(*rec.timestamp);
    }
  }
  // Fall back to the naive local datetime, read as UTC like the stdout format.
  if (rec.datetime && rec.datetime->kind == json::Kind::kString)
    return core::parse_datetime(reader.decode(*rec.datetime));
  return std::nullopt;
}

bool is_int(const json::Value& v) {
  return v.kind == json::Kind::kNumber && v.integral && !v.non_json;
}

// "PARAMETER", [e,i,v] / [e,i] / [e] / [], ["Calibration", i], or any other string. An empty
// `why` on false means "not a step at all".
bool read_step(const DlllRecord& rec, ngc::DlllRecordReader& reader, Step& step, std::string& why) {
  step = Step{};
  why.clear();
  if (!rec.has_step) return false;
  if (!rec.step_is_array) {
    if (rec.step_scalar.kind != json::Kind::kString) return false;
    const std::string_view label = reader.decode(rec.step_scalar);
    if (label == "PARAMETER") {
      step.kind = StepKind::kParameter;
    } else {
      step.kind = StepKind::kOther;
      step.label = std::string(label);
    }
    return true;
  }
  const auto& items = rec.step_items;
  if (!items.empty() && items[0].kind == json::Kind::kString) {
    step.kind = StepKind::kOther;
    step.label = std::string(reader.decode(items[0]));
    if (items.size() > 1 && is_int(items[1])) step.label_iteration = parse_int(items[1].text);
    return true;
  }
  if (items.size() > 3) return false;
  int64_t numbers[3] = {0, 0, 0};
  for (size_t i = 0; i < items.size(); ++i) {
    if (!is_int(items[i])) return false;
    // Written as a JSON integer; it must also fit a step counter.
    const auto n = parse_int(items[i].text);
    if (!n || !in_range(*n, 0, kMaxStep, &why)) {
      if (!n) why = std::string(items[i].text) + " is out of range 0.." + std::to_string(kMaxStep);
      return false;
    }
    numbers[i] = *n;
  }
  static constexpr StepKind kKinds[] = {StepKind::kSummary, StepKind::kEpoch, StepKind::kIteration,
                                        StepKind::kValidation};
  step.kind = kKinds[items.size()];
  step.epoch = numbers[0];
  step.iteration = numbers[1];
  step.val_iteration = numbers[2];
  return true;
}

class JsonScanner {
 public:
  JsonScanner(core::ParsedFile& out, core::MetricSink& points, const core::DeriveOptions& opt)
      : diag_(out.diagnostics, kMaxLineWarnings), assembler_(kName, out, points, diag_, opt) {}

  static constexpr int64_t kMaxLineWarnings = 100;

  void line(std::string_view line, int64_t line_no, bool last_line) {
    const size_t tok = line.find("DLLL ");
    if (tok == std::string_view::npos) return;
    std::string_view body = line.substr(tok + 5);
    while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
    if (body.empty() || body.front() != '{') return;  // stdout-style DLLL line: not ours
    handle(body, line_no, last_line);
  }

  void finish() {
    if (nan_records_ > 0)
      diag_.warning(nan_first_line_, "NaN/Infinity records",
                    std::to_string(nan_records_) +
                        " record(s) contain NaN/Infinity (not JSON; Python json.dumps)");
    diag_.finish();
    assembler_.finish();
  }

 private:
  void warn(int64_t line_no, std::string_view message) {
    diag_.warning(line_no, "malformed DLLL record", message);
  }

  void handle(std::string_view body, int64_t line_no, bool last_line) {
    std::string error;
    if (!reader_.read(body, rec_, error)) {
      warn(line_no, last_line ? "malformed DLLL record on the last line (half-written?): " + error
                              : "malformed DLLL record: not valid JSON: " + error);
      return;
    }
    if (rec_.non_json_numbers > 0 && nan_records_++ == 0) nan_first_line_ = line_no;
    if (!rec_.type || rec_.type->kind != json::Kind::kString) {
      warn(line_no, "malformed DLLL record: no \"type\"");
      return;
    }
    const std::string_view type = reader_.decode(*rec_.type);
    if (type == "METADATA") return;  // units/formats; values are in canonical units
    if (type != "LOG") return;       // record types of future dllogger versions

    std::string why;
    if (!read_step(rec_, reader_, step_, why)) {
      warn(line_no, why.empty() ? std::string("malformed DLLL record: bad or missing \"step\"")
                                : "malformed DLLL record: \"step\": " + why);
      return;
    }
    if (rec_.has_data && !rec_.data_is_object) {
      warn(line_no, "malformed DLLL record: \"data\" is not an object");
      return;
    }
    const auto time = record_time(rec_, reader_);
    if (!time) warn(line_no, "DLLL record without a usable \"timestamp\"");
    assembler_.begin_record(step_, time, line_no);
    const bool is_param = step_.kind == StepKind::kParameter;
    for (const auto& [key, value] : rec_.data) {
      if (is_param) {
        assembler_.param(key, param_text(value, reader_));
      } else if (value.kind == json::Kind::kNumber) {
        // NaN/Infinity and numbers beyond the double range are counted by the assembler.
        assembler_.metric(key, *json::number(value));
      } else if (step_.kind == StepKind::kOther && value.kind != json::Kind::kNull) {
        assembler_.event_field(key, event_value(value, reader_));
      }
    }
  }

  DiagnosticLog diag_;
  ngc::RunAssembler assembler_;
  ngc::DlllRecordReader reader_;
  DlllRecord rec_;
  Step step_;
  int64_t nan_records_ = 0;
  int64_t nan_first_line_ = 0;
};

class NgcJsonParser final : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return "2"; }
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

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override {
    out.format = std::string(name());
    out.parser_version = std::string(version());
    JsonScanner scan(out, points, opt);
    std::string_view line;
    while (in.next_line(line)) scan.line(line, in.line_number(), in.last_line());
    scan.finish();
  }
};

}  // namespace

std::unique_ptr<Parser> make_ngc_json_parser() { return std::make_unique<NgcJsonParser>(); }

}  // namespace rn50::parsers
