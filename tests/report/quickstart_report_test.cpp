// The report of a quickstart-like run (tests/fixtures/report/quickstart_native.jsonl, stored as
// `rn50-exp run` stores it), read as a new user reads it: the run's card, curves over its 937
// logged steps, the 83.09 % evaluation against the 72 % target, and no sentence that is untrue.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "core/error.h"
#include "quickstart_fixture.h"
#include "report/write_report.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

namespace fs = std::filesystem;
using namespace rn50::testing;

class QuickstartReport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("rn50-quickstart-report");
    db_ = store::Database::open(make_quickstart_db(dir_).string());
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ReportResult write(const std::string& format, const std::string& sub = "report") {
    ReportOptions o;
    o.format = format;
    o.out_dir = dir_ / sub;
    o.target_top1 = 72;
    o.title = "quickstart: ResNet-50 on Fashion-MNIST 32x32";
    return write_report(*db_, o);
  }
  std::string plot_svg(const Report& r, const std::string& id) {
    for (const auto& p : r.plots)
      if (p.id == id) return p.svg;
    ADD_FAILURE() << "no plot " << id;
    return {};
  }
  fs::path dir_;
  std::unique_ptr<store::Database> db_;
};

// Points of the longest polyline in an SVG.
size_t longest_polyline(const std::string& svg) {
  size_t best = 0, pos = 0;
  while ((pos = svg.find("points=\"", pos)) != std::string::npos) {
    const size_t end = svg.find('"', pos + 8);
    const std::string pts = svg.substr(pos + 8, end - pos - 8);
    best = std::max<size_t>(best, 1 + std::count(pts.begin(), pts.end(), ' '));
    pos = end;
  }
  return best;
}

TEST_F(QuickstartReport, OpensWithTheRunsCard) {
  const auto res = write("md,html");
  ASSERT_EQ(res.written.size() >= 2, true);
  EXPECT_EQ(res.written[0].filename(), "report.md");
  EXPECT_EQ(res.written[1].filename(), "report.html");
  ASSERT_EQ(res.report.cards.size(), 1u);
  const std::string md = read_text(res.written[0]);
  // The card comes before every table.
  const size_t card = md.find("### #1 quickstart/1n1g-fp32-bs64-seed1-r0");
  ASSERT_NE(card, std::string::npos);
  EXPECT_LT(card, md.find("## Summary by device count"));
  EXPECT_TRUE(contains(md, "| Status | finished (run\\_stop: success) |"));
  EXPECT_TRUE(contains(md, "| Best top-1 | 83.09 % after epoch 1 of 1"));
  EXPECT_TRUE(contains(md, "| Time to target 72.00 % | reached after 311.68 s"));
  EXPECT_TRUE(contains(md, "| Throughput | 203.19 img/s with data loading"));
  EXPECT_TRUE(contains(md, "over 932 steps after skip\\_steps"));
  EXPECT_TRUE(contains(md, "| Wall time | 312.78 s (5.2 min)"));
  EXPECT_TRUE(
      contains(md, "| Log | runs/quickstart/1n1g-fp32-bs64-seed1-r0-182f0d82/rn50\\_log.jsonl |"));
  EXPECT_TRUE(
      contains(md, "| Manifest | runs/quickstart/1n1g-fp32-bs64-seed1-r0-182f0d82/manifest.json"));
  EXPECT_TRUE(contains(md, "| Run id | 1n1g-fp32-bs64-seed1-r0-182f0d82 (config hash"));
}

TEST_F(QuickstartReport, CurvesOverTheLoggedSteps) {
  const auto res = write("md");
  const auto& r = res.report;
  // 937 logged steps: the faint raw loss line has every one (under the 1,000-point cap).
  EXPECT_EQ(longest_polyline(plot_svg(r, "loss_vs_step")), 937u);
  EXPECT_TRUE(contains(plot_svg(r, "loss_vs_step"), "debiased EMA, weight 0.9"));
  EXPECT_EQ(longest_polyline(plot_svg(r, "loss_vs_time")), 937u);
  EXPECT_EQ(longest_polyline(plot_svg(r, "lr_vs_step")), 937u);
  EXPECT_EQ(longest_polyline(plot_svg(r, "throughput_vs_step")), 937u);
  EXPECT_FALSE(plot_svg(r, "throughput_vs_time").empty());
  for (const char* id : {"top1_vs_step", "top1_vs_time"}) {
    const std::string svg = plot_svg(r, id);
    EXPECT_TRUE(contains(svg, ">83.09</text>")) << id;
    EXPECT_TRUE(contains(svg, "target top-1 72.00 %")) << id;
  }
  // Step times between consecutive step records: 936 of the 937 steps (the first has none
  // before it), warm-up included.
  const std::string hist = plot_svg(r, "step_time_histogram");
  EXPECT_TRUE(contains(hist, "(median 312.1 ms)"));
  EXPECT_TRUE(contains(hist, "40 bins of"));
  // One evaluation after epoch 0: centred on an axis with the single tick 0, not -1 .. 1.
  const std::string epoch = plot_svg(r, "top1_vs_epoch");
  EXPECT_FALSE(contains(epoch, ">-1</text>"));
  for (const auto* file : {"loss_vs_step.svg", "lr_vs_step.svg", "throughput_vs_step.svg",
                           "top1_vs_time.svg", "step_time_histogram.svg"})
    EXPECT_TRUE(fs::exists(dir_ / "report" / "plots" / file)) << file;
}

TEST_F(QuickstartReport, NoUntrueSentence) {
  const auto res = write("md,html");
  for (const auto& file : {res.written[0], res.written[1]}) {
    const std::string text = read_text(file);
    // The run has an evaluation: no sentence may say otherwise.
    EXPECT_FALSE(contains(text, "No run has an evaluation")) << file;
    EXPECT_FALSE(contains(text, "no evaluation")) << file;
    EXPECT_FALSE(contains(text, "Runs: none")) << file;
    // It has a device count and a throughput: left out of scaling by its role, said so.
    EXPECT_FALSE(contains(text, "No run has both a known device count")) << file;
    EXPECT_TRUE(contains(text, "tagged role=accuracy")) << file;
    // Every n/a says why.
    EXPECT_FALSE(std::regex_search(text, std::regex(R"(n/a(\s*\||\s*<))"))) << file;
  }
  const auto& t = table(res.report, "time_to_train");
  EXPECT_TRUE(contains(t.empty_reason, "#1 tagged role=accuracy"));
  EXPECT_TRUE(any_contains(t.notes, "tagged role=accuracy, which time to train leaves out"));
  const auto& s = table(res.report, "summary");
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(cell(s, 0, "Top-1").text, "83.09 (accuracy run #1)");
  EXPECT_EQ(cell(s, 0, "Wall time").text, "left out: #1 tagged role=accuracy");
  EXPECT_TRUE(contains(table(res.report, "scaling").empty_reason, "tagged role=accuracy"));
}

TEST_F(QuickstartReport, RunnerBookkeepingTagsStayOutOfTheRunsTable) {
  const auto res = write("md");
  const auto& t = table(res.report, "runs");
  EXPECT_EQ(cell(t, 0, "Tags").text, "role=accuracy");
  const std::string md = read_text(res.written[0]);
  EXPECT_FALSE(contains(md, "config\\_sha256="));
  EXPECT_FALSE(contains(md, "attempt=1"));
}

TEST_F(QuickstartReport, HtmlIsOneSelfContainedPage) {
  const auto res = write("html");
  ASSERT_EQ(res.written[0].filename(), "report.html");
  const std::string html = read_text(res.written[0]);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "<article class=\"card\" id=\"run-1\">"));
  // Plots inline: the SVGs' XML declarations are gone, nothing is fetched.
  size_t svgs = 0;
  for (size_t p = 0; (p = html.find("<svg ", p)) != std::string::npos; ++p) ++svgs;
  EXPECT_GE(svgs, 10u);
  EXPECT_FALSE(contains(html, "<?xml"));
  EXPECT_FALSE(contains(html, "src="));
  EXPECT_FALSE(contains(html, "<link"));
  EXPECT_FALSE(contains(html, "url("));
  EXPECT_FALSE(contains(html, "href=\"http"));
  EXPECT_FALSE(contains(html, "@import"));
  EXPECT_TRUE(contains(html, ">83.09</text>"));
}

TEST_F(QuickstartReport, SameDatabaseSameBytes) {
  const auto a = write("md,html,json,csv", "a");
  const auto b = write("md,html,json,csv", "b");
  ASSERT_EQ(a.written.size(), b.written.size());
  for (size_t i = 0; i < a.written.size(); ++i)
    EXPECT_EQ(read_text(a.written[i]), read_text(b.written[i])) << a.written[i];
}

TEST_F(QuickstartReport, UnknownFormatIsAUsageError) {
  EXPECT_THROW(write("md,pdf"), core::UsageError);
}

}  // namespace
}  // namespace rn50::report
