// report.html in a real browser: headless Chromium (Debian `chromium`, scripts/install-deps.sh)
// renders the page written by `rn50-exp report --format html` to a PNG; the PNG must not be
// blank and the page must log nothing to the console (no script error, no failed load). A canary
// page first proves that this Chromium runs here and that its console output is captured; where
// Chromium is missing or cannot start, the tests are SKIPPED with a loud message.
// RN50_SCREENSHOT_DIR=DIR keeps the screenshots for a person to look at.
#include <gtest/gtest.h>
#include <unistd.h>

#include <unordered_map>

#include "png_pixels.h"
#include "report_cli_util.h"

namespace {

namespace fs = std::filesystem;
using rn50::report_cli::CliResult;
using rn50::report_cli::q;
using rn50::report_cli::rn50;
using rn50::report_cli::slurp;

std::string find_chromium() {
  if (const char* e = std::getenv("RN50_CHROMIUM"); e && *e) return e;
  const char* path = std::getenv("PATH");
  if (!path) return {};
  const std::string p = path;
  for (const char* name : {"chromium", "chromium-browser"}) {
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      const fs::path cand = fs::path(p.substr(start, end - start)) / name;
      if (::access(cand.c_str(), X_OK) == 0) return cand.string();
      start = end + 1;
    }
  }
  return {};
}

// The console lines Chromium logs for the page (console.*, uncaught errors, failed loads).
std::vector<std::string> console_lines(const std::string& stderr_text) {
  std::vector<std::string> out;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
  return out;
}

struct PixelStats {
  size_t distinct = 0;
  double not_background = 0;  // share of pixels unlike the most common colour
};

PixelStats pixel_stats(const rn50::testing::PngPixels& px) {
  std::unordered_map<uint32_t, size_t> counts;
  const size_t n = size_t(px.width) * px.height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &px.data[i * px.channels];
    counts[(uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2]]++;
  }
  size_t most = 0;
  for (const auto& [c, k] : counts) most = std::max(most, k);
  return {counts.size(), n ? 1.0 - double(most) / double(n) : 0};
}

class ReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = rn50::testing::make_temp_dir("rn50-browser");
    chromium_ = find_chromium();
    if (chromium_.empty())
      GTEST_SKIP() << "\n*** SKIPPED: Chromium not found (Debian package `chromium`, installed by "
                      "scripts/install-deps.sh; or set RN50_CHROMIUM). report.html was NOT "
                      "checked in a browser. ***";
    const fs::path canary = dir_ / "canary.html";
    std::ofstream(canary) << "<!DOCTYPE html><html><body style=\"margin:0;background:#fff\">"
                             "<div style=\"width:200px;height:100px;background:#4e79a7\"></div>"
                             "<script>console.error('rn50-canary')</script></body></html>";
    const auto r = chromium(
        {"--screenshot=" + (dir_ / "canary.png").string(), "--window-size=400,300"}, canary);
    const std::string png = slurp(dir_ / "canary.png");
    if (r.exit_code != 0 || png.empty())
      GTEST_SKIP() << "\n*** SKIPPED: Chromium cannot run here (" << chromium_ << ", exit "
                   << r.exit_code << "). report.html was NOT checked in a browser. Its stderr "
                   << "ends with:\n"
                   << r.err.substr(r.err.size() > 1500 ? r.err.size() - 1500 : 0) << "\n***";
    // Without this the console check below could never fail.
    ASSERT_TRUE(r.err.find("rn50-canary") != std::string::npos)
        << "this Chromium does not log console messages to stderr; cannot check the page";
    canary_ = pixel_stats(rn50::testing::decode_png(png));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Chromium on a local file with a fresh profile and nothing that reaches the network.
  CliResult chromium(const std::vector<std::string>& flags, const fs::path& page) {
    const fs::path profile = rn50::testing::make_temp_dir("rn50-chromium-profile");
    std::string cmd = "timeout 120 " + q(chromium_) +
                      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                      " --disable-background-networking --disable-component-update"
                      " --disable-sync --enable-logging=stderr --v=0 --user-data-dir=" +
                      q(profile.string());
    for (const auto& f : flags) cmd += " " + q(f);
    cmd += " " + q("file://" + fs::absolute(page).string()) + " 2>" +
           q((dir_ / ".chromium-err").string());
    CliResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
      const int status = ::pclose(p);
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    r.err = slurp(dir_ / ".chromium-err");
    std::error_code ec;
    fs::remove_all(profile, ec);
    return r;
  }

  void check_page(const fs::path& html, const std::string& name) {
    ASSERT_TRUE(fs::exists(html)) << html;
    const fs::path png = dir_ / (name + ".png");
    const auto shot = chromium({"--screenshot=" + png.string(), "--window-size=1280,2400"}, html);
    ASSERT_EQ(shot.exit_code, 0) << shot.err;
    for (const auto& line : console_lines(shot.err)) ADD_FAILURE() << "console: " << line;
    const auto px = rn50::testing::decode_png(slurp(png));
    ASSERT_TRUE(px.error.empty()) << px.error;
    EXPECT_EQ(px.width, 1280u);
    EXPECT_EQ(px.height, 2400u);
    const PixelStats s = pixel_stats(px);
    // A blank or unstyled page has a handful of colours; text, tables and plots have hundreds.
    EXPECT_GE(s.distinct, 200u) << "canary page: " << canary_.distinct << " colours";
    EXPECT_GE(s.distinct, 20 * canary_.distinct);
    EXPECT_GE(s.not_background, 0.05);
    const auto dom = chromium({"--dump-dom"}, html);
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    for (const auto& line : console_lines(dom.err)) ADD_FAILURE() << "console: " << line;
    // The inline script ran to its last line.
    EXPECT_NE(dom.out.find("data-report-script=\"ok\""), std::string::npos);
    if (const char* keep = std::getenv("RN50_SCREENSHOT_DIR"); keep && *keep) {
      fs::create_directories(keep);
      fs::copy_file(png, fs::path(keep) / (name + ".png"), fs::copy_options::overwrite_existing);
    }
  }

  fs::path dir_;
  std::string chromium_;
  PixelStats canary_;
};

TEST_F(ReportInBrowser, QuickstartLikeRun) {
  const auto fixture = rn50::testing::fixtures_dir() / "report" / "quickstart_native.jsonl";
  auto r = rn50("ingest --db db.sqlite --experiment quickstart --tag role=accuracy --target 72 " +
                    q(fixture.string()),
                dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = rn50("report --db db.sqlite --target 72 --format html --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  check_page(dir_ / "rep" / "report.html", "quickstart");
}

TEST_F(ReportInBrowser, AiRankCorpus) {
  RN50_REQUIRE_CORPUS();
  const auto dir = rn50::testing::corpus_dir() / "ngc-stdout" / "airank";
  auto r = rn50("ingest --db db.sqlite --experiment airank --tag role=time2train " +
                    q((dir / "GPUx1_time2train_ips.log").string()) + " " +
                    q((dir / "GPUx8_time2train_ips.log").string()) + " " +
                    q((dir / "GPUx32_time2train_ips.log").string()),
                dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = rn50("ingest --db db.sqlite --experiment airank --tag role=accuracy " +
               q((dir / "GPUx1_accuracy.log").string()),
           dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = rn50("report --db db.sqlite --experiment airank --format md,html --out rep", dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "rep" / "report.md"));
  check_page(dir_ / "rep" / "report.html", "airank");
}

}  // namespace
