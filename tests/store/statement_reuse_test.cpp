#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/database.h"
#include "store/sqlite_util.h"

namespace rn50::store {
namespace {

TEST(StatementReuse, AReusedStatementCarriesNoBindingsOrPendingRows) {
  auto db = Database::open(":memory:");
  sqlite3* h = db->raw();
  exec(h, "CREATE TABLE t(a INTEGER, b TEXT)");
  const char* kInsert = "INSERT INTO t(a, b) VALUES (?, ?)";
  sqlite3_stmt* first = nullptr;
  {
    Statement ins(h, kInsert);
    first = ins.raw();
    ins.bind(1, int64_t{7}).bind(2, "seven");
    ins.step();  // no run(): leaves the bindings in place
  }
  {
    Statement ins(h, kInsert);
    EXPECT_EQ(ins.raw(), first);  // the same compiled statement came back
    ins.bind(1, int64_t{8});      // b deliberately unbound: must be NULL, not "seven"
    ins.run();
  }
  {
    Statement sel(h, "SELECT a, b FROM t ORDER BY a");
    ASSERT_TRUE(sel.step());
    EXPECT_EQ(sel.col_int(0), 7);
    // Abandoned mid-iteration: the next user must start from the first row again.
  }
  Statement sel(h, "SELECT a, b FROM t ORDER BY a");
  ASSERT_TRUE(sel.step());
  EXPECT_EQ(sel.col_int(0), 7);
  EXPECT_EQ(sel.col_text(1), "seven");
  ASSERT_TRUE(sel.step());
  EXPECT_EQ(sel.col_int(0), 8);
  EXPECT_TRUE(sel.is_null(1));
  EXPECT_FALSE(sel.step());
}

TEST(StatementReuse, RawConnectionsFinalizeTheirStatementsAndCloseCleanly) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  { Statement st(raw, "SELECT 1"); }
  EXPECT_EQ(sqlite3_close(raw), SQLITE_OK);  // SQLITE_BUSY if a statement had been kept
}

}  // namespace
}  // namespace rn50::store
