// Helpers shared by the parser tests: parsing a format's corpus logs, fixtures and inline text, and
// finding what a test checks in the result.
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "core/file_util.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::testing {

// A log format as its tests use it: its parser, and the folders that hold its corpus logs and its
// hand-written fixtures. Parsers keep no state between files, so each call may make a fresh one.
class FormatUnderTest {
 public:
  using ParserFactory = std::unique_ptr<parsers::Parser> (*)();

  // An empty `corpus_folder` lets tests name corpus files from the corpus root, for formats whose
  // logs sit in several folders.
  constexpr FormatUnderTest(ParserFactory make_parser, std::string_view corpus_folder,
                            std::string_view fixture_folder)
      : make_parser_(make_parser), corpus_folder_(corpus_folder), fixture_folder_(fixture_folder) {}

  std::filesystem::path corpus(const std::filesystem::path& rel) const {
    return corpus_dir() / corpus_folder_ / rel;
  }
  std::filesystem::path fixture(const std::filesystem::path& name) const {
    return fixtures_dir() / fixture_folder_ / name;
  }

  int sniff(std::string_view head) const { return make_parser_()->sniff(head); }

  core::ParsedFile parse_text(std::string_view text, const core::DeriveOptions& opt = {}) const {
    return make_parser_()->parse(text, opt);
  }
  core::ParsedFile parse_file(const std::filesystem::path& path,
                              const core::DeriveOptions& opt = {}) const {
    return parse_text(core::read_file(path), opt);
  }
  core::ParsedFile parse_corpus(const std::filesystem::path& rel,
                                const core::DeriveOptions& opt = {}) const {
    return parse_file(corpus(rel), opt);
  }
  core::ParsedFile parse_fixture(const std::filesystem::path& name,
                                 const core::DeriveOptions& opt = {}) const {
    return parse_file(fixture(name), opt);
  }

 private:
  ParserFactory make_parser_;
  std::string_view corpus_folder_;
  std::string_view fixture_folder_;
};

// The points of one metric at one level ("iter", "epoch", ...), in log order.
inline std::vector<const core::MetricPoint*> metric_points(const core::RunRecord& run,
                                                           std::string_view key,
                                                           std::string_view level) {
  std::vector<const core::MetricPoint*> out;
  for (const auto& m : run.metrics)
    if (m.key == key && m.level == level) out.push_back(&m);
  return out;
}

inline size_t count_warnings(const core::ParsedFile& pf) {
  return std::count_if(pf.diagnostics.begin(), pf.diagnostics.end(), [](const core::Diagnostic& d) {
    return d.severity == core::Severity::kWarning;
  });
}

// The first warning about `line`, nullptr when there is none.
inline const core::Diagnostic* warning_at(const core::ParsedFile& pf, int64_t line) {
  for (const auto& d : pf.diagnostics)
    if (d.severity == core::Severity::kWarning && d.line == line) return &d;
  return nullptr;
}

// Any diagnostic, of any severity, about `line`.
inline bool has_diagnostic_at(const core::ParsedFile& pf, int64_t line) {
  return std::any_of(pf.diagnostics.begin(), pf.diagnostics.end(),
                     [&](const core::Diagnostic& d) { return d.line == line; });
}

}  // namespace rn50::testing
