#include "store/database.h"

#include <sqlite3.h>

#include <cstdio>
#include <mutex>

#include "core/error.h"
#include "store/schema.h"
#include "store/sqlite_util.h"

namespace rn50::store {

namespace {

constexpr int kBusyTimeoutMs = 10000;

std::string hex32(int64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(v));
  return buf;
}

// Reads a header pragma without the generic error text, so that a non-SQLite file gets a
// message that says what it is.
int64_t header_int(sqlite3* db, const std::string& path, const char* pragma) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, pragma, -1, &st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  const int64_t v = (rc == SQLITE_ROW) ? sqlite3_column_int64(st, 0) : 0;
  const int err = sqlite3_errcode(db);
  std::string msg = sqlite3_errmsg(db);
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) return v;
  if ((err & 0xff) == SQLITE_NOTADB)
    throw core::Error(path + ": not an rn50-exp database (not an SQLite file at all)");
  throw core::Error(path + ": cannot read database header: " + msg);
}

}  // namespace

int Database::current_schema_version() { return schema_ladder().back().to_version; }

std::unique_ptr<Database> Database::open(const std::string& path) {
  // SQLite's allocation statistics take a global mutex on every malloc; nothing here reads
  // them. Only possible before SQLite initialises, hence once, first thing.
  static std::once_flag no_memstatus;
  std::call_once(no_memstatus, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // NOMUTEX: a connection is used by one thread at a time. Owns the handle from here on:
  // sqlite3_open_v2 allocates one even when it fails.
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK)
    throw core::Error(path +
                      ": cannot open database: " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);

  // Identify the file before anything writes to it (journal_mode=WAL would).
  const int64_t app_id = header_int(raw, path, "PRAGMA application_id");
  const int64_t version = header_int(raw, path, "PRAGMA user_version");
  if (app_id != 0 && app_id != kApplicationId)
    throw core::Error(path + ": not an rn50-exp database (SQLite application_id " + hex32(app_id) +
                      ", expected " + hex32(kApplicationId) + ")");
  if (app_id == 0) {
    const int64_t objects = query_int(raw, "SELECT count(*) FROM sqlite_schema");
    if (objects > 0 || version != 0)
      throw core::Error(path +
                        ": not an rn50-exp database (an SQLite file of another application: " +
                        std::to_string(objects) + " schema objects, no rn50-exp application_id)");
  }
  if (version > current_schema_version())
    throw core::Error(path + ": schema version " + std::to_string(version) +
                      " was written by a newer rn50-exp; this build reads up to version " +
                      std::to_string(current_schema_version()) + " (upgrade rn50-exp)");

  // 16 KiB pages for new files (ignored for existing ones): a quarter of the WAL writes and
  // checkpoint copies per ingested megabyte; measured 5-15 % faster bulk ingest than 4 KiB.
  exec(raw, "PRAGMA page_size = 16384");
  exec(raw, "PRAGMA foreign_keys = ON");
  // WAL lets readers (report, a user's sqlite3 shell) work while an ingest writes; NORMAL is
  // durable across application crashes in WAL mode and avoids an fsync per transaction.
  if (path != ":memory:" && !path.empty()) exec(raw, "PRAGMA journal_mode = WAL");
  exec(raw,
       "PRAGMA synchronous = NORMAL;"
       "PRAGMA cache_size = -8192;"
       "PRAGMA temp_store = MEMORY;");
  db->version_found_ = migrate(raw, schema_ladder());
  enable_statement_reuse(raw);
  return db;
}

Database::~Database() {
  release_statements(db_);
  sqlite3_close_v2(db_);
}

int Database::schema_version() const {
  return static_cast<int>(query_int(db_, "PRAGMA user_version"));
}

}  // namespace rn50::store
