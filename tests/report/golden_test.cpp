// Byte-exact goldens for report.md/json/csv and the SVG plots on the fixed input.
// RN50_UPDATE_GOLDENS=1 rewrites them (then review the diff and commit).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixture_runs.h"
#include "quickstart_fixture.h"
#include "report/analysis.h"
#include "report/render.h"
#include "report/runs_command_tables.h"
#include "report/write_report.h"

namespace rn50::report {
namespace {

namespace fs = std::filesystem;

void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = rn50::testing::fixtures_dir() / "report" / "golden" / name;
  const char* update = std::getenv("RN50_UPDATE_GOLDENS");
  if (update && std::string(update) == "1") {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden " << path << " (run with RN50_UPDATE_GOLDENS=1)";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string expected = ss.str();
  if (expected == actual) return;
  // Point at the first differing line: a whole-file diff in gtest output is unreadable.
  std::istringstream e(expected), a(actual);
  std::string le, la;
  int line = 1;
  while (std::getline(e, le) && std::getline(a, la) && le == la) ++line;
  FAIL() << name << " differs from the golden at line " << line << "\n  golden: " << le
         << "\n  actual: " << la << "\n(RN50_UPDATE_GOLDENS=1 rewrites goldens)";
}

Report fixture_report() {
  AnalysisOptions opt;
  opt.selection = "all runs";
  return build_report(rn50::testing::load_fixture_runs(), opt);
}

TEST(Golden, Markdown) { check_golden("report.md", render_markdown(fixture_report())); }
TEST(Golden, Json) { check_golden("report.json", render_json(fixture_report())); }
TEST(Golden, Csv) { check_golden("report.csv", render_csv(fixture_report())); }

TEST(Golden, Html) { check_golden("report.html", render_html(fixture_report())); }

TEST(Golden, Plots) {
  const auto rep = fixture_report();
  // The fixture has epoch records but no metric history: the curves over steps are not drawn,
  // the evaluations over time are (from the epoch records of the six native runs).
  std::vector<std::string> drawn;
  for (const auto& p : rep.plots) {
    if (p.svg.empty()) {
      EXPECT_FALSE(p.missing_reason.empty()) << p.id;
      continue;
    }
    drawn.push_back(p.id);
    check_golden("plots/" + p.id + ".svg", p.svg);
  }
  EXPECT_EQ(drawn, (std::vector<std::string>{"top1_vs_time", "throughput_vs_devices",
                                             "scaling_efficiency", "top1_vs_epoch", "loss_vs_epoch",
                                             "epochs_to_target_vs_rcp"}));
}

// The quickstart-like run through the database: run card, curves over steps and time.
TEST(Golden, QuickstartMarkdownAndHtml) {
  const auto dir = rn50::testing::make_temp_dir("rn50-golden-quickstart");
  {
    auto db = store::Database::open(rn50::testing::make_quickstart_db(dir).string());
    ReportOptions o;
    o.format = "md,html";
    o.out_dir = dir / "report";
    o.target_top1 = 72;
    o.title = "quickstart: ResNet-50 on Fashion-MNIST 32x32";
    const auto res = write_report(*db, o);
    check_golden("quickstart/report.md", rn50::testing::read_text(res.written.at(0)));
    check_golden("quickstart/report.html", rn50::testing::read_text(res.written.at(1)));
  }
  fs::remove_all(dir);
}

TEST(Golden, RunsListAndDiff) {
  const auto runs = rn50::testing::load_fixture_runs();
  const auto list = runs_list_table(runs);
  check_golden("runs_list.txt", render_table(list, "table"));
  check_golden("runs_list.csv", render_table(list, "csv"));
  check_golden("runs_diff.md", render_table(runs_diff_table(runs[0], runs[2]), "md"));
}

TEST(Golden, SameInputSameBytes) {
  EXPECT_EQ(render_json(fixture_report()), render_json(fixture_report()));
}

}  // namespace
}  // namespace rn50::report
