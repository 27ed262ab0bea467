#include "core/document.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "core/error.h"

namespace rn50::core {
namespace {

using nlohmann::json;

std::string error_of(const std::string& text) {
  try {
    parse_document(text, "f.yaml");
  } catch (const core::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DocumentTyping, Yaml12CoreSchemaForPlainScalars) {
  EXPECT_EQ(type_plain_scalar("42"), json(42));
  EXPECT_EQ(type_plain_scalar("-7"), json(-7));
  EXPECT_EQ(type_plain_scalar("0x1F"), json(31));
  EXPECT_EQ(type_plain_scalar("0o17"), json(15));
  EXPECT_TRUE(type_plain_scalar("1e-4").is_number_float());
  EXPECT_DOUBLE_EQ(type_plain_scalar("1e-4").get<double>(), 1e-4);
  EXPECT_DOUBLE_EQ(type_plain_scalar("3.0517578125e-05").get<double>(), 3.0517578125e-05);
  EXPECT_DOUBLE_EQ(type_plain_scalar(".5").get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(type_plain_scalar("2.").get<double>(), 2.0);
  EXPECT_TRUE(std::isinf(type_plain_scalar(".inf").get<double>()));
  EXPECT_LT(type_plain_scalar("-.Inf").get<double>(), 0);
  EXPECT_TRUE(std::isnan(type_plain_scalar(".nan").get<double>()));
  EXPECT_EQ(type_plain_scalar("true"), json(true));
  EXPECT_EQ(type_plain_scalar("False"), json(false));
  EXPECT_TRUE(type_plain_scalar("~").is_null());
  EXPECT_TRUE(type_plain_scalar("null").is_null());
  // YAML 1.1 booleans and odd numbers are strings under the 1.2 core schema.
  EXPECT_EQ(type_plain_scalar("yes"), json("yes"));
  EXPECT_EQ(type_plain_scalar("on"), json("on"));
  EXPECT_EQ(type_plain_scalar("1_000"), json("1_000"));
  EXPECT_EQ(type_plain_scalar("1n8g"), json("1n8g"));
  EXPECT_EQ(type_plain_scalar("0xZZ"), json("0xZZ"));
}

TEST(DocumentParse, QuotedScalarsStayStrings) {
  auto d = parse_document("a: '12'\nb: \"true\"\nc: 12\nd: !!str 3\ne: !!float 3\n", "f.yaml");
  EXPECT_EQ(d.root["a"], json("12"));
  EXPECT_EQ(d.root["b"], json("true"));
  EXPECT_EQ(d.root["c"], json(12));
  EXPECT_EQ(d.root["d"], json("3"));
  EXPECT_TRUE(d.root["e"].is_number_float());
}

TEST(DocumentParse, LinesOfKeysAndListItems) {
  auto d = parse_document("name: x\nbase:\n  lr: 0.1\nmatrix:\n  devices:\n    - 1\n    - 8\n",
                          "exp.yaml");
  EXPECT_EQ(d.locator.lines.at("name"), 1);
  EXPECT_EQ(d.locator.lines.at("base.lr"), 3);
  EXPECT_EQ(d.locator.lines.at("matrix.devices[1]"), 7);
  EXPECT_EQ(d.locator.where("base.lr"), "exp.yaml:3: base.lr");
  EXPECT_EQ(d.root["matrix"]["devices"], json::array({1, 8}));
}

// The shape of NGC's configs.yml: anchors, merges, later merges losing to explicit keys.
TEST(DocumentParse, MergeKeysExpandLikeNgcConfigs) {
  const char* text = R"(
anchors:
  resnet_params: &resnet_params
    label_smoothing: 0.1
    lr_schedule: cosine
    momentum: 0.875
    epochs: 250
  resnet_params_2k: &resnet_params_2k
    <<: *resnet_params
    optimizer_batch_size: 2048
    lr: 2.048
    weight_decay: 3.0517578125e-05
models:
  resnet50:
    DGXA100:
      AMP:
        <<: *resnet_params_2k
        batch_size: 256
        epochs: 90
)";
  auto d = parse_document(text, "configs.yml");
  const json& amp = d.root["models"]["resnet50"]["DGXA100"]["AMP"];
  EXPECT_EQ(amp["batch_size"], json(256));
  EXPECT_EQ(amp["epochs"], json(90));  // explicit key wins over the merged 250
  EXPECT_EQ(amp["optimizer_batch_size"], json(2048));
  EXPECT_DOUBLE_EQ(amp["momentum"].get<double>(), 0.875);  // merged two levels deep
  EXPECT_EQ(amp["lr_schedule"], json("cosine"));
  EXPECT_FALSE(amp.contains("<<"));
  // Merged keys point at the anchor's line; explicit ones at their own.
  EXPECT_EQ(d.locator.lines.at("models.resnet50.DGXA100.AMP.epochs"), 19);
  EXPECT_EQ(d.locator.lines.at("models.resnet50.DGXA100.AMP.momentum"), 6);
}

TEST(DocumentParse, MergeListFirstWins) {
  auto d = parse_document("a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n", "f.yaml");
  EXPECT_EQ(d.root["c"], json({{"x", 1}, {"y", 1}, {"z", 2}}));
}

TEST(DocumentParse, JsonFilesWithLines) {
  auto d = parse_document("{\n  \"name\": \"x\",\n  \"base\": {\"lr\": 0.5, \"s\": \"7\"}\n}\n",
                          "e.json");
  EXPECT_EQ(d.root["base"]["lr"], json(0.5));
  EXPECT_EQ(d.root["base"]["s"], json("7"));
  EXPECT_EQ(d.locator.lines.at("base"), 3);
}

TEST(DocumentParse, ErrorsNameFileAndLine) {
  EXPECT_NE(error_of("a: 1\na: 2\n").find("f.yaml:2: a: duplicate key"), std::string::npos);
  EXPECT_NE(error_of("a: [1, 2\n").find("f.yaml:"), std::string::npos);
  EXPECT_NE(error_of("a: [1, 2\n").find("YAML syntax error"), std::string::npos);
  EXPECT_NE(error_of("a: 1\n---\nb: 2\n").find("2 YAML documents"), std::string::npos);
  EXPECT_NE(error_of("a:\n  <<: 5\n").find("f.yaml:2: a.<<: merge key needs a mapping"),
            std::string::npos);
  EXPECT_NE(error_of("a: !!int abc\n").find("f.yaml:1: a: value 'abc' does not match"),
            std::string::npos);
  EXPECT_NE(error_of("a: *nope\n").find("f.yaml:1"), std::string::npos);
}

// A "billion laughs" file: 9 levels of 10 aliases each would expand to 10^9 values. Refused by
// name and line after at most a million, quickly and in bounded memory, never std::bad_alloc.
TEST(DocumentParse, AliasBombIsRefusedNotExpanded) {
  std::string text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  const auto t0 = std::chrono::steady_clock::now();
  try {
    parse_document(text, "bomb.yaml");
    FAIL() << "expanded a billion values";
  } catch (const core::UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bomb.yaml:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("more than 1000000 values"), std::string::npos) << msg;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
  // A deep but small alias chain is fine.
  const auto ok = parse_document("x: &x [1, 2]\ny: [*x, *x]\n", "ok.yaml");
  EXPECT_EQ(ok.root["y"], json::parse("[[1, 2], [1, 2]]"));
}

TEST(DocumentTyping, HugeNumbersAndLongDigitStringsNeverThrow) {
  EXPECT_TRUE(type_plain_scalar(std::string(400, '9')).is_number_float());
  EXPECT_TRUE(std::isinf(type_plain_scalar(std::string(400, '9')).get<double>()));
  EXPECT_TRUE(type_plain_scalar("1e999").is_number_float());
  // A long plain scalar is typed in linear time (no backtracking matcher, no deep recursion).
  EXPECT_EQ(type_plain_scalar(std::string(1 << 20, '7') + "x"),
            json(std::string(1 << 20, '7') + "x"));
  EXPECT_EQ(type_plain_scalar("1e"), json("1e"));
  EXPECT_EQ(type_plain_scalar("."), json("."));
  EXPECT_EQ(type_plain_scalar("+"), json("+"));
}

TEST(DocumentOverride, SetsTypedValuesAndDropsLines) {
  auto d = parse_document("base:\n  lr: 0.1\n  epochs: 3\nmatrix:\n  devices: [1]\n", "e.yaml");
  apply_override(d, "base.lr=0.4");
  apply_override(d, "matrix.devices=[1, 2]");
  apply_override(d, "base.new.deep=x");
  apply_override(d, "matrix.devices[1]=4");
  EXPECT_EQ(d.root["base"]["lr"], json(0.4));
  EXPECT_EQ(d.root["matrix"]["devices"], json::array({1, 4}));
  EXPECT_EQ(d.root["base"]["new"]["deep"], json("x"));
  EXPECT_FALSE(d.locator.lines.count("base.lr"));
  EXPECT_EQ(d.locator.lines.at("base.epochs"), 3);
  EXPECT_THROW(apply_override(d, "noequals"), core::UsageError);
  EXPECT_THROW(apply_override(d, "base.lr.x=1"), core::UsageError);
  EXPECT_THROW(apply_override(d, "matrix.devices[9]=1"), core::UsageError);
}

TEST(DocumentCanonical, SortedCompactStable) {
  json a = json::parse(R"({"b": 1, "a": {"d": [1, 2], "c": true}})");
  EXPECT_EQ(canonical_json(a), R"({"a":{"c":true,"d":[1,2]},"b":1})");
}

}  // namespace
}  // namespace rn50::core
