// The one ingest pipeline: read -> identify (content format, archive layout) -> parse -> derive ->
// write, used by `rn50-exp ingest` and by the runner's auto-ingest alike (docs/ingest.md). The
// commands keep only their options and their printing.
//
// Memory stays bounded whatever the input: files below Options::stream_threshold_bytes are parsed
// on worker threads a few files ahead of the single SQLite writer; larger ones are parsed on the
// writer's thread with their metric points streamed into the file's transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/derive.h"
#include "core/parsed_file.h"
#include "ingest/layout.h"
#include "parsers/parser.h"
#include "store/database.h"
#include "store/ingest.h"

namespace rn50::ingest {

struct Options {
  std::string experiment = "default";
  std::vector<std::pair<std::string, std::string>> tags;  // on every run stored
  core::DeriveOptions derive;
  const parsers::Parser* forced = nullptr;  // --format; nullptr = sniff the content
  uint64_t stream_threshold_bytes = uint64_t(8) << 20;
  size_t stream_budget_bytes = size_t(32) << 20;  // metric points held per streamed file
};

enum class Outcome {
  kStored,     // new bytes: runs stored
  kJoined,     // stored before; now also in this experiment / at this path (memberships)
  kDuplicate,  // stored before, already in this experiment at this path
  kSkipped,    // not ingested (a reason says why)
  kUsed,       // a description other files use (systems/<system>.json, scaling.json)
  kFailed,
};

// One file to ingest. Command-line files and folder walks fill path/shown/explicit_file; the runner
// also sets parser, adjust and the hash extras, or a record for a run that left no log.
struct FileJob {
  std::filesystem::path path;
  std::string shown;                        // as the user gave it (printed and stored)
  bool explicit_file = true;                // named on the command line, not found in a folder
  size_t root = 0;                          // index of the command-line argument it came from
  const parsers::Parser* parser = nullptr;  // overrides sniffing and Options::forced
  std::function<void(core::ParsedFile&)> adjust;  // changes the parsed runs before they are stored
  std::string hash_suffix;  // hashed after the bytes: the same bytes can be a different source
  std::vector<std::pair<std::string, std::string>> tags;  // in addition to Options::tags
  // No file: this record is stored under `shown`, its identity the hash of `record_identity`.
  std::optional<core::ParsedFile> record;
  std::string record_identity;
};

struct FileResult {
  std::string shown;
  bool explicit_file = false;
  size_t root = 0;
  Outcome outcome = Outcome::kFailed;
  std::string message;             // kFailed: the error; kSkipped / kUsed: what it is
  std::optional<SkipReason> skip;  // kSkipped: the counted reason
  core::ParsedFile parsed;         // kStored: runs (without their points) and diagnostics
  store::IngestResult stored;      // kStored / kJoined / kDuplicate
  std::string sha256;
  store::Membership membership;        // where the runs were filed
  bool print_all_diagnostics = false;  // a parse that found no run: show why
};

struct Totals {
  int64_t stored = 0, joined = 0, duplicates = 0, skipped = 0, used = 0, failed = 0, runs = 0;
  // category -> detail -> files ("other MLPerf benchmark" -> "bert" -> 310)
  std::map<std::string, std::map<std::string, int64_t>> skipped_by_reason;
  std::map<std::string, int64_t> used_by_kind;  // "system description" -> 18
  std::vector<std::string> errors;              // command-level problems (missing path, ...)
};

class Pipeline {
 public:
  Pipeline(store::Database& db, Options opt);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Every file under `paths` (files as given, folders walked recursively in name order). Calls
  // on_file on this thread for each file, in that order. A folder in which no file is a log is
  // an error (in Totals::errors, counted as failed).
  Totals run(const std::vector<std::string>& paths,
             const std::function<void(const FileResult&)>& on_file);

  // One file on this thread.
  FileResult ingest(const FileJob& job);

 private:
  struct Prepared;
  Prepared prepare(const FileJob& job) const;
  FileResult commit(const FileJob& job, Prepared&& p);
  void parse_into(const FileJob& job, const parsers::Parser& parser, core::ParsedFile& out,
                  core::MetricSink& points, const Placement& placement, uint64_t hashed_size,
                  const std::string* content) const;

  store::Database& db_;
  Options opt_;
  Layout layout_;
  std::unordered_set<std::string> known_;  // hashes stored when the pipeline started
};

// "1 run (finished)", "3 runs (2 finished, 1 incomplete)"
std::string describe_runs(const core::ParsedFile& parsed);
// "skipped 1204 files: other MLPerf benchmark 1150 (bert 310, ssd 840), power log 54"
std::string describe_skipped(const Totals& t);
// "used 18 system descriptions, 13 scaling.json"
std::string describe_used(const Totals& t);
std::string known_formats();

}  // namespace rn50::ingest
