// `rn50-exp ingest PATH...`: sniff, parse and store log files; one summary line per file.
// See docs/ingest.md.

#include <charconv>
#include <filesystem>
#include <iostream>
#include <map>

#include "app/commands.h"
#include "core/derive.h"
#include "core/error.h"
#include "core/user_text.h"
#include "ingest/pipeline.h"
#include "parsers/registry.h"
#include "store/database.h"
#include "store/ingest.h"

namespace rn50::app {

namespace {

namespace fs = std::filesystem;

struct IngestCliOptions {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string experiment = "default";
  std::vector<std::string> tags;
  std::vector<std::string> sets;
  double target = core::kDefaultTargetTop1;
  int64_t skip_steps = -1;
  std::string window;
  std::string db;
  bool verbose = false;
};

int64_t parse_int(const std::string& flag, std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0)
    throw core::UsageError(flag + ": '" + std::string(s) + "' is not a non-negative integer");
  return v;
}

// At most this many skipped files are named one by one (all with --verbose); the rest are counted.
constexpr int64_t kSkipLinesShown = 50;

void print_diagnostics(const std::string& shown, const core::ParsedFile& parsed, bool all) {
  for (const auto& d : parsed.diagnostics) {
    if (!all && d.severity != core::Severity::kError) continue;
    std::cout << "  " << shown;
    if (d.line > 0) std::cout << ":" << d.line;
    std::cout << ": " << core::to_string(d.severity) << ": " << d.message << "\n";
  }
}

std::string set_note(const store::Membership& m) {
  if (!m.set_org) return "";
  std::string out = ", set " + m.set_key;
  if (m.scaling_factor) out += " (scaling " + std::to_string(*m.scaling_factor) + ")";
  return out;
}

// One line per file, in order (docs/ingest.md).
class Printer {
 public:
  Printer(const std::string& experiment, bool verbose)
      : experiment_(experiment), verbose_(verbose) {}
  void operator()(const ingest::FileResult& r) {
    const std::string& shown = r.shown;
    switch (r.outcome) {
      case ingest::Outcome::kStored:
        std::cout << shown << ": " << r.parsed.format << ", " << ingest::describe_runs(r.parsed)
                  << ", " << r.stored.metric_rows << " metric rows, " << r.stored.epoch_rows
                  << " epochs, " << r.stored.diagnostics << " diagnostics" << set_note(r.membership)
                  << "\n";
        print_diagnostics(shown, r.parsed, verbose_);
        break;
      case ingest::Outcome::kJoined:
        std::cout << shown << ": stored before; its " << r.stored.memberships_added
                  << (r.stored.memberships_added == 1 ? " run" : " runs")
                  << " now also in experiment '" << experiment_ << "' at this path"
                  << set_note(r.membership) << "\n";
        break;
      case ingest::Outcome::kDuplicate:
        std::cout << shown << ": already ingested\n";
        break;
      case ingest::Outcome::kSkipped: {
        // Files an archive holds by the thousand (other benchmarks, power logs) are only
        // counted; others are named, up to a limit.
        const bool bulk =
            r.skip && (r.skip->category == "other MLPerf benchmark" ||
                       r.skip->category == "power log" || r.skip->category == "submitted code" ||
                       r.skip->category == "compliance-checker output");
        if (verbose_ || (!bulk && shown_skips_ < kSkipLinesShown)) {
          std::cout << shown << ": skipped: " << r.message << "\n";
          if (!bulk) ++shown_skips_;
        }
        break;
      }
      case ingest::Outcome::kUsed:
        if (verbose_) std::cout << shown << ": used: " << r.message << "\n";
        break;
      case ingest::Outcome::kFailed:
        if (r.print_all_diagnostics) print_diagnostics(shown, r.parsed, /*all=*/true);
        // Library errors usually start with the path already.
        std::cerr << "rn50-exp: error: "
                  << (r.message.rfind(shown, 0) == 0 ? r.message : shown + ": " + r.message)
                  << "\n";
        break;
    }
  }

 private:
  std::string experiment_;
  bool verbose_;
  int64_t shown_skips_ = 0;
};

int run_ingest(const IngestCliOptions& o) {
  // Validate everything the user typed before touching the database.
  core::DeriveOptions derive;
  if (!(o.target > 0 && o.target <= 100))
    throw core::UsageError("--target " + std::to_string(o.target) +
                           ": expected a percentage in (0, 100]");
  derive.target_top1 = o.target;
  if (o.skip_steps >= 0) derive.skip_steps = o.skip_steps;
  if (!o.window.empty()) {
    const auto colon = o.window.find(':');
    if (colon == std::string::npos)
      throw core::UsageError("--window " + o.window + ": expected FIRST:LAST iteration numbers");
    derive.window_first = parse_int("--window", std::string_view(o.window).substr(0, colon));
    derive.window_last = parse_int("--window", std::string_view(o.window).substr(colon + 1));
    if (*derive.window_last < *derive.window_first)
      throw core::UsageError("--window " + o.window + ": LAST is before FIRST");
  }
  for (const auto& s : o.sets) {
    auto [k, v] = core::parse_key_value("--set", s);
    derive.sets[k] = v;
  }
  if (!derive.sets.empty()) {
    core::RunRecord probe;  // rejects unknown keys and bad values now, not after parsing
    core::apply_user_facts(probe, derive);
  }
  store::IngestOptions store_opt;
  if (o.experiment.empty()) throw core::UsageError("--experiment must not be empty");
  core::require_clean_text(o.experiment, "--experiment");
  store_opt.experiment = o.experiment;
  for (const auto& t : o.tags) store_opt.tags.push_back(core::parse_key_value("--tag", t));
  const parsers::Parser* forced = nullptr;
  if (o.format != "auto") {
    forced = parsers::find_parser(o.format);
    if (!forced)
      throw core::UsageError("--format " + o.format + ": unknown format (known: auto, " +
                             ingest::known_formats() + ")");
  }

  ingest::Options popt;
  popt.experiment = o.experiment;
  popt.tags = store_opt.tags;
  popt.derive = derive;
  popt.forced = forced;
  auto db = store::Database::open(o.db);
  ingest::Pipeline pipeline(*db, popt);
  Printer printer(o.experiment, o.verbose);
  const ingest::Totals t = pipeline.run(o.paths, printer);
  for (const std::string& e : t.errors) std::cerr << "rn50-exp: error: " << e << "\n";
  std::cout << "ingest into " << o.db << ": " << t.stored << " file(s) stored (" << t.runs
            << " runs), ";
  if (t.joined > 0)
    std::cout << t.joined << " stored before and added to experiment '" << o.experiment << "', ";
  std::cout << t.duplicates << " already ingested, " << t.skipped << " skipped, " << t.failed
            << " failed\n";
  if (const std::string s = ingest::describe_skipped(t); !s.empty() && t.skipped > 0)
    std::cout << s << (o.verbose ? "" : " (--verbose lists them)") << "\n";
  if (const std::string u = ingest::describe_used(t); !u.empty()) std::cout << u << "\n";
  return t.failed == 0 ? 0 : 1;
}

}  // namespace

Runner setup_ingest(CLI::App& parent) {
  auto o = std::make_shared<IngestCliOptions>();
  CLI::App* sub = parent.add_subcommand(
      "ingest", "Parse log files (or folders, recursively) and store them in the database");
  sub->add_option("paths", o->paths, "Log files or folders")->required();
  sub->add_option(
         "--format", o->format,
         "Force a format instead of sniffing the content (auto, " + ingest::known_formats() + ")")
      ->capture_default_str();
  sub->add_option("--experiment", o->experiment, "Experiment the runs belong to")
      ->capture_default_str();
  sub->add_option("--tag", o->tags, "key=value label added to every run (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--set", o->sets,
                  "key=value fact the log lacks (batch_size, global_batch, world_size, nodes, "
                  "epochs, precision); wins over anything inferred (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--target", o->target, "Top-1 target in percent for time-to-target")
      ->capture_default_str();
  sub->add_option("--skip-steps", o->skip_steps,
                  "Warm-up iterations excluded from throughput (default: per format)");
  sub->add_option("--window", o->window,
                  "Explicit steady throughput window FIRST:LAST (iteration numbers as logged)");
  sub->add_flag("-v,--verbose", o->verbose, "Print every diagnostic, not only errors");
  add_db_option(*sub, o->db, DbUse::kCreatesWhenAbsent);
  return [o] { return run_ingest(*o); };
}

}  // namespace rn50::app
