#include "app/commands.h"

namespace rn50::app {

void add_db_option(CLI::App& sub, std::string& db_path) {
  db_path = "rn50.db";
  sub.add_option("--db", db_path, "SQLite database (created when absent)")
      ->envname("RN50_EXP_DB")
      ->capture_default_str();
}

}  // namespace rn50::app
