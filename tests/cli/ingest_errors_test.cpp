// `rn50-exp ingest` on bad input: loud, named, and the database unchanged.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "report_cli_util.h"
#include "test_support.h"

namespace rn50 {
namespace {

namespace fs = std::filesystem;
using report_cli::CliResult;
using report_cli::q;
using report_cli::rn50;

// Row counts of every table: "unchanged" means all of them.
std::string counts(const fs::path& db_path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "<cannot open>";
  }
  const char* tables[] = {"experiments",   "source_files", "runs",        "facts",
                          "params",        "tags",         "metric_keys", "metric_series",
                          "metric_points", "epochs",       "events",      "ingest_diagnostics"};
  for (const char* t : tables) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, (std::string("SELECT count(*) FROM ") + t).c_str(), -1, &st, nullptr);
    if (st && sqlite3_step(st) == SQLITE_ROW)
      out += std::string(t) + "=" + std::to_string(sqlite3_column_int64(st, 0)) + " ";
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

class IngestErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("rn50-ingest-errors");
    // A database with something in it, so "unchanged" is meaningful.
    std::ofstream(dir_ / "seed.json")
        << R"(DLLL {"timestamp": "1", "datetime": "2021-01-01 00:00:00.000000", "elapsedtime": 1, "type": "PARAMETER", "data": {"batch_size": 64, "world_size": 1}})"
        << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  fs::path dir_;
};

TEST_F(IngestErrors, ExplicitUnknownFileFailsNamingIt) {
  write("notes.md", "# my notes\nnothing to see\n");
  CliResult r = rn50("ingest notes.md --db e.db", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("notes.md: not a known log format"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("0 file(s) stored"), std::string::npos) << r.out;
}

TEST_F(IngestErrors, GarbageEmptyAndBinaryLeaveDatabaseUnchanged) {
  RN50_REQUIRE_CORPUS();
  const auto good = testing::corpus_dir() / "ngc-dllogger-json/example_resnet_log.json";
  ASSERT_EQ(rn50("ingest " + q(good.string()) + " --db e.db", dir_).exit_code, 0);
  const std::string before = counts(dir_ / "e.db");
  ASSERT_NE(before.find("runs=1 "), std::string::npos) << before;

  write("empty.log", "");
  std::string bin(8192, '\0');
  for (size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<char>((i * 7919) & 0xff);
  write("garbage.bin", bin);
  for (const char* f : {"empty.log", "garbage.bin"}) {
    CliResult r = rn50(std::string("ingest ") + f + " --db e.db", dir_);
    EXPECT_EQ(r.exit_code, 1) << f;
    EXPECT_NE(r.err.find(f), std::string::npos) << r.err;
    EXPECT_EQ(counts(dir_ / "e.db"), before) << f;
  }
  // Forcing a format on garbage: the parser finds no run; nothing is stored.
  CliResult forced = rn50("ingest garbage.bin --format ngc-dllogger-json --db e.db", dir_);
  EXPECT_EQ(forced.exit_code, 1);
  EXPECT_NE(forced.err.find("garbage.bin"), std::string::npos) << forced.err;
  EXPECT_EQ(counts(dir_ / "e.db"), before);
}

TEST_F(IngestErrors, HalfWrittenJsonIsStoredWithDiagnosticsOrRefusedWhole) {
  RN50_REQUIRE_CORPUS();
  std::ifstream in(testing::corpus_dir() / "ngc-dllogger-json/example_resnet_log.json",
                   std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Cut in the middle of a record, as a crashed writer leaves it.
  const size_t cut = text.find('\n', text.size() / 2) + 40;
  write("half.json", text.substr(0, cut));
  CliResult r = rn50("ingest half.json -v --db h.db", dir_);
  const std::string c = counts(dir_ / "h.db");
  if (r.exit_code == 0) {
    // Stored: then it says what is wrong, and the run is not claimed as finished.
    EXPECT_EQ(c.find("ingest_diagnostics=0 "), std::string::npos) << c;
    EXPECT_NE(r.out.find("half.json:"), std::string::npos) << r.out;
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_ / "h.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT status FROM runs", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STRNE(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "finished");
    sqlite3_finalize(st);
    sqlite3_close(db);
  } else {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("half.json"), std::string::npos) << r.err;
    EXPECT_NE(c.find("runs=0 "), std::string::npos) << c;
  }
}

TEST_F(IngestErrors, FolderWithoutAnyLogIsAnErrorButStrayFilesAreSkipped) {
  fs::create_directories(dir_ / "docs/sub");
  write("docs/README.md", "# readme\n");
  write("docs/sub/system.json", "{\"number_of_nodes\": 1}\n");
  CliResult r = rn50("ingest docs --db e.db", dir_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("docs/README.md: skipped: not a known log format"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("docs: no file in a known log format"), std::string::npos) << r.err;

  RN50_REQUIRE_CORPUS();
  fs::copy_file(testing::corpus_dir() / "ngc-dllogger-json/example_resnet_log.json",
                dir_ / "docs/sub/run.json");
  CliResult ok = rn50("ingest docs --db e.db", dir_);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("docs/sub/run.json: ngc-dllogger-json, 1 run"), std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find("2 skipped, 0 failed"), std::string::npos) << ok.out;
}

TEST_F(IngestErrors, UsageErrorsExitTwoBeforeTouchingTheDatabase) {
  write("x.log", "hello\n");
  for (const char* args :
       {"x.log --tag novalue", "x.log --window 30", "x.log --window 9:3", "x.log --format nosuch",
        "x.log --set colour=red", "x.log --set batch_size=-4", "x.log --target 0"}) {
    CliResult r = rn50(std::string("ingest ") + args + " --db u.db", dir_);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
  EXPECT_FALSE(fs::exists(dir_ / "u.db"));
  CliResult missing = rn50("ingest nowhere.log --db u.db", dir_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nowhere.log: no such file or folder"), std::string::npos);
}

TEST_F(IngestErrors, DbInfoAndMigrate) {
  CliResult none = rn50("db info --db absent.db", dir_);
  EXPECT_EQ(none.exit_code, 2);  // a path typed wrong is a usage error, as for report and runs
  EXPECT_NE(none.err.find("database absent.db does not exist"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(dir_ / "absent.db"));
  // --help says which commands create the database and which need it.
  for (const char* cmd : {"report", "runs", "compare", "db info", "db migrate"}) {
    EXPECT_NE(rn50(std::string(cmd) + " --help", dir_).out.find("SQLite database (must exist)"),
              std::string::npos)
        << cmd;
  }
  for (const char* cmd : {"ingest", "run"}) {
    EXPECT_NE(rn50(std::string(cmd) + " --help", dir_).out.find("(created when absent)"),
              std::string::npos)
        << cmd;
  }

  write("other.db", std::string(2048, 'z'));
  CliResult foreign = rn50("db info --db other.db", dir_);
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("other.db: not an rn50-exp database"), std::string::npos);

  RN50_REQUIRE_CORPUS();
  const auto good = testing::corpus_dir() / "ngc-dllogger-json/example_resnet_log.json";
  ASSERT_EQ(rn50("ingest " + q(good.string()) + " --experiment ex1 --db i.db", dir_).exit_code, 0);
  CliResult info = rn50("db info --db i.db", dir_);
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("schema version:  2 (this build: 2)"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("ex1: 1 runs from 1 files"), std::string::npos) << info.out;
  CliResult mig = rn50("db migrate --db i.db", dir_);
  EXPECT_EQ(mig.exit_code, 0);
  EXPECT_NE(mig.out.find("already at schema version 2"), std::string::npos) << mig.out;
}

}  // namespace
}  // namespace rn50
