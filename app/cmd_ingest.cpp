// `rn50-exp ingest PATH...`: sniff, parse and store log files; one summary line per file.
// See docs/ingest.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <unordered_set>

#include "app/commands.h"
#include "core/derive.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/memory.h"
#include "core/ordered_parallel.h"
#include "parsers/mlperf_system.h"
#include "parsers/registry.h"
#include "parsers/timm_args.h"
#include "store/database.h"
#include "store/ingest.h"
#include "store/metric_writer.h"

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

std::pair<std::string, std::string> split_key_value(const std::string& flag, const std::string& s) {
  const auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0)
    throw core::UsageError(flag + " " + s + ": expected key=value");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

int64_t parse_int(const std::string& flag, std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0)
    throw core::UsageError(flag + ": '" + std::string(s) + "' is not a non-negative integer");
  return v;
}

std::string known_formats() {
  std::string out;
  for (const parsers::Parser* p : parsers::all_parsers()) {
    if (!out.empty()) out += ", ";
    out += p->name();
  }
  return out;
}

// Whole file in one buffer: one read() per chunk the kernel hands back (normally one).
std::string read_whole_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw core::Error(path.string() + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw core::Error(path.string() + ": cannot stat: " + std::strerror(errno));
  }
  std::string buf(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw core::Error(path.string() + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;  // shrank while reading
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  return buf;
}

bool looks_binary(std::string_view content) {
  const std::string_view head = content.substr(0, 4096);
  return head.find('\0') != std::string_view::npos;
}

struct Item {
  fs::path path;
  bool explicit_file;  // named on the command line (vs found in a folder walk)
  size_t root;         // index of the command-line argument it came from
};

enum class Outcome { kIngested, kDuplicate, kSkipped, kFailed };

// Everything about one file that needs no database: done on a worker thread.
struct Prepared {
  enum class Kind { kParsed, kDuplicate, kSkipped, kFailed } kind = Kind::kFailed;
  std::string message;  // why skipped, or the error
  std::string sha;
  int64_t size = 0;
  core::ParsedFile parsed;
  bool print_all_diagnostics = false;  // a parse that found no run: show why
};

class Ingester {
 public:
  Ingester(const IngestCliOptions& o, store::Database& db, const parsers::Parser* forced,
           core::DeriveOptions derive, store::IngestOptions store_opt)
      : o_(o),
        db_(db),
        forced_(forced),
        derive_(std::move(derive)),
        store_opt_(std::move(store_opt)),
        known_(store::ingested_hashes(db)) {}

  // Thread-safe: reads, hashes, sniffs and parses; touches neither the database nor stdout.
  Prepared prepare(const Item& item) const {
    Prepared out;
    try {
      prepare_or_throw(item, out);
    } catch (const std::exception& e) {
      out.kind = Prepared::Kind::kFailed;
      out.message = e.what();
    }
    return out;
  }

  // On the thread that owns the database, in command-line order.
  Outcome commit(const Item& item, Prepared& p) {
    const std::string shown = item.path.string();
    try {
      return commit_or_throw(shown, p);
    } catch (const std::exception& e) {
      p.kind = Prepared::Kind::kFailed;
      p.message = e.what();
      return commit_or_throw(shown, p);
    }
  }

 private:
  static void skip(Prepared& out, std::string why) {
    out.kind = Prepared::Kind::kSkipped;
    out.message = std::move(why);
  }

  void prepare_or_throw(const Item& item, Prepared& out) const {
    const std::string shown = item.path.string();
    const std::string content = read_whole_file(item.path);
    if (content.empty()) {
      if (!item.explicit_file) return skip(out, "empty file");
      throw core::Error(shown + ": empty file, nothing to ingest");
    }
    out.sha = core::sha256_hex(content);
    out.size = static_cast<int64_t>(content.size());
    if (known_.contains(out.sha)) {
      out.kind = Prepared::Kind::kDuplicate;
      return;
    }
    const parsers::Parser* parser = forced_;
    if (forced_ && !item.explicit_file && forced_->sniff(content.substr(0, 256 * 1024)) == 0)
      return skip(out, "not in format " + std::string(forced_->name()));
    if (!parser) parser = parsers::sniff_format(content);
    if (!parser) {
      const std::string why =
          looks_binary(content) ? "binary data, not a known log format" : "not a known log format";
      if (!item.explicit_file) return skip(out, why);
      throw core::Error(shown + ": " + why + " (known: " + known_formats() +
                        "; use --format NAME to force one)");
    }

    out.parsed = parser->parse(content, derive_);
    core::ParsedFile& parsed = out.parsed;
    if (parsed.format.empty()) parsed.format = std::string(parser->name());
    if (parsed.parser_version.empty()) parsed.parser_version = std::string(parser->version());
    if (parsed.runs.empty()) {
      out.print_all_diagnostics = true;
      throw core::Error(shown + ": " + std::string(parser->name()) +
                        ": no run found in the file (" + std::to_string(parsed.diagnostics.size()) +
                        " diagnostics)");
    }
    attach_system_description(item.path, parsed);
    attach_timm_args(item.path, parsed);
    for (core::RunRecord& run : parsed.runs) store::group_by_series(run.metrics);
    out.kind = Prepared::Kind::kParsed;
  }

  Outcome commit_or_throw(const std::string& shown, Prepared& p) {
    switch (p.kind) {
      case Prepared::Kind::kDuplicate:
        std::cout << shown << ": already ingested\n";
        return Outcome::kDuplicate;
      case Prepared::Kind::kSkipped:
        std::cout << shown << ": skipped: " << p.message << "\n";
        return Outcome::kSkipped;
      case Prepared::Kind::kFailed:
        if (p.print_all_diagnostics) print_diagnostics(shown, p.parsed, /*all=*/true);
        // Library errors usually start with the path already.
        std::cerr << "rn50-exp: error: "
                  << (p.message.rfind(shown, 0) == 0 ? p.message : shown + ": " + p.message)
                  << "\n";
        return Outcome::kFailed;
      case Prepared::Kind::kParsed:
        break;
    }
    const core::ParsedFile& parsed = p.parsed;
    const store::SourceFileInfo info{shown, p.sha, p.size};
    const store::IngestResult res = store::ingest_parsed(db_, info, parsed, store_opt_);
    if (res.already_ingested) {  // an identical file earlier in this call, or another process
      std::cout << shown << ": already ingested\n";
      return Outcome::kDuplicate;
    }
    runs_ += static_cast<int64_t>(res.run_ids.size());
    std::cout << shown << ": " << parsed.format << ", " << describe_runs(parsed) << ", "
              << res.metric_rows << " metric rows, " << res.epoch_rows << " epochs, "
              << res.diagnostics << " diagnostics\n";
    print_diagnostics(shown, parsed, o_.verbose);
    return Outcome::kIngested;
  }

  // MLPerf result files say little about the machine; the submission's system_*.json beside
  // them does (nodes, accelerators).
  void attach_system_description(const fs::path& path, core::ParsedFile& parsed) const {
    if (parsed.format != "mlperf") return;
    const auto system = parsers::find_mlperf_system(path);
    if (!system) return;
    for (const auto& w : system->warnings)
      parsed.diagnostics.push_back({core::Severity::kWarning, 0, w});
    for (auto& run : parsed.runs) {
      parsers::apply_mlperf_system(run, *system, system->file_name);
      core::apply_user_facts(run, derive_);  // --set still wins over the system file
      core::derive_common(run, derive_);
    }
  }

  // timm's summary.csv states neither batch size nor epochs; the args.yaml beside it does.
  void attach_timm_args(const fs::path& path, core::ParsedFile& parsed) const {
    if (parsed.format != "timm") return;
    const auto args = parsers::find_timm_args(path);
    if (!args) return;
    std::error_code ec;
    const auto size = fs::file_size(*args, ec);
    if (ec || size > (size_t(1) << 20)) {
      parsed.diagnostics.push_back({core::Severity::kWarning, 0,
                                    args->filename().string() + ": not read (" +
                                        (ec ? ec.message() : std::string("larger than 1 MiB")) +
                                        ")"});
      return;
    }
    const std::string text = core::read_file(*args);
    for (auto& run : parsed.runs) {
      for (auto& w : parsers::apply_timm_args(run, text, args->filename().string()))
        parsed.diagnostics.push_back({core::Severity::kWarning, 0, std::move(w)});
      core::apply_user_facts(run, derive_);  // --set still wins over the args file
      core::derive_common(run, derive_);
    }
  }

  static std::string describe_runs(const core::ParsedFile& parsed) {
    std::map<std::string, int> by_status;
    for (const auto& r : parsed.runs) ++by_status[std::string(core::to_string(r.status))];
    std::string out =
        std::to_string(parsed.runs.size()) + (parsed.runs.size() == 1 ? " run" : " runs");
    out += " (";
    bool first = true;
    for (const auto& [s, n] : by_status) {
      if (!first) out += ", ";
      first = false;
      out += parsed.runs.size() == 1 ? s : std::to_string(n) + " " + s;
    }
    return out + ")";
  }

  static void print_diagnostics(const std::string& shown, const core::ParsedFile& parsed,
                                bool all) {
    for (const auto& d : parsed.diagnostics) {
      if (!all && d.severity != core::Severity::kError) continue;
      std::cout << "  " << shown;
      if (d.line > 0) std::cout << ":" << d.line;
      std::cout << ": " << core::to_string(d.severity) << ": " << d.message << "\n";
    }
  }

 public:
  int64_t runs() const { return runs_; }

 private:
  const IngestCliOptions& o_;
  store::Database& db_;
  const parsers::Parser* forced_;
  core::DeriveOptions derive_;
  store::IngestOptions store_opt_;
  const std::unordered_set<std::string> known_;
  int64_t runs_ = 0;
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
    auto [k, v] = split_key_value("--set", s);
    derive.sets[k] = v;
  }
  if (!derive.sets.empty()) {
    core::RunRecord probe;  // rejects unknown keys and bad values now, not after parsing
    core::apply_user_facts(probe, derive);
  }
  store::IngestOptions store_opt;
  if (o.experiment.empty()) throw core::UsageError("--experiment must not be empty");
  store_opt.experiment = o.experiment;
  for (const auto& t : o.tags) store_opt.tags.push_back(split_key_value("--tag", t));
  const parsers::Parser* forced = nullptr;
  if (o.format != "auto") {
    forced = parsers::find_parser(o.format);
    if (!forced)
      throw core::UsageError("--format " + o.format + ": unknown format (known: auto, " +
                             known_formats() + ")");
  }

  std::vector<Item> items;
  std::vector<bool> is_folder(o.paths.size(), false);
  int failed = 0;
  for (size_t i = 0; i < o.paths.size(); ++i) {
    const fs::path p = o.paths[i];
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      is_folder[i] = true;
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec))
        if (it->is_regular_file(ec)) found.push_back(it->path());
      if (ec) {
        std::cerr << "rn50-exp: error: " << p.string() << ": cannot list folder: " << ec.message()
                  << "\n";
        ++failed;
      }
      std::sort(found.begin(), found.end());
      for (auto& f : found) items.push_back({std::move(f), false, i});
    } else if (fs::exists(p, ec)) {
      items.push_back({p, true, i});
    } else {
      std::cerr << "rn50-exp: error: " << p.string() << ": no such file or folder\n";
      ++failed;
    }
  }

  core::keep_freed_memory();  // file buffers and parsed runs: the same sizes, file after file
  auto db = store::Database::open(o.db);
  Ingester ingester(o, *db, forced, derive, store_opt);
  std::vector<int> usable_in_root(o.paths.size(), 0);
  int ingested = 0, duplicates = 0, skipped = 0;
  // Files are parsed on worker threads, a few ahead, while this thread stores them in order.
  auto store_one = [&](size_t i, Prepared&& p) {
    const Item& item = items[i];
    switch (ingester.commit(item, p)) {
      case Outcome::kIngested:
        ++ingested;
        ++usable_in_root[item.root];
        break;
      case Outcome::kDuplicate:
        ++duplicates;
        ++usable_in_root[item.root];
        break;
      case Outcome::kSkipped:
        ++skipped;
        break;
      case Outcome::kFailed:
        ++failed;
        ++usable_in_root[item.root];
        break;
    }
  };
  const size_t threads = core::producer_threads();
  core::for_each_ordered<Prepared>(
      items.size(), threads, 8 * threads, [&](size_t i) { return ingester.prepare(items[i]); },
      store_one);
  // A folder in which nothing at all was a log is a mistake worth failing on (wrong folder).
  for (size_t i = 0; i < o.paths.size(); ++i) {
    if (is_folder[i] && usable_in_root[i] == 0) {
      std::cerr << "rn50-exp: error: " << o.paths[i]
                << ": no file in a known log format (known: " << known_formats() << ")\n";
      ++failed;
    }
  }
  std::cout << "ingest into " << o.db << ": " << ingested << " file(s) stored (" << ingester.runs()
            << " runs), " << duplicates << " already ingested, " << skipped << " skipped, "
            << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

Runner setup_ingest(CLI::App& parent) {
  auto o = std::make_shared<IngestCliOptions>();
  CLI::App* sub = parent.add_subcommand(
      "ingest", "Parse log files (or folders, recursively) and store them in the database");
  sub->add_option("paths", o->paths, "Log files or folders")->required();
  sub->add_option("--format", o->format,
                  "Force a format instead of sniffing the content (auto, " + known_formats() + ")")
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
  add_db_option(*sub, o->db);
  return [o] { return run_ingest(*o); };
}

}  // namespace rn50::app
