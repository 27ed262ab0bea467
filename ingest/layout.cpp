#include "ingest/layout.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_util.h"

namespace rn50::ingest {
namespace {

namespace fs = std::filesystem;

bool is_result_file(const std::string& name) {
  return name.starts_with("result_") && name.ends_with(".txt");
}

}  // namespace

Scaling parse_scaling(std::string_view text, const std::string& file) {
  Scaling s;
  s.file = file;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    s.problem = file + ": not a JSON object; the set is scored without a scaling factor";
    return s;
  }
  const auto it = j.find("scaling_factor");
  if (it == j.end() || !it->is_number()) {
    s.problem = file + ": no numeric \"scaling_factor\"; the set is scored without one";
    return s;
  }
  const double f = it->get<double>();
  if (!std::isfinite(f) || f <= 0 || f > 1e6) {
    s.problem = file + ": scaling_factor " + it->dump() + " is not a positive factor; ignored";
    return s;
  }
  s.factor = f;
  return s;
}

Placement Layout::place(const fs::path& abs_path) const {
  Placement p;
  p.place = core::archive_place(abs_path);
  p.membership.set_key = core::set_key(p.place, abs_path);
  const std::string name = abs_path.filename().string();
  using Kind = core::ArchivePlace::Kind;
  switch (p.place.kind) {
    case Kind::kNone:
      return p;
    case Kind::kCode:
      p.skip = SkipReason{"submitted code", p.place.org};
      return p;
    case Kind::kSystemDescription:
      p.sidecar = true;
      return p;
    case Kind::kResult:
      break;
  }
  if (p.place.benchmark != "resnet") {
    p.skip = SkipReason{"other MLPerf benchmark", p.place.benchmark};
    return p;
  }
  for (const std::string& dir : p.place.inner) {
    if (dir == "power") {
      p.skip = SkipReason{"power log", ""};
      return p;
    }
  }
  if (name == "scaling.json") {
    p.sidecar = true;
    return p;
  }
  if (name.find("compliance") != std::string::npos) {
    p.skip = SkipReason{"compliance-checker output", ""};
    return p;
  }
  p.membership.set_org = p.place.org;
  p.membership.set_system = p.place.system;
  p.membership.set_benchmark = p.place.benchmark;
  if (p.place.inner.empty() && is_result_file(name)) {
    p.membership.run_name = p.place.org + "/" + p.place.system + "/" + abs_path.stem().string();
    const Scaling sc = scaling_for(p.place.set_folder);
    if (sc.factor) {
      p.membership.scaling_factor = sc.factor;
      p.membership.scaling_file = sc.file;
    }
  }
  return p;
}

Scaling Layout::scaling_for(const fs::path& set_folder) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = scalings_.find(set_folder); it != scalings_.end()) return it->second;
  }
  Scaling s;
  const fs::path file = set_folder / "scaling.json";
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) {
    try {
      s = parse_scaling(core::read_file(file, core::kMaxSidecarBytes), file.string());
    } catch (const core::Error& e) {
      s.file = file.string();
      s.problem = e.what();
    }
  }
  std::lock_guard lock(mu_);
  return scalings_.emplace(set_folder, s).first->second;
}

std::optional<parsers::MlperfSystem> Layout::system_for(const Placement& p,
                                                        const fs::path& abs_path) const {
  fs::path key;
  std::optional<fs::path> official;
  if (p.place.kind == core::ArchivePlace::Kind::kResult) {
    fs::path org = p.place.set_folder.parent_path().parent_path().parent_path();
    official = org / "systems" / (p.place.system + ".json");
    key = *official;
  } else {
    key = abs_path.parent_path();
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = systems_.find(key); it != systems_.end()) return it->second;
  }
  std::optional<parsers::MlperfSystem> found;
  std::error_code ec;
  if (official && fs::is_regular_file(*official, ec)) {
    try {
      found = parsers::read_mlperf_system(*official);
      found->file_name = official->string();
    } catch (const core::Error& e) {
      parsers::MlperfSystem bad;
      bad.file_name = official->string();
      bad.parsed = false;
      bad.warnings.push_back(e.what());
      found = bad;
    }
  } else {
    found = parsers::find_mlperf_system(abs_path);  // a system_*.json beside the results
  }
  std::lock_guard lock(mu_);
  return systems_.emplace(key, found).first->second;
}

}  // namespace rn50::ingest
