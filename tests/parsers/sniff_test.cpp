// Content sniffing across all formats: every real log and every fixture goes to its parser, and
// the files that are not logs (READMEs, system descriptions, summarizer output, binaries) go to
// none.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "core/file_util.h"
#include "parsers/registry.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

namespace fs = std::filesystem;
using rn50::testing::corpus_dir;
using rn50::testing::fixtures_dir;

// "" = must sniff to nothing.
std::string sniffed(const fs::path& p) {
  const Parser* parser = sniff_format(core::read_file(p));
  return parser ? std::string(parser->name()) : std::string();
}

TEST(Sniff, CorpusFiles) {
  RN50_REQUIRE_CORPUS();
  const std::map<std::string, std::string> expected = {
      {"EXPECTED.md", ""},
      {"ngc-stdout/airank/GPUx1_accuracy.log", "ngc-dllogger-stdout"},
      {"ngc-stdout/airank/GPUx1_time2train_ips.log", "ngc-dllogger-stdout"},
      {"ngc-stdout/airank/GPUx8_time2train_ips.log", "ngc-dllogger-stdout"},
      {"ngc-stdout/airank/GPUx32_time2train_ips.log", "ngc-dllogger-stdout"},
      {"ngc-stdout/airank/README.md", ""},
      {"ngc-stdout/dlperf/ngc_pytorch_2n8g_r50_b128_fp32_5.excerpt.log", "ngc-dllogger-stdout"},
      {"ngc-stdout/dlperf/extract_pytorch_logs_time.output.txt", ""},
      {"ngc-dllogger-json/example_resnet_log.json", "ngc-dllogger-json"},
      {"ngc-dllogger-json/zeyuanyin_experiment_raport.json", "ngc-dllogger-json"},
      {"ngc-dllogger-json/example_stdout_log.txt", "ngc-dllogger-stdout"},
      {"pytorch-examples/tfboyd/worker_0_stdout.2019_progressmeter.txt", "pytorch-examples"},
      {"pytorch-examples/tfboyd/worker_0_stdout.2018_prec_format.txt", "pytorch-examples"},
      {"pytorch-examples/dlperf/pytorch_examples_dali_2n8g.excerpt.log", "pytorch-examples"},
      {"pytorch-examples/dlperf/pytorch_examples_dali_4n8g.excerpt.log", "pytorch-examples"},
      {"pytorch-examples/dlperf/extract_pytorch_logs_time.output.txt", ""},
      {"pytorch-examples/eval/s3_shift_resnet50_eval.excerpt.log", "pytorch-examples"},
      {"mlperf/v0.6-nvidia-dgx1/result_0.txt", "mlperf"},
      {"mlperf/v0.6-nvidia-dgx1/system_dgx1_ngc19.05_mxnet.json", ""},
      {"mlperf/v1.0-google-tpuv4-128/packager_and_summarizer.log", ""},
      {"mlperf/v1.0-google-tpuv4-128/system_tpu-v4-128-TF.json", ""},
      {"mlperf/v1.0-nvidia-dgxa100/system_dgxa100_ngc21.05_mxnet.json", ""},
  };
  std::set<std::string> seen;
  for (const auto& entry : fs::recursive_directory_iterator(corpus_dir())) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), corpus_dir()).generic_string();
    std::string want;
    if (auto it = expected.find(rel); it != expected.end()) {
      want = it->second;
    } else if (rel.starts_with("mlperf/") &&
               entry.path().filename().string().starts_with("result_")) {
      want = "mlperf";
    } else {
      ADD_FAILURE() << "corpus file without an expectation here: " << rel;
      continue;
    }
    seen.insert(rel);
    EXPECT_EQ(sniffed(entry.path()), want) << rel;
  }
  for (const auto& [rel, want] : expected) EXPECT_TRUE(seen.count(rel)) << "missing " << rel;
}

TEST(Sniff, FixtureFolders) {
  // Fixture folder -> format; files listed as exceptions are deliberately not that format.
  const std::map<std::string, std::string> folder_format = {
      {"ngc", ""},  // decided per file below (stdout and JSON fixtures share the folder)
      {"pytorch-examples", "pytorch-examples"},
      {"mlperf", "mlperf"},
      {"enflame", "enflame-report"},
      {"native", "rn50-native"},
  };
  const std::map<std::string, std::string> exceptions = {
      {"mlperf/system_todo_counts.json", ""},
  };
  int checked = 0;
  for (const auto& [folder, format] : folder_format) {
    const fs::path dir = fixtures_dir() / folder;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      const std::string rel = fs::relative(entry.path(), fixtures_dir()).generic_string();
      std::string want = format;
      if (auto it = exceptions.find(rel); it != exceptions.end()) {
        want = it->second;
      } else if (folder == "ngc") {
        want = entry.path().extension() == ".json" ? "ngc-dllogger-json" : "ngc-dllogger-stdout";
      }
      EXPECT_EQ(sniffed(entry.path()), want) << rel;
      ++checked;
    }
  }
  EXPECT_GE(checked, 14);  // at least this helper's own fixtures
}

TEST(Sniff, NonLogs) {
  EXPECT_EQ(sniff_format(""), nullptr);
  EXPECT_EQ(sniff_format("\n\n\n"), nullptr);
  EXPECT_EQ(sniff_format("hello world\nthis is not a training log\n"), nullptr);
  EXPECT_EQ(sniff_format("{\"a\": 1, \"b\": [1, 2, 3]}"), nullptr);
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    std::string garbage(4096, '\0');
    for (char& c : garbage) c = static_cast<char>(rng() & 0xFF);
    EXPECT_EQ(sniff_format(garbage), nullptr) << "round " << round;
  }
  // Binary noise around a valid-looking line is still binary.
  std::string mixed(2048, '\0');
  mixed += ":::MLLOG {\"time_ms\": 1, \"key\": \"run_start\", \"value\": null, \"metadata\": {}}\n";
  EXPECT_EQ(sniff_format(mixed), nullptr);
}

TEST(Sniff, SourceTreeDocsAreNotLogs) {
  for (const char* rel : {"README.md", "docs/definitions.md", "CMakeLists.txt"}) {
    const fs::path p = rn50::testing::source_dir() / rel;
    if (!fs::exists(p)) continue;
    EXPECT_EQ(sniffed(p), "") << rel;
  }
}

}  // namespace
}  // namespace rn50::parsers
