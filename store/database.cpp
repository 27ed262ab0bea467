#include "store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

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

// Runs `fn`, again while it fails with SQLITE_BUSY / SQLITE_LOCKED (the cases where SQLite does
// not wait in its busy handler), for at most the busy timeout.
template <class Fn>
void with_busy_retry(sqlite3* db, Fn&& fn) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    try {
      fn();
      return;
    } catch (const core::Error&) {
      const int code = sqlite3_extended_errcode(db) & 0xff;
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
          std::chrono::steady_clock::now() >= deadline)
        throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Header fields and catalogue size from one read transaction (a consistent snapshot).
FoundState read_state(sqlite3* db, const std::string& path) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    try {
      exec(db, "BEGIN");
      FoundState st;
      st.application_id = header_int(db, path, "PRAGMA application_id");
      st.user_version = header_int(db, path, "PRAGMA user_version");
      st.schema_objects = query_int(db, "SELECT count(*) FROM sqlite_schema");
      exec(db, "COMMIT");
      return st;
    } catch (const core::Error&) {
      const int code = sqlite3_extended_errcode(db) & 0xff;
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
          std::chrono::steady_clock::now() >= deadline)
        throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
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

  // Identify the file before anything writes to it. A consistent snapshot first (one read
  // transaction), so that an up-to-date database is opened without taking the write lock.
  const auto refuse = [&](const FoundState& st) {
    if (st.application_id != 0 && st.application_id != kApplicationId)
      throw core::Error(path + ": not an rn50-exp database (SQLite application_id " +
                        hex32(st.application_id) + ", expected " + hex32(kApplicationId) + ")");
    if (st.application_id == 0 && (st.schema_objects > 0 || st.user_version != 0))
      throw core::Error(
          path + ": not an rn50-exp database (an SQLite file of another application: " +
          std::to_string(st.schema_objects) + " schema objects, no rn50-exp application_id)");
    if (st.user_version > current_schema_version())
      throw core::Error(path + ": schema version " + std::to_string(st.user_version) +
                        " was written by a newer rn50-exp; this build reads up to version " +
                        std::to_string(current_schema_version()) + " (upgrade rn50-exp)");
  };
  const FoundState seen = read_state(raw, path);
  refuse(seen);

  exec(raw, "PRAGMA foreign_keys = ON");
  if (seen.user_version < current_schema_version()) {
    // 16 KiB pages for new files (ignored for existing ones): a quarter of the WAL writes and
    // checkpoint copies per ingested megabyte; measured 5-15 % faster bulk ingest than 4 KiB.
    exec(raw, "PRAGMA page_size = 16384");
    // Identification (again, under the write lock: another process may have created the file
    // meanwhile) and migration in one transaction.
    db->version_found_ = migrate(raw, schema_ladder(), refuse);
  } else {
    db->version_found_ = static_cast<int>(seen.user_version);
  }
  // WAL lets readers (report, a user's sqlite3 shell) work while an ingest writes; NORMAL is
  // durable across application crashes in WAL mode and avoids an fsync per transaction. Switching
  // needs an exclusive lock, and SQLite answers BUSY without calling the busy handler when
  // another connection is opening the same new file: retried.
  if (path != ":memory:" && !path.empty())
    with_busy_retry(raw, [&] { exec(raw, "PRAGMA journal_mode = WAL"); });
  exec(raw,
       "PRAGMA synchronous = NORMAL;"
       "PRAGMA cache_size = -8192;"
       "PRAGMA temp_store = MEMORY;");
  enable_statement_reuse(raw);
  return db;
}

std::unique_ptr<Database> Database::open_existing(const std::string& path) {
  std::error_code ec;
  if (path != ":memory:" && !std::filesystem::exists(path, ec))
    throw core::UsageError("database " + path +
                           " does not exist (ingest logs first, or pass --db / RN50_EXP_DB)");
  return open(path);
}

Database::~Database() {
  release_statements(db_);
  sqlite3_close_v2(db_);
}

int Database::schema_version() const {
  return static_cast<int>(query_int(db_, "PRAGMA user_version"));
}

}  // namespace rn50::store
