// TextInput: the same lines from a buffer and from a file read in tiny blocks, line numbers and
// the last-line flag, over-long lines skipped with a diagnostic, and only regular files opened.
#include "parsers/text_input.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"

namespace rn50::parsers {
namespace {

namespace fs = std::filesystem;

struct Read {
  std::vector<std::string> lines;
  std::vector<int64_t> numbers;
  std::vector<bool> last;
  core::Diagnostics diagnostics;
};

Read read_all(TextInput in) {
  Read r;
  std::string_view line;
  while (in.next_line(line)) {
    r.lines.emplace_back(line);
    r.numbers.push_back(in.line_number());
    r.last.push_back(in.last_line());
  }
  r.diagnostics = in.diagnostics();
  return r;
}

class TextInputTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-textinput"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& bytes) {
    const fs::path p = dir_ / ("f" + std::to_string(n_++));
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  fs::path dir_;
  int n_ = 0;
};

TEST_F(TextInputTest, FileReadInTinyBlocksGivesTheSameLinesAsMemory) {
  const std::vector<std::string> inputs = {
      "", "\n", "a", "a\n", "a\nb", "a\nb\n", "a\r\nb\r\n", "\n\nx\n\n", "long line here\nz"};
  for (const std::string& text : inputs) {
    for (size_t block : {1, 2, 3, 7, 1 << 20}) {
      TextLimits lim;
      lim.block_bytes = block;
      const Read mem = read_all(TextInput::from_memory(text, lim));
      const Read file = read_all(TextInput::open_file(write(text), lim));
      EXPECT_EQ(mem.lines, file.lines) << "'" << text << "' block " << block;
      EXPECT_EQ(mem.numbers, file.numbers) << "'" << text << "' block " << block;
      EXPECT_EQ(mem.last, file.last) << "'" << text << "' block " << block;
    }
  }
  const Read r = read_all(TextInput::from_memory("a\r\nb"));
  EXPECT_EQ(r.lines, (std::vector<std::string>{"a\r", "b"}));
  EXPECT_EQ(r.last, (std::vector<bool>{false, true}));
  EXPECT_EQ(read_all(TextInput::from_memory("a\n")).last, std::vector<bool>{true});
}

TEST_F(TextInputTest, OverLongLinesAreSkippedWithTheirLineNumber) {
  const std::string text = "ok1\n" + std::string(100, 'x') + "\nok3\n" + std::string(50, 'y');
  for (size_t block : {3, 16, 1 << 20}) {
    TextLimits lim;
    lim.max_line_bytes = 40;
    lim.block_bytes = block;
    for (bool from_file : {false, true}) {
      const Read r = read_all(from_file ? TextInput::open_file(write(text), lim)
                                        : TextInput::from_memory(text, lim));
      EXPECT_EQ(r.lines, (std::vector<std::string>{"ok1", "ok3"})) << block << from_file;
      EXPECT_EQ(r.numbers, (std::vector<int64_t>{1, 3})) << block << from_file;
      ASSERT_EQ(r.diagnostics.size(), 2u) << block << from_file;
      EXPECT_EQ(r.diagnostics[0].line, 2);
      EXPECT_NE(r.diagnostics[0].message.find("100 bytes"), std::string::npos)
          << r.diagnostics[0].message;
      EXPECT_EQ(r.diagnostics[1].line, 4);
      EXPECT_NE(r.diagnostics[1].message.find("50 bytes"), std::string::npos);
    }
  }
}

TEST_F(TextInputTest, FileMemoryStaysBoundedByTheLineLimit) {
  // One 8 MiB line with a 1 MiB limit: skipped, and the file is still read to its end.
  const std::string text = std::string(8 << 20, 'z') + "\nafter\n";
  TextLimits lim;
  lim.max_line_bytes = 1 << 20;
  lim.block_bytes = 64 << 10;
  const Read r = read_all(TextInput::open_file(write(text), lim));
  EXPECT_EQ(r.lines, std::vector<std::string>{"after"});
  EXPECT_EQ(r.numbers, std::vector<int64_t>{2});
}

TEST_F(TextInputTest, RestReturnsTheUnreadBytesAndRespectsTheDocumentLimit) {
  TextInput in = TextInput::open_file(write("head\n{\"a\": 1}\n"), {});
  std::string_view line;
  ASSERT_TRUE(in.next_line(line));
  EXPECT_EQ(in.rest(), "{\"a\": 1}\n");
  EXPECT_FALSE(in.next_line(line));
  TextLimits lim;
  lim.max_document_bytes = 10;
  TextInput big = TextInput::open_file(write(std::string(100, 'q')), lim);
  EXPECT_THROW(big.rest(), core::Error);
}

TEST_F(TextInputTest, OnlyRegularFilesAreOpened) {
  const fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    TextInput::open_file(fifo);  // must not block waiting for a writer
    FAIL() << "a FIFO was opened";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("FIFO"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fifo.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(TextInput::open_file(dir_), core::Error);
  EXPECT_THROW(TextInput::open_file(dir_ / "missing"), core::Error);
}

}  // namespace
}  // namespace rn50::parsers
