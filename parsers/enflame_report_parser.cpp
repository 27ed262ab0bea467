// Enflame-style end-of-run report JSON as a file of its own (docs/formats/enflame.md), also the
// built-in trainer's report.json. One document: read whole (TextInput::rest(), bounded by
// TextLimits::max_document_bytes); the report itself is read by parsers/enflame_report.cpp.
// A report states aggregates only: there are no series, so the run's numbers are set directly.
#include <nlohmann/json.hpp>

#include "parsers/diagnostic_log.h"
#include "parsers/enflame_report.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

constexpr std::string_view kName = "enflame-report";
constexpr std::string_view kVersion = "2";

class EnflameReportParser : public Parser {
 public:
  std::string_view name() const override { return kName; }
  std::string_view version() const override { return kVersion; }
  std::string_view description() const override {
    return "Enflame-style report JSON (acc1_best, train_fps_mean, training_time, ...); also the "
           "built-in trainer's report.json";
  }

  int sniff(std::string_view head) const override {
    const std::string_view t = trim(head);
    if (t.empty() || t.front() != '{' || !looks_like_text(head)) return 0;
    // Cheap pre-check before parsing: the two keys that identify the format.
    const bool acc = t.find("\"acc1_best\"") != std::string_view::npos;
    const bool fps = t.find("\"train_fps_mean\"") != std::string_view::npos;
    if (!acc && !fps) return 0;
    const auto j = nlohmann::json::parse(to_utf8(t), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return acc && fps ? 30 : 0;  // a cut-off report still looks like one
    if (j.contains("acc1_best") && j.contains("train_fps_mean")) return 90;
    int keys = 0;
    for (const char* k : {"model", "local_rank", "batch_size", "epochs", "training_step_per_epoch",
                          "eval_step_per_epoch", "acc1_best", "acc5_best", "device", "skip_steps",
                          "train_fps_mean", "train_fps_min", "train_fps_max", "training_time"})
      keys += j.contains(k) ? 1 : 0;
    return keys >= 8 ? 80 : 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& /*points*/,
             const core::DeriveOptions& opt) const override {
    out.format = std::string(kName);
    out.parser_version = std::string(kVersion);
    DiagnosticLog diag(out.diagnostics);
    core::RunRecord run;
    run.source_format = std::string(kName);
    if (read_enflame_report(in.rest(), 1, ReportRole::kWholeRun, opt, run, diag))
      out.runs.push_back(std::move(run));
    diag.finish();
  }
};

}  // namespace

std::unique_ptr<Parser> make_enflame_report_parser() {
  return std::make_unique<EnflameReportParser>();
}

}  // namespace rn50::parsers
