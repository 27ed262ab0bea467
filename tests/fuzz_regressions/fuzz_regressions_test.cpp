// Every input a fuzz target once failed on (tests/fixtures/fuzz/<target>/) goes through the same
// checks as in the fuzzer (fuzz/check_*.h), in the ordinary build; fuzz/run.sh replays them under
// the sanitizers too. Each finding also has a test of what the fix promises.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/error.h"
#include "core/file_util.h"
#include "fuzz/check_experiment.h"
#include "fuzz/check_parsers.h"
#include "fuzz/check_scaling.h"
#include "parsers/registry.h"
#include "runner/experiment.h"
#include "runner/plan.h"
#include "test_support.h"

namespace rn50::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path regressions_dir() { return testing::fixtures_dir() / "fuzz"; }

std::string usage_error_of(std::string_view text) {
  try {
    core::parse_document(text, "f.yaml");
  } catch (const core::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

class FuzzRegressions : public ::testing::Test {
 protected:
  void SetUp() override {
    base_dir_ = testing::make_temp_dir("rn50-fuzz-regressions");
    prepare_experiment_dir(base_dir_, testing::source_dir());
  }
  void TearDown() override { fs::remove_all(base_dir_); }

  // The check of the target that found `input`; "" when it passes.
  std::string check(const std::string& target, std::string_view input) const {
    if (target.rfind("fuzz_parse_", 0) == 0) {
      const parsers::Parser* p = parsers::find_parser(target.substr(11));
      if (!p) return "no parser for " + target;
      return check_parser(*p, input);
    }
    if (target == "fuzz_sniff") return check_sniff(input);
    if (target == "fuzz_sidecars") return check_sidecars(input);
    if (target == "fuzz_scaling") return check_scaling(input);
    if (target == "fuzz_experiment") return check_experiment(input, base_dir_);
    return "unknown target " + target;
  }

  fs::path base_dir_;
};

// The targets of fuzz/targets.txt.
std::set<std::string> fuzz_targets() {
  std::ifstream in(testing::source_dir() / "fuzz" / "targets.txt");
  std::set<std::string> out;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("fuzz_", 0) == 0) out.insert(line.substr(0, line.find_first_of(" \t")));
  return out;
}

TEST(FuzzTargets, EveryParserHasATarget) {
  const auto targets = fuzz_targets();
  ASSERT_FALSE(targets.empty());
  for (const parsers::Parser* p : parsers::all_parsers())
    EXPECT_TRUE(targets.count("fuzz_parse_" + std::string(p->name()))) << p->name();
  for (const char* t : {"fuzz_sniff", "fuzz_experiment", "fuzz_sidecars", "fuzz_scaling"})
    EXPECT_TRUE(targets.count(t)) << t;
}

TEST_F(FuzzRegressions, EveryKeptInputPassesTheChecksOfItsTarget) {
  const auto targets = fuzz_targets();
  size_t inputs = 0;
  for (const auto& dir : fs::directory_iterator(regressions_dir())) {
    const std::string target = dir.path().filename().string();
    EXPECT_TRUE(targets.count(target)) << dir.path() << " is not a target of fuzz/targets.txt";
    for (const auto& f : fs::directory_iterator(dir.path())) {
      SCOPED_TRACE(f.path().string());
      EXPECT_EQ(check(target, core::read_file(f.path())), "");
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 0u) << "no kept input under " << regressions_dir();
}

// fuzz_experiment: a stream that starts with ',' made yaml-cpp's LoadAll return an empty document
// without reading on, forever, until the memory was gone (a one-byte experiment file).
TEST(FuzzFindings, YamlStreamStartingWithATokenThatCannotStartAValue) {
  EXPECT_EQ(usage_error_of(",\n"),
            "f.yaml:1: YAML syntax error: ',' (column 1) cannot start a value");
  EXPECT_EQ(usage_error_of("a: 1\n---\n  ,"),
            "f.yaml:3: YAML syntax error: ',' (column 3) cannot start a value");
  // Several documents are still counted and refused.
  EXPECT_EQ(usage_error_of("a: 1\n---\nb: 2\n"), "f.yaml: holds 2 YAML documents; expected one");
}

// fuzz_experiment: 3 KB of aliases of one long string stayed under the budget of a million values
// and took 3 GB; the text an expansion makes is bounded too.
TEST(FuzzFindings, AliasesOfALongStringAreRefusedByTheirSize) {
  const std::string text =
      core::read_file(regressions_dir() / "fuzz_experiment" / "alias-bomb-of-long-strings.yaml");
  ASSERT_LT(text.size(), 4000u);
  const std::string msg = usage_error_of(text);
  EXPECT_NE(msg.find("f.yaml:1: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("expands to more than 64 MiB of text"), std::string::npos) << msg;
  // One long string used a few times is fine.
  const auto doc =
      core::parse_document("s: &s " + std::string(100000, 'v') + "\nt: [*s, *s, *s]\n", "f.yaml");
  EXPECT_EQ(doc.root["t"][2].get<std::string>().size(), 100000u);
}

// fuzz_experiment: the key of every mapping entry was a reference into a temporary that yaml-cpp's
// iterator returns (AddressSanitizer: stack-use-after-scope); the keys are read correctly.
TEST(FuzzFindings, MappingKeysAndTheirLines) {
  const auto doc = core::parse_document("name: bad\nrole: speed\n", "f.yaml");
  EXPECT_EQ(doc.root["name"], "bad");
  EXPECT_EQ(doc.root["role"], "speed");
  EXPECT_EQ(doc.locator.where("role"), "f.yaml:2: role");
}

std::string experiment_error_of(const fs::path& file) {
  try {
    const runner::Experiment exp = runner::load_experiment(file);
    runner::expand_plan(exp);
  } catch (const core::UsageError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a usage error: ") + e.what();
  }
  return "(no error)";
}

// fuzz_experiment: `precision` of the base that is not a string reached the user as
// "[json.exception.type_error.302] ..." (exit 1) instead of a usage error naming the key.
TEST(FuzzFindings, BasePrecisionOfTheWrongType) {
  const fs::path f = regressions_dir() / "fuzz_experiment" / "base-precision-a-list.yaml";
  EXPECT_EQ(experiment_error_of(f),
            f.string() + ":14: base.precision: expected fp32, amp, got a list");
}

// fuzz_experiment: a shape string with a count beyond int64 ("99999999999999999999n8g") ended in
// std::stoll's bare "stoll" (exit 1).
TEST(FuzzFindings, ShapeCountBeyondInt64) {
  const fs::path f = regressions_dir() / "fuzz_experiment" / "shape-count-beyond-int64.yaml";
  EXPECT_EQ(
      experiment_error_of(f),
      f.string() + ":4: matrix.devices[0]: '99999999999999999999n8g' has a count beyond 2^63");
}

// fuzz_experiment: a step milestone beyond int64 ("[30, 60, 2.2e34]" after 90 epochs) was
// converted to int64 to print it in the error message (UBSan: float-cast-overflow).
TEST(FuzzFindings, MilestoneBeyondInt64IsPrintedAsANumber) {
  const fs::path f = regressions_dir() / "fuzz_experiment" / "milestone-beyond-int64.yaml";
  EXPECT_EQ(experiment_error_of(f),
            f.string() +
                ":7: base.lr_milestones: milestone 2.222222229223372e+34 is after the last "
                "epoch (90): the step would never fire");
}

// fuzz_experiment: nodes x devices per node and batch x world size overflowed int64 (UBSan:
// signed integer overflow in DeviceShape::world_size; the plan said "4611686018427387904 nodes x
// 4 ranks = 0").
TEST(FuzzFindings, WorldSizeAndGlobalBatchBeyondInt64) {
  const fs::path f =
      regressions_dir() / "fuzz_experiment" / "world-size-and-global-batch-beyond-int64.yaml";
  EXPECT_EQ(experiment_error_of(f),
            f.string() +
                ":6: matrix.devices[0]: 4611686018427387904n4g: nodes x devices per node "
                "is beyond 2^63");
  const fs::path dir = testing::make_temp_dir("rn50-fuzz-global-batch");
  std::ofstream(dir / "e.yaml") << "name: x\nrole: accuracy\nbase:\n  data_backend: synthetic\n"
                                   "matrix:\n  devices: [2n4g]\n"
                                   "  batch_per_device: [4611686018427387904]\n";
  EXPECT_EQ(experiment_error_of(dir / "e.yaml"),
            (dir / "e.yaml").string() +
                ":6: matrix.devices[0]: 2n4g with batch_per_device 4611686018427387904: a global "
                "batch beyond 2^63");
  fs::remove_all(dir);
}

// fuzz_experiment: `repeats: 10000000` made `run --dry-run` build ten million planned runs (a
// timeout; 10 GB after a minute); a plan holds at most 10,000 runs.
TEST(FuzzFindings, PlansOfMoreThanTenThousandRunsAreRefused) {
  const fs::path f = regressions_dir() / "fuzz_experiment" / "ten-million-repeats.yaml";
  EXPECT_EQ(experiment_error_of(f),
            f.string() +
                ":5: matrix: expands to more than 10000 runs (devices x precision x "
                "batch_per_device x seeds x repeats)");
  const fs::path dir = testing::make_temp_dir("rn50-fuzz-plan-size");
  std::ofstream(dir / "e.yaml") << "name: x\nrole: accuracy\nbase:\n  data_backend: synthetic\n"
                                   "matrix:\n  devices: [1, 2]\n  repeats: 5000\n";
  const runner::Experiment exp = runner::load_experiment(dir / "e.yaml");
  EXPECT_EQ(runner::expand_plan(exp).runs.size(), 10000u);
  fs::remove_all(dir);
}

// fuzz_experiment: a byte that is not UTF-8 in a value ("data: \xdadata/imagenet") passed the
// loader and ended in "[json.exception.type_error.316] invalid UTF-8 byte" when the plan was
// hashed.
TEST(FuzzFindings, TextThatIsNotUtf8IsRefusedWhereItIs) {
  const fs::path f = regressions_dir() / "fuzz_experiment" / "value-not-utf8.yaml";
  EXPECT_EQ(experiment_error_of(f), f.string() + ":15: base.data: value is not UTF-8 text");
  EXPECT_EQ(usage_error_of("a:\n  \xff: 1\n"), "f.yaml:2: a: key is not UTF-8 text");
  core::Document doc = core::parse_document("a: 1\n", "f.yaml");
  try {
    core::apply_override(doc, "a.\xe9=2");
    ADD_FAILURE() << "no error";
  } catch (const core::UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--set key: not valid UTF-8 (byte 0xE9 at offset 2)");
  }
}

// fuzz_experiment: a base_config name longer than the file system allows made
// std::filesystem::is_regular_file throw "filesystem error: status: File name too long" (exit 1).
TEST(FuzzFindings, BaseConfigNameTooLong) {
  const fs::path f = regressions_dir() / "fuzz_experiment" / "base-config-name-too-long.yaml";
  const std::string msg = experiment_error_of(f);
  EXPECT_EQ(msg.rfind(f.string() + ":9: base_config: cannot read ", 0), 0u) << msg;
}

}  // namespace
}  // namespace rn50::fuzz
