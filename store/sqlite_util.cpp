#include "store/sqlite_util.h"

#include <sqlite3.h>

#include <cmath>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace rn50::store {

std::string db_file_name(sqlite3* db) {
  const char* f = sqlite3_db_filename(db, "main");
  return (f && *f) ? std::string(f) : std::string(":memory:");
}

void throw_sqlite(sqlite3* db, std::string_view what) {
  throw core::Error(db_file_name(db) + ": " + std::string(what) + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw core::Error(db_file_name(db) + ": " + msg);
  }
}

namespace {

// Idle prepared statements of connections that opted in (enable_statement_reuse), by SQL text.
// Ingest builds the same dozen statements (one a 64-row INSERT) for every file; compiling them
// again per file was ~7 % of the writer thread.
struct StatementPool {
  std::mutex mutex;
  std::map<sqlite3*, std::unordered_map<std::string, std::vector<sqlite3_stmt*>>> idle;
};

StatementPool& pool() {
  static StatementPool p;
  return p;
}

sqlite3_stmt* take_idle(sqlite3* db, std::string_view sql) {
  StatementPool& p = pool();
  std::lock_guard lock(p.mutex);
  auto conn = p.idle.find(db);
  if (conn == p.idle.end()) return nullptr;
  auto it = conn->second.find(std::string(sql));
  if (it == conn->second.end() || it->second.empty()) return nullptr;
  sqlite3_stmt* st = it->second.back();
  it->second.pop_back();
  return st;
}

// false when the connection does not reuse statements (the caller finalizes).
bool give_back(sqlite3* db, sqlite3_stmt* st) {
  StatementPool& p = pool();
  std::lock_guard lock(p.mutex);
  auto conn = p.idle.find(db);
  if (conn == p.idle.end()) return false;
  conn->second[sqlite3_sql(st)].push_back(st);
  return true;
}

}  // namespace

void enable_statement_reuse(sqlite3* db) {
  std::lock_guard lock(pool().mutex);
  pool().idle.try_emplace(db);
}

void release_statements(sqlite3* db) {
  std::lock_guard lock(pool().mutex);
  auto conn = pool().idle.find(db);
  if (conn == pool().idle.end()) return;
  for (auto& [sql, stmts] : conn->second)
    for (sqlite3_stmt* st : stmts) sqlite3_finalize(st);
  pool().idle.erase(conn);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  stmt_ = take_idle(db, sql);
  if (stmt_) return;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt_, nullptr) != SQLITE_OK)
    throw_sqlite(db, "preparing \"" + std::string(sql.substr(0, 80)) + "\"");
}

Statement::~Statement() {
  if (!stmt_) return;
  // A reused statement starts clean: no pending row, no stale bindings.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (!give_back(db_, stmt_)) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) throw_sqlite(db_, "bind");
  return *this;
}

Statement& Statement::bind(int i, double v) {
  if (std::isnan(v)) return bind_null(i);
  if (sqlite3_bind_double(stmt_, i, v) != SQLITE_OK) throw_sqlite(db_, "bind");
  return *this;
}

Statement& Statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    throw_sqlite(db_, "bind");
  return *this;
}

Statement& Statement::bind_static(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
    throw_sqlite(db_, "bind");
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) throw_sqlite(db_, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The statement must be reset before it can be reused; keep the error message first.
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw core::Error(db_file_name(db_) + ": " + msg);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::col_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::col_double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::col_text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<int64_t> Statement::col_opt_int(int col) const {
  if (is_null(col)) return std::nullopt;
  return col_int(col);
}

std::optional<double> Statement::col_opt_double(int col) const {
  if (is_null(col)) return std::nullopt;
  return col_double(col);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
std::string Statement::column_name(int col) const { return sqlite3_column_name(stmt_, col); }

Transaction::Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  exec(db_, "COMMIT");
  done_ = true;
}

int64_t query_int(sqlite3* db, std::string_view sql) {
  Statement st(db, sql);
  if (!st.step()) throw core::Error(db_file_name(db) + ": no result for " + std::string(sql));
  return st.col_int(0);
}

}  // namespace rn50::store
