#include <gtest/gtest.h>

#include <cmath>

#include "report/svg_axis.h"
#include "report/svg_chart.h"
#include "report/svg_writer.h"
#include "report/text_format.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

using rn50::testing::contains;

TEST(TextFormat, FixedIsLocaleFreeAndHasNoNegativeZero) {
  EXPECT_EQ(fmt_fixed(859.244, 2), "859.24");
  EXPECT_EQ(fmt_fixed(-0.001, 2), "0.00");
  EXPECT_EQ(fmt_fixed(1234567.5, 1), "1234567.5");
  EXPECT_EQ(fmt_fixed(std::nan(""), 2), "n/a");
  EXPECT_EQ(fmt_shortest(0.1), "0.1");
}

TEST(TextFormat, MarkdownEscapesTableBreakersAndHtml) {
  EXPECT_EQ(md_escape("a|b"), "a\\|b");
  EXPECT_EQ(md_escape("`x`"), "\\`x\\`");
  EXPECT_EQ(md_escape("line1\nline2"), "line1 line2");
  EXPECT_EQ(md_escape("<script>&"), "&lt;script&gt;&amp;");
  EXPECT_EQ(md_escape("*a* _b_ [c]"), "\\*a\\* \\_b\\_ \\[c\\]");
}

TEST(TextFormat, XmlCsvJsonEscaping) {
  EXPECT_EQ(xml_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  // RFC 4180 keeps line breaks inside a quoted field; RFC 8259 escapes every control character.
  EXPECT_EQ(csv_escape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(json_quote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
}

TEST(TextFormat, InvalidUtf8IsReadAsLatin1) {
  // A latin-1 byte from an old log must not make the SVG or JSON unreadable, nor be lost.
  EXPECT_EQ(sanitize_text("caf\xe9!"), "caf\xc3\xa9!");
  EXPECT_EQ(json_quote("caf\xe9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(sanitize_text("a\nb\x7f"), "a b ");
  EXPECT_EQ(sanitize_text("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(ellipsize("abcdefghij", 6), "abc...");
  EXPECT_EQ(ellipsize("abc", 6), "abc");
}

TEST(SvgAxis, NiceTicksUseOneTwoFiveSteps) {
  auto t = nice_ticks(0, 23, 6);
  EXPECT_EQ(t.values, (std::vector<double>{0, 5, 10, 15, 20, 25}));
  EXPECT_EQ(t.decimals, 0);
  auto small = nice_ticks(75.2, 77.9, 7);
  EXPECT_DOUBLE_EQ(small.values.front(), 75.0);
  EXPECT_DOUBLE_EQ(small.values.back(), 78.0);
  EXPECT_EQ(small.decimals, 1);  // step 0.5
  auto flat = nice_ticks(5, 5);  // degenerate range is widened, never a division by zero
  EXPECT_LT(flat.lo, 5);
  EXPECT_GT(flat.hi, 5);
}

TEST(SvgAxis, Log2TicksArePowersOfTwo) {
  auto t = log2_ticks(1, 32);
  EXPECT_EQ(t.values, (std::vector<double>{1, 2, 4, 8, 16, 32}));
  auto one = log2_ticks(8, 8);
  EXPECT_EQ(one.values, (std::vector<double>{4, 8, 16}));
  Scale s(1, 32, 0, 500, true);
  EXPECT_DOUBLE_EQ(s(1), 0);
  EXPECT_DOUBLE_EQ(s(32), 500);
  EXPECT_DOUBLE_EQ(s(4), 200);  // log2 spacing: 2 of 5 octaves
}

TEST(SvgChart, EscapesLabelsAndIsDeterministic) {
  ChartSpec c;
  c.title = "Runs <b>&</b>";
  c.x_label = "epoch";
  c.y_label = "top-1";
  c.series.push_back({"run |`x`| <script>", {{0, 1}, {1, 2}}, {}, true, true, false, ""});
  c.hlines.push_back({1.5, "target"});
  const std::string a = render_chart(c), b = render_chart(c);
  EXPECT_EQ(a, b);
  EXPECT_FALSE(contains(a, "<script>"));
  EXPECT_FALSE(contains(a, "<b>"));
  EXPECT_TRUE(contains(a, "&lt;script&gt;"));
  EXPECT_TRUE(contains(a, "Runs &lt;b&gt;&amp;&lt;/b&gt;"));
  EXPECT_TRUE(contains(a, "<polyline"));
  EXPECT_TRUE(contains(a, "stroke-dasharray"));  // the target line
}

TEST(SvgWriter, CommentCannotCloseEarly) {
  SvgWriter w(10, 10);
  w.comment("a -- b -->");
  EXPECT_FALSE(contains(w.finish(), "a -- b"));
}

}  // namespace
}  // namespace rn50::report
