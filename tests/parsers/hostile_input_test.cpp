// Values no real run has (a world size of 0, epochs of 1e300, wrong JSON types) and lines longer
// than the input's limit: each becomes a diagnostic naming the line and the key, never a crash,
// undefined behaviour, a garbage integer in the run or a library's exception text.
#include <gtest/gtest.h>

#include <string>

#include "core/metric_sink.h"
#include "parser_test_util.h"
#include "parsers/parser.h"
#include "parsers/registry.h"

namespace rn50::parsers {
namespace {

const core::Diagnostic* find_diag(const core::ParsedFile& pf, std::string_view needle) {
  for (const auto& d : pf.diagnostics)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

void expect_no_library_text(const core::ParsedFile& pf) {
  for (const auto& d : pf.diagnostics) {
    EXPECT_EQ(d.message.find("[json.exception"), std::string::npos) << d.message;
    EXPECT_EQ(d.message.find("type_error"), std::string::npos) << d.message;
  }
}

std::string native_header(const std::string& world_size) {
  return R"({"type":"header","schema":"rn50-native-log","version":1,"config":{"batch_size":32},)"
         R"("global_batch":64,"world_size":)" +
         world_size + "}\n";
}

// Issue 10 item 1: a 160-byte native log whose header says "world_size":0 killed ingest with
// SIGFPE (global_batch % world_size in core/derive.cpp).
TEST(HostileInput, NativeWorldSizeZeroNegativeOrAbsurdIsADiagnostic) {
  for (const std::string ws : {"0", "-4", "1e300", "4611686018427387904", "2.5", "\"8\"", "null"}) {
    SCOPED_TRACE(ws);
    const auto pf = make_native_log_parser()->parse(
        native_header(ws) + R"({"type":"event","key":"run_start","time":1.0})"
                            "\n",
        {});
    ASSERT_EQ(pf.runs.size(), 1u);
    const auto& r = pf.runs[0];
    EXPECT_FALSE(r.world_size.known());
    EXPECT_EQ(*r.global_batch.value, 64);
    EXPECT_EQ(*r.batch_per_device.value, 32);
    if (ws != "null") {
      const auto* d = find_diag(pf, "world_size");
      ASSERT_NE(d, nullptr);
      EXPECT_EQ(d->line, 1);
      EXPECT_EQ(d->severity, core::Severity::kError);
    }
    expect_no_library_text(pf);
  }
  // With the user's world size the run is whole again.
  core::DeriveOptions opt;
  opt.sets["world_size"] = "2";
  const auto pf = make_native_log_parser()->parse(native_header("0"), opt);
  EXPECT_EQ(*pf.runs.at(0).world_size.value, 2);
}

// Issue 10 item 5: out-of-range float -> int64 conversions and library exceptions.
TEST(HostileInput, NativeLogFieldsOfTheWrongTypeOrRange) {
  const std::string header = native_header("2");
  const struct {
    std::string line;
    std::string_view needle;
  } cases[] = {
      {R"({"type":"train_step","epoch":1e300,"step":2,"interval_steps":2,"images":1,"seconds":1,"data_seconds":0})",
       "epoch"},
      {R"({"type":"train_step","epoch":0,"step":-5,"interval_steps":2,"images":1,"seconds":1,"data_seconds":0})",
       "step"},
      {R"({"type":"train_step","epoch":0,"step":2,"interval_steps":1e20,"images":1,"seconds":1,"data_seconds":0})",
       "interval_steps"},
      {R"({"type":"train_step","epoch":0,"step":2,"interval_steps":2,"images":"x","seconds":1,"data_seconds":0})",
       "images"},
      {R"({"type":"eval","epoch":"zero","n":1,"correct1":1,"correct5":1})", "epoch"},
      {R"({"type":"eval","epoch":0,"n":[1],"correct1":1,"correct5":1})", "n"},
      {R"({"type":7})", "type"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const auto pf = make_native_log_parser()->parse(header + c.line + "\n", {});
    ASSERT_EQ(pf.runs.size(), 1u);
    const auto* d = find_diag(pf, c.needle);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->line, 2);
    EXPECT_TRUE(pf.runs[0].metrics.empty());
    EXPECT_TRUE(pf.runs[0].epochs.empty());
    expect_no_library_text(pf);
  }
  // Wrong types in the header and in events were library exceptions (value(), get<>()).
  for (
      const std::string& text :
      {std::string(R"({"type":"header","schema":5,"version":1})"),
       std::string(R"({"type":"header","schema":"rn50-native-log","version":"1"})"),
       std::string(
           R"({"type":"header","schema":"rn50-native-log","version":1,"config":{"batch_size":"x","epochs":1e300,"precision":7,"run_name":[1]}})"),
       header + R"({"type":"event","key":5,"metadata":"x"})",
       header + R"({"type":"event","key":"run_stop","metadata":{"status":9}})"}) {
    SCOPED_TRACE(text);
    const auto pf = make_native_log_parser()->parse(text, {});
    expect_no_library_text(pf);
    if (text.find("\"x\",\"epochs\"") != std::string::npos) {
      ASSERT_EQ(pf.runs.size(), 1u);
      EXPECT_FALSE(pf.runs[0].batch_per_device.known());
      EXPECT_FALSE(pf.runs[0].epochs_planned.known());
      EXPECT_NE(find_diag(pf, "config.batch_size"), nullptr);
      EXPECT_NE(find_diag(pf, "config.epochs"), nullptr);
    }
  }
}

TEST(HostileInput, NgcJsonStepBeyondInt64) {
  const auto pf = make_ngc_json_parser()->parse(
      R"(DLLL {"timestamp": "1.5", "type": "LOG", "step": [0, 1], "data": {"train.loss": 1.0}})"
      "\n"
      R"(DLLL {"timestamp": "2.5", "type": "LOG", "step": [99999999999999999999, 1], "data": {"train.loss": 2.0}})"
      "\n"
      R"(DLLL {"timestamp": "3.5", "type": "LOG", "step": [0, -3], "data": {"train.loss": 3.0}})"
      "\n"
      R"(DLLL {"timestamp": "4.5", "type": "LOG", "step": [0, 2], "data": {"train.loss": 1e999}})"
      "\n",
      {});
  ASSERT_EQ(pf.runs.size(), 1u);
  EXPECT_EQ(testing::metric_points(pf.runs[0], "train.loss", "iter").size(), 1u);
  const auto* big = testing::warning_at(pf, 2);
  ASSERT_NE(big, nullptr);
  EXPECT_NE(big->message.find("\"step\""), std::string::npos) << big->message;
  EXPECT_NE(big->message.find("out of range"), std::string::npos) << big->message;
  EXPECT_NE(testing::warning_at(pf, 3), nullptr);
  EXPECT_NE(find_diag(pf, "NaN/Infinity metric value(s) skipped"), nullptr);  // 1e999
}

TEST(HostileInput, MlperfEpochsAndBatchOutOfRange) {
  const std::string pre = R"(:::MLLOG {"namespace": "", "time_ms": 1000, "key": )";
  const auto pf = make_mlperf_parser()->parse(
      pre +
          R"("global_batch_size", "value": 1e300, "metadata": {}})"
          "\n" +
          pre +
          R"("train_samples", "value": 100, "metadata": {}})"
          "\n" +
          pre +
          R"("epoch_start", "value": null, "metadata": {"epoch_num": 1e300}})"
          "\n" +
          pre +
          R"("eval_accuracy", "value": 0.5, "metadata": {"epoch_num": -1e300}})"
          "\n" +
          pre +
          R"("eval_accuracy", "value": NaN, "metadata": {"epoch_num": 1}})"
          "\n" +
          pre +
          R"("throughput", "value": 100, "metadata": {"epoch_num": NaN}})"
          "\n" +
          pre +
          R"("tracked_stats", "value": {"throughput": 5}, "metadata": {"step": 1e200}})"
          "\n",
      {});
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_FALSE(r.global_batch.known());
  EXPECT_TRUE(r.epochs.empty());
  EXPECT_TRUE(r.metrics.empty());
  EXPECT_FALSE(r.epochs_completed.has_value());
  EXPECT_EQ(find_diag(pf, "global_batch_size")->line, 1);
  EXPECT_EQ(find_diag(pf, "epoch_num 1e+300")->line, 3);
  EXPECT_EQ(find_diag(pf, "epoch_num -1e+300")->line, 4);
  EXPECT_NE(testing::warning_at(pf, 5), nullptr);  // NaN accuracy
}

TEST(HostileInput, EnflameReportCountsOutOfRange) {
  const auto pf = make_enflame_report_parser()->parse(
      "{\n\"batch_size\": 1e300,\n\"epochs\": -3,\n\"acc1_best\": 75.0,\n\"train_fps_mean\": 10,\n"
      "\"epochs_completed\": 1e19,\n\"world_size\": 0,\n\"target_epoch\": 1e300,\n"
      "\"time_to_target_s\": 5,\n\"target_top1\": 75.9\n}",
      {});
  ASSERT_EQ(pf.runs.size(), 1u);
  const auto& r = pf.runs[0];
  EXPECT_FALSE(r.batch_per_device.known());
  EXPECT_FALSE(r.epochs_planned.known());
  EXPECT_FALSE(r.world_size.known());
  EXPECT_FALSE(r.epochs_completed.has_value());
  EXPECT_FALSE(r.derived.target_epoch.has_value());
  for (const auto& [key, line] : {std::pair<std::string, int64_t>{"batch_size", 2},
                                  {"epochs", 3},
                                  {"epochs_completed", 6},
                                  {"world_size", 7},
                                  {"target_epoch", 8}}) {
    const auto* d = find_diag(pf, key + ":");
    ASSERT_NE(d, nullptr) << key;
    EXPECT_EQ(d->line, line) << key;
  }
  expect_no_library_text(pf);
  const auto bad = make_enflame_report_parser()->parse("{\"acc1_best\": 1,", {});
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  expect_no_library_text(bad);
}

// Issue 10 item 7: a single endless line made an empty, silent run. A line over the input's limit
// is skipped with a diagnostic naming it, and the lines after it are parsed as usual.
core::ParsedFile parse_limited(const Parser& p, std::string_view text, size_t max_line) {
  TextLimits limits;
  limits.max_line_bytes = max_line;
  TextInput in = TextInput::from_memory(text, limits);
  core::ParsedFile out;
  core::CollectingSink sink(out.runs);
  p.parse(in, out, sink, {});
  out.diagnostics.insert(out.diagnostics.begin(), in.diagnostics().begin(), in.diagnostics().end());
  return out;
}

TEST(HostileInput, OverLongLineIsSkippedAndTheRestParsed) {
  RN50_REQUIRE_CORPUS();
  const std::string fixtures = rn50::testing::fixtures_dir().string();
  const std::string corpus = rn50::testing::corpus_dir().string();
  for (const std::string& path :
       {fixtures + "/ngc/current_dle.log", fixtures + "/ngc/current_dle.json",
        fixtures + "/pytorch-examples/post2022_two_epochs.log",
        corpus + "/mlperf/v1.0-nvidia-dgxa100/result_0.txt", fixtures + "/native/interrupted.jsonl",
        corpus + "/enflame-console/enflame_train_resnet50_1proc_2ep.log",
        corpus + "/torchvision-references/tvref_resnet18_2ep_b32.log",
        corpus + "/timm/summary_res50_100.csv",
        corpus + "/tf-cnn-benchmarks/"
                 "3970X-Radeon-VII-Pro-PCIEGen3__syn-replicated-fp16-2gpus__resnet50-192.log"}) {
    SCOPED_TRACE(path);
    const std::string text = core::read_file(path);
    const Parser* p = sniff_format(text);
    ASSERT_NE(p, nullptr);
    // The longest line of the file fits; a line of junk four times as long goes in at line 4.
    size_t longest = 0, start = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      longest = std::max(longest, nl - start);
      start = nl + 1;
    }
    size_t at = 0;
    for (int i = 0; i < 3; ++i) at = text.find('\n', at) + 1;
    std::string with_junk = text;
    with_junk.insert(at, std::string(4 * longest + 4, 'x') + "\n");
    const auto plain = parse_limited(*p, text, longest + 1);
    const auto junk = parse_limited(*p, with_junk, longest + 1);
    ASSERT_EQ(junk.runs.size(), plain.runs.size());
    ASSERT_FALSE(junk.runs.empty());
    ASSERT_FALSE(junk.diagnostics.empty());
    EXPECT_EQ(junk.diagnostics[0].line, 4);
    EXPECT_NE(junk.diagnostics[0].message.find("longer than the limit"), std::string::npos);
    for (size_t i = 0; i < plain.runs.size(); ++i) {
      EXPECT_EQ(junk.runs[i].metrics.size(), plain.runs[i].metrics.size());
      EXPECT_EQ(junk.runs[i].epochs.size(), plain.runs[i].epochs.size());
      EXPECT_EQ(junk.runs[i].status, plain.runs[i].status);
      EXPECT_EQ(junk.runs[i].derived.total_ips, plain.runs[i].derived.total_ips);
      EXPECT_EQ(junk.runs[i].derived.best_top1, plain.runs[i].derived.best_top1);
    }
  }
}

}  // namespace
}  // namespace rn50::parsers
