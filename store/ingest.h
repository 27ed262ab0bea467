// Writing parsed runs into the store: one transaction per source file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/metric_sink.h"
#include "core/parsed_file.h"
#include "store/database.h"

namespace rn50::store {

struct SourceFileInfo {
  std::string path;    // as given on the command line (stored as-is and as an absolute path)
  std::string sha256;  // of the whole content: identical content is never stored twice
  int64_t size_bytes = 0;
};

// Where a file was found, which decides the MLPerf set its runs belong to (docs/ingest.md).
struct Membership {
  std::string set_key;  // "org/system/benchmark" (MLPerf layout) or the file's folder
  std::optional<std::string> set_org, set_system, set_benchmark;  // MLPerf layout only
  std::optional<std::string> system_file;  // the system description used, if any
  std::optional<double> scaling_factor;    // the set's scaling.json, if any
  std::optional<std::string> scaling_file;
  std::string run_name;  // name of the file's run in this membership ("" = from the file name)
};

struct IngestOptions {
  std::string experiment = "default";
  std::vector<std::pair<std::string, std::string>> tags;  // added to every run of the file
  Membership membership;
  size_t stream_budget_bytes = size_t(32) << 20;  // FileTransaction::stream(): points held at most
};

struct IngestResult {
  bool already_ingested = false;  // the bytes were stored before (by content hash)
  int64_t memberships_added = 0;  // then: memberships added (another experiment or path)
  std::vector<int64_t> run_ids;
  int64_t metric_rows = 0;
  int64_t epoch_rows = 0;
  int64_t diagnostics = 0;
};

// One source file's write transaction (BEGIN IMMEDIATE at construction, rolled back unless
// commit() succeeds). For a file too large to hold in memory, the parser writes its points into
// stream() while the file is read; for a parsed file held in memory, they come from run.metrics.
class FileTransaction {
 public:
  FileTransaction(Database& db, SourceFileInfo file, IngestOptions opt);
  ~FileTransaction();
  FileTransaction(const FileTransaction&) = delete;
  FileTransaction& operator=(const FileTransaction&) = delete;

  // The same bytes are stored already (by content hash): commit() then only adds memberships.
  bool already_stored() const;
  // Writes points into this transaction in bounded memory (store/metric_stream.h).
  core::MetricSink& stream();
  // Stores the runs (their points from run.metrics and from stream()), memberships and
  // diagnostics, and commits. All or nothing: core::Error names the file and what failed.
  IngestResult commit(const core::ParsedFile& parsed);

 private:
  struct State;
  std::unique_ptr<State> st_;
};

// All or nothing: on any error the database is left exactly as it was and core::Error is thrown.
// Bytes stored before (same sha256) are not stored again: their runs gain a membership in
// opt.experiment at this path, unless they have it already.
IngestResult ingest_parsed(Database& db, const SourceFileInfo& file, const core::ParsedFile& parsed,
                           const IngestOptions& opt);

bool is_ingested(Database& db, const std::string& sha256);

// The sha256 of every stored source file (a snapshot: lets ingest skip parsing known content).
std::unordered_set<std::string> ingested_hashes(Database& db);

}  // namespace rn50::store
