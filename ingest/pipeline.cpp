#include "ingest/pipeline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/error.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/memory.h"
#include "core/ordered_parallel.h"
#include "parsers/registry.h"
#include "parsers/timm_args.h"
#include "store/metric_writer.h"

namespace rn50::ingest {
namespace {

namespace fs = std::filesystem;

// Sniffing looks at this many leading bytes (parsers/registry.cpp reads as far).
constexpr size_t kHeadBytes = 256 * 1024;

struct Hashed {
  std::string sha256;
  uint64_t size = 0;
  std::string head;     // the first bytes, for sniffing
  std::string content;  // the whole file, when it is smaller than the streaming threshold
  bool whole = false;
};

// One pass over the file's bytes: their hash, their size and the head for sniffing; a file below
// `keep_below` bytes is kept whole (parsed from memory: one read instead of two).
Hashed hash_file(const fs::path& path, const std::string& suffix, uint64_t keep_below) {
  const int fd = core::open_regular_file(path);
  Hashed out;
  struct stat st {};
  ::fstat(fd, &st);
  out.whole = static_cast<uint64_t>(st.st_size) < keep_below;
  core::Sha256 sha;
  std::string buf;
  if (out.whole) out.content.resize(static_cast<size_t>(st.st_size) + 1);
  std::string& target = out.whole ? out.content : buf;
  if (!out.whole) buf.resize(size_t(1) << 20);
  size_t filled = 0;
  for (;;) {
    if (out.whole && filled == target.size()) target.resize(target.size() * 2);  // it grew
    const ssize_t n = ::read(fd, target.data() + (out.whole ? filled : 0),
                             target.size() - (out.whole ? filled : 0));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw core::Error(path.string() + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    const std::string_view chunk(target.data() + (out.whole ? filled : 0), static_cast<size_t>(n));
    sha.update(chunk);
    if (out.head.size() < kHeadBytes)
      out.head.append(chunk.substr(0, kHeadBytes - out.head.size()));
    if (out.whole) filled += static_cast<size_t>(n);
    out.size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (out.whole) out.content.resize(filled);
  if (!suffix.empty()) sha.update(suffix);
  out.sha256 = sha.hex();
  return out;
}

// args*.yaml beside a timm summary*.csv: read with the summary, not a log of its own.
bool is_timm_args(const fs::path& abs) {
  const std::string name = abs.filename().string();
  if (!name.starts_with("args") || !name.ends_with(".yaml")) return false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(abs.parent_path(), ec)) {
    const std::string other = e.path().filename().string();
    if (other.starts_with("summary") && other.ends_with(".csv")) return true;
  }
  return false;
}

bool looks_binary(std::string_view head) {
  return head.substr(0, 4096).find('\0') != std::string_view::npos;
}

}  // namespace

std::string known_formats() {
  std::string out;
  for (const parsers::Parser* p : parsers::all_parsers()) {
    if (!out.empty()) out += ", ";
    out += p->name();
  }
  return out;
}

std::string describe_runs(const core::ParsedFile& parsed) {
  std::map<std::string, int> by_status;
  for (const auto& r : parsed.runs) ++by_status[std::string(core::to_string(r.status))];
  std::string out =
      std::to_string(parsed.runs.size()) + (parsed.runs.size() == 1 ? " run" : " runs") + " (";
  bool first = true;
  for (const auto& [s, n] : by_status) {
    if (!first) out += ", ";
    first = false;
    out += parsed.runs.size() == 1 ? s : std::to_string(n) + " " + s;
  }
  return out + ")";
}

std::string describe_skipped(const Totals& t) {
  if (t.skipped == 0) return "";
  std::string out =
      "skipped " + std::to_string(t.skipped) + (t.skipped == 1 ? " file: " : " files: ");
  bool first = true;
  for (const auto& [category, details] : t.skipped_by_reason) {
    int64_t n = 0;
    std::string parts;
    for (const auto& [detail, count] : details) {
      n += count;
      if (!detail.empty())
        parts += (parts.empty() ? "" : ", ") + detail + " " + std::to_string(count);
    }
    out += (first ? "" : ", ") + category + " " + std::to_string(n);
    if (!parts.empty()) out += " (" + parts + ")";
    first = false;
  }
  return out;
}

std::string describe_used(const Totals& t) {
  if (t.used == 0) return "";
  std::string out = "used ";
  bool first = true;
  for (const auto& [kind, n] : t.used_by_kind) {
    // "scaling.json" is a file name: its plural is said with "files".
    const std::string plural = kind == "scaling.json" ? kind + " files" : kind + "s";
    out += (first ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? kind : plural);
    first = false;
  }
  return out;
}

// What a worker hands the writer for one file.
struct Pipeline::Prepared {
  enum class Kind { kParsed, kKnown, kDeferred, kSkipped, kUsed, kFailed } kind = Kind::kFailed;
  std::string message;
  std::optional<SkipReason> skip;
  Hashed hashed;
  const parsers::Parser* parser = nullptr;
  Placement placement;
  core::ParsedFile parsed;
  bool print_all_diagnostics = false;
};

Pipeline::Pipeline(store::Database& db, Options opt)
    : db_(db), opt_(std::move(opt)), known_(store::ingested_hashes(db)) {}

Pipeline::~Pipeline() = default;

void Pipeline::parse_into(const FileJob& job, const parsers::Parser& parser, core::ParsedFile& out,
                          core::MetricSink& points, const Placement& placement,
                          uint64_t hashed_size, const std::string* content) const {
  // The bytes that were hashed when they are at hand; else the file again, read in blocks.
  parsers::TextInput in =
      content ? parsers::TextInput::from_memory(*content) : parsers::TextInput::open_file(job.path);
  parser.parse(in, out, points, opt_.derive);
  // Lines the input skipped for their length first: they explain what is missing.
  out.diagnostics.insert(out.diagnostics.begin(), in.diagnostics().begin(), in.diagnostics().end());
  if (in.offset() != hashed_size)
    throw core::Error(job.shown + ": changed while it was read (" + std::to_string(hashed_size) +
                      " bytes hashed, " + std::to_string(in.offset()) +
                      " parsed); ingest it again once it is complete");
  if (out.format.empty()) out.format = std::string(parser.name());
  if (out.parser_version.empty()) out.parser_version = std::string(parser.version());
  // MLPerf result files say little about the machine; the system description does.
  if (out.format == "mlperf") {
    const fs::path abs = fs::absolute(job.path).lexically_normal();
    if (const auto system = layout_.system_for(placement, abs)) {
      for (const auto& w : system->warnings)
        out.diagnostics.push_back({core::Severity::kWarning, 0, w});
      for (auto& run : out.runs) {
        parsers::apply_mlperf_system(run, *system, system->file_name);
        core::apply_user_facts(run, opt_.derive);  // --set still wins over the system file
        core::derive_common(run, opt_.derive);
      }
    }
    if (placement.place.kind == core::ArchivePlace::Kind::kResult) {
      const Scaling sc = layout_.scaling_for(placement.place.set_folder);
      if (!sc.problem.empty()) out.diagnostics.push_back({core::Severity::kWarning, 0, sc.problem});
    }
  }
  // timm states batch size, epochs and model only in the args file beside summary.csv.
  if (out.format == "timm") {
    if (const auto args = parsers::find_timm_args(job.path)) {
      std::string text;
      try {
        text = core::read_file(*args, core::kMaxSidecarBytes);
      } catch (const core::Error& e) {
        out.diagnostics.push_back({core::Severity::kWarning, 0, std::string(e.what())});
      }
      if (!text.empty()) {
        for (auto& run : out.runs) {
          for (auto& w : parsers::apply_timm_args(run, text, args->filename().string()))
            out.diagnostics.push_back({core::Severity::kWarning, 0, std::move(w)});
          core::apply_user_facts(run, opt_.derive);  // --set still wins over the args file
          core::derive_common(run, opt_.derive);
        }
      }
    }
  }
  if (job.adjust) job.adjust(out);
}

Pipeline::Prepared Pipeline::prepare(const FileJob& job) const {
  using Kind = Prepared::Kind;
  Prepared out;
  auto skip = [&](std::string category, std::string detail = {}) {
    out.kind = Kind::kSkipped;
    out.message = category + (detail.empty() ? "" : " (" + detail + ")");
    out.skip = SkipReason{std::move(category), std::move(detail)};
    return std::move(out);
  };
  try {
    if (job.record) {
      out.kind = Kind::kParsed;
      out.parsed = *job.record;
      if (job.adjust) job.adjust(out.parsed);
      out.hashed.sha256 = core::sha256_hex(job.record_identity);
      out.hashed.size = job.record_identity.size();
      out.placement.membership.set_key =
          fs::absolute(job.shown).lexically_normal().parent_path().string();
      return out;
    }
    const fs::path abs = fs::absolute(job.path).lexically_normal();
    out.placement = layout_.place(abs);
    if (!job.explicit_file && out.placement.skip)
      return skip(out.placement.skip->category, out.placement.skip->detail);
    if (!job.explicit_file && out.placement.sidecar) {
      out.kind = Kind::kUsed;
      out.message = abs.filename() == "scaling.json" ? "scaling.json" : "system description";
      return out;
    }
    if (!job.explicit_file && is_timm_args(abs)) {
      out.kind = Kind::kUsed;
      out.message = "timm args file";
      return out;
    }
    std::error_code ec;
    const fs::file_status status = fs::status(job.path, ec);
    if (!ec && !fs::is_regular_file(status) && !job.explicit_file)
      return skip("not a regular file");
    out.hashed = hash_file(job.path, job.hash_suffix, opt_.stream_threshold_bytes);
    if (out.hashed.size == 0) {
      if (!job.explicit_file) return skip("empty file");
      throw core::Error(job.shown + ": empty file, nothing to ingest");
    }
    if (out.placement.place.kind == core::ArchivePlace::Kind::kResult) {
      if (const auto system = layout_.system_for(out.placement, abs); system && system->parsed)
        out.placement.membership.system_file = system->file_name;
    }
    const parsers::Parser* parser = job.parser ? job.parser : opt_.forced;
    if (parser && !job.parser && !job.explicit_file && parser->sniff(out.hashed.head) == 0)
      return skip("not in format " + std::string(parser->name()));
    if (!parser) parser = parsers::sniff_format(out.hashed.head);
    if (!parser) {
      const std::string why = looks_binary(out.hashed.head) ? "binary data, not a known log format"
                                                            : "not a known log format";
      if (!job.explicit_file) return skip(why);
      throw core::Error(job.shown + ": " + why + " (known: " + known_formats() +
                        "; use --format NAME to force one)");
    }
    out.parser = parser;
    if (known_.contains(out.hashed.sha256)) {
      out.kind = Kind::kKnown;  // stored before: the writer adds memberships, nothing to parse
      return out;
    }
    if (out.hashed.size >= opt_.stream_threshold_bytes) {
      out.kind = Kind::kDeferred;  // parsed on the writer's thread, points streamed
      return out;
    }
    core::CollectingSink sink(out.parsed.runs);
    parse_into(job, *parser, out.parsed, sink, out.placement, out.hashed.size, &out.hashed.content);
    out.hashed.content = std::string();  // the parsed runs are what travels to the writer
    if (out.parsed.runs.empty()) {
      out.print_all_diagnostics = true;
      throw core::Error(job.shown + ": " + std::string(parser->name()) +
                        ": no run found in the file (" +
                        std::to_string(out.parsed.diagnostics.size()) + " diagnostics)");
    }
    for (core::RunRecord& run : out.parsed.runs) store::group_by_series(run.metrics);
    out.kind = Kind::kParsed;
  } catch (const std::exception& e) {
    out.kind = Kind::kFailed;
    out.message = e.what();
  }
  return out;
}

FileResult Pipeline::commit(const FileJob& job, Prepared&& p) {
  using Kind = Prepared::Kind;
  FileResult r;
  r.shown = job.shown;
  r.explicit_file = job.explicit_file;
  r.root = job.root;
  r.message = p.message;
  r.skip = p.skip;
  r.sha256 = p.hashed.sha256;
  r.membership = p.placement.membership;
  r.print_all_diagnostics = p.print_all_diagnostics;
  switch (p.kind) {
    case Kind::kSkipped:
      r.outcome = Outcome::kSkipped;
      return r;
    case Kind::kUsed:
      r.outcome = Outcome::kUsed;
      return r;
    case Kind::kFailed:
      r.outcome = Outcome::kFailed;
      r.parsed = std::move(p.parsed);
      return r;
    default:
      break;
  }
  try {
    store::IngestOptions io;
    io.experiment = opt_.experiment;
    io.tags = opt_.tags;
    io.tags.insert(io.tags.end(), job.tags.begin(), job.tags.end());
    io.membership = p.placement.membership;
    io.stream_budget_bytes = opt_.stream_budget_bytes;
    store::FileTransaction tx(
        db_, store::SourceFileInfo{job.shown, p.hashed.sha256, static_cast<int64_t>(p.hashed.size)},
        io);
    if (tx.already_stored()) {
      // The same bytes were stored before (earlier in this call, by another process, or under
      // another experiment or path): no second copy, only memberships.
      r.stored = tx.commit(core::ParsedFile{});
      r.outcome = r.stored.memberships_added > 0 ? Outcome::kJoined : Outcome::kDuplicate;
      return r;
    }
    if (p.kind == Kind::kKnown || p.kind == Kind::kDeferred) {
      // Streamed: the points go into this transaction while the file is read.
      core::ParsedFile parsed;
      parse_into(job, *p.parser, parsed, tx.stream(), p.placement, p.hashed.size,
                 p.hashed.whole ? &p.hashed.content : nullptr);
      if (parsed.runs.empty()) {
        r.print_all_diagnostics = true;
        r.parsed = std::move(parsed);
        throw core::Error(job.shown + ": " + std::string(p.parser->name()) +
                          ": no run found in the file (" +
                          std::to_string(r.parsed.diagnostics.size()) + " diagnostics)");
      }
      p.parsed = std::move(parsed);
    }
    r.stored = tx.commit(p.parsed);
    r.outcome = Outcome::kStored;
    // Points are not needed after this; the caller prints runs and diagnostics.
    for (core::RunRecord& run : p.parsed.runs) {
      run.metrics.clear();
      run.metrics.shrink_to_fit();
    }
    r.parsed = std::move(p.parsed);
  } catch (const std::exception& e) {
    r.outcome = Outcome::kFailed;
    r.message = e.what();
  }
  return r;
}

FileResult Pipeline::ingest(const FileJob& job) { return commit(job, prepare(job)); }

Totals Pipeline::run(const std::vector<std::string>& paths,
                     const std::function<void(const FileResult&)>& on_file) {
  Totals t;
  std::vector<FileJob> jobs;
  std::vector<bool> is_folder(paths.size(), false);
  for (size_t i = 0; i < paths.size(); ++i) {
    const fs::path p = paths[i];
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      is_folder[i] = true;
      std::vector<fs::path> found;
      // Not following links to folders: a walk always ends.
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        std::error_code e2;
        if (!it->is_directory(e2)) found.push_back(it->path());
      }
      if (ec) t.errors.push_back(p.string() + ": cannot list folder: " + ec.message());
      std::sort(found.begin(), found.end());
      for (auto& f : found) {
        FileJob job;
        job.shown = f.string();
        job.path = std::move(f);
        job.explicit_file = false;
        job.root = i;
        jobs.push_back(std::move(job));
      }
    } else if (fs::exists(p, ec)) {
      FileJob job;
      job.path = p;
      job.shown = p.string();
      job.root = i;
      jobs.push_back(std::move(job));
    } else {
      t.errors.push_back(p.string() + ": no such file or folder");
    }
  }

  core::keep_freed_memory();  // parsed runs come in the same sizes, file after file
  std::vector<int> usable_in_root(paths.size(), 0);
  auto store_one = [&](size_t i, Prepared&& p) {
    FileResult r = commit(jobs[i], std::move(p));
    switch (r.outcome) {
      case Outcome::kStored:
        ++t.stored;
        t.runs += static_cast<int64_t>(r.stored.run_ids.size());
        ++usable_in_root[r.root];
        break;
      case Outcome::kJoined:
        ++t.joined;
        ++usable_in_root[r.root];
        break;
      case Outcome::kDuplicate:
        ++t.duplicates;
        ++usable_in_root[r.root];
        break;
      case Outcome::kSkipped:
        ++t.skipped;
        if (r.skip) ++t.skipped_by_reason[r.skip->category][r.skip->detail];
        break;
      case Outcome::kUsed:
        ++t.used;
        ++t.used_by_kind[r.message];
        break;
      case Outcome::kFailed:
        ++t.failed;
        ++usable_in_root[r.root];
        break;
    }
    on_file(r);
  };
  const size_t threads = core::producer_threads();
  core::for_each_ordered<Prepared>(
      jobs.size(), threads, 8 * threads, [&](size_t i) { return prepare(jobs[i]); }, store_one);
  // A folder in which nothing at all was a log is a mistake worth failing on (wrong folder).
  for (size_t i = 0; i < paths.size(); ++i)
    if (is_folder[i] && usable_in_root[i] == 0)
      t.errors.push_back(paths[i] + ": no file in a known log format (known: " + known_formats() +
                         ")");
  t.failed += static_cast<int64_t>(t.errors.size());
  return t;
}

}  // namespace rn50::ingest
