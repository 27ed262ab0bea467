// The store's promises under a hostile environment, through the shipped binary: four ingesters at
// once into a new and into an existing database (no failure, no loss, no duplicate), kill -9 of an
// ingest at random moments (integrity intact, every source file all or nothing), a full disk (a
// clear error, the database as it was). docs/reliability.md.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "report_cli_util.h"
#include "test_support.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using rn50::report_cli::slurp;

// Copies of the AI-Rank console logs, each made unique by a first line the parser ignores.
std::vector<fs::path> make_logs(const fs::path& dir, int n, const std::string& tag) {
  const fs::path src = rn50::testing::corpus_dir() / "ngc-stdout" / "airank";
  const std::vector<std::string> names = {"GPUx1_time2train_ips.log", "GPUx8_time2train_ips.log",
                                          "GPUx32_time2train_ips.log"};
  fs::create_directories(dir);
  std::vector<fs::path> out;
  for (int i = 0; i < n; ++i) {
    const fs::path dst = dir / (tag + "-" + std::to_string(i) + ".log");
    std::ofstream o(dst, std::ios::binary);
    o << "copy " << tag << " " << i << "\n" << slurp(src / names[size_t(i) % names.size()]);
    out.push_back(dst);
  }
  return out;
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> a = {RN50_BINARY};
  a.insert(a.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, RN50_BINARY, &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class Db {
 public:
  explicit Db(const fs::path& p) {
    sqlite3_open_v2(p.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  }
  ~Db() { sqlite3_close(db_); }
  std::string text(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
  }
  // sha256 -> "runs/epochs/points" of every stored file.
  std::map<std::string, std::string> files() const {
    std::map<std::string, std::string> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_,
                       "SELECT f.sha256, count(DISTINCT r.id), "
                       "(SELECT count(*) FROM epochs e JOIN runs r2 ON r2.id = e.run_id "
                       " WHERE r2.source_file_id = f.id), "
                       "(SELECT coalesce(sum(s.points), 0) FROM metric_series s JOIN runs r3 "
                       " ON r3.id = s.run_id WHERE r3.source_file_id = f.id) "
                       "FROM source_files f LEFT JOIN runs r ON r.source_file_id = f.id "
                       "GROUP BY f.id",
                       -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
      out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
          std::to_string(sqlite3_column_int64(st, 1)) + "/" +
          std::to_string(sqlite3_column_int64(st, 2)) + "/" +
          std::to_string(sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class Reliability : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-reliability"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Reliability, FourConcurrentIngestersNeverFailLoseOrDuplicate) {
  RN50_REQUIRE_CORPUS();
  std::vector<fs::path> folders;
  for (int k = 0; k < 4; ++k) {
    folders.push_back(dir_ / ("in" + std::to_string(k)));
    make_logs(folders.back(), 5, "f" + std::to_string(k));
  }
  for (int trial = 0; trial < 8; ++trial) {
    const fs::path db = dir_ / ("t" + std::to_string(trial) + ".db");
    // New database: every process races to create it. Then the same again into the existing
    // one (other experiments: the same bytes join them, nothing is stored twice).
    for (const char* round : {"new", "existing"}) {
      std::vector<pid_t> pids;
      for (int k = 0; k < 4; ++k)
        pids.push_back(spawn({"ingest", folders[size_t(k)].string(), "--db", db.string(),
                              "--experiment", std::string(round) + std::to_string(k)},
                             dir_ / ("log" + std::to_string(k))));
      for (int k = 0; k < 4; ++k)
        EXPECT_EQ(wait_exit(pids[size_t(k)]), 0) << "trial " << trial << " " << round << ": "
                                                 << slurp(dir_ / ("log" + std::to_string(k)));
      Db d(db);
      EXPECT_EQ(d.text("PRAGMA integrity_check"), "ok") << trial;
      EXPECT_EQ(d.text("SELECT count(*) FROM source_files"), "20") << trial << round;
      EXPECT_EQ(d.text("SELECT count(*) FROM runs"), "20") << trial << round;
      EXPECT_EQ(d.text("SELECT count(*) FROM memberships"),
                std::string(round) == std::string("new") ? "20" : "40")
          << trial << round;
    }
  }
}

TEST_F(Reliability, KillDuringIngestLeavesEveryFileAllOrNothing) {
  RN50_REQUIRE_CORPUS();
  const fs::path in = dir_ / "in";
  make_logs(in, 60, "k");  // about 36 MB: an ingest takes about half a second here
  // Reference: what each file holds when stored completely.
  const fs::path ref = dir_ / "ref.db";
  ASSERT_EQ(wait_exit(spawn({"ingest", in.string(), "--db", ref.string()}, dir_ / "ref.log")), 0)
      << slurp(dir_ / "ref.log");
  const auto complete = Db(ref).files();
  ASSERT_EQ(complete.size(), 60u);

  std::mt19937 rng(20261129);
  int killed_midway = 0;
  for (int trial = 0; trial < 8; ++trial) {
    const fs::path db = dir_ / ("k" + std::to_string(trial) + ".db");
    const pid_t pid = spawn({"ingest", in.string(), "--db", db.string()}, dir_ / "k.log");
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(trial < 2 ? 0 : 5, 250)(rng)));
    ::kill(pid, SIGKILL);
    if (wait_exit(pid) == 128 + SIGKILL) ++killed_midway;
    if (!fs::exists(db)) continue;  // killed before the database existed
    {
      Db d(db);
      EXPECT_EQ(d.text("PRAGMA integrity_check"), "ok") << trial;
      for (const auto& [sha, counts] : d.files()) {
        ASSERT_TRUE(complete.count(sha)) << trial;
        EXPECT_EQ(counts, complete.at(sha)) << "trial " << trial << ": a file stored in part";
      }
    }
    // Ingesting again completes the set without a second copy of anything.
    ASSERT_EQ(wait_exit(spawn({"ingest", in.string(), "--db", db.string()}, dir_ / "k2.log")), 0)
        << slurp(dir_ / "k2.log");
    EXPECT_EQ(Db(db).files(), complete) << trial;
  }
  EXPECT_GE(killed_midway, 4) << "most trials must really interrupt a running ingest";
}

TEST_F(Reliability, FullDiskFailsWithAClearErrorAndTheDatabaseAsItWas) {
  RN50_REQUIRE_CORPUS();
  if (::geteuid() != 0)
    GTEST_SKIP() << "SKIPPED LOUDLY: a full disk is simulated with a small tmpfs, which needs root";
  const fs::path mnt = dir_ / "small";
  fs::create_directories(mnt);
  if (std::system(("mount -t tmpfs -o size=3m tmpfs " + mnt.string() + " 2>/dev/null").c_str()) !=
      0)
    GTEST_SKIP() << "SKIPPED LOUDLY: cannot mount a tmpfs here (no CAP_SYS_ADMIN)";
  struct Unmount {
    fs::path p;
    ~Unmount() { std::system(("umount " + p.string() + " 2>/dev/null").c_str()); }
  } unmount{mnt};
  const fs::path in = dir_ / "in";
  make_logs(in, 12, "d");  // ~7 MB of logs: far more rows than 3 MB hold
  const fs::path db = mnt / "full.db";
  const int rc = wait_exit(spawn({"ingest", in.string(), "--db", db.string()}, dir_ / "d.log"));
  const std::string log = slurp(dir_ / "d.log");
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("full"), std::string::npos) << log;  // SQLite's word
  EXPECT_NE(log.find("not stored (database unchanged)"), std::string::npos) << log;
  ASSERT_TRUE(fs::exists(db));
  Db d(db);
  EXPECT_EQ(d.text("PRAGMA integrity_check"), "ok");
  const auto ref = dir_ / "ref.db";
  ASSERT_EQ(wait_exit(spawn({"ingest", in.string(), "--db", ref.string()}, dir_ / "r.log")), 0);
  const auto complete = Db(ref).files();
  for (const auto& [sha, counts] : d.files()) EXPECT_EQ(counts, complete.at(sha));
}

}  // namespace
