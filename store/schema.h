// Schema versions and the migration ladder (Chromium history_database style). Every step is
// applied in one transaction together with the new user_version, so a database is always at
// exactly one version. See docs/schema.md.
#pragma once

#include <cstdint>
#include <functional>
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

// What the database header and catalogue said, read under the write lock.
struct FoundState {
  int64_t application_id = 0, user_version = 0, schema_objects = 0;
};

// Climbs `ladder` from the database's user_version to the ladder's last version inside one
// BEGIN IMMEDIATE transaction (the busy handler waits for other writers); sets user_version and
// application_id in that same transaction. `check`, when given, sees the state read under that
// lock first and may throw to refuse the file: identification and migration are one step, so a
// concurrent creator can never be seen half done. Throws core::Error (nothing changed) when a step
// fails or a rung is missing. Returns the version found before migrating.
int migrate(sqlite3* db, std::span<const Migration> ladder,
            const std::function<void(const FoundState&)>& check = {});

}  // namespace rn50::store
