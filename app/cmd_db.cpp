// `rn50-exp db info|migrate`: what is in a store, and bring an old one to the current schema.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/commands.h"
#include "core/error.h"
#include "store/database.h"
#include "store/info.h"

namespace rn50::app {

namespace {

int run_info(const std::string& path) {
  auto db = store::Database::open_existing(path);
  const store::DbInfo info = store::db_info(*db);
  std::cout << "database:        " << info.path << "\n"
            << "schema version:  " << info.schema_version
            << " (this build: " << store::Database::current_schema_version() << ")\n"
            << "application_id:  0x" << std::hex << info.application_id << std::dec << "\n"
            << "tables (rows):\n";
  for (const auto& [table, rows] : info.table_rows)
    std::cout << "  " << std::left << std::setw(20) << table << std::right << std::setw(12) << rows
              << "\n";
  std::cout << "experiments:" << (info.experiments.empty() ? " (none)" : "") << "\n";
  for (const auto& e : info.experiments)
    std::cout << "  " << e.name << ": " << e.runs << " runs from " << e.source_files << " files\n";
  return 0;
}

int run_migrate(const std::string& path) {
  auto db = store::Database::open_existing(path);  // open() migrates inside one transaction
  const int before = db->version_found_on_open();
  const int now = db->schema_version();
  if (before == now)
    std::cout << path << ": already at schema version " << now << "\n";
  else
    std::cout << path << ": migrated schema version " << before << " -> " << now << "\n";
  return 0;
}

}  // namespace

Runner setup_db(CLI::App& parent) {
  auto path = std::make_shared<std::string>();
  auto which = std::make_shared<std::string>();
  CLI::App* db = parent.add_subcommand("db", "Inspect or migrate the SQLite store");
  db->require_subcommand(1);
  CLI::App* info = db->add_subcommand("info", "Path, schema version, rows per table, experiments");
  add_db_option(*info, *path, DbUse::kMustExist);
  info->callback([which] { *which = "info"; });
  CLI::App* migrate = db->add_subcommand("migrate", "Bring the database to the current schema");
  add_db_option(*migrate, *path, DbUse::kMustExist);
  migrate->callback([which] { *which = "migrate"; });
  return [path, which] { return *which == "info" ? run_info(*path) : run_migrate(*path); };
}

}  // namespace rn50::app
