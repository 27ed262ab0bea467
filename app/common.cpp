#include <filesystem>

#include "app/commands.h"
#include "core/error.h"

namespace rn50::app {

void add_db_option(CLI::App& sub, std::string& db_path, DbUse use) {
  db_path = "rn50.db";
  sub.add_option("--db", db_path,
                 use == DbUse::kCreatesWhenAbsent ? "SQLite database (created when absent)"
                                                  : "SQLite database (must exist)")
      ->envname("RN50_EXP_DB")
      ->capture_default_str();
}

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw core::Error("cannot resolve /proc/self/exe: " + ec.message());
  return p.string();
}

}  // namespace rn50::app
