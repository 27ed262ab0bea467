// One parser per log format. Parsers never throw on bad lines: they return diagnostics.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/derive.h"
#include "core/metric_sink.h"
#include "core/parsed_file.h"
#include "parsers/text_input.h"

namespace rn50::parsers {

class Parser {
 public:
  virtual ~Parser() = default;
  // Stable format name, stored in runs.source_format and accepted by `ingest --format`.
  virtual std::string_view name() const = 0;
  virtual std::string_view version() const = 0;
  virtual std::string_view description() const = 0;
  // Confidence 0..100 that a file starting with `head` is in this format (content, not name).
  virtual int sniff(std::string_view head) const = 0;
  // Reads `in` once, front to back, in bounded memory. Runs go into out.runs without their metric
  // points, which go to `points` as they are read (run = index into out.runs). Applies opt.sets
  // (core::apply_user_facts) and derives values (core::derive_common plus the format's throughput
  // definition). Bad input becomes diagnostics, never an exception; only a failing read of `in`
  // throws (core::Error).
  virtual void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
                     const core::DeriveOptions& opt) const = 0;

  // The same over a buffer, every point collected into its run's metrics, and the lines the input
  // skipped (too long) first among the diagnostics (tests, small inputs). Callers of the streaming
  // parse merge TextInput::diagnostics() themselves.
  core::ParsedFile parse(std::string_view content, const core::DeriveOptions& opt) const;
};

// Factories, one per format file (parsers/<format>_parser.cpp).
std::unique_ptr<Parser> make_ngc_stdout_parser();        // "ngc-dllogger-stdout"
std::unique_ptr<Parser> make_ngc_json_parser();          // "ngc-dllogger-json"
std::unique_ptr<Parser> make_pytorch_examples_parser();  // "pytorch-examples"
std::unique_ptr<Parser> make_mlperf_parser();            // "mlperf" (:::MLLOG and v0.6 :::MLL)
std::unique_ptr<Parser> make_enflame_report_parser();    // "enflame-report"
std::unique_ptr<Parser> make_native_log_parser();  // "rn50-native" (the built-in trainer's log)
std::unique_ptr<Parser> make_enflame_console_parser();    // "enflame-console" (train.py log)
std::unique_ptr<Parser> make_torchvision_parser();        // "torchvision-references"
std::unique_ptr<Parser> make_timm_parser();               // "timm" (summary.csv, console)
std::unique_ptr<Parser> make_tf_cnn_benchmarks_parser();  // "tf-cnn-benchmarks"

}  // namespace rn50::parsers
