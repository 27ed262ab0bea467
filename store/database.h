// The SQLite store: connection, schema, migration ladder. See docs/schema.md.
#pragma once

#include <memory>
#include <string>

struct sqlite3;

namespace rn50::store {

// "R50X" as a big-endian int: tells our databases apart from other SQLite files.
inline constexpr int kApplicationId = 0x52353058;

class Database {
 public:
  // Opens (creating when absent) and migrates to the current schema in one transaction.
  // ":memory:" gives a private in-memory database (tests). Throws core::Error naming the path
  // for a file of another application or from a newer rn50-exp.
  static std::unique_ptr<Database> open(const std::string& path);
  // The same, for commands that only read or inspect a store: a path that does not exist is
  // core::UsageError (exit 2) naming it, so that a typo in --db never creates an empty database.
  static std::unique_ptr<Database> open_existing(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }
  int schema_version() const;
  static int current_schema_version();
  // user_version before open() migrated (0 for a database it just created).
  int version_found_on_open() const { return version_found_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  int version_found_ = 0;
};

}  // namespace rn50::store
