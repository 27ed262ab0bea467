// Schema versions and the migration ladder (Chromium history_database style). Every step is
// applied in one transaction together with the new user_version, so a database is always at
// exactly one version. See docs/schema.md.
#pragma once

#include <span>
#include <string_view>

struct sqlite3;

namespace rn50::store {

// One rung: turns a database at version to_version - 1 into version to_version.
struct Migration {
  int to_version;
  std::string_view description;
  void (*apply)(sqlite3* db);
};

// The shipped ladder, rung i migrates to version i + 1. The last rung's version is current.
std::span<const Migration> schema_ladder();

// Climbs `ladder` from the database's user_version to the ladder's last version inside one
// transaction; sets user_version and application_id in that same transaction. Throws
// core::Error (nothing changed) when a step fails or a rung is missing.
// Returns the version found before migrating.
int migrate(sqlite3* db, std::span<const Migration> ladder);

}  // namespace rn50::store
