// The same bytes are stored the same way whichever parser reads them: a latin-1 byte, a broken
// UTF-8 sequence and a NUL in a key or value, carried by the line grammars of different formats.
#include <gtest/gtest.h>

#include <string>

#include "parser_test_util.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {
namespace {

using testing::metric_points;

// "/d", latin-1 e-acute, a UTF-16 surrogate encoded as UTF-8 (not valid UTF-8), a valid euro sign.
const std::string kOddValue = "/d\xe9\xed\xa0\x80\xe2\x82\xac";
// What every format must store for it.
const std::string kStoredValue = "/d\xc3\xa9\xc3\xad\xc2\xa0\xc2\x80\xe2\x82\xac";

const std::string* param(const core::ParsedFile& pf, std::string_view key) {
  if (pf.runs.size() != 1) return nullptr;
  const core::Param* p = pf.runs[0].find_param(key);
  return p ? &p->value : nullptr;
}

TEST(SameBytes, OddBytesInAParamValue) {
  ASSERT_EQ(stored_text(kOddValue, TextKind::kValue), kStoredValue);
  const auto stdout_log = make_ngc_stdout_parser()->parse(
      "DLL 2026-11-21 12:00:00.000000 - PARAMETER data : " + kOddValue + "  batch_size : 8 \n", {});
  const auto json_log = make_ngc_json_parser()->parse(
      "DLLL {\"timestamp\": \"1.5\", \"type\": \"LOG\", \"step\": \"PARAMETER\", \"data\": "
      "{\"data\": \"" +
          kOddValue + "\"}}\n",
      {});
  const auto mlperf_log = make_mlperf_parser()->parse(
      ":::MLLOG {\"namespace\": \"\", \"time_ms\": 1, \"key\": \"data\", \"value\": \"" +
          kOddValue + "\", \"metadata\": {}}\n",
      {});
  const auto main_py = make_pytorch_examples_parser()->parse(
      "+ python main.py -a resnet50 -b 256 " + kOddValue +
          "\nEpoch: [0][1/6]\tTime  2.500 ( 2.500)\tLoss 6.9 (6.9)\n",
      {});
  for (const auto* pf : {&stdout_log, &json_log, &mlperf_log, &main_py}) {
    const std::string* v = param(*pf, "data");
    ASSERT_NE(v, nullptr) << pf->format;
    EXPECT_EQ(*v, kStoredValue) << pf->format;
  }
}

TEST(SameBytes, NulInAMetricKeyAndAParam) {
  const std::string nul_key("tr\0ain.x", 8);
  const std::string stored_key = stored_text(nul_key, TextKind::kKey);
  ASSERT_EQ(stored_key,
            "tr\xEF\xBF\xBD"
            "ain.x");
  // NGC stdout: the raw NUL byte; NGC JSON: the NUL as JSON writes it (\u0000).
  const auto stdout_log = make_ngc_stdout_parser()->parse(
      "DLL 2026-11-21 12:00:01.000000 - Epoch: 0 Iteration: 1  " + nul_key + " : 1.5  \n", {});
  const auto json_log = make_ngc_json_parser()->parse(
      R"(DLLL {"timestamp": "1.5", "type": "LOG", "step": [0, 1], "data": {"tr\u0000ain.x": 1.5}})"
      "\n",
      {});
  for (const auto* pf : {&stdout_log, &json_log}) {
    ASSERT_EQ(pf->runs.size(), 1u) << pf->format;
    const auto points = metric_points(pf->runs[0], stored_key, "iter");
    ASSERT_EQ(points.size(), 1u) << pf->format;
    EXPECT_EQ(points[0]->value, 1.5);
    for (const auto& m : pf->runs[0].metrics)
      EXPECT_EQ(m.key.find('\0'), std::string::npos) << pf->format;
  }
  // A param whose key and value hold a NUL: NGC stdout, MLPerf (\u0000) and the native log.
  const std::string nul_value("a\0b", 3);
  const std::string stored_value = stored_text(nul_value, TextKind::kValue);
  const auto stdout_param = make_ngc_stdout_parser()->parse(
      "DLL 2026-11-21 12:00:00.000000 - PARAMETER run" + nul_value + " : " + nul_value + " \n", {});
  const auto mlperf_param = make_mlperf_parser()->parse(
      R"(:::MLLOG {"namespace": "", "time_ms": 1, "key": "runa\u0000b", "value": "a\u0000b", )"
      R"("metadata": {}})"
      "\n",
      {});
  const auto native_param = make_native_log_parser()->parse(
      R"({"type":"header","schema":"rn50-native-log","version":1,"config":{"runa\u0000b":"a\u0000b"}})"
      "\n",
      {});
  const std::string stored_param_key = stored_text("run" + nul_value, TextKind::kKey);
  for (const auto* pf : {&stdout_param, &mlperf_param, &native_param}) {
    const std::string* v = param(*pf, stored_param_key);
    ASSERT_NE(v, nullptr) << pf->format;
    EXPECT_EQ(*v, stored_value) << pf->format;
  }
}

}  // namespace
}  // namespace rn50::parsers
