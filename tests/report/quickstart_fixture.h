// A database holding one run as `rn50-exp run experiments/quickstart.yaml` stores it: the native
// log tests/fixtures/report/quickstart_native.jsonl (made by make_quickstart_log.py beside it)
// parsed with the experiment's target, named, tagged and given the runner's params the way
// runner/run_ingest.cpp does.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/derive.h"
#include "core/hash.h"
#include "parsers/registry.h"
#include "store/database.h"
#include "store/ingest.h"
#include "test_support.h"

namespace rn50::testing {

inline constexpr const char* kQuickstartRunId = "1n1g-fp32-bs64-seed1-r0-182f0d82";
inline constexpr const char* kQuickstartConfigSha =
    "182f0d82ff331d726904d3c3cb239c14c3e62bd873542f408773765671cfa083";

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Returns the database path (a file under `dir`).
inline std::filesystem::path make_quickstart_db(const std::filesystem::path& dir) {
  const std::string content = read_text(fixtures_dir() / "report" / "quickstart_native.jsonl");
  core::DeriveOptions dopt;
  dopt.target_top1 = 72;  // experiments/quickstart.yaml: target_top1: 72
  core::ParsedFile parsed = parsers::find_parser("rn50-native")->parse(content, dopt);
  for (auto& rec : parsed.runs) {
    rec.name = "quickstart/1n1g-fp32-bs64-seed1-r0";
    rec.set_param("runner.run_id", kQuickstartRunId, core::Source::kUser);
    rec.set_param("runner.config_sha256", kQuickstartConfigSha, core::Source::kUser);
  }
  const auto db_path = dir / "rn50.db";
  auto db = store::Database::open(db_path.string());
  store::SourceFileInfo info;
  info.path = std::string("runs/quickstart/") + kQuickstartRunId + "/rn50_log.jsonl";
  info.sha256 = core::sha256_hex(content);
  info.size_bytes = static_cast<int64_t>(content.size());
  store::IngestOptions iopt;
  iopt.experiment = "quickstart";
  iopt.tags = {{"role", "accuracy"},
               {"run_id", kQuickstartRunId},
               {"config_sha256", kQuickstartConfigSha},
               {"shape", "1n1g"},
               {"nodes", "1"},
               {"devices_per_node", "1"},
               {"devices", "1"},
               {"precision", "fp32"},
               {"batch_per_device", "64"},
               {"seed", "1"},
               {"repeat", "0"},
               {"attempt", "1"}};
  store::ingest_parsed(*db, info, parsed, iopt);
  return db_path;
}

}  // namespace rn50::testing
