// Acceptance on a whole MLPerf Training v2.1 results tree (corpus/mlperf-tree-v2.1): the RCP check
// with the 2.1.0 ruleset reproduces, for every one of the 18 systems, the scaling.json that
// MLPerf's own checker wrote into its folder — the same factor within 1e-6 where the folder has
// one, and no factor where it has none. Each set is a folder <org>/results/<system>/resnet, its
// result_*.txt files parsed directly with the MLPerf parser (independent of how `ingest` groups a
// tree).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parsers/parser.h"
#include "report/rcp_check.h"
#include "report/text_format.h"
#include "test_support.h"

namespace rn50::report {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Expected {
  int64_t batch;
  RcpOutcome outcome;
  std::string basis;
};

// What the check must find per system (batch from the logs; outcome and basis follow from the
// 2.1.0 RCPs: pruned batches 1632, 3264, 32768, 49152, 67840; see rcp_check_test.cpp).
const std::map<std::string, Expected>& expected() {
  static const std::map<std::string, Expected> e = {
      {"ASUSTeK/ESC8000A-E11-8xA100-PCIE-80GB-NVBridge",
       {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"ASUSTeK/ESCN4A-E11", {1632, RcpOutcome::kPasses, "RCP found"}},
      {"Fujitsu/rx_A100-PCIex2_mxnet_NGC_22.04",
       {816, RcpOutcome::kPasses, "smaller than every RCP batch"}},
      {"HPE/HPE-ProLiant-XL675d-Gen10-Plus_A100-SXM-80GB_16N_mxnet",
       {16384, RcpOutcome::kPasses, "RCP interpolation"}},
      {"HPE/HPE-ProLiant-XL675d-Gen10-Plus_A100-SXM-80GB_2N_mxnet",
       {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"HPE/HPE-ProLiant-XL675d-Gen10-Plus_A100-SXM-80GB_4N_mxnet",
       {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"HPE/HPE-ProLiant-XL675d-Gen10-Plus_A100-SXM-80GB_8N_mxnet",
       {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"HPE/HPE-ProLiant-XL675d-Gen10-Plus_A100-SXM-80GB_mxnet",
       {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"Intel-HabanaLabs/HLS-Gaudi2-PT", {2048, RcpOutcome::kPassesFaster, "RCP interpolation"}},
      {"Intel-HabanaLabs/HLS-Gaudi2-TF", {2048, RcpOutcome::kPassesFaster, "RCP interpolation"}},
      {"Intel/16-nodes-SPR-pytorch", {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"Lenovo/SR670v2-4xA100_SXM4_40GB_400W",
       {1024, RcpOutcome::kPasses, "smaller than every RCP batch"}},
      {"Lenovo/SR670v2-8xA100_PCIe_80GB_300W", {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"NVIDIA/dgxa100_n128_ngc22.04_mxnet", {35840, RcpOutcome::kPasses, "RCP interpolation"}},
      {"NVIDIA/dgxa100_ngc22.04_mxnet", {3264, RcpOutcome::kPassesFaster, "RCP found"}},
      {"NVIDIA/dgxh100_n4_preview", {3200, RcpOutcome::kPassesFaster, "RCP interpolation"}},
      {"NVIDIA/dgxh100_preview", {3200, RcpOutcome::kPassesFaster, "RCP interpolation"}},
      {"Supermicro/AS-4124GS-TNR_8_A100-PCIe-80GB-300W",
       {3264, RcpOutcome::kPassesFaster, "RCP found"}},
  };
  return e;
}

TEST(RcpTree, ReproducesEveryScalingJsonOfMlperfTrainingV21) {
  RN50_REQUIRE_CORPUS();
  const fs::path root = rn50::testing::corpus_dir() / "mlperf-tree-v2.1";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  const auto parser = parsers::make_mlperf_parser();
  const auto& table = rcp_table("2.1.0");

  std::vector<fs::path> sets;
  for (const auto& org : fs::directory_iterator(root)) {
    if (!org.is_directory() || !fs::is_directory(org.path() / "results")) continue;
    for (const auto& sys : fs::directory_iterator(org.path() / "results"))
      if (fs::is_directory(sys.path() / "resnet")) sets.push_back(sys.path() / "resnet");
  }
  std::sort(sets.begin(), sets.end());
  ASSERT_EQ(sets.size(), 18u);

  std::set<std::string> seen;
  for (const auto& dir : sets) {
    const std::string name = dir.parent_path().parent_path().parent_path().filename().string() +
                             "/" + dir.parent_path().filename().string();
    SCOPED_TRACE(name);
    std::vector<store::StoredRun> runs;
    for (const auto& f : fs::directory_iterator(dir)) {
      const std::string file = f.path().filename().string();
      if (!file.starts_with("result_") || f.path().extension() != ".txt") continue;
      auto parsed = parser->parse(slurp(f.path()), core::DeriveOptions{});
      ASSERT_EQ(parsed.runs.size(), 1u) << file;
      store::StoredRun s;
      s.source_path = f.path().string();
      s.run = std::move(parsed.runs[0]);
      runs.push_back(std::move(s));
    }
    ASSERT_EQ(runs.size(), 5u);
    std::vector<const store::StoredRun*> ptrs;
    for (const auto& r : runs) ptrs.push_back(&r);
    const auto result = rcp_check_runs(table, ptrs, 75.9);

    const fs::path scaling = dir / "scaling.json";
    std::optional<double> published;
    if (fs::exists(scaling))
      published = nlohmann::json::parse(slurp(scaling)).at("scaling_factor").get<double>();
    std::cout << "[rcp 2.1.0] " << name << ": batch "
              << (result.batch ? std::to_string(*result.batch) : "?") << ", factor "
              << (result.scaling_factor ? fmt_shortest(*result.scaling_factor) : "none")
              << ", scaling.json " << (published ? fmt_shortest(*published) : "none") << " | "
              << describe(result) << "\n";
    if (published) {
      ASSERT_TRUE(result.scaling_factor) << describe(result);
      EXPECT_NEAR(*result.scaling_factor, *published, 1e-6);
    } else {
      EXPECT_FALSE(result.scaling_factor) << describe(result);
    }
    EXPECT_TRUE(result.passes()) << describe(result);
    const auto it = expected().find(name);
    ASSERT_NE(it, expected().end());
    EXPECT_EQ(result.batch, it->second.batch);
    EXPECT_EQ(result.outcome, it->second.outcome) << describe(result);
    EXPECT_EQ(result.basis, it->second.basis);
    seen.insert(name);
  }
  EXPECT_EQ(seen.size(), expected().size());
}

}  // namespace
}  // namespace rn50::report
