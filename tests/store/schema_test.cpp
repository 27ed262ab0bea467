#include "store/schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "store/database.h"
#include "store/sqlite_util.h"
#include "test_support.h"

namespace rn50::store {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& path) {
  try {
    Database::open(path);
  } catch (const core::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> columns(Database& db, const std::string& view) {
  Statement st(db.raw(), "SELECT * FROM " + view + " LIMIT 0");
  std::vector<std::string> out;
  for (int i = 0; i < st.column_count(); ++i) out.push_back(st.column_name(i));
  return out;
}

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-schema"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SchemaTest, CreatesFileWithIdentityVersionAndPragmas) {
  const std::string path = (dir_ / "new.db").string();
  auto db = Database::open(path);
  EXPECT_EQ(db->schema_version(), Database::current_schema_version());
  EXPECT_EQ(db->version_found_on_open(), 0);
  EXPECT_EQ(query_int(db->raw(), "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(query_int(db->raw(), "PRAGMA foreign_keys"), 1);
  Statement jm(db->raw(), "PRAGMA journal_mode");
  ASSERT_TRUE(jm.step());
  EXPECT_EQ(jm.col_text(0), "wal");
  // Every table is STRICT.
  EXPECT_EQ(query_int(db->raw(),
                      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                      "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%STRICT%'"),
            0);
  db.reset();
  auto again = Database::open(path);
  EXPECT_EQ(again->version_found_on_open(), Database::current_schema_version());
}

TEST_F(SchemaTest, RefusesDatabaseFromNewerVersion) {
  const std::string path = (dir_ / "newer.db").string();
  {
    auto db = Database::open(path);
    exec(db->raw(),
         "PRAGMA user_version = " + std::to_string(Database::current_schema_version() + 1));
  }
  const std::string msg = error_of(path);
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("newer rn50-exp"), std::string::npos) << msg;
}

TEST_F(SchemaTest, RefusesForeignSqliteFileAndLeavesItAlone) {
  const std::string path = (dir_ / "other.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  exec(raw, "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('mine');");
  sqlite3_close(raw);
  const auto size_before = fs::file_size(path);

  const std::string msg = error_of(path);
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("not an rn50-exp database"), std::string::npos) << msg;
  EXPECT_EQ(fs::file_size(path), size_before);
  EXPECT_FALSE(fs::exists(path + "-wal"));
}

TEST_F(SchemaTest, RefusesOtherApplicationId) {
  const std::string path = (dir_ / "app.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  exec(raw, "PRAGMA application_id = 1234");
  sqlite3_close(raw);
  const std::string msg = error_of(path);
  EXPECT_NE(msg.find("application_id 0x000004d2"), std::string::npos) << msg;
}

TEST_F(SchemaTest, RefusesFileThatIsNotSqlite) {
  const std::string path = (dir_ / "notes.txt").string();
  std::ofstream(path) << std::string(4096, 'x');
  const std::string msg = error_of(path);
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("not an SQLite file"), std::string::npos) << msg;
}

// The ladder climbs one rung at a time from whatever version it finds, in one transaction.
std::vector<std::string> g_applied;
void make_a(sqlite3* db) {
  g_applied.push_back("a");
  exec(db, "CREATE TABLE a(x INTEGER) STRICT");
}
void make_b(sqlite3* db) {
  g_applied.push_back("b");
  exec(db, "CREATE TABLE b(x INTEGER) STRICT");
}
void broken(sqlite3* db) { exec(db, "CREATE TABLE c(x INTEGER) STRICT; SELECT no_such_fn();"); }

int64_t tables(sqlite3* db) {
  return query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
}

TEST(MigrationLadder, ClimbsFromEachVersionToTheTop) {
  const Migration ladder[] = {{1, "a", &make_a}, {2, "b", &make_b}};
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  g_applied.clear();
  EXPECT_EQ(migrate(raw, std::span(ladder, 1)), 0);
  EXPECT_EQ(query_int(raw, "PRAGMA user_version"), 1);
  EXPECT_EQ(migrate(raw, ladder), 1);  // from v1: only the second rung runs
  EXPECT_EQ(query_int(raw, "PRAGMA user_version"), 2);
  EXPECT_EQ(query_int(raw, "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(g_applied, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(migrate(raw, ladder), 2);  // at the top: nothing runs
  EXPECT_EQ(g_applied.size(), 2u);
  sqlite3_close(raw);
}

TEST(MigrationLadder, FailingRungRollsBackEveryRung) {
  const Migration ladder[] = {{1, "a", &make_a}, {2, "b", &make_b}, {3, "broken", &broken}};
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  try {
    migrate(raw, ladder);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("version 3 (broken)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(query_int(raw, "PRAGMA user_version"), 0);
  EXPECT_EQ(tables(raw), 0);
  sqlite3_close(raw);
}

TEST(MigrationLadder, MissingRungIsAnError) {
  const Migration ladder[] = {{2, "b", &make_b}};
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  EXPECT_THROW(migrate(raw, ladder), core::Error);
  EXPECT_EQ(tables(raw), 0);
  sqlite3_close(raw);
}

// A database written by the first release (schema 1) opens as version 2 with nothing lost: each
// run gains one membership (its experiment, its file's path and name, the set from where the file
// was), each metric series becomes segment 0 with the same history.
TEST_F(SchemaTest, VersionOneDatabaseMigratesWithEveryRunAndPoint) {
  const fs::path tree = dir_ / "NVIDIA";
  fs::create_directories(tree / "systems");
  fs::create_directories(tree / "results" / "dgxa100" / "resnet");
  const std::string in_tree = (tree / "results" / "dgxa100" / "resnet" / "result_0.txt").string();
  const std::string plain = (dir_ / "logs" / "run.log").string();
  const std::string path = (dir_ / "v1.db").string();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    migrate(raw, schema_ladder().subspan(0, 1));
    ASSERT_EQ(query_int(raw, "PRAGMA user_version"), 1);
    exec(raw, "INSERT INTO experiments(id, name) VALUES (1, 'round'), (2, 'mine')");
    exec(raw,
         "INSERT INTO source_files(id, sha256, path, abs_path, size_bytes, format, "
         "parser_version) VALUES (1, '" +
             std::string(64, 'a') + "', 'r0.txt', '" + in_tree + "', 10, 'mlperf', '1'), (2, '" +
             std::string(64, 'b') + "', 'run.log', '" + plain +
             "', 10, 'ngc-dllogger-stdout', '1')");
    exec(raw,
         "INSERT INTO runs(id, experiment_id, source_file_id, name, source_format, status) "
         "VALUES (7, 1, 1, 'result_0.txt', 'mlperf', 'finished'), "
         "(8, 2, 2, 'run.log', 'ngc-dllogger-stdout', 'incomplete')");
    exec(raw, "INSERT INTO metric_keys(id, name) VALUES (1, 'train.loss')");
    exec(raw,
         "INSERT INTO metric_points(id, epoch, step, time, value) VALUES "
         "(1, 0, 1, NULL, 2.5), (2, 0, 2, NULL, 2.0), (3, 0, 3, NULL, 1.5)");
    exec(raw,
         "INSERT INTO metric_series(run_id, key_id, level, first_point, points) "
         "VALUES (8, 1, 'iter', 1, 3)");
    sqlite3_close(raw);
  }
  auto db = Database::open(path);
  EXPECT_EQ(db->version_found_on_open(), 1);
  EXPECT_EQ(db->schema_version(), Database::current_schema_version());
  Statement st(db->raw(),
               "SELECT run_id, experiment, source_path, name, set_key, set_org, set_system, "
               "set_benchmark FROM v_run_summary ORDER BY run_id");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.col_int(0), 7);
  EXPECT_EQ(st.col_text(1), "round");
  EXPECT_EQ(st.col_text(2), "r0.txt");
  EXPECT_EQ(st.col_text(3), "result_0.txt");
  EXPECT_EQ(st.col_text(4), "NVIDIA/dgxa100/resnet");
  EXPECT_EQ(st.col_text(5), "NVIDIA");
  EXPECT_EQ(st.col_text(6), "dgxa100");
  EXPECT_EQ(st.col_text(7), "resnet");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.col_int(0), 8);
  EXPECT_EQ(st.col_text(1), "mine");
  EXPECT_EQ(st.col_text(4), (dir_ / "logs").string());
  EXPECT_TRUE(st.is_null(5));
  EXPECT_FALSE(st.step());
  Statement hist(db->raw(),
                 "SELECT group_concat(seq || ':' || value, ' ') FROM "
                 "(SELECT seq, value FROM v_metric_history WHERE run_id = 8 ORDER BY seq)");
  ASSERT_TRUE(hist.step());
  EXPECT_EQ(hist.col_text(0), "0:2.5 1:2.0 2:1.5");
  // Deleting a run still deletes its points (the trigger survived the rebuild).
  exec(db->raw(), "DELETE FROM runs WHERE id = 8");
  EXPECT_EQ(query_int(db->raw(), "SELECT count(*) FROM metric_points"), 0);
  EXPECT_EQ(query_int(db->raw(), "SELECT count(*) FROM memberships"), 1);
}

TEST(Views, RunSummaryColumnsArePromised) {
  auto db = Database::open(":memory:");
  const std::vector<std::string> promised = {"run_id",
                                             "experiment",
                                             "source_format",
                                             "source_path",
                                             "status",
                                             "nodes",
                                             "world_size",
                                             "precision",
                                             "batch_per_device",
                                             "global_batch",
                                             "epochs_planned",
                                             "epochs_completed",
                                             "best_top1",
                                             "best_top1_epoch",
                                             "best_top5",
                                             "last_top1",
                                             "total_ips",
                                             "compute_ips",
                                             "summary_total_ips",
                                             "summary_compute_ips",
                                             "target_top1",
                                             "time_to_target_s",
                                             "wall_time_s"};
  auto cols = columns(*db, "v_run_summary");
  ASSERT_GE(cols.size(), promised.size());
  EXPECT_EQ(std::vector<std::string>(cols.begin(), cols.begin() + promised.size()), promised);
  for (const char* extra : {"name",
                            "run_key",
                            "source_sha256",
                            "total_ips_definition",
                            "compute_ips_definition",
                            "step_time_p50",
                            "step_time_p90",
                            "step_time_p99",
                            "target_epoch",
                            "start_time",
                            "end_time",
                            "tags",
                            "membership_id",
                            "set_key",
                            "set_org",
                            "set_system",
                            "set_benchmark",
                            "system_file",
                            "scaling_factor",
                            "scaling_file"})
    EXPECT_NE(std::find(cols.begin(), cols.end(), extra), cols.end()) << extra;
}

TEST(Views, EpochAndHistoryColumnsArePromised) {
  auto db = Database::open(":memory:");
  auto ep = columns(*db, "v_epoch_metrics");
  const std::vector<std::string> epoch_cols = {"run_id", "epoch",     "train_loss",  "top1", "top5",
                                               "lr",     "total_ips", "compute_ips", "t"};
  ASSERT_GE(ep.size(), epoch_cols.size());
  EXPECT_EQ(std::vector<std::string>(ep.begin(), ep.begin() + epoch_cols.size()), epoch_cols);
  auto mh = columns(*db, "v_metric_history");
  const std::vector<std::string> hist = {"run_id", "key",  "level", "epoch",
                                         "step",   "time", "value"};
  EXPECT_EQ(std::vector<std::string>(mh.begin(), mh.begin() + hist.size()), hist);
}

}  // namespace
}  // namespace rn50::store
