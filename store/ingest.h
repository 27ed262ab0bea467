// Writing parsed runs into the store: one transaction per source file.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/parsed_file.h"
#include "store/database.h"

namespace rn50::store {

struct SourceFileInfo {
  std::string path;    // as given on the command line (stored as-is and as an absolute path)
  std::string sha256;  // of the whole content: identical content is never stored twice
  int64_t size_bytes = 0;
};

struct IngestOptions {
  std::string experiment = "default";
  std::vector<std::pair<std::string, std::string>> tags;  // added to every run of the file
};

struct IngestResult {
  bool already_ingested = false;
  std::vector<int64_t> run_ids;
  int64_t metric_rows = 0;
  int64_t epoch_rows = 0;
  int64_t diagnostics = 0;
};

// All or nothing: on any error the database is left exactly as it was and core::Error is thrown.
IngestResult ingest_parsed(Database& db, const SourceFileInfo& file, const core::ParsedFile& parsed,
                           const IngestOptions& opt);

bool is_ingested(Database& db, const std::string& sha256);

// The sha256 of every stored source file (a snapshot: lets ingest skip parsing known content).
std::unordered_set<std::string> ingested_hashes(Database& db);

}  // namespace rn50::store
