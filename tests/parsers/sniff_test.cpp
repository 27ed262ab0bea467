// Content sniffing across all formats: every real log and every fixture goes to its parser, and
// the files that are not logs (READMEs, system descriptions, summarizer output, binaries) go to
// none.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

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

// Every parser that claims the file at all (score > 0), with its score.
std::map<std::string, int> claims(const fs::path& p) {
  const std::string content = core::read_file(p);
  const std::string_view head = std::string_view(content).substr(0, 256 * 1024);
  std::map<std::string, int> out;
  for (const Parser* parser : all_parsers())
    if (int s = parser->sniff(head); s > 0) out[std::string(parser->name())] = s;
  return out;
}

// The format each corpus file is in ("" = not a log), nullopt for a file this test does not know.
std::optional<std::string> corpus_expectation(const std::string& rel) {
  static const std::map<std::string, std::string> expected = {
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
      {"enflame-console/EXPECTED.md", ""},
      {"enflame-console/enflame_train_resnet50_1proc_2ep.log", "enflame-console"},
      {"torchvision-references/EXPECTED.md", ""},
      {"torchvision-references/tvref_resnet18_2ep_b32.log", "torchvision-references"},
      {"torchvision-references/tvref_resnet18_2rank_torchrun_tee.log", "torchvision-references"},
      {"torchvision-references/tvref_resnet18_interrupted_epoch1.log", "torchvision-references"},
      {"timm/EXPECTED.md", ""},
      {"timm/summary_res50_100.csv", "timm"},
      {"timm/summary_res50_200.csv", "timm"},
      {"timm/args_res50_100.yaml", ""},
      {"timm/args_res50_200.yaml", ""},
      {"tf-cnn-benchmarks/EXPECTED.md", ""},
      {"tf-cnn-benchmarks/"
       "3970X-Radeon-VII-Pro-PCIEGen3__syn-replicated-fp16-2gpus__resnet50-192.log",
       "tf-cnn-benchmarks"},
      {"tf-cnn-benchmarks/7502-A100-PCIE-40GB__syn-replicated-fp16-2gpus__resnet50-448.log",
       "tf-cnn-benchmarks"},
  };
  if (auto it = expected.find(rel); it != expected.end()) return it->second;
  const std::string name = fs::path(rel).filename().string();
  if (rel.starts_with("mlperf/") && name.starts_with("result_")) return "mlperf";
  // An MLPerf results tree: result_<n>.txt are logs; system descriptions (systems/*.json),
  // scaling.json, the summarizer's tables (*.tsv) and EXPECTED.md are not.
  if (rel.starts_with("mlperf-tree-v2.1/")) {
    if (name.starts_with("result_") && name.ends_with(".txt")) return "mlperf";
    if (name.ends_with(".json") || name.ends_with(".tsv") || name == "EXPECTED.md") return "";
  }
  return std::nullopt;
}

// Fixture folder -> format; files listed as exceptions are deliberately not that format.
std::optional<std::string> fixture_expectation(const std::string& rel) {
  static const std::map<std::string, std::string> folder_format = {
      {"pytorch-examples", "pytorch-examples"},
      {"mlperf", "mlperf"},
      {"enflame", "enflame-report"},
      {"native", "rn50-native"},
      {"enflame-console", "enflame-console"},
      {"torchvision-references", "torchvision-references"},
      {"timm", "timm"},
      {"tf-cnn-benchmarks", "tf-cnn-benchmarks"},
  };
  static const std::map<std::string, std::string> exceptions = {
      {"mlperf/system_todo_counts.json", ""},
      {"enflame-console/make_fixtures.py", ""},
      {"timm/args.yaml", ""},
  };
  if (auto it = exceptions.find(rel); it != exceptions.end()) return it->second;
  const std::string folder = rel.substr(0, rel.find('/'));
  if (folder == "ngc")  // stdout and JSON fixtures share the folder
    return fs::path(rel).extension() == ".json" ? "ngc-dllogger-json" : "ngc-dllogger-stdout";
  if (auto it = folder_format.find(folder); it != folder_format.end()) return it->second;
  return std::nullopt;
}

const char* kLogFixtureFolders[] = {"ngc",
                                    "pytorch-examples",
                                    "mlperf",
                                    "enflame",
                                    "native",
                                    "enflame-console",
                                    "torchvision-references",
                                    "timm",
                                    "tf-cnn-benchmarks"};

TEST(Sniff, CorpusFiles) {
  RN50_REQUIRE_CORPUS();
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(corpus_dir())) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), corpus_dir()).generic_string();
    const auto want = corpus_expectation(rel);
    if (!want) {
      ADD_FAILURE() << "corpus file without an expectation here: " << rel;
      continue;
    }
    EXPECT_EQ(sniffed(entry.path()), *want) << rel;
    ++checked;
  }
  EXPECT_GE(checked, 170);  // the corpus as this test knows it
}

TEST(Sniff, FixtureFolders) {
  int checked = 0;
  for (const char* folder : kLogFixtureFolders) {
    const fs::path dir = fixtures_dir() / folder;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      const std::string rel = fs::relative(entry.path(), fixtures_dir()).generic_string();
      const auto want = fixture_expectation(rel);
      ASSERT_TRUE(want) << rel;
      EXPECT_EQ(sniffed(entry.path()), *want) << rel;
      ++checked;
    }
  }
  EXPECT_GE(checked, 35);
}

// Sniffing never claims another format's file: of all parsers, only the file's own gives it a
// score, and every other parser gives it 0.
TEST(Sniff, NoParserClaimsAnotherFormatsFile) {
  RN50_REQUIRE_CORPUS();
  // Known overlap, decided by the scores: a DLLL file whose JSON carries stdout-style DLL lines.
  const std::set<std::string> both_ngc = {"ngc/nan_truncated.json"};
  std::vector<std::pair<fs::path, std::string>> files;
  for (const auto& entry : fs::recursive_directory_iterator(corpus_dir()))
    if (entry.is_regular_file())
      if (auto want = corpus_expectation(fs::relative(entry.path(), corpus_dir()).generic_string()))
        files.emplace_back(entry.path(), *want);
  for (const char* folder : kLogFixtureFolders)
    for (const auto& entry : fs::recursive_directory_iterator(fixtures_dir() / folder))
      if (entry.is_regular_file())
        if (auto want =
                fixture_expectation(fs::relative(entry.path(), fixtures_dir()).generic_string()))
          files.emplace_back(entry.path(), *want);
  ASSERT_GE(files.size(), 200u);
  for (const auto& [path, want] : files) {
    const auto c = claims(path);
    const std::string rel = fs::relative(path, fixtures_dir()).generic_string();
    for (const auto& [name, score] : c) {
      if (name == want) continue;
      if (both_ngc.count(rel) && name == "ngc-dllogger-stdout") continue;
      ADD_FAILURE() << path << " (" << (want.empty() ? "no log" : want) << ") is claimed by "
                    << name << " with " << score;
    }
  }
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
