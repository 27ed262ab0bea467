#include "core/archive_layout.h"

#include <algorithm>
#include <array>
#include <system_error>

namespace rn50::core {
namespace {

namespace fs = std::filesystem;

bool has_systems_folder(const fs::path& org_folder) {
  std::error_code ec;
  return fs::is_directory(org_folder / "systems", ec);
}

}  // namespace

bool is_mlperf_benchmark_name(const std::string& name) {
  // Benchmark folders of MLPerf Training rounds v0.5 to v5.0 (results repositories).
  static constexpr std::array<std::string_view, 22> kNames = {"resnet",
                                                              "bert",
                                                              "ssd",
                                                              "retinanet",
                                                              "maskrcnn",
                                                              "rnnt",
                                                              "unet3d",
                                                              "minigo",
                                                              "dlrm",
                                                              "dlrm_dcnv2",
                                                              "gpt3",
                                                              "gnn",
                                                              "rgat",
                                                              "stable_diffusion",
                                                              "llama2_70b_lora",
                                                              "llama31_405b",
                                                              "llama31_8b",
                                                              "flux1",
                                                              "transformer",
                                                              "gnmt",
                                                              "ncf",
                                                              "image_classification"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

ArchivePlace archive_place(const fs::path& abs_path) {
  ArchivePlace out;
  std::vector<std::string> parts;
  for (const auto& p : abs_path.lexically_normal()) parts.push_back(p.string());
  if (parts.size() < 4) return out;
  const size_t file = parts.size() - 1;
  // The innermost "results" folder with an org before it and system/benchmark after it.
  for (size_t i = file; i-- > 1;) {
    if (parts[i] == "results" && i + 3 <= file) {
      fs::path org_folder;
      for (size_t k = 0; k < i; ++k) org_folder /= parts[k];
      const std::string& benchmark = parts[i + 2];
      if (!has_systems_folder(org_folder) && !is_mlperf_benchmark_name(benchmark)) continue;
      out.kind = ArchivePlace::Kind::kResult;
      out.org = parts[i - 1];
      out.system = parts[i + 1];
      out.benchmark = benchmark;
      out.set_folder = org_folder / "results" / out.system / out.benchmark;
      out.inner.assign(parts.begin() + static_cast<long>(i) + 3,
                       parts.begin() + static_cast<long>(file));
      return out;
    }
    if (parts[i] == "benchmarks" && i + 1 <= file) {
      fs::path org_folder;
      for (size_t k = 0; k < i; ++k) org_folder /= parts[k];
      if (!has_systems_folder(org_folder)) continue;
      out.kind = ArchivePlace::Kind::kCode;
      out.org = parts[i - 1];
      return out;
    }
  }
  if (parts[file - 1] == "systems" && abs_path.extension() == ".json") {
    out.kind = ArchivePlace::Kind::kSystemDescription;
    out.org = parts[file - 2];
    out.system = abs_path.stem().string();
  }
  return out;
}

std::string set_key(const ArchivePlace& place, const fs::path& abs_path) {
  if (place.kind == ArchivePlace::Kind::kResult)
    return place.org + "/" + place.system + "/" + place.benchmark;
  return abs_path.lexically_normal().parent_path().string();
}

}  // namespace rn50::core
