// NGC dllogger JSON (`DLLL {...}`) parser: the dllogger example and an interrupted 2023 raport
// (numbers from corpus/EXPECTED.md), plus fixtures for NaN, half-written lines and the same run
// logged through both backends.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "core/file_util.h"
#include "parser_test_util.h"
#include "parsers/ngc_json_record.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::ParsedFile;
using core::RunRecord;
using core::Source;

using testing::count_warnings;
using testing::metric_points;
using testing::warning_at;

constexpr testing::FormatUnderTest kNgcJson(make_ngc_json_parser, "", "ngc");

TEST(NgcJsonCorpus, DlloggerExample2019Variant) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcJson.parse_corpus("ngc-dllogger-json/example_resnet_log.json");
  EXPECT_EQ(pf.format, "ngc-dllogger-json");
  EXPECT_EQ(pf.parser_version, "2");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.source_format, "ngc-dllogger-json");
  EXPECT_EQ(r.status, core::RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 1);
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(*r.global_batch.value, 128);
  EXPECT_EQ(*r.epochs_planned.value, 2);
  // JSON scalars are stored as Python str() would print them, like the stdout backend.
  EXPECT_EQ(r.find_param("fp16")->value, "False");
  EXPECT_EQ(r.find_param("seed")->value, "None");
  EXPECT_EQ(r.find_param("resume")->value, "");
  EXPECT_EQ(r.find_param("lr")->value, "0.1");
  EXPECT_EQ(r.find_param("data")->value, "/imagenet");

  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_NEAR(*r.epochs[0].total_ips, 648.93, 0.005);
  EXPECT_NEAR(*r.epochs[1].total_ips, 675.03, 0.005);
  EXPECT_NEAR(*r.epochs[0].lr, 0.1, 1e-12);  // 2019 `lr` key
  EXPECT_NEAR(*r.derived.summary_total_ips, 661.98, 0.005);
  EXPECT_NEAR(*r.derived.summary_compute_ips, 663.98, 0.005);
  EXPECT_EQ(*r.derived.summary_top1, 0.0);
  EXPECT_TRUE(metric_points(r, "lr", "iter").empty());

  // 2 epochs x 25 iterations, logged every 5 (5..20; 25 appears only in validation steps
  // [e, 25, v]); the two records per step are one iteration record.
  const auto loss = metric_points(r, "train.loss", "iter");
  ASSERT_EQ(loss.size(), 8u);
  EXPECT_EQ(*loss.front()->step, 5);
  EXPECT_EQ(*loss.back()->step, 20);
  EXPECT_EQ(*loss.back()->epoch, 1.0);
  EXPECT_EQ(*metric_points(r, "val.top1", "val_iter").back()->step, 20);  // [1, 25, 20]
  const auto lr = metric_points(r, "train.lr", "iter");
  ASSERT_EQ(lr.size(), 8u);
  EXPECT_EQ(*lr[0]->time, *loss[0]->time);  // merged: the first record's timestamp
  EXPECT_NEAR(*r.start_time, 1570716921.842053, 1e-6);
  EXPECT_NEAR(*r.end_time, 1570716934.289014, 1e-6);
  EXPECT_TRUE(r.derived.total_ips);
}

TEST(NgcJsonCorpus, InterruptedRaportIsIncomplete) {
  RN50_REQUIRE_CORPUS();
  const ParsedFile pf = kNgcJson.parse_corpus("ngc-dllogger-json/zeyuanyin_experiment_raport.json");
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 1u);  // two PARAMETER records, one run
  const RunRecord& r = pf.runs[0];
  EXPECT_NE(r.status, core::RunStatus::kFinished);
  EXPECT_EQ(r.status, core::RunStatus::kIncomplete);
  EXPECT_TRUE(r.epochs.empty());
  EXPECT_FALSE(r.end_time);
  EXPECT_EQ(r.find_param("model.conv_init")->value, "fan_in");
  EXPECT_EQ(r.find_param("world_size")->value, "1");
  EXPECT_EQ(*r.precision.value, "fp32");
  EXPECT_EQ(*r.global_batch.value, 64);

  const auto ips = metric_points(r, "train.total_ips", "iter");
  ASSERT_EQ(ips.size(), 752u);
  EXPECT_EQ(*ips.front()->step, 10);
  EXPECT_EQ(*ips.back()->step, 7520);
  std::vector<double> v;
  for (const auto* p : ips) v.push_back(p->value);
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  std::sort(v.begin(), v.end());
  const double median = (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;  // numpy, even count
  EXPECT_NEAR(mean, 221.5, 0.05);
  EXPECT_NEAR(median, 234.3, 0.05);
  EXPECT_EQ(metric_points(r, "train.grad_scale", "iter").size(), 752u);
  EXPECT_EQ(metric_points(r, "train.data_time", "iter").size(), 752u);

  // The logged iteration rates are means of per-iteration rates and overstate throughput when
  // data loading stalls; ours is images over wall time: 64 x 7510 / (t[7520] - t[10]).
  ASSERT_TRUE(r.derived.total_ips);
  EXPECT_NEAR(*r.derived.total_ips, 64.0 * 7510 / (1677510289.92217 - 1677505939.102134), 1e-6);
  EXPECT_LT(*r.derived.total_ips, 0.6 * mean);
  ASSERT_TRUE(r.derived.compute_ips);  // from iteration records (they carry compute_ips)
  EXPECT_NE(r.derived.compute_ips_definition.find("752 logged training iterations"),
            std::string::npos);
}

TEST(NgcJsonCorpus, SniffBeatsStdoutParser) {
  RN50_REQUIRE_CORPUS();
  const auto stdout_parser = make_ngc_stdout_parser();
  for (const char* rel : {"ngc-dllogger-json/example_resnet_log.json",
                          "ngc-dllogger-json/zeyuanyin_experiment_raport.json"}) {
    const std::string c = core::read_file(kNgcJson.corpus(rel));
    const std::string_view head = std::string_view(c).substr(0, 256 * 1024);
    EXPECT_GT(kNgcJson.sniff(head), stdout_parser->sniff(head)) << rel;
    EXPECT_GE(kNgcJson.sniff(head), 90) << rel;
    // A head cut inside the first record still sniffs.
    EXPECT_GE(kNgcJson.sniff(head.substr(0, 60)), 50) << rel;
  }
  for (const char* rel : {"EXPECTED.md", "ngc-dllogger-json/example_stdout_log.txt",
                          "ngc-stdout/airank/GPUx1_time2train_ips.log"}) {
    const std::string c = core::read_file(kNgcJson.corpus(rel));
    EXPECT_EQ(kNgcJson.sniff(c), 0) << rel;
  }
}

TEST(NgcJsonFixture, SameRunAsStdoutGivesSameNumbers) {
  const ParsedFile js = kNgcJson.parse_fixture("current_dle.json");
  const auto stdout_parser = make_ngc_stdout_parser();
  const ParsedFile so =
      stdout_parser->parse(core::read_file(kNgcJson.fixture("current_dle.log")), {});
  EXPECT_EQ(count_warnings(js), 0u);
  ASSERT_EQ(js.runs.size(), 1u);
  ASSERT_EQ(so.runs.size(), 1u);
  const RunRecord& a = js.runs[0];
  const RunRecord& b = so.runs[0];
  // Every PARAMETER value reads the same in both backends (Python str() rendering).
  ASSERT_EQ(a.params.size(), b.params.size());
  for (const auto& p : b.params) {
    const core::Param* q = a.find_param(p.key);
    ASSERT_NE(q, nullptr) << p.key;
    EXPECT_EQ(q->value, p.value) << p.key;
  }
  EXPECT_EQ(a.status, b.status);
  EXPECT_DOUBLE_EQ(*a.start_time, *b.start_time);
  EXPECT_DOUBLE_EQ(*a.end_time, *b.end_time);
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_EQ(a.epochs[i].top1, b.epochs[i].top1);
    EXPECT_EQ(a.epochs[i].top5, b.epochs[i].top5);
    EXPECT_EQ(a.epochs[i].lr, b.epochs[i].lr);
    EXPECT_EQ(a.epochs[i].total_ips, b.epochs[i].total_ips);
    EXPECT_EQ(a.epochs[i].compute_ips, b.epochs[i].compute_ips);
    EXPECT_NEAR(*a.epochs[i].time, *b.epochs[i].time, 1e-6);
  }
  EXPECT_NEAR(*a.derived.total_ips, *b.derived.total_ips, 1e-9);
  EXPECT_NEAR(*a.derived.total_ips, 64.0 * 40 / 20.5, 1e-6);
  EXPECT_NEAR(*a.derived.compute_ips, *b.derived.compute_ips, 1e-9);
  EXPECT_EQ(a.derived.summary_total_ips, b.derived.summary_total_ips);
  EXPECT_EQ(a.derived.summary_compute_ips, b.derived.summary_compute_ips);
  EXPECT_EQ(a.derived.summary_top1, b.derived.summary_top1);
  EXPECT_NEAR(*a.derived.wall_time_s, *b.derived.wall_time_s, 1e-6);
  EXPECT_EQ(a.derived.step_time_p90, b.derived.step_time_p90);
  EXPECT_EQ(metric_points(a, "train.loss", "iter").size(),
            metric_points(b, "train.loss", "iter").size());
  // JSON carries the VERBOSE iteration metrics the console leaves out.
  EXPECT_EQ(metric_points(a, "train.data_time", "iter").size(), 6u);
  EXPECT_EQ(metric_points(b, "train.data_time", "iter").size(), 0u);
}

TEST(NgcJsonFixture, NanInfinityAndHalfWrittenLastLine) {
  const ParsedFile pf = kNgcJson.parse_fixture("nan_truncated.json");
  ASSERT_EQ(pf.runs.size(), 1u);
  const RunRecord& r = pf.runs[0];
  EXPECT_EQ(r.status, core::RunStatus::kIncomplete);
  // Strings keep their NaN/Infinity text; only bare tokens become null.
  EXPECT_EQ(r.find_param("data")->value, "/data/NaN-Infinity dir");
  EXPECT_EQ(*r.world_size.value, 8);
  EXPECT_EQ(*r.global_batch.value, 2048);

  const auto* bad = warning_at(pf, 7);
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(bad->message.find("not valid JSON"), std::string::npos);
  const auto* last = warning_at(pf, 13);
  ASSERT_NE(last, nullptr);
  EXPECT_NE(last->message.find("half-written"), std::string::npos);
  const auto* nan = warning_at(pf, 8);
  ASSERT_NE(nan, nullptr);  // first record with NaN/Infinity, and first skipped value
  size_t nan_warnings = 0;
  for (const auto& d : pf.diagnostics)
    if (d.message.find("NaN/Infinity") != std::string::npos) ++nan_warnings;
  EXPECT_EQ(nan_warnings, 2u);
  EXPECT_EQ(count_warnings(pf), 4u);

  // Iterations 100..400 (the [rank0]: prefixed line counts; the stdout-style DLLL line does not).
  const auto loss = metric_points(r, "train.loss", "iter");
  ASSERT_EQ(loss.size(), 3u);  // 300 was NaN
  EXPECT_EQ(*loss.back()->step, 400);
  EXPECT_EQ(metric_points(r, "train.total_ips", "iter").size(), 3u);
  EXPECT_EQ(metric_points(r, "train.compute_ips", "iter").size(), 0u);
  EXPECT_EQ(metric_points(r, "train.lr", "iter").size(), 1u);
  EXPECT_NEAR(*r.derived.total_ips, 2048.0, 1e-6);

  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].key, "checkpoint");
  EXPECT_EQ(nlohmann::json::parse(r.events[0].value_json),
            nlohmann::json({{"path", "/ckpt/NaN-Infinity.pth"}}));
}

TEST(NgcJsonFixture, ConcatenatedRunsSplitAtParameter) {
  const std::string text =
      R"(DLLL {"timestamp": "100.0", "type": "LOG", "step": "PARAMETER", "data": {"batch_size": 32, "world_size": 2, "amp": false}}
DLLL {"timestamp": "100.1", "type": "LOG", "step": "PARAMETER", "data": {"model.num_classes": 1000}}
DLLL {"timestamp": "110.0", "type": "LOG", "step": [0, 10], "data": {"train.loss": 6.0}}
DLLL {"timestamp": "120.0", "type": "LOG", "step": [0, 20], "data": {"train.loss": 5.0}}
DLLL {"timestamp": "121.0", "type": "LOG", "step": [], "data": {"train.total_ips": 64.0, "val.top1": 1.5}}
DLLL {"timestamp": "200.0", "type": "LOG", "step": "PARAMETER", "data": {"batch_size": 16, "world_size": 1, "amp": true}}
DLLL {"timestamp": "210.0", "type": "LOG", "step": [0, 10], "data": {"train.loss": 7.0}}
)";
  const ParsedFile pf = kNgcJson.parse_text(text);
  EXPECT_EQ(count_warnings(pf), 0u);
  ASSERT_EQ(pf.runs.size(), 2u);
  EXPECT_EQ(pf.runs[0].run_key, "");
  EXPECT_EQ(pf.runs[1].run_key, "run2");
  EXPECT_EQ(pf.runs[0].status, core::RunStatus::kFinished);
  EXPECT_EQ(pf.runs[1].status, core::RunStatus::kIncomplete);
  EXPECT_EQ(pf.runs[0].find_param("model.num_classes")->value, "1000");
  EXPECT_EQ(pf.runs[1].find_param("model.num_classes"), nullptr);
  EXPECT_EQ(*pf.runs[0].global_batch.value, 64);
  EXPECT_NEAR(*pf.runs[0].derived.total_ips, 64.0, 1e-9);  // 64 x 10 / 10 s
  EXPECT_NEAR(*pf.runs[0].derived.summary_top1, 1.5, 1e-12);
  EXPECT_NEAR(*pf.runs[0].derived.wall_time_s, 11.0, 1e-9);
  EXPECT_EQ(*pf.runs[1].precision.value, "amp");
  EXPECT_DOUBLE_EQ(*pf.runs[1].start_time, 210.0);
}

TEST(NgcJsonFixture, BadRecordsAreDiagnostics) {
  const std::string text =
      "DLLL [1, 2]\n"
      "DLLL {\"type\": \"LOG\", \"step\": [0, 1], \"data\": {\"train.loss\": 1}}\n"
      "DLLL {\"timestamp\": \"5\", \"step\": [0, 1], \"data\": {}}\n"
      "DLLL {\"timestamp\": \"5\", \"type\": \"LOG\", \"step\": {\"e\": 1}, \"data\": {}}\n"
      "DLLL {\"timestamp\": \"5\", \"type\": \"LOG\", \"step\": [0, 2], \"data\": [1]}\n"
      "DLLL {\"timestamp\": \"5\", \"type\": \"LOG\", \"step\": [0, 1.5, 2, 3], \"data\": {}}\n"
      "DLLL {\"timestamp\": \"6\", \"type\": \"FUTURE\", \"whatever\": 1}\n"
      "DLLL \"just a string\"\n";
  const ParsedFile pf = kNgcJson.parse_text(text);
  // Line 1 and 8 are not objects after DLLL: not records at all; line 2 has no timestamp but
  // is still a record; lines 3-6 are malformed; line 7 is an unknown record type (ignored).
  for (int64_t line : {2, 3, 4, 5, 6}) EXPECT_NE(warning_at(pf, line), nullptr) << line;
  EXPECT_EQ(count_warnings(pf), 5u);
  ASSERT_EQ(pf.runs.size(), 1u);
  EXPECT_EQ(metric_points(pf.runs[0], "train.loss", "iter").size(), 1u);
  EXPECT_FALSE(pf.runs[0].start_time);
}

TEST(NgcJsonFixture, EveryPrefixParses) {
  const std::string c = core::read_file(kNgcJson.fixture("nan_truncated.json"));
  for (size_t n = 0; n <= c.size(); n += 5)
    EXPECT_NO_THROW(kNgcJson.parse_text(std::string_view(c).substr(0, n)));
}

}  // namespace
}  // namespace rn50::parsers

namespace rn50::parsers::ngc {
namespace {

TEST(NgcJsonRecordReader, EscapesUnicodeAndNonJsonNumbers) {
  DlllRecordReader reader;
  DlllRecord rec;
  std::string err;
  ASSERT_TRUE(reader.read(
      R"( {"type": "LOG", "step": ["Calibration", 3], "data": {"a\"b": "x\\y\u00e9\ud83d\ude00",
      "n": -1.5e3, "i": 7, "nan": NaN, "inf": -Infinity, "t": true, "z": null, "l": [1, {"k": []}]}} )",
      rec, err))
      << err;
  ASSERT_EQ(rec.data.size(), 8u);
  EXPECT_EQ(rec.data[0].first, "a\"b");
  EXPECT_EQ(reader.decode(rec.data[0].second), "x\\y\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(*json::number(rec.data[1].second), -1500.0);
  EXPECT_FALSE(rec.data[1].second.integral);
  EXPECT_TRUE(rec.data[2].second.integral);
  EXPECT_TRUE(std::isnan(*json::number(rec.data[3].second)));
  EXPECT_TRUE(std::isinf(*json::number(rec.data[4].second)));
  EXPECT_EQ(rec.non_json_numbers, 2);
  EXPECT_TRUE(rec.data[5].second.boolean);
  EXPECT_EQ(rec.data[6].second.kind, json::Kind::kNull);
  EXPECT_EQ(rec.data[7].second.kind, json::Kind::kArray);
  EXPECT_EQ(rec.data[7].second.text, R"([1, {"k": []}])");
  ASSERT_TRUE(rec.step_is_array);
  EXPECT_EQ(reader.decode(rec.step_items[0]), "Calibration");
}

TEST(NgcJsonRecordReader, RejectsMalformedInput) {
  DlllRecordReader reader;
  DlllRecord rec;
  std::string err;
  for (std::string_view bad :
       {R"({"a": 1)", R"({"a": 1,})", R"({"a": 01x})", R"({"a": "x)", R"({"a": tru})",
        R"({"a": 1} trailing)", R"({"a": "\q"})", R"({"a": "\u12"})", R"({a: 1})", R"({"a": .5})",
        R"({"a": -})", R"({"a": 1e})", "{\"a\": \"tab\there\"}", ""}) {
    EXPECT_FALSE(reader.read(bad, rec, err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
    err.clear();
  }
  // Deep nesting is refused instead of overflowing the stack.
  const std::string deep = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_FALSE(reader.read(deep, rec, err));
}

}  // namespace
}  // namespace rn50::parsers::ngc
