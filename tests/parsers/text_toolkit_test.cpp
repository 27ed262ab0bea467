// The parsers' shared toolkit: the stored-text policy, the strict number grammar with its range
// checks, the capped diagnostic log and the JSON scanner.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "parsers/diagnostic_log.h"
#include "parsers/enflame_report.h"
#include "parsers/json_scan.h"
#include "parsers/numbers.h"
#include "parsers/text.h"

namespace rn50::parsers {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST(StoredText, ValidUtf8StaysAndEveryOtherByteIsLatin1) {
  EXPECT_EQ(stored_text("plain", TextKind::kKey), "plain");
  EXPECT_EQ(stored_text("caf\xc3\xa9 \xe2\x82\xac", TextKind::kValue), "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(stored_text("caf\xe9", TextKind::kValue), "caf\xc3\xa9");  // latin-1 e-acute
  // A valid sequence next to a stray byte: the sequence is kept, the byte read as latin-1.
  EXPECT_EQ(stored_text("\xe2\x82\xac\xff", TextKind::kValue), "\xe2\x82\xac\xc3\xbf");
  // Surrogates, overlong forms and cut sequences are not UTF-8.
  EXPECT_EQ(stored_text("\xed\xa0\x80", TextKind::kValue), "\xc3\xad\xc2\xa0\xc2\x80");
  EXPECT_EQ(stored_text("\xc0\xaf", TextKind::kValue), "\xc3\x80\xc2\xaf");
  EXPECT_EQ(stored_text("a\xe2\x82", TextKind::kValue), "a\xc3\xa2\xc2\x82");
  for (std::string_view s : {"\xe9", "\xed\xa0\x80", "\xf5\x80\x80\x80", "x\xc3"})
    EXPECT_TRUE(is_valid_utf8(stored_text(s, TextKind::kKey))) << s;
}

TEST(StoredText, ControlCharactersNeverReachTheStore) {
  const std::string nul_key("a\0b", 3);
  EXPECT_EQ(stored_text(nul_key, TextKind::kKey), "a" + std::string(kFffd) + "b");
  EXPECT_EQ(stored_text(nul_key, TextKind::kValue), "a" + std::string(kFffd) + "b");
  // Keys are one printable line; values keep tab and newline.
  EXPECT_EQ(stored_text("a\tb\nc", TextKind::kKey),
            "a" + std::string(kFffd) + "b" + std::string(kFffd) + "c");
  EXPECT_EQ(stored_text("a\tb\nc", TextKind::kValue), "a\tb\nc");
  EXPECT_EQ(stored_text("\x1b[0m\x7f\r", TextKind::kValue),
            std::string(kFffd) + "[0m" + std::string(kFffd) + std::string(kFffd));
  EXPECT_FALSE(is_stored_form(nul_key, TextKind::kValue));
  EXPECT_TRUE(is_stored_form("a\tb", TextKind::kValue));
  EXPECT_FALSE(is_stored_form("a\tb", TextKind::kKey));
  // The whole-document repair leaves control characters to the JSON reader.
  EXPECT_EQ(to_utf8("{\n\"a\": \"\xe9\"\n}"), "{\n\"a\": \"\xc3\xa9\"\n}");
}

TEST(StoredText, ViewWithoutCopyWhenAlreadyStored) {
  std::string scratch;
  const std::string_view clean = "train.loss";
  EXPECT_EQ(stored_view(clean, TextKind::kKey, scratch).data(), clean.data());
  const std::string dirty("k\0", 2);
  EXPECT_EQ(stored_view(dirty, TextKind::kKey, scratch), "k" + std::string(kFffd));
}

TEST(Numbers, OneStrictGrammar) {
  EXPECT_EQ(*parse_double("3.0517578125e-05"), 3.0517578125e-05);
  EXPECT_EQ(*parse_double("-1"), -1.0);
  EXPECT_EQ(*parse_double("+2.5"), 2.5);
  EXPECT_TRUE(std::isinf(*parse_double("inf")));
  EXPECT_TRUE(std::isnan(*parse_double("nan")));
  for (std::string_view bad :
       {"", "None", "True", "1.5x", " 1", "1 ", "+-1", "++1", "0x10", "1e999"})
    EXPECT_FALSE(parse_double(bad)) << bad;
  EXPECT_EQ(*parse_int("42"), 42);
  EXPECT_EQ(*parse_int("+7"), 7);
  EXPECT_EQ(*parse_int("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  for (std::string_view bad : {"", "1.0", "1e3", "9223372036854775808", "+-1", "12a", " 3"})
    EXPECT_FALSE(parse_int(bad)) << bad;
}

TEST(Numbers, EveryNarrowingIsRangeChecked) {
  std::string why;
  EXPECT_EQ(*to_int64(8.0, &why, 1, kMaxWorldSize), 8);
  EXPECT_FALSE(to_int64(0.0, &why, 1, kMaxWorldSize));
  EXPECT_NE(why.find("out of range 1..1048576"), std::string::npos) << why;
  EXPECT_FALSE(to_int64(1e300, &why));
  EXPECT_NE(why.find("1e+300"), std::string::npos) << why;
  EXPECT_FALSE(to_int64(9223372036854775808.0, &why));  // 2^63 does not fit
  EXPECT_EQ(*to_int64(-9223372036854775808.0), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(to_int64(2.5, &why));
  EXPECT_NE(why.find("not an integer"), std::string::npos);
  EXPECT_FALSE(to_int64(std::nan(""), &why));
  EXPECT_NE(why.find("not a finite number"), std::string::npos);
  EXPECT_FALSE(to_int64(-std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(checked_mul(std::numeric_limits<int64_t>::max(), 2));
  EXPECT_EQ(*checked_mul(kMaxBatch, kMaxWorldSize), kMaxBatch * kMaxWorldSize);
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(1e300), "1e+300");
}

TEST(Numbers, TimedeltaAsPythonPrintsIt) {
  EXPECT_EQ(*parse_timedelta("0:01:41"), 101);
  EXPECT_EQ(*parse_timedelta("12:00:00.5"), 43200.5);
  EXPECT_EQ(*parse_timedelta("1 day, 2:03:04"), 86400 + 7384);
  EXPECT_EQ(*parse_timedelta("3 days, 0:00:00"), 3 * 86400);
  for (std::string_view bad :
       {"", "101", "1:2:3", "0:61:00", "1 week, 0:00:00", "0:00:-1", "24:00:00"})
    EXPECT_FALSE(parse_timedelta(bad)) << bad;
}

TEST(DiagnosticLog, EachKindIsCappedAndTheRestCounted) {
  core::Diagnostics out;
  DiagnosticLog log(out, 3);
  for (int i = 1; i <= 10; ++i) log.warning(i, "bad line", "line " + std::to_string(i));
  log.error(11, "other", std::string("quotes \xe9\0", 9));
  log.finish();
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[2].line, 3);
  EXPECT_EQ(out[3].line, 11);
  EXPECT_EQ(out[3].severity, core::Severity::kError);
  EXPECT_EQ(out[3].message, "quotes \xc3\xa9" + std::string(kFffd));  // stored text
  EXPECT_EQ(out[4].message, "7 more 'bad line' diagnostics not shown");
}

TEST(JsonScan, MembersSpansAndDecoding) {
  std::vector<json::Member> m;
  ASSERT_TRUE(json::object_members(
      R"( {"a\u0000b": "x\ty\u00e9", "n": 1e999, "s": NaN, "o": {"k": [1, "]"]}} )", m));
  ASSERT_EQ(m.size(), 4u);
  EXPECT_TRUE(m[0].key.escaped);
  EXPECT_EQ(json::stored_string(m[0].key, TextKind::kKey), "a" + std::string(kFffd) + "b");
  EXPECT_EQ(json::stored_string(m[0].value, TextKind::kValue), "x\ty\xc3\xa9");
  EXPECT_TRUE(std::isinf(*json::number(m[1].value)));  // beyond the double range
  EXPECT_TRUE(m[2].value.non_json);
  EXPECT_EQ(m[3].value.kind, json::Kind::kObject);
  EXPECT_EQ(m[3].value.text, R"({"k": [1, "]"]})");
  EXPECT_EQ(json::find(m, "n"), &m[1].value);
  EXPECT_EQ(json::find(m, std::string("a\0b", 3)), &m[0].value);
  // Raw control characters in strings are not JSON; bytes >= 0x80 pass through.
  EXPECT_FALSE(json::is_valid("\"a\tb\""));
  EXPECT_TRUE(json::is_valid("\"caf\xe9\""));
  EXPECT_FALSE(json::is_valid(std::string(65, '[') + std::string(65, ']')));
  EXPECT_TRUE(json::is_valid(std::string(63, '[') + std::string(63, ']')));
  EXPECT_EQ(json::library_message("[json.exception.type_error.306] cannot use value()"),
            "cannot use value()");
}

}  // namespace
}  // namespace rn50::parsers
