// Helpers shared by the test executables.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace rn50::testing {

// ../shared/corpus beside the repository. Its absence is loud: tests that need it FAIL unless
// RN50_ALLOW_NO_CORPUS=1, in which case they are SKIPPED with a message (never silently passed).
inline std::filesystem::path corpus_dir() { return RN50_CORPUS_DIR; }

#define RN50_REQUIRE_CORPUS()                                                          \
  do {                                                                                 \
    if (!std::filesystem::is_directory(::rn50::testing::corpus_dir())) {               \
      const char* allow = std::getenv("RN50_ALLOW_NO_CORPUS");                         \
      if (allow && std::string(allow) == "1")                                          \
        GTEST_SKIP() << "corpus missing at " << ::rn50::testing::corpus_dir()          \
                     << " (RN50_ALLOW_NO_CORPUS=1)";                                   \
      FAIL() << "corpus missing at " << ::rn50::testing::corpus_dir()                  \
             << ": clone the project next to ../shared or set RN50_ALLOW_NO_CORPUS=1"; \
    }                                                                                  \
  } while (0)

inline std::filesystem::path fixtures_dir() { return RN50_FIXTURES_DIR; }
inline std::filesystem::path source_dir() { return RN50_SOURCE_DIR; }

// A fresh empty directory under the system temp dir, removed by the caller's TearDown if wanted.
inline std::filesystem::path make_temp_dir(const std::string& prefix) {
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0;; ++i) {
    auto p = base / (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(i));
    if (std::filesystem::create_directory(p)) return p;
  }
}

// A tab-separated file with a header line (the corpus's expected_*.tsv) as one map per row;
// missing trailing cells are empty, blank lines are skipped.
inline std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> cols;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, '\t');) cols.push_back(c);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::map<std::string, std::string> row;
    std::stringstream ls(line);
    size_t i = 0;
    for (std::string v; i < cols.size() && std::getline(ls, v, '\t');) row[cols[i++]] = v;
    while (i < cols.size()) row[cols[i++]] = "";
    rows.push_back(std::move(row));
  }
  return rows;
}

// SIGALRM every `interval_us` through a handler without SA_RESTART, as long as it lives: any
// blocking call of the code under test is interrupted (EINTR) and must be retried. Start it only
// after forking: a fork under a storm much faster than the fork restarts without end.
class AlarmStorm {
 public:
  explicit AlarmStorm(long interval_us) {
    struct sigaction sa {};
    sa.sa_handler = [](int) { alarms = alarms + 1; };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART
    ::sigaction(SIGALRM, &sa, &old_);
    itimerval t{};
    t.it_interval.tv_usec = interval_us;
    t.it_value.tv_usec = interval_us;
    ::setitimer(ITIMER_REAL, &t, nullptr);
  }
  ~AlarmStorm() {
    itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &old_, nullptr);
  }
  AlarmStorm(const AlarmStorm&) = delete;
  AlarmStorm& operator=(const AlarmStorm&) = delete;
  static inline volatile sig_atomic_t alarms = 0;

 private:
  struct sigaction old_ {};
};

}  // namespace rn50::testing
