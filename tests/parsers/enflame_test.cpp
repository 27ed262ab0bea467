// Enflame-style report JSON and the built-in trainer's report.json (a superset).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_util.h"
#include "parsers/parser.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

using core::RunStatus;
using core::Severity;
using core::Source;

core::ParsedFile parse_fixture(const char* name, const core::DeriveOptions& opt = {}) {
  static const auto parser = make_enflame_report_parser();
  return parser->parse(core::read_file(rn50::testing::fixtures_dir() / "enflame" / name), opt);
}

const core::Diagnostic* find_diag(const core::ParsedFile& f, std::string_view needle) {
  for (const auto& d : f.diagnostics)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

TEST(EnflameReport, SeedKeys) {
  auto f = parse_fixture("enflame_seed_report.json");
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  EXPECT_EQ(r.source_format, "enflame-report");
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.batch_per_device.value, 128);
  EXPECT_EQ(*r.epochs_planned.value, 90);
  EXPECT_FALSE(r.world_size.known());
  EXPECT_FALSE(r.global_batch.known());
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 76.214);
  EXPECT_DOUBLE_EQ(*r.derived.best_top5, 92.982);
  EXPECT_DOUBLE_EQ(*r.derived.summary_total_ips, 1487.36);
  EXPECT_FALSE(r.derived.total_ips.has_value());
  EXPECT_NE(r.derived.total_ips_definition.find("train_fps_mean"), std::string::npos);
  EXPECT_DOUBLE_EQ(*r.derived.wall_time_s, 80123.5);
  EXPECT_FALSE(r.derived.time_to_target_s.has_value());
  EXPECT_EQ(r.params.size(), 14u);  // every key is kept
  EXPECT_EQ(r.find_param("device")->value, "gcu");
  EXPECT_EQ(r.find_param("train_fps_min")->value, "1201.4");
  EXPECT_TRUE(f.diagnostics.empty());
}

TEST(EnflameReport, FractionAccuracyBecomesPercentWithDiagnostic) {
  auto f = parse_fixture("acc_fraction_report.json");
  const auto& r = f.runs[0];
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 7.12);
  EXPECT_DOUBLE_EQ(*r.derived.best_top5, 20.0);
  const auto* d = find_diag(f, "fraction");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 1);
}

TEST(EnflameReport, OwnTrainerReportKeepsEverything) {
  auto f = parse_fixture("rn50_trainer_report.json");
  const auto& r = f.runs[0];
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(*r.world_size.value, 4);
  EXPECT_EQ(*r.global_batch.value, 256);
  EXPECT_EQ(*r.batch_per_device.value, 64);
  EXPECT_EQ(*r.precision.value, "amp");
  EXPECT_EQ(r.epochs_completed, 37);
  EXPECT_DOUBLE_EQ(*r.derived.total_ips, 1300.25);
  EXPECT_DOUBLE_EQ(*r.derived.compute_ips, 1350.5);
  EXPECT_DOUBLE_EQ(*r.derived.summary_total_ips, 1310.0);
  EXPECT_DOUBLE_EQ(*r.derived.time_to_target_s, 36000.25);
  EXPECT_EQ(*r.derived.target_epoch, 36);
  EXPECT_EQ(r.params.size(), 26u);
  EXPECT_EQ(r.find_param("schema")->value, "rn50-run-report");

  // Another target: the report's time-to-target does not apply.
  core::DeriveOptions opt;
  opt.target_top1 = 76.5;
  auto g = parse_fixture("rn50_trainer_report.json", opt);
  EXPECT_FALSE(g.runs[0].derived.time_to_target_s.has_value());
  EXPECT_DOUBLE_EQ(*g.runs[0].derived.target_top1, 76.5);
}

TEST(EnflameReport, WrongTypesAreDiagnosticsNamingKeyAndLine) {
  auto f = parse_fixture("wrong_types_report.json");
  ASSERT_EQ(f.runs.size(), 1u);
  const auto& r = f.runs[0];
  EXPECT_FALSE(r.batch_per_device.known());
  EXPECT_FALSE(r.epochs_planned.known());
  EXPECT_DOUBLE_EQ(*r.derived.best_top1, 75.5);  // numeric string accepted, with a note
  EXPECT_FALSE(r.derived.best_top5.has_value());
  const auto* bs = find_diag(f, "batch_size");
  ASSERT_NE(bs, nullptr);
  EXPECT_EQ(bs->line, 3);
  EXPECT_EQ(bs->severity, Severity::kWarning);
  const auto* ep = find_diag(f, "epochs");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->line, 4);
  const auto* a5 = find_diag(f, "acc5_best");
  ASSERT_NE(a5, nullptr);
  EXPECT_EQ(a5->line, 6);
}

TEST(EnflameReport, MalformedJsonIsAnErrorWithoutRuns) {
  auto f = parse_fixture("truncated_report.json");
  EXPECT_TRUE(f.runs.empty());
  ASSERT_EQ(f.diagnostics.size(), 1u);
  EXPECT_EQ(f.diagnostics[0].severity, Severity::kError);
  EXPECT_EQ(f.diagnostics[0].line, 4);
  auto p = make_enflame_report_parser();
  EXPECT_TRUE(p->parse("[1, 2]", {}).runs.empty());
  EXPECT_TRUE(p->parse("{\"a\": 1}", {}).runs.empty());
  EXPECT_TRUE(p->parse("", {}).runs.empty());
}

TEST(EnflameReport, UserFacts) {
  core::DeriveOptions opt;
  opt.sets["world_size"] = "8";
  auto f = parse_fixture("enflame_seed_report.json", opt);
  const auto& r = f.runs[0];
  EXPECT_EQ(r.world_size.source, Source::kUser);
  EXPECT_EQ(*r.global_batch.value, 1024);  // 128 per device x 8
}

TEST(EnflameReport, Sniff) {
  auto p = make_enflame_report_parser();
  const auto dir = rn50::testing::fixtures_dir() / "enflame";
  EXPECT_GE(p->sniff(core::read_file(dir / "enflame_seed_report.json")), 80);
  EXPECT_GE(p->sniff(core::read_file(dir / "rn50_trainer_report.json")), 80);
  EXPECT_EQ(p->sniff("{\"submitter\": \"NVIDIA\", \"number_of_nodes\": \"1\"}"), 0);
  EXPECT_EQ(p->sniff("acc1_best train_fps_mean"), 0);
  EXPECT_EQ(p->sniff(""), 0);
}

}  // namespace
}  // namespace rn50::parsers
