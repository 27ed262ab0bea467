#include "store/sqlite_util.h"

#include <sqlite3.h>

#include <cmath>

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

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt_, nullptr) != SQLITE_OK)
    throw_sqlite(db, "preparing \"" + std::string(sql.substr(0, 80)) + "\"");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

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
