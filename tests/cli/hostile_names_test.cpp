// Hostile names through the shipped binary: what goes into the database is valid UTF-8 without
// control characters (names and tags typed by a user are checked, file names are read as latin-1
// where they are not UTF-8), and what comes out of report and runs list round-trips: JSON per
// RFC 8259, CSV per RFC 4180, Markdown and SVG escaped.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "report_cli_util.h"

namespace rn50::report_cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Fields of RFC 4180 CSV text (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_field = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !in_field) {
      quoted = in_field = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      in_field = false;
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      in_field = false;
      rows.emplace_back();
    } else {
      field += c;
      in_field = true;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

class HostileNames : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = rn50::testing::make_temp_dir("rn50-hostile"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(HostileNames, TypedNamesAreCheckedAtTheBoundary) {
  RN50_REQUIRE_CORPUS();
  const std::string log =
      (rn50::testing::corpus_dir() / "ngc-dllogger-json" / "example_resnet_log.json").string();
  // /bin/sh (popen) has no $'...': printf writes the bytes.
  auto r = rn50("ingest --db h.db --experiment \"$(printf 'bad\\377')\" " + q(log), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--experiment: not valid UTF-8 (byte 0xFF at offset 3)"), std::string::npos)
      << r.err;
  r = rn50("ingest --db h.db --experiment \"$(printf 'two\\nlines')\" " + q(log), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--experiment: control character 0x0A at offset 3"), std::string::npos)
      << r.err;
  r = rn50("ingest --db h.db --tag \"$(printf 'k=v\\001')\" " + q(log), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--tag k: control character 0x01"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "h.db")) << "refused before the database was touched";
}

TEST_F(HostileNames, NamesRoundTripThroughJsonCsvMarkdownAndSvg) {
  RN50_REQUIRE_CORPUS();
  // A file name with markup, quotes, a comma, a newline and a latin-1 byte.
  const std::string name = "a<b>&\"q\",'x'\nline2 caf\xe9.log";
  const std::string utf8 = "a<b>&\"q\",'x'\nline2 caf\xc3\xa9.log";
  fs::copy_file(rn50::testing::corpus_dir() / "ngc-dllogger-json" / "example_resnet_log.json",
                dir_ / name);
  const std::string experiment = "exp \"<script>\" & ünïcode, 'quoted'";
  auto r = rn50("ingest --db h.db --experiment " + q(experiment) + " --tag " +
                    q("note=<b>bold</b>, \"x\" & y") + " " + q((dir_ / name).string()),
                dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  // What a Python sqlite3 reader gets: valid UTF-8 in every text column.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "h.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name, experiment, tags FROM v_run_summary", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), utf8);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))), experiment);
  sqlite3_finalize(st);
  sqlite3_close(db);

  r = rn50("runs list --db h.db --format json", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json list = json::parse(r.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], utf8);
  EXPECT_EQ(list[0]["experiment"], experiment);

  r = rn50("runs list --db h.db --format csv", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  bool found = false;
  for (size_t c = 0; c < rows[0].size(); ++c)
    if (rows[0][c] == "name") found = rows[1].at(c) == utf8;
  EXPECT_TRUE(found) << r.out;

  r = rn50("report --db h.db --format md,json,csv --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json rep = json::parse(slurp(dir_ / "rep" / "report.json"));
  EXPECT_NE(rep.dump().find(json(experiment).dump().substr(1, 10)), std::string::npos);
  const std::string md = slurp(dir_ / "rep" / "report.md");
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_EQ(md.find("<b>bold"), std::string::npos);
  for (const auto& e : fs::directory_iterator(dir_ / "rep" / "plots")) {
    const std::string svg = slurp(e.path());
    EXPECT_EQ(svg.find("<script"), std::string::npos) << e.path();
    EXPECT_EQ(svg.find("<b>"), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace rn50::report_cli
