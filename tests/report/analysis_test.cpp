// Tables, warnings and messages on the small fixed input (tests/fixtures/report/runs.json).
#include "report/analysis.h"

#include <gtest/gtest.h>

#include "fixture_runs.h"
#include "report/render.h"
#include "report/text_format.h"
#include "report_test_util.h"

namespace rn50::report {
namespace {

using namespace rn50::testing;

TEST(Analysis, MlperfSetScoresWithOneAbortedRun) {
  const auto rep = build_report(load_fixture_runs(), AnalysisOptions{});
  const auto& t = table(rep, "time_to_train");
  size_t row = t.rows.size();
  for (size_t i = 0; i < t.rows.size(); ++i)
    if (contains(t.rows[i][0].text, "mlperf-a100")) row = i;
  ASSERT_LT(row, t.rows.size());
  EXPECT_EQ(cell(t, row, "Converged/total").text, "4/5");
  EXPECT_EQ(cell(t, row, "Olympic").text, "28.7709");
  EXPECT_EQ(cell(t, row, "Min (min)").text, "28.5121");
  EXPECT_EQ(cell(t, row, "Max (min)").text, "28.8286");
  EXPECT_TRUE(contains(cell(t, row, "Per-run").text, "30.3474 (#10 aborted)"));
  EXPECT_EQ(cell(t, row, "Epochs to target").text, "35");
}

TEST(Analysis, ScalingUsesMediansAndStatesMissingBaseline) {
  const auto rep = build_report(load_fixture_runs(), AnalysisOptions{});
  const auto& t = table(rep, "scaling");
  // amp/256: 1 device (n=2), 8 devices (n=3), 32 devices (n=1); fp32/128 2 devices; mlperf has
  // no throughput.
  size_t r8 = 0;
  for (size_t i = 0; i < t.rows.size(); ++i)
    if (cell(t, i, "Devices").text == "8" && cell(t, i, "Precision").text == "amp") r8 = i;
  EXPECT_EQ(cell(t, r8, "n").text, "3");
  EXPECT_EQ(cell(t, r8, "Median img/s").text, "6240.00");
  EXPECT_EQ(cell(t, r8, "Min-max").text, "6230.00 - 6251.50");
  EXPECT_EQ(cell(t, r8, "Speedup").text, fmt_fixed(6240.0 / ((850.5 + 846.0) / 2), 2));
  EXPECT_EQ(cell(t, r8, "Efficiency").text, fmt_fixed(6240.0 / ((850.5 + 846.0) / 2) / 8, 3));
  bool fp32_seen = false;
  for (size_t i = 0; i < t.rows.size(); ++i)
    if (cell(t, i, "Precision").text == "fp32") {
      fp32_seen = true;
      EXPECT_TRUE(cell(t, i, "Speedup").missing);
    }
  EXPECT_TRUE(fp32_seen);
  EXPECT_TRUE(any_contains(t.notes, "fp32, batch 128/device: there is no 1-device run"));
  EXPECT_TRUE(any_contains(t.notes, "no throughput"));
}

store::StoredRun mlperf_run(int64_t id, const std::string& system, int64_t devices, double ips) {
  store::StoredRun r;
  r.id = id;
  r.run.name = system + "/result_" + std::to_string(id);
  r.run.source_format = "mlperf";
  r.run.status = core::RunStatus::kFinished;
  r.set_org = "Org";
  r.set_system = system;
  r.set_key = "Org/" + system + "/resnet";
  r.run.world_size.set(devices);
  r.run.batch_per_device.set(256);
  r.run.derived.total_ips = ips;
  return r;
}

// Two MLPerf systems are two sets: one system's 1-device run is no baseline of the other's 8
// devices, and two 8-device systems are two rows, never one median.
TEST(Analysis, MlperfSetsAreNeverPooledOrUsedAsEachOthersBaseline) {
  const std::vector<store::StoredRun> runs = {
      mlperf_run(1, "small", 1, 1000), mlperf_run(2, "small", 8, 7000),
      mlperf_run(3, "big", 8, 9000), mlperf_run(4, "big", 8, 9100)};
  const auto rep = build_report(runs, AnalysisOptions{});
  const auto& t = table(rep, "scaling");
  ASSERT_EQ(t.rows.size(), 3u);
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const std::string who = cell(t, i, "Runs").text;
    if (who == "Org/small: #2") {
      EXPECT_EQ(cell(t, i, "Speedup").text, "7.00");
    } else if (who == "Org/big: #3, #4") {
      EXPECT_EQ(cell(t, i, "Median img/s").text, "9050.00");
      EXPECT_TRUE(cell(t, i, "Speedup").missing);
    } else {
      EXPECT_EQ(who, "Org/small: #1");
    }
  }
  EXPECT_TRUE(any_contains(t.notes, "?, batch 256/device (Org/big)")) << t.notes.size();
  const auto& summary = table(rep, "summary");
  EXPECT_EQ(summary.rows.size(), 3u);
}

TEST(Analysis, WarningsNameWhatIsNotComparable) {
  const auto rep = build_report(load_fixture_runs(), AnalysisOptions{});
  EXPECT_TRUE(any_contains(rep.warnings, "#6 incomplete"));
  EXPECT_TRUE(any_contains(rep.warnings, "#10 aborted"));
  EXPECT_TRUE(any_contains(rep.warnings, "different batch sizes per device (128, 256)"));
  EXPECT_TRUE(any_contains(rep.warnings, "fewer than 3 runs"));
  EXPECT_TRUE(any_contains(rep.warnings, "measure throughput differently"));
}

TEST(Analysis, AccuracyMeanStd) {
  const auto rep = build_report(load_fixture_runs(), AnalysisOptions{});
  const auto& t = table(rep, "accuracy");
  bool found = false;
  for (size_t i = 0; i < t.rows.size(); ++i)
    if (cell(t, i, "Epochs").text == "4" && cell(t, i, "Precision").text == "amp") {
      found = true;
      // runs 1-6: 76.1, 76.3, 75.95, 76.0, 76.05, 74.0
      EXPECT_EQ(cell(t, i, "n").text, "6");
      EXPECT_TRUE(contains(cell(t, i, "Top-1").text, "75.73 +/- "));
    }
  EXPECT_TRUE(found);
}

TEST(Analysis, EmptySelectionExplainsEveryTableAndPlot) {
  const auto rep = build_report({}, AnalysisOptions{});
  for (const auto& t : rep.tables) {
    EXPECT_TRUE(t.rows.empty()) << t.id;
    EXPECT_FALSE(t.empty_reason.empty()) << t.id;
  }
  for (const auto& p : rep.plots) {
    EXPECT_TRUE(p.svg.empty());
    EXPECT_FALSE(p.missing_reason.empty()) << p.id;
  }
  const std::string md = render_markdown(rep);
  EXPECT_TRUE(contains(md, "_No runs selected._"));
  EXPECT_FALSE(contains(md, "nan"));
}

TEST(Analysis, RunsWithoutFactsOrEvaluationsGetMessagesNotNumbers) {
  store::StoredRun r;
  r.id = 42;
  r.experiment = "x";
  r.run.name = "bare";
  r.run.source_format = "pytorch-examples";
  r.run.status = core::RunStatus::kFinished;
  const auto rep = build_report({r}, AnalysisOptions{});
  EXPECT_TRUE(contains(table(rep, "summary").empty_reason, "device count"));
  EXPECT_TRUE(contains(table(rep, "scaling").empty_reason, "throughput"));
  EXPECT_TRUE(contains(table(rep, "time_to_train").empty_reason, "evaluation"));
  EXPECT_TRUE(contains(table(rep, "accuracy").empty_reason, "evaluation"));
  EXPECT_EQ(table(rep, "runs").rows.size(), 1u);
  for (const auto& json_or_md : {render_markdown(rep), render_json(rep), render_csv(rep)}) {
    EXPECT_FALSE(contains(json_or_md, "nan"));
    EXPECT_FALSE(contains(json_or_md, "inf"));
  }
}

TEST(Analysis, TargetFromOptionsIsRecomputedFromEpochs) {
  auto runs = load_fixture_runs();
  AnalysisOptions opt;
  opt.target_top1 = 70.0;  // reached earlier than the stored 75.9
  const auto rep = build_report(runs, opt);
  const auto& t = table(rep, "runs");
  // Run 1 (row 0): epochs of 900 s with top-1 58.98, 66.07, 71.51, 76.1: >= 70 first at epoch 2,
  // logged 3 x 900 s after the start.
  EXPECT_EQ(cell(t, 0, "Time to target").text, "2700.00");
  opt.target_top1 = 99.0;  // never reached
  EXPECT_EQ(cell(table(build_report(runs, opt), "runs"), 0, "Time to target").text, "not reached");
}

TEST(Analysis, HostileNamesAreEscapedInMarkdownAndSvg) {
  const auto rep = build_report(load_fixture_runs(), AnalysisOptions{});
  const std::string md = render_markdown(rep);
  EXPECT_TRUE(contains(md, "acc\\|run \\`x\\` &lt;b&gt;bold&lt;/b&gt; &amp; \\*stars\\*"));
  EXPECT_FALSE(contains(md, "<b>"));
  EXPECT_TRUE(contains(md, "note=a\\|b &lt;i&gt;"));
  // Every line of a Markdown table has as many unescaped pipes as its header line.
  size_t expected = 0;
  size_t pos = 0;
  while (pos < md.size()) {
    size_t end = md.find('\n', pos);
    const std::string line = md.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] != '|') {
      expected = 0;
      continue;
    }
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i)
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
    if (expected == 0) expected = pipes;
    EXPECT_EQ(pipes, expected) << line;
  }
  for (const auto& p : rep.plots) {
    EXPECT_FALSE(contains(p.svg, "<b>bold")) << p.id;
    EXPECT_FALSE(contains(p.svg, "<i>")) << p.id;
  }
  bool in_svg = false;
  for (const auto& p : rep.plots) in_svg |= contains(p.svg, "&lt;b&gt;bold");
  EXPECT_TRUE(in_svg);
}

TEST(Analysis, HostileNamesAreEscapedInHtml) {
  auto runs = load_fixture_runs();
  store::StoredRun r = runs[0];
  r.id = 99;
  r.run.name = "bad\xff\xfe name\nline2 \"q\" 'a' <script>alert(1)</script> & <svg onload=x>";
  r.run.tags = {{"role", "time2train"}, {"k\"<", "v'>&"}};
  r.source_path = "logs/<img src=x>";
  runs.push_back(r);
  const std::string html = render_html(build_report(runs, AnalysisOptions{}));
  EXPECT_FALSE(contains(html, "<script>alert"));
  EXPECT_FALSE(contains(html, "<svg onload"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "<b>bold"));
  EXPECT_FALSE(contains(html, "\xff"));
  EXPECT_TRUE(
      contains(html,
               "bad\xc3\xbf\xc3\xbe name line2 &quot;q&quot; &apos;a&apos; &lt;script&gt;alert(1)"
               "&lt;/script&gt; &amp; &lt;svg onload=x&gt;"));
  EXPECT_TRUE(contains(html, "k&quot;&lt;=v&apos;&gt;&amp;"));
  EXPECT_TRUE(contains(html, "acc|run `x` &lt;b&gt;bold&lt;/b&gt; &amp; *stars*"));
  // The only script is the report's own, once.
  size_t scripts = 0;
  for (size_t p = 0; (p = html.find("<script", p)) != std::string::npos; ++p) ++scripts;
  EXPECT_EQ(scripts, 1u);
}

}  // namespace
}  // namespace rn50::report
