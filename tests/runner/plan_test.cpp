#include "runner/plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/error.h"
#include "test_support.h"

namespace rn50::runner {
namespace {

namespace fs = std::filesystem;

Experiment from_text(const std::string& text, const std::vector<std::string>& sets = {}) {
  core::Document doc = core::parse_document(text, "exp.yaml");
  for (const auto& s : sets) core::apply_override(doc, s);
  return parse_experiment(std::move(doc), ".");
}

fs::path shipped(const std::string& name) { return testing::source_dir() / "experiments" / name; }

const PlannedRun* find_label(const Plan& plan, const std::string& prefix) {
  for (const auto& r : plan.runs)
    if (r.label.rfind(prefix, 0) == 0) return &r;
  return nullptr;
}

TEST(PlanShipped, DlperfExpandsFiveShapesTimesFiveRepeats) {
  Experiment exp = load_experiment(shipped("dlperf-rn50-throughput-1n1g-4n8g.yaml"));
  Plan plan = expand_plan(exp);
  ASSERT_EQ(plan.runs.size(), 25u);
  const PlannedRun* r = find_label(plan, "4n8g-fp32-bs128-seed0-r4");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->shape.nodes, 4);
  EXPECT_EQ(r->shape.devices_per_node, 8);
  EXPECT_EQ(r->global_batch, 4096);
  EXPECT_NEAR(r->config.lr, 4.096, 1e-12);
  EXPECT_EQ(r->config.epochs, 1);
  EXPECT_EQ(r->config.eval_every, 0);
  const PlannedRun* one = find_label(plan, "1n1g-fp32-bs128-seed0-r0");
  ASSERT_NE(one, nullptr);
  EXPECT_NEAR(one->config.lr, 0.128, 1e-12);
  const std::string text = format_plan(exp, plan);
  EXPECT_NE(text.find("nodes 4 x ranks 8 = 32  batch/device 128  global batch 4096  lr 4.096"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[25/25] 4n8g-fp32-bs128-seed0-r4-"), std::string::npos);
  // Distinct repeats are distinct runs with distinct directories.
  std::set<std::string> ids;
  for (const auto& run : plan.runs) ids.insert(run.id);
  EXPECT_EQ(ids.size(), 25u);
}

TEST(PlanShipped, NgcExperimentsFollowTheNgcDefaults) {
  Experiment one = load_experiment(shipped("ngc-rn50-1card-time2train-amp-90e.yaml"));
  Plan p1 = expand_plan(one);
  ASSERT_EQ(p1.runs.size(), 1u);
  const auto& c1 = p1.runs[0].config;
  EXPECT_EQ(c1.precision, "amp");
  EXPECT_EQ(c1.epochs, 90);
  EXPECT_NEAR(c1.lr, 0.256, 1e-12);
  EXPECT_EQ(c1.lr_schedule, "cosine");
  EXPECT_DOUBLE_EQ(c1.warmup_epochs, 8);
  EXPECT_DOUBLE_EQ(c1.momentum, 0.875);
  EXPECT_DOUBLE_EQ(c1.weight_decay, 3.0517578125e-05);
  EXPECT_DOUBLE_EQ(c1.label_smoothing, 0.1);
  EXPECT_DOUBLE_EQ(c1.target_top1, 75.9);  // time2train stops at the target

  Experiment eight = load_experiment(shipped("ngc-rn50-8card-accuracy-amp-250e.yaml"));
  Plan p8 = expand_plan(eight);
  ASSERT_EQ(p8.runs.size(), 3u);  // three seeds
  for (const auto& r : p8.runs) {
    EXPECT_EQ(r.shape.world_size(), 8);
    EXPECT_EQ(r.global_batch, 2048);
    EXPECT_NEAR(r.config.lr, 2.048, 1e-12);
    EXPECT_DOUBLE_EQ(r.config.mixup, 0.2);
    EXPECT_EQ(r.config.epochs, 250);
    EXPECT_DOUBLE_EQ(r.config.target_top1, 0);  // accuracy role: train all epochs
  }
  EXPECT_EQ(p8.runs[2].seed, 3u);

  Experiment enflame = load_experiment(shipped("enflame-rn50-8card-90e-step.yaml"));
  Plan pe = expand_plan(enflame);
  ASSERT_EQ(pe.runs.size(), 1u);
  EXPECT_EQ(pe.runs[0].config.lr_schedule, "step");
  EXPECT_EQ(pe.runs[0].config.skip_steps, 5);
  EXPECT_EQ(pe.runs[0].config.print_freq, 20);
  EXPECT_NEAR(pe.runs[0].config.lr, 0.8, 1e-12);
}

TEST(PlanShipped, EveryShippedExperimentExpands) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(testing::source_dir() / "experiments")) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().string());
    Experiment exp = load_experiment(e.path());
    EXPECT_FALSE(expand_plan(exp).runs.empty());
    ++n;
  }
  EXPECT_GE(n, 6u);
}

TEST(PlanShipped, GpuMultiNodeRunsNeedNnodes) {
  Experiment exp = load_experiment(shipped("dlperf-rn50-throughput-1n1g-4n8g.yaml"));
  Plan plan = expand_plan(exp);
  LaunchScope local;
  EXPECT_THROW(select_runs(exp, plan, local), core::UsageError);
  LaunchScope four;
  four.nnodes = 4;
  auto selected = select_runs(exp, plan, four);
  ASSERT_EQ(selected.size(), 5u);
  for (size_t i : selected) EXPECT_EQ(plan.runs[i].shape.nodes, 4);
  LaunchScope three;
  three.nnodes = 3;
  EXPECT_THROW(select_runs(exp, plan, three), core::UsageError);
}

TEST(Plan, MatrixOrderDerivedValuesAndTags) {
  Experiment exp = from_text(R"(
name: t
role: throughput
base: {data_backend: synthetic, epochs: 2, lr_schedule: cosine}
matrix:
  devices: [1, 2]
  precision: [fp32, amp]
  batch_per_device: 8
  seeds: [5, 6]
  repeats: 2
derived:
  lr: 0.1 * global_batch / 256 + devices - nodes * devices_per_node
  optimizer_batch_size: global_batch * 2
)");
  Plan plan = expand_plan(exp);
  ASSERT_EQ(plan.runs.size(), 16u);
  EXPECT_EQ(plan.runs[0].label, "1n1g-fp32-bs8-seed5-r0");
  EXPECT_EQ(plan.runs[1].label, "1n1g-fp32-bs8-seed5-r1");
  EXPECT_EQ(plan.runs[2].label, "1n1g-fp32-bs8-seed6-r0");
  EXPECT_EQ(plan.runs[4].label, "1n1g-amp-bs8-seed5-r0");
  EXPECT_EQ(plan.runs[15].label, "1n2g-amp-bs8-seed6-r1");
  EXPECT_NEAR(plan.runs[15].config.lr, 0.1 * 16 / 256, 1e-12);
  EXPECT_EQ(plan.runs[15].config.optimizer_batch_size, 32);
  EXPECT_EQ(plan.runs[15].config.seed, 6u);
  EXPECT_EQ(plan.runs[15].config.precision, "amp");
  EXPECT_EQ(plan.runs[15].config.experiment, "t");
  bool has_repeat = false;
  for (const auto& [k, v] : plan.runs[15].tags) has_repeat |= (k == "repeat" && v == "1");
  EXPECT_TRUE(has_repeat);
}

TEST(Plan, ConfigHashIsStableAndSensitive) {
  const std::string text =
      "name: t\nrole: throughput\nbase: {data_backend: synthetic, epochs: 3, "
      "lr_schedule: cosine}\n";
  Plan a = expand_plan(from_text(text));
  Plan b = expand_plan(from_text(text));
  EXPECT_EQ(a.runs[0].config_sha256, b.runs[0].config_sha256);
  EXPECT_EQ(a.runs[0].id, b.runs[0].id);
  EXPECT_EQ(a.runs[0].config_sha256.size(), 64u);
  Plan c = expand_plan(from_text(text, {"base.epochs=4"}));
  EXPECT_NE(a.runs[0].config_sha256, c.runs[0].config_sha256);
  EXPECT_EQ(c.runs[0].config.epochs, 4);
}

TEST(Plan, DevicesPerNodeSplitsCounts) {
  Experiment exp = from_text(R"(
name: t
role: throughput
base: {data_backend: synthetic, epochs: 3, lr_schedule: cosine, device: cuda}
matrix:
  devices: [1, 8, 32]
  devices_per_node: 8
)");
  ASSERT_EQ(exp.devices.size(), 3u);
  EXPECT_EQ(exp.devices[0].label(), "1n1g");
  EXPECT_EQ(exp.devices[1].label(), "1n8g");
  EXPECT_EQ(exp.devices[2].label(), "4n8g");
  Experiment nodes = from_text(R"(
name: t
role: throughput
base: {data_backend: synthetic, epochs: 3, lr_schedule: cosine}
matrix: {nodes: [1, 2], devices_per_node: 4}
)");
  ASSERT_EQ(nodes.devices.size(), 2u);
  EXPECT_EQ(nodes.devices[1].world_size(), 8);
}

TEST(Plan, OverridesAreValidatedLikeTheFile) {
  const std::string text =
      "name: t\nrole: throughput\nbase: {data_backend: synthetic, epochs: 3, "
      "lr_schedule: cosine}\n";
  try {
    from_text(text, {"matrix.repeats=0"});
    FAIL() << "accepted";
  } catch (const core::UsageError& e) {
    // No line: the value came from --set, not from the file.
    EXPECT_EQ(std::string(e.what()), "exp.yaml: matrix.repeats: must be >= 1, got 0");
  }
}

}  // namespace
}  // namespace rn50::runner
