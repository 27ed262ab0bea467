// NVIDIA DeepLearningExamples console output: dllogger StdOutBackend lines
//   DLL 2021-03-23 09:25:16.839221 - Epoch: 0 Iteration: 100  train.loss : 7.65124  train.total_ips
//   : 848.12 img/s
// found anywhere in a line (mpirun --tag-output prefixes), see docs/formats/ngc.md.
// Speed matters (ingest reads GBs of logs): lines are located with memchr/find, numbers read with
// from_chars, and nothing is allocated per line except the stored values themselves.
#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

#include "core/time_util.h"
#include "parsers/diagnostic_log.h"
#include "parsers/ngc_common.h"
#include "parsers/numbers.h"
#include "parsers/parser.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using ngc::Step;
using ngc::StepKind;

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

// Spaces, tabs and a trailing '\r' (CRLF files) around DLL tokens.
std::string_view trim_dll(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Where a `DLL <digit>` / `DLLL <digit>` token starts in the line and where its timestamp
// starts; npos when the line has none. The token must not be glued to a preceding word.
struct DllToken {
  size_t start = std::string_view::npos;
  size_t stamp = 0;
};

DllToken find_dll(std::string_view line) {
  size_t pos = line.find("DLL");
  while (pos != std::string_view::npos) {
    size_t after = pos + 3;
    if (after < line.size() && line[after] == 'L') ++after;
    // "libDLL" is a word, not the token; a digit before it is an mpirun timestamp glued on.
    if ((pos == 0 || !is_letter(line[pos - 1])) && after + 1 < line.size() && line[after] == ' ' &&
        is_digit(line[after + 1]))
      return {pos, after + 1};
    pos = line.find("DLL", pos + 1);
  }
  return {};
}

// Length of "YYYY-MM-DD HH:MM:SS[.ffffff]" at the start of `s` (0 when it is not one), plus an
// optional UTC offset (+HH:MM / Z) that newer Python datetimes may print.
struct Stamp {
  size_t length = 0;
  std::optional<double> unix_seconds;
};

// Consecutive lines share the date and hour: remembering the last "YYYY-MM-DD HH" saves the
// calendar arithmetic on almost every line.
struct StampCache {
  char hour[13] = {};
  double hour_seconds = 0;
  bool valid = false;
};

std::optional<double> parse_stamp_text(std::string_view t, StampCache* cache) {
  if (!cache || t.size() < 19) return core::parse_datetime(t);
  if (cache->valid && std::memcmp(cache->hour, t.data(), 13) == 0 && t[13] == ':' && t[16] == ':' &&
      is_digit(t[14]) && is_digit(t[15]) && is_digit(t[17]) && is_digit(t[18])) {
    const int mi = (t[14] - '0') * 10 + (t[15] - '0');
    const int se = (t[17] - '0') * 10 + (t[18] - '0');
    if (mi > 59 || se > 60) return std::nullopt;
    double frac = 0;
    if (t.size() > 19) {
      // The caller passes only digits after '.'; a lone '.' is malformed.
      if (t[19] != '.' || t.size() == 20) return std::nullopt;
      double scale = 0.1;
      for (size_t i = 20; i < t.size(); ++i, scale /= 10) frac += (t[i] - '0') * scale;
    }
    return cache->hour_seconds + mi * 60 + se + frac;
  }
  auto v = core::parse_datetime(t);
  if (!v) return v;
  if (auto h = core::parse_datetime(std::string(t.substr(0, 13)) + ":00:00")) {
    std::memcpy(cache->hour, t.data(), 13);
    cache->hour_seconds = *h;
    cache->valid = true;
  }
  return v;
}

Stamp read_stamp(std::string_view s, StampCache* cache = nullptr) {
  Stamp st;
  if (s.size() < 19) return st;
  size_t n = 19;
  if (n < s.size() && s[n] == '.') {
    ++n;
    while (n < s.size() && is_digit(s[n])) ++n;
  }
  st.unix_seconds = parse_stamp_text(s.substr(0, n), cache);
  if (!st.unix_seconds) return st;
  if (n < s.size() && s[n] == 'Z') {
    ++n;
  } else if (n + 5 < s.size() && (s[n] == '+' || s[n] == '-') && is_digit(s[n + 1]) &&
             is_digit(s[n + 2]) && s[n + 3] == ':' && is_digit(s[n + 4]) && is_digit(s[n + 5])) {
    const int h = (s[n + 1] - '0') * 10 + (s[n + 2] - '0');
    const int m = (s[n + 4] - '0') * 10 + (s[n + 5] - '0');
    const double off = (h * 3600 + m * 60) * (s[n] == '+' ? 1 : -1);
    *st.unix_seconds -= off;
    n += 6;
  }
  st.length = n;
  return st;
}

// mpirun --tag-output prefix "...[1,3]<stdout>:" right before the token -> rank 3.
std::optional<int> tagged_rank(std::string_view prefix) {
  if (prefix.size() < 8 || prefix.back() != ':' || prefix[prefix.size() - 2] != '>') return {};
  const size_t lt = prefix.rfind('<');
  if (lt == std::string_view::npos || lt == 0 || prefix[lt - 1] != ']') return {};
  const size_t lb = prefix.rfind('[', lt);
  if (lb == std::string_view::npos) return {};
  const std::string_view inside = prefix.substr(lb + 1, lt - 1 - (lb + 1));
  const size_t comma = inside.find(',');
  if (comma == std::string_view::npos) return {};
  auto r = parse_int(inside.substr(comma + 1));
  if (!r || *r < 0 || *r > 1'000'000) return {};
  return static_cast<int>(*r);
}

// "Epoch: E[ Iteration: I[ Validation Iteration: V]]", "Summary:", "PARAMETER", or any other
// text (bare string steps, "Calibration Iteration: I"). false when it starts like an epoch step
// but does not follow the grammar.
bool read_step(std::string_view h, Step& step) {
  step = Step{};
  if (h == "PARAMETER") {
    step.kind = StepKind::kParameter;
    return true;
  }
  if (h == "Summary:") {
    step.kind = StepKind::kSummary;
    return true;
  }
  constexpr std::string_view kEpoch = "Epoch: ";
  constexpr std::string_view kIter = " Iteration: ";
  constexpr std::string_view kVal = " Validation Iteration: ";
  auto read_int = [](std::string_view& s, int64_t& out) {
    size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    auto v = parse_int(s.substr(0, n));
    if (!v) return false;
    out = *v;
    s.remove_prefix(n);
    return true;
  };
  if (h.substr(0, kEpoch.size()) == kEpoch) {
    std::string_view s = h.substr(kEpoch.size());
    if (!read_int(s, step.epoch)) return false;
    step.kind = StepKind::kEpoch;
    if (s.empty()) return true;
    if (s.substr(0, kIter.size()) != kIter) return false;
    s.remove_prefix(kIter.size());
    if (!read_int(s, step.iteration)) return false;
    step.kind = StepKind::kIteration;
    if (s.empty()) return true;
    if (s.substr(0, kVal.size()) != kVal) return false;
    s.remove_prefix(kVal.size());
    if (!read_int(s, step.val_iteration)) return false;
    step.kind = StepKind::kValidation;
    return s.empty();
  }
  step.kind = StepKind::kOther;
  const size_t it = h.rfind(kIter);
  if (it != std::string_view::npos) {
    std::string_view s = h.substr(it + kIter.size());
    int64_t n = 0;
    if (read_int(s, n) && s.empty()) {
      step.label = std::string(h.substr(0, it));
      step.label_iteration = n;
      return true;
    }
  }
  step.label = std::string(h);
  return true;
}

// Lines of several mpirun ranks (--tag-output) can share a file; one rank's records make the run:
// rank 0's, or when the file has none, the lowest rank's. Tagged lines of other ranks are held
// (up to kPendingBytes) until rank 0 shows up or the choice has to be made.
constexpr size_t kPendingBytes = size_t(1) << 20;

class StdoutScanner {
 public:
  StdoutScanner(core::ParsedFile& out, core::MetricSink& points, const core::DeriveOptions& opt)
      : diag_(out.diagnostics, kMaxLineWarnings),
        assembler_(kName, out, points, diag_, opt),
        out_(out) {}

  static constexpr std::string_view kName = "ngc-dllogger-stdout";
  static constexpr int64_t kMaxLineWarnings = 100;

  void line(std::string_view line, int64_t line_no) {
    // Cheap reject: almost every non-DLL line has no 'D' followed by "LL".
    if (line.size() < 24) return;
    const DllToken tok = find_dll(line);
    if (tok.start == std::string_view::npos) return;
    const std::optional<int> rank = tagged_rank(line.substr(0, tok.start));
    if (!rank) return handle(line, tok, line_no);
    if (primary_) {
      if (*rank == *primary_) return handle(line, tok, line_no);
      ignored_.insert(*rank);
      return;
    }
    if (*rank == 0) {
      choose(0);
      return handle(line, tok, line_no);
    }
    pending_bytes_ += line.size();
    pending_.push_back(Pending{*rank, line_no, std::string(line)});
    if (pending_bytes_ > kPendingBytes) choose(lowest_pending());
  }

  void finish() {
    if (!primary_ && !pending_.empty()) choose(lowest_pending());
    diag_.finish();
    if (primary_ && *primary_ != 0)
      out_.diagnostics.push_back(
          {core::Severity::kInfo, 0,
           "no DLL lines from mpirun rank 0; kept rank " + std::to_string(*primary_)});
    assembler_.finish();
    if (!ignored_.empty()) {
      std::string list;
      for (int r : ignored_) list += (list.empty() ? "" : ", ") + std::to_string(r);
      out_.diagnostics.push_back(
          {core::Severity::kInfo, 0, "ignored DLL lines of mpirun ranks " + list});
    }
  }

 private:
  struct Pending {
    int rank = 0;
    int64_t line_no = 0;
    std::string text;
  };

  int lowest_pending() const {
    int lowest = pending_.front().rank;
    for (const Pending& p : pending_) lowest = std::min(lowest, p.rank);
    return lowest;
  }

  void choose(int rank) {
    primary_ = rank;
    for (const Pending& p : pending_) {
      if (p.rank == rank)
        handle(p.text, find_dll(p.text), p.line_no);
      else
        ignored_.insert(p.rank);
    }
    pending_.clear();
    pending_.shrink_to_fit();
    pending_bytes_ = 0;
  }

  void handle(std::string_view line, const DllToken& tok, int64_t line_no) {
    std::string_view s = line.substr(tok.stamp);
    const Stamp stamp = read_stamp(s, &stamp_cache_);
    if (stamp.length == 0) {
      warn(line_no, "malformed DLL line: bad timestamp '" + std::string(s.substr(0, 26)) + "'");
      return;
    }
    s.remove_prefix(stamp.length);
    if (s.substr(0, 3) != " - ") {
      warn(line_no, "malformed DLL line: expected ' - ' after the timestamp");
      return;
    }
    s.remove_prefix(3);

    // The step ends where the first "key : value" begins.
    const size_t sep = s.find(" : ");
    size_t key_start = s.size();
    if (sep != std::string_view::npos) {
      const size_t sp = sep == 0 ? std::string_view::npos : s.rfind(' ', sep - 1);
      key_start = sp == std::string_view::npos ? 0 : sp + 1;
    }
    const std::string_view header = trim_dll(s.substr(0, key_start));
    if (!read_step(header, step_)) {
      warn(line_no, "malformed DLL line: unknown step '" + std::string(header.substr(0, 60)) + "'");
      return;
    }
    assembler_.begin_record(step_, stamp.unix_seconds, line_no);
    read_values(s.substr(key_start), line_no);
  }

  void warn(int64_t line_no, std::string_view message) {
    diag_.warning(line_no, "malformed DLL line", message);
  }

  // "k : v[ unit] k : v[ unit] ..." where each value is followed by its unit (absent: an empty
  // string) and one space, so unit-less values are followed by two spaces. PARAMETER values are
  // Python str() and may contain spaces, hence values are delimited by the next " : " and the key
  // token before it, not by whitespace.
  void read_values(std::string_view s, int64_t line_no) {
    const bool is_param = step_.kind == StepKind::kParameter;
    while (!s.empty()) {
      const size_t sep = s.find(" : ");
      if (sep == std::string_view::npos) {
        if (!trim_dll(s).empty())
          warn(line_no, "malformed DLL line: text without ' : ' at '" +
                            std::string(trim_dll(s).substr(0, 40)) + "'");
        return;
      }
      const std::string_view key = s.substr(0, sep);
      s.remove_prefix(sep + 3);
      std::string_view region;
      const size_t next = s.find(" : ");
      if (next == std::string_view::npos) {
        region = s;
        s = {};
      } else {
        const size_t sp = next == 0 ? std::string_view::npos : s.rfind(' ', next - 1);
        if (sp == std::string_view::npos) {
          // "a : b : c": `s` already starts at the next key; the value of `key` is unknown.
          warn(line_no, "malformed DLL line: missing value for '" + std::string(key) + "'");
          continue;
        }
        region = s.substr(0, sp);
        s.remove_prefix(sp + 1);
      }
      if (key.empty() || key.find(' ') != std::string_view::npos) {
        warn(line_no, "malformed DLL line: bad key '" + std::string(key.substr(0, 40)) + "'");
        continue;
      }
      if (is_param) {
        assembler_.param(key, trim_dll(region));
        continue;
      }
      read_metric(key, region, line_no);
    }
  }

  void read_metric(std::string_view key, std::string_view region, int64_t line_no) {
    // Value up to the first space; what follows is the unit (img/s, images/s, %, s, None, ...).
    while (!region.empty() && region.front() == ' ') region.remove_prefix(1);
    const size_t sp = region.find(' ');
    const std::string_view value = sp == std::string_view::npos ? region : region.substr(0, sp);
    const std::string_view v = trim_dll(value);
    if (v.empty()) {
      warn(line_no, "malformed DLL line: metric '" + std::string(key) + "' has no value");
      return;
    }
    if (auto num = parse_double(v)) {
      assembler_.metric(key, *num);  // the assembler counts nan/inf
      // A unit is one token (img/s, %, None); more text means a cut or garbled line.
      const std::string_view unit =
          sp == std::string_view::npos ? std::string_view() : trim_dll(region.substr(sp + 1));
      if (unit.find(' ') != std::string_view::npos)
        warn(line_no, "malformed DLL line: unexpected text after '" + std::string(key) +
                          "' value: '" + std::string(unit.substr(0, 40)) + "'");
      return;
    }
    if (v == "None" || v == "True" || v == "False") return;
    if (step_.kind == StepKind::kOther) assembler_.event_field(key, std::string(trim_dll(region)));
    // Other non-numeric values carry nothing we store.
  }

  DiagnosticLog diag_;
  ngc::RunAssembler assembler_;
  core::ParsedFile& out_;
  Step step_;
  StampCache stamp_cache_;
  std::optional<int> primary_;
  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  std::set<int> ignored_;
};

class NgcStdoutParser final : public Parser {
 public:
  std::string_view name() const override { return StdoutScanner::kName; }
  std::string_view version() const override { return "2"; }
  std::string_view description() const override {
    return "NVIDIA DeepLearningExamples ConvNets console output (dllogger 'DLL <time> - ...' "
           "lines)";
  }

  int sniff(std::string_view head) const override {
    size_t pos = 0;
    int checked = 0;
    while (pos < head.size() && checked < 64) {
      const size_t nl = head.find('\n', pos);
      const std::string_view line =
          head.substr(pos, nl == std::string_view::npos ? head.size() - pos : nl - pos);
      pos = nl == std::string_view::npos ? head.size() : nl + 1;
      const DllToken tok = find_dll(line);
      if (tok.start == std::string_view::npos) continue;
      ++checked;
      const std::string_view s = line.substr(tok.stamp);
      const Stamp st = read_stamp(s);
      if (st.length > 0 && s.substr(st.length, 3) == " - ") return 90;
    }
    return 0;
  }

  using Parser::parse;
  void parse(TextInput& in, core::ParsedFile& out, core::MetricSink& points,
             const core::DeriveOptions& opt) const override {
    out.format = std::string(name());
    out.parser_version = std::string(version());
    StdoutScanner scan(out, points, opt);
    std::string_view line;
    while (in.next_line(line)) scan.line(line, in.line_number());
    scan.finish();
  }
};

}  // namespace

std::unique_ptr<Parser> make_ngc_stdout_parser() { return std::make_unique<NgcStdoutParser>(); }

}  // namespace rn50::parsers
