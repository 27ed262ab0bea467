// Every prefix of every fixture and of the small corpus files must parse without throwing or
// crashing: logs are read while they are still being written and are often cut mid-line.
// Cost is bounded: all offsets for small files; for larger ones every offset of the first and
// last 2 KB (where headers and cut-off tails are) plus evenly spaced offsets in between.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "parsers/registry.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

namespace fs = std::filesystem;

// The machine running the suite may be shared, so the budget is a few CPU seconds in total.
constexpr size_t kEveryOffsetBelow = 8 * 1024;   // sniffed parser: every byte offset
constexpr size_t kHeadTail = 2048;               // larger files: every offset at both ends ...
constexpr size_t kMiddleSamples = 600;           // ... plus this many evenly spaced in between
constexpr size_t kAllParsersEveryOffset = 1024;  // every parser: every offset below this size
constexpr size_t kAllParsersHeadTail = 128;
constexpr size_t kAllParsersSamples = 150;
constexpr uintmax_t kCorpusMaxBytes = 50 * 1024;

std::vector<fs::path> files_under_test() {
  std::vector<fs::path> out;
  for (const char* folder :
       {"ngc", "pytorch-examples", "mlperf", "enflame", "native", "enflame-console",
        "torchvision-references", "timm", "tf-cnn-benchmarks"}) {
    const fs::path dir = rn50::testing::fixtures_dir() / folder;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(e.path());
  }
  if (fs::is_directory(rn50::testing::corpus_dir())) {
    for (const auto& e : fs::recursive_directory_iterator(rn50::testing::corpus_dir()))
      if (e.is_regular_file() && e.file_size() < kCorpusMaxBytes) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<size_t> offsets(size_t size, size_t dense_below, size_t head_tail, size_t samples) {
  std::set<size_t> s;
  if (size <= dense_below) {
    for (size_t i = 0; i <= size; ++i) s.insert(i);
  } else {
    for (size_t i = 0; i <= head_tail; ++i) {
      s.insert(i);
      s.insert(size - i);
    }
    const size_t stride = std::max<size_t>(1, (size - 2 * head_tail) / samples);
    for (size_t i = head_tail; i < size - head_tail; i += stride) s.insert(i);
  }
  return {s.begin(), s.end()};
}

int64_t count_lines(std::string_view s) {
  return static_cast<int64_t>(std::count(s.begin(), s.end(), '\n')) + 1;
}

// Checks one parse of one prefix; returns a description of the problem or "".
std::string check(const Parser& p, std::string_view prefix) {
  core::ParsedFile f;
  try {
    f = p.parse(prefix, core::DeriveOptions{});
  } catch (const std::exception& e) {
    return std::string("threw: ") + e.what();
  } catch (...) {
    return "threw a non-std exception";
  }
  const int64_t lines = count_lines(prefix);
  for (const auto& d : f.diagnostics)
    if (d.line < 0 || d.line > lines)
      return "diagnostic line " + std::to_string(d.line) + " beyond " + std::to_string(lines) +
             " lines: " + d.message;
  for (const auto& r : f.runs) {
    for (const auto& v : {r.derived.total_ips, r.derived.compute_ips, r.derived.wall_time_s,
                          r.derived.time_to_target_s})
      if (v && std::isnan(*v)) return "NaN in derived values";
  }
  return {};
}

TEST(Truncate, EveryPrefixParsesWithoutThrowing) {
  RN50_REQUIRE_CORPUS();
  const auto files = files_under_test();
  ASSERT_GE(files.size(), 20u);
  size_t parses = 0;
  for (const auto& path : files) {
    const std::string content = core::read_file(path);
    const std::string_view all(content);
    const Parser* sniffed = sniff_format(all);
    const std::string name = path.filename().string();
    int failures = 0;

    if (sniffed) {
      for (size_t off : offsets(all.size(), kEveryOffsetBelow, kHeadTail, kMiddleSamples)) {
        std::string problem = check(*sniffed, all.substr(0, off));
        ++parses;
        if (!problem.empty() && ++failures <= 3)
          ADD_FAILURE() << path << " prefix " << off << " with " << sniffed->name() << ": "
                        << problem;
      }
    }
    // Every parser, also the wrong ones, on a sample of prefixes (and sniffing them).
    for (size_t off :
         offsets(all.size(), kAllParsersEveryOffset, kAllParsersHeadTail, kAllParsersSamples)) {
      const std::string_view prefix = all.substr(0, off);
      try {
        (void)sniff_format(prefix);
      } catch (const std::exception& e) {
        ADD_FAILURE() << path << " prefix " << off << ": sniff threw " << e.what();
      }
      for (const Parser* p : all_parsers()) {
        if (p == sniffed) continue;
        std::string problem = check(*p, prefix);
        ++parses;
        if (!problem.empty() && ++failures <= 3)
          ADD_FAILURE() << path << " prefix " << off << " with " << p->name() << ": " << problem;
      }
    }
    if (failures > 3) ADD_FAILURE() << name << ": " << failures - 3 << " more failing prefixes";
  }
  RecordProperty("parses", static_cast<int>(parses));
}

}  // namespace
}  // namespace rn50::parsers
