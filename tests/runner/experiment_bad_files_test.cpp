// Every malformed experiment file in tests/fixtures/experiments/bad/ must fail with its own
// message naming file, line and key path; nothing else in the folder may pass unnoticed.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "core/error.h"
#include "runner/experiment.h"
#include "runner/plan.h"
#include "test_support.h"

namespace rn50::runner {
namespace {

namespace fs = std::filesystem;

struct BadCase {
  const char* file;
  const char* expected;  // substring of the error, "file:line: key.path: what"
};

// {file}: is replaced by the path of the file as passed to the loader.
const BadCase kCases[] = {
    {"unknown-top-key.yaml", "{file}:9: epochz: unknown key"},
    {"unknown-base-key.yaml",
     "{file}:7: base.lr_shedule: unknown key (did you mean 'lr_schedule'?)"},
    {"base-wrong-type.yaml", "{file}:5: base.epochs: expected an integer, got a string"},
    {"time2train-no-target.yaml", "{file}:2: role: time2train needs target_top1"},
    {"repeats-zero.yaml", "{file}:9: matrix.repeats: must be >= 1, got 0"},
    {"devices-not-divisible.yaml",
     "{file}:11: matrix.devices[1]: 12 devices are not divisible by devices_per_node 8"},
    {"derived-unknown-variable.yaml",
     "{file}:8: derived.lr: unknown variable 'global_bs' (known: global_batch"},
    {"too-many-cpu-ranks.yaml",
     "{file}:8: matrix.devices[0]: run 1n4096g-fp32-bs256-seed0-r0 "
     "starts 4096 CPU ranks on one node but this machine has 2 cores"},
    {"multinode-without-nnodes.yaml",
     "{file}:8: matrix.devices[1]: run 2n1g-fp32-bs256-seed0-r0 needs 2 nodes"},
    {"missing-name.yaml", "{file}: name: required key is missing"},
    {"bad-role.yaml", "{file}:2: role: 'speed' is not one of time2train, accuracy, throughput"},
    {"target-out-of-range.yaml", "{file}:3: target_top1: must be a percentage in (0, 100]"},
    {"precision-invalid.yaml", "{file}:8: matrix.precision[1]: 'fp16' is not one of fp32, amp"},
    {"batch-zero.yaml", "{file}:8: matrix.batch_per_device[0]: must be >= 1, got 0"},
    {"duplicate-key.yaml", "{file}:9: matrix: duplicate key"},
    {"yaml-syntax.yaml", "{file}:9: YAML syntax error"},
    {"derived-not-trainer-key.yaml",
     "{file}:8: derived.learning_rate: 'learning_rate' is not a trainer key"},
    {"derived-syntax.yaml",
     "{file}:8: derived.lr: expected ')' at column 21 in '(global_batch / 1000'"},
    {"derived-conflict-base.yaml", "{file}:9: derived.lr: 'lr' is also set in base.lr"},
    {"derived-not-integer.yaml",
     "{file}:10: derived.optimizer_batch_size: 'global_batch / 3' = 5.333333333 for run "
     "1n1g-fp32-bs16-seed0-r0, but optimizer_batch_size needs an integer"},
    {"derived-integer-beyond-int64.yaml",
     "{file}:10: derived.optimizer_batch_size: 'global_batch * 1000000000000000000000' = 1.6e+22 "
     "for run 1n1g-fp32-bs16-seed0-r0, beyond the range of optimizer_batch_size"},
    {"base-workspace.yaml", "{file}:7: base.workspace: set by the runner"},
    {"bad-shape-string.yaml",
     "{file}:8: matrix.devices[1]: '2x8' is neither a device count nor a shape like 2n8g"},
    {"on-failure-invalid.yaml", "{file}:7: on_failure: 'retry' is not one of continue, stop"},
    {"nodes-without-devices-per-node.yaml",
     "{file}:8: matrix.nodes: needs matrix.devices_per_node"},
    {"duplicate-devices.yaml",
     "{file}:8: matrix.devices[2]: duplicate value (same as matrix.devices[0])"},
    {"matrix-unknown-key.yaml", "{file}:8: matrix.gpus: unknown key (known: devices"},
    {"base-config-missing.yaml", "{file}:7: base_config: cannot read"},
    {"milestone-after-end.yaml", "{file}:7: base.lr_milestones: milestone 100"},
    {"bad-type.json", "{file}:3: name: expected a string, got an integer"},
    {"name-with-slash.yaml", "{file}:1: name: '../escape' must be 1-100 characters"},
    {"timeout-negative.yaml", "{file}:7: timeout: must be >= 0 seconds"},
    {"base-config-bad-key.yaml",
     "include/trainer-typo.yaml:2: lr_shedule: unknown key (did you mean 'lr_schedule'?) "
     "(base_config of {file})"},
    {"folder-without-data.yaml", "{file}: base.data: required for data_backend 'folder'"},
    {"dataset-unknown-name.yaml", "{file}:8: dataset.name: 'mnist' is not one of fashion-mnist"},
    {"alias-bomb.yaml", "{file}:3: a5[7][8][8][8][8][8]: expands to more than 1000000 values"},
};

// What `rn50-exp run FILE` checks before anything starts, on a 2-core machine.
void validate(const fs::path& file) {
  Experiment exp = load_experiment(file);
  Plan plan = expand_plan(exp);
  LaunchScope scope;
  scope.cpu_cores = 2;
  select_runs(exp, plan, scope);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

TEST(ExperimentBadFiles, EachFileFailsWithItsOwnMessage) {
  const fs::path dir = testing::fixtures_dir() / "experiments" / "bad";
  for (const BadCase& c : kCases) {
    const fs::path file = dir / c.file;
    SCOPED_TRACE(c.file);
    ASSERT_TRUE(fs::is_regular_file(file)) << file;
    const std::string expected = replace_all(c.expected, "{file}", file.string());
    try {
      validate(file);
      ADD_FAILURE() << c.file << " was accepted";
    } catch (const core::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << "expected: " << expected << "\n     got: " << e.what();
    }
  }
}

TEST(ExperimentBadFiles, EveryFixtureHasAnExpectation) {
  std::set<std::string> listed;
  for (const BadCase& c : kCases) listed.insert(c.file);
  size_t count = 0;
  for (const auto& entry :
       fs::directory_iterator(testing::fixtures_dir() / "experiments" / "bad")) {
    if (!entry.is_regular_file()) continue;
    ++count;
    EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path();
  }
  EXPECT_EQ(count, listed.size());
  EXPECT_GE(count, 20u);
}

}  // namespace
}  // namespace rn50::runner
