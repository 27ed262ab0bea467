// The Enflame-style end-of-run report (docs/formats/enflame.md): one JSON object with model,
// local_rank, batch_size, epochs, training_step_per_epoch, eval_step_per_epoch, acc1_best,
// acc5_best, device, skip_steps, train_fps_mean/min/max and training_time. It is a file of its own
// (format enflame-report; also the built-in trainer's report.json, a superset) and the last lines
// of the Enflame train.py console log (format enflame-console), so both parsers read it here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/derive.h"
#include "core/run_record.h"
#include "parsers/diagnostic_log.h"

namespace rn50::parsers {

enum class ReportRole {
  // The report is the whole file: it makes the run (facts, status, best accuracy, wall time).
  kWholeRun,
  // The report ends a console log whose lines already made the run: it adds the summary values
  // (summary_top1/5, summary_total_ips, wall time) and its keys as params "report.<key>"; facts
  // the log left unknown are taken from it.
  kConsoleEnd,
};

// Reads `json_text`, whose first line is line `first_line` of the input, into `run`. Problems
// are diagnostics naming the line and the key; false (with an error diagnostic) when the text is
// not a JSON object with at least two of the report's keys. Never throws on content.
// `training_time_s` (when given) receives the report's training_time in seconds.
bool read_enflame_report(std::string_view json_text, int64_t first_line, ReportRole role,
                         const core::DeriveOptions& opt, core::RunRecord& run, DiagnosticLog& diag,
                         std::optional<double>* training_time_s = nullptr);

// str(datetime.timedelta) as Python prints it ("0:01:41", "1 day, 2:03:04.5", "3 days, 0:00:00")
// -> seconds; nullopt for anything else.
std::optional<double> parse_timedelta(std::string_view s);

}  // namespace rn50::parsers
