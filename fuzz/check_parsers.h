// What the fuzz targets check for one input, shared by the libFuzzer entry points (fuzz/*.cpp) and
// the regression test that replays every kept finding (tests/fuzz_regressions/). Each check
// returns "" when the input was handled as promised, else what went wrong. The sanitizers catch
// crashes, leaks and undefined behaviour; these checks add what the parsers promise beyond not
// crashing (parsers/parser.h, parsers/text.h):
//  * no exception for bad content; only a document over TextLimits::max_document_bytes may throw;
//  * the same runs, points and diagnostics whether the bytes are read in memory or from a file in
//    tiny blocks, with the default line limit and with a tiny one (the bounded line reader);
//  * every stored text in stored form (UTF-8, no control characters in keys, no NUL anywhere);
//  * diagnostics name a line of the input, and never carry a library's exception text.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "core/derive.h"
#include "core/error.h"
#include "core/metric_sink.h"
#include "core/parsed_file.h"
#include "parsers/mlperf_system.h"
#include "parsers/parser.h"
#include "parsers/registry.h"
#include "parsers/text.h"
#include "parsers/text_input.h"
#include "parsers/timm_args.h"

namespace rn50::fuzz {

// One in-memory file (memfd) that is rewritten for each input and opened by path, so that the
// file reader (TextInput::open_file, block by block) sees the bytes without touching a disk.
class MemFile {
 public:
  MemFile() : fd_(::memfd_create("rn50-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  const std::string& write(std::string_view bytes) {
    if (::ftruncate(fd_, 0) != 0) throw std::runtime_error("ftruncate failed");
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, off_t(done));
      if (n <= 0) throw std::runtime_error("pwrite failed");
      done += size_t(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

inline MemFile& mem_file() {
  static MemFile f;
  return f;
}

// Options chosen by the input's length, so that a saved input replays with the same ones.
inline core::DeriveOptions options_for(std::string_view bytes) {
  core::DeriveOptions opt;
  switch (bytes.size() % 4) {
    case 1:
      opt.skip_steps = 0;
      opt.target_top1 = 1;
      opt.window_first = 1;
      opt.window_last = 3;
      break;
    case 2:
      opt.sets = {{"world_size", "3"}, {"batch_size", "5"}, {"epochs", "2"}, {"precision", "amp"}};
      break;
    case 3:
      opt.skip_steps = 1'000'000'000'000;
      opt.target_top1 = 100;
      opt.sets = {{"world_size", "4611686018427387904"}, {"global_batch", "7"}};
      break;
    default:
      break;
  }
  return opt;
}

namespace detail {

inline void put_double(std::string& out, const std::optional<double>& v) {
  if (!v) {
    out += "-,";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx,",
                static_cast<unsigned long long>(std::bit_cast<uint64_t>(*v)));
  out += buf;
}
inline void put_int(std::string& out, const std::optional<int64_t>& v) {
  out += v ? std::to_string(*v) + "," : std::string("-,");
}
template <class T>
void put_fact(std::string& out, const core::Fact<T>& f) {
  if constexpr (std::is_same_v<T, std::string>)
    out += f.value ? *f.value + "," : std::string("-,");
  else
    put_int(out, f.value);
  out += std::string(core::to_string(f.source)) + "," + f.detail + ";";
}

}  // namespace detail

// Everything a parser returned, as one string: equal strings mean equal results.
inline std::string fingerprint(const core::ParsedFile& pf) {
  using namespace detail;
  std::string o = pf.format + "|" + pf.parser_version + "\n";
  for (const auto& d : pf.diagnostics)
    o += "D" + std::string(core::to_string(d.severity)) + ":" + std::to_string(d.line) + ":" +
         d.message + "\n";
  for (const auto& r : pf.runs) {
    o += "R" + r.source_format + "|" + r.run_key + "|" + r.name + "|" +
         std::string(core::to_string(r.status)) + "|";
    put_double(o, r.start_time);
    put_double(o, r.end_time);
    put_fact(o, r.world_size);
    put_fact(o, r.nodes);
    put_fact(o, r.batch_per_device);
    put_fact(o, r.global_batch);
    put_fact(o, r.epochs_planned);
    put_fact(o, r.precision);
    put_int(o, r.epochs_completed);
    o += "\n";
    for (const auto& p : r.params)
      o += "P" + p.key + "=" + p.value + "," + std::string(core::to_string(p.source)) + "\n";
    for (const auto& m : r.metrics) {
      o += "M" + m.key + "," + m.level + ",";
      put_double(o, m.epoch);
      put_int(o, m.step);
      put_double(o, m.time);
      put_double(o, m.value);
      o += "\n";
    }
    for (const auto& e : r.epochs) {
      o += "E" + std::to_string(e.epoch) + ",";
      for (const auto* v :
           {&e.train_loss, &e.top1, &e.top5, &e.lr, &e.total_ips, &e.compute_ips, &e.time})
        put_double(o, *v);
      o += "\n";
    }
    for (const auto& e : r.events) {
      o += "V" + e.key + ",";
      put_double(o, e.time);
      put_double(o, e.epoch);
      o += e.value_json + "," + e.metadata_json + "\n";
    }
    for (const auto& [k, v] : r.tags) o += "T" + k + "=" + v + "\n";
    const core::Derived& d = r.derived;
    o += "X";
    for (const auto* v : {&d.best_top1, &d.best_top5, &d.last_top1, &d.total_ips, &d.compute_ips,
                          &d.summary_total_ips, &d.summary_compute_ips, &d.summary_top1,
                          &d.summary_top5, &d.target_top1, &d.time_to_target_s, &d.wall_time_s,
                          &d.step_time_p50, &d.step_time_p90, &d.step_time_p99})
      put_double(o, *v);
    put_int(o, d.best_top1_epoch);
    put_int(o, d.target_epoch);
    o += d.total_ips_definition + "," + d.compute_ips_definition + "\n";
  }
  return o;
}

// The last line a diagnostic may name: the input's last line, or the empty one after its final
// '\n' where the end of the input is (a one-document format says "unexpected end" there).
inline int64_t last_line_number(std::string_view bytes) {
  int64_t n = 1;
  for (char c : bytes) n += c == '\n';
  return n;
}

// The stored-text policy (parsers/text.h) and sane diagnostics; "" when all hold.
// `input` is only looked at for a library's exception text: a diagnostic that quotes the input
// may carry what the input says.
inline std::string check_result(const core::ParsedFile& pf, int64_t last_line,
                                std::string_view input = {}) {
  const bool input_says_it = input.find("[json.exception") != std::string_view::npos;
  using parsers::TextKind;
  auto key = [](std::string_view s) { return parsers::is_stored_form(s, TextKind::kKey); };
  auto value = [](std::string_view s) { return parsers::is_stored_form(s, TextKind::kValue); };
  for (const auto& d : pf.diagnostics) {
    if (d.line < 0 || d.line > last_line)
      return "diagnostic names line " + std::to_string(d.line) + " after the last, " +
             std::to_string(last_line) + ": " + d.message;
    if (!value(d.message)) return "diagnostic not in stored form: " + d.message;
    if (!input_says_it && d.message.find("[json.exception") != std::string::npos)
      return "library exception text in a diagnostic: " + d.message;
  }
  for (const auto& r : pf.runs) {
    if (!key(r.name) || !key(r.run_key)) return "run name or key not in stored form: " + r.name;
    if (r.precision.value && !value(*r.precision.value)) return "precision not in stored form";
    for (const auto& p : r.params)
      if (!key(p.key) || !value(p.value)) return "param not in stored form: " + p.key;
    for (const auto& m : r.metrics)
      if (!key(m.key) || !key(m.level)) return "metric key not in stored form: " + m.key;
    for (const auto& e : r.events)
      if (!key(e.key) || !parsers::is_valid_utf8(e.value_json) ||
          !parsers::is_valid_utf8(e.metadata_json) ||
          e.value_json.find('\0') != std::string::npos ||
          e.metadata_json.find('\0') != std::string::npos)
        return "event not in stored form: " + e.key;
    for (const auto& [k, v] : r.tags)
      if (!key(k) || !value(v)) return "tag not in stored form: " + k;
  }
  return "";
}

// Reads `in` through the streaming interface as ingest does: points collected, the input's own
// diagnostics (skipped lines) first.
inline core::ParsedFile parse_stream(const parsers::Parser& p, parsers::TextInput in,
                                     const core::DeriveOptions& opt) {
  core::ParsedFile out;
  core::CollectingSink sink(out.runs);
  p.parse(in, out, sink, opt);
  out.diagnostics.insert(out.diagnostics.begin(), in.diagnostics().begin(), in.diagnostics().end());
  return out;
}

inline std::string first_difference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const size_t from = a.rfind('\n', i) == std::string::npos ? 0 : a.rfind('\n', i) + 1;
  return "\n  one:   " + a.substr(from, a.find('\n', i) - from) +
         "\n  other: " + b.substr(from, b.find('\n', i) - from);
}

// The tiny limits of the streamed reads: lines over 64 bytes are skipped, files are read 7 (or 5)
// bytes at a time, a one-document format may take 4 KiB.
inline constexpr size_t kTinyLine = 64;
inline constexpr size_t kTinyDocument = 4096;

inline std::string check_parser(const parsers::Parser& p, std::string_view bytes) {
  const core::DeriveOptions opt = options_for(bytes);
  const int64_t last_line = last_line_number(bytes);
  try {
    // 1. The whole buffer in memory (tests, small inputs).
    const core::ParsedFile whole = p.parse(bytes, opt);
    if (std::string bad = check_result(whole, last_line, bytes); !bad.empty())
      return "in memory: " + bad;
    const std::string expected = fingerprint(whole);

    // 2. The same bytes from a file, 7 bytes per read: the same result.
    parsers::TextLimits blocks;
    blocks.block_bytes = 7;
    const std::string& path = mem_file().write(bytes);
    const std::string streamed =
        fingerprint(parse_stream(p, parsers::TextInput::open_file(path, blocks), opt));
    if (streamed != expected)
      return "file read in 7-byte blocks differs from memory:" +
             first_difference(expected, streamed);

    // 3. Lines over 64 bytes skipped, in memory and from a file read 5 bytes at a time.
    parsers::TextLimits tiny;
    tiny.max_line_bytes = kTinyLine;
    const core::ParsedFile short_lines =
        parse_stream(p, parsers::TextInput::from_memory(bytes, tiny), opt);
    if (std::string bad = check_result(short_lines, last_line, bytes); !bad.empty())
      return "64-byte lines: " + bad;
    tiny.block_bytes = 5;
    tiny.max_document_bytes = kTinyDocument;
    std::string tiny_file;
    try {
      tiny_file = fingerprint(parse_stream(p, parsers::TextInput::open_file(path, tiny), opt));
    } catch (const core::Error& e) {
      if (bytes.size() <= kTinyDocument)
        return std::string("file with tiny limits threw: ") + e.what();
      return "";  // one document over its limit: refused, as documented
    }
    if (tiny_file != fingerprint(short_lines))
      return "64-byte lines from a file differ from memory:" +
             first_difference(fingerprint(short_lines), tiny_file);
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
  return "";
}

// Sniffing: every parser's score within 0..100, and sniff_format picks the highest one.
inline std::string check_sniff(std::string_view bytes) {
  try {
    const parsers::Parser* best = parsers::sniff_format(bytes);
    int best_score = 0;
    for (const parsers::Parser* p : parsers::all_parsers()) {
      const int s = p->sniff(bytes.substr(0, size_t(256) << 10));
      if (s < 0 || s > 100)
        return std::string(p->name()) + ": sniff score " + std::to_string(s) + " outside 0..100";
      best_score = std::max(best_score, s);
    }
    if ((best == nullptr) != (best_score == 0)) return "sniff_format disagrees with the scores";
    if (best && best->sniff(bytes.substr(0, size_t(256) << 10)) != best_score)
      return "sniff_format did not pick the highest score";
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
  return "";
}

// A run as the pipeline has it when it applies a sidecar: facts from the log, some unknown.
inline core::RunRecord sidecar_run(std::string_view bytes, std::string format) {
  core::RunRecord run;
  run.source_format = std::move(format);
  run.name = "run";
  if (bytes.size() % 2 == 0) {
    run.global_batch.set(256);
    run.epochs_completed = 3;
    run.epochs.push_back({});
    run.epochs.back().epoch = 3;
  } else {
    run.world_size.set(8, core::Source::kUser);
    run.batch_per_device.set(32);
  }
  return run;
}

inline std::string check_run_text(const core::RunRecord& run) {
  core::ParsedFile pf;
  pf.runs.push_back(run);
  return check_result(pf, 0);
}

// The MLPerf system description and timm's args.yaml: both read from the same bytes.
inline std::string check_sidecars(std::string_view bytes) {
  try {
    std::optional<parsers::MlperfSystem> sys;
    try {
      sys = parsers::parse_mlperf_system(bytes, "system_fuzz.json");
    } catch (const core::Error& e) {
      if (std::string_view(e.what()).find("[json.exception") != std::string_view::npos &&
          bytes.find("[json.exception") == std::string_view::npos)
        return std::string("library exception text: ") + e.what();
    }
    if (sys) {
      for (const auto& w : sys->warnings)
        if (!parsers::is_stored_form(w, parsers::TextKind::kValue))
          return "system warning not in stored form: " + w;
      core::RunRecord run = sidecar_run(bytes, "mlperf");
      parsers::apply_mlperf_system(run, *sys, "result_0.txt");
      if (std::string bad = check_run_text(run); !bad.empty()) return "system: " + bad;
    }
    core::RunRecord run = sidecar_run(bytes, "timm");
    const std::vector<std::string> warnings = parsers::apply_timm_args(run, bytes, "args.yaml");
    for (const auto& w : warnings)
      if (!parsers::is_stored_form(w, parsers::TextKind::kValue))
        return "timm args warning not in stored form: " + w;
    if (std::string bad = check_run_text(run); !bad.empty()) return "timm args: " + bad;
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
  return "";
}

}  // namespace rn50::fuzz
