#include "core/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "test_support.h"

namespace rn50::core {
namespace {

namespace fs = std::filesystem;

class FileUtil : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-file-util"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileUtil, ReadFileStopsAtItsCapAndNamesTheFile) {
  const fs::path big = dir_ / "scaling.json";
  write_file_atomic(big, std::string((size_t(1) << 20) + 1, ' '));
  try {
    read_file(big, kMaxSidecarBytes);
    FAIL() << "a file over the cap was read";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), big.string() + ": larger than 1 MiB, not read");
  }
  EXPECT_EQ(read_file(big).size(), (size_t(1) << 20) + 1);  // no cap: read whole
  write_file_atomic(big, std::string(size_t(1) << 20, ' '));
  EXPECT_EQ(read_file(big, kMaxSidecarBytes).size(), size_t(1) << 20);  // exactly the cap is fine
}

TEST_F(FileUtil, FifosAndFoldersAreRefusedWithoutBlocking) {
  const fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    read_file(fifo);  // with no writer, opening it for reading would wait forever
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), fifo.string() + ": a FIFO, not read");
  }
  EXPECT_THROW(read_file(dir_), Error);
}

TEST_F(FileUtil, AtomicWriteReplacesWholeAndLeavesNoTemporaryFile) {
  const fs::path f = dir_ / "report.json";
  write_file_atomic(f, "old");
  write_file_atomic(f, "new content");
  EXPECT_EQ(read_file(f), "new content");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
  // A folder that does not exist: an error naming the path, nothing created.
  EXPECT_THROW(write_file_atomic(dir_ / "no-such-dir" / "x", "y"), Error);
  EXPECT_FALSE(fs::exists(dir_ / "no-such-dir"));
}

TEST_F(FileUtil, ReplaceFileMovesTheTemporaryOverTheTarget) {
  const fs::path tmp = dir_ / ".ckpt.tmp", target = dir_ / "ckpt.pt";
  write_file_atomic(target, "epoch 1");
  write_file_atomic(tmp, "epoch 2");
  replace_file(tmp, target);
  EXPECT_EQ(read_file(target), "epoch 2");
  EXPECT_FALSE(fs::exists(tmp));
}

}  // namespace
}  // namespace rn50::core
