// What a file is, judged by where it sits before its bytes are read: a run log to parse (and which
// MLPerf set it belongs to), a description that other files use (systems/<system>.json,
// scaling.json), or something that is not a ResNet training log of an archive (another benchmark,
// power measurements, checker output, submitted code), skipped with a reason that is counted.
// Sidecar files are read once per folder and shared by every file of it (thread-safe).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/archive_layout.h"
#include "core/diagnostic.h"
#include "parsers/mlperf_system.h"
#include "store/ingest.h"

namespace rn50::ingest {

// Why a file found in a folder is not ingested. `category` is counted in the closing summary
// ("other MLPerf benchmark"), `detail` refines it ("bert").
struct SkipReason {
  std::string category, detail;
};

struct Placement {
  core::ArchivePlace place;
  std::optional<SkipReason> skip;  // set: not a log to ingest
  bool sidecar = false;            // a description used by other files (not counted as skipped)
  store::Membership membership;    // for logs: set, run name, scaling factor
};

// A set's scaling.json ({"scaling_factor": x}), or the reason it cannot be used.
struct Scaling {
  std::optional<double> factor;
  std::string file;
  std::string problem;  // non-empty: the file exists but is unusable (said as a diagnostic)
};

class Layout {
 public:
  // Classifies a file by its absolute, normalised path.
  Placement place(const std::filesystem::path& abs_path) const;

  // The system description of an MLPerf result file: <org>/systems/<system>.json for the
  // official layout, else exactly one system_*.json beside the file; nullopt when none.
  std::optional<parsers::MlperfSystem> system_for(const Placement& p,
                                                  const std::filesystem::path& abs_path) const;

  // scaling.json in the set folder, read once per folder.
  Scaling scaling_for(const std::filesystem::path& set_folder) const;

 private:
  mutable std::mutex mu_;
  mutable std::map<std::filesystem::path, std::optional<parsers::MlperfSystem>> systems_;
  mutable std::map<std::filesystem::path, Scaling> scalings_;
};

// Reads a scaling.json's text (exported for tests).
Scaling parse_scaling(std::string_view text, const std::string& file);

}  // namespace rn50::ingest
