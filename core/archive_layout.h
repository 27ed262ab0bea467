// Where a file sits in an MLPerf Training results repository, the layout every round is published
// in:
//   <org>/results/<system>/<benchmark>/result_<n>.txt   one run per file (a set: the folder)
//   <org>/results/<system>/<benchmark>/scaling.json     the set's scaling factor, when it has one
//   <org>/results/<system>/<benchmark>/power/...        power measurements (newer rounds)
//   <org>/systems/<system>.json                         the system description
//   <org>/benchmarks/...                                the submitted code
// The set a run belongs to is where it comes from (org, system, benchmark), never a string its log
// prints: many systems log the same submission_platform.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rn50::core {

struct ArchivePlace {
  enum class Kind {
    kNone,               // not inside the layout
    kResult,             // inside <org>/results/<system>/<benchmark>/
    kSystemDescription,  // <org>/systems/<system>.json
    kCode,               // inside <org>/benchmarks/
  };
  Kind kind = Kind::kNone;
  std::string org, system, benchmark;  // as far as the kind has them
  std::filesystem::path set_folder;    // kResult: <org>/results/<system>/<benchmark>
  std::vector<std::string> inner;      // kResult: folders between the set folder and the file
};

// Reads the layout off the path (lexically normalised, absolute) and, to tell an MLPerf tree from
// any folder that happens to be called "results", requires the organisation folder to hold a
// systems/ folder or the benchmark to be an MLPerf benchmark name.
ArchivePlace archive_place(const std::filesystem::path& abs_path);

// The set of a run file: "org/system/benchmark" inside the layout, else its folder's absolute path.
std::string set_key(const ArchivePlace& place, const std::filesystem::path& abs_path);

// MLPerf Training benchmark folder names of the rounds so far ("resnet", "bert", ...).
bool is_mlperf_benchmark_name(const std::string& name);

}  // namespace rn50::core
