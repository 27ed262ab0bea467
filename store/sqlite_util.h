// Thin RAII over the SQLite C API: statements finalize themselves, transactions roll back unless
// committed, and every failure becomes a core::Error naming the database file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace rn50::store {

// Throws core::Error("<db file>: <what>: <sqlite message>").
[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view what);

// Runs one or more statements that return no rows of interest.
void exec(sqlite3* db, std::string_view sql);

// "main" database file name, or ":memory:" for private in-memory databases.
std::string db_file_name(sqlite3* db);

// Statements of this connection are kept after use and handed out again for the same SQL
// text; release_statements() (before closing the connection) finalizes them.
void enable_statement_reuse(sqlite3* db);
void release_statements(sqlite3* db);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based. Text is copied (SQLITE_TRANSIENT) unless bound with bind_static,
  // whose bytes must stay alive until the next step()/reset().
  Statement& bind(int i, int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, double v);  // NaN is stored as NULL (SQLite has no NaN)
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind_static(int i, std::string_view v);
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  // true while a row is available; false when done. Throws on error.
  bool step();
  // Steps to completion (for INSERT/UPDATE), then resets and clears bindings for reuse.
  void run();
  void reset();

  bool is_null(int col) const;
  int64_t col_int(int col) const;
  double col_double(int col) const;
  std::string col_text(int col) const;
  std::optional<int64_t> col_opt_int(int col) const;
  std::optional<double> col_opt_double(int col) const;
  int column_count() const;
  std::string column_name(int col) const;

  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE (takes the write lock up front, so busy_timeout applies before any work);
// rolls back in the destructor unless commit() was called.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  bool done_ = false;
};

// Value of a single-integer query such as "PRAGMA user_version".
int64_t query_int(sqlite3* db, std::string_view sql);

}  // namespace rn50::store
