#include "parsers/pytorch_examples_grammar.h"

#include <charconv>
#include <vector>

#include "parsers/numbers.h"
#include "parsers/text.h"

namespace rn50::parsers::pytorch_examples {

namespace {

constexpr std::string_view kTrainPrefix = "Epoch: [";
constexpr std::string_view kTestPrefix = "Test: [";

void skip_spaces(std::string_view& s) { s = trim_left(s); }

bool eat(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

bool read_int(std::string_view& s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data()) return false;
  s.remove_prefix(static_cast<size_t>(p - s.data()));
  return true;
}

// A number token ends at whitespace or ')'; python prints "nan"/"inf" for broken losses.
bool read_number(std::string_view& s, double& out) {
  size_t n = 0;
  while (n < s.size() && !is_space(s[n]) && s[n] != ')' && s[n] != '(') ++n;
  auto v = parse_double(s.substr(0, n));
  if (!v) return false;
  out = *v;
  s.remove_prefix(n);
  return true;
}

// "[job,rank]<stdout>:" at the end of the text before the progress token (mpirun --tag-output).
std::optional<int64_t> rank_from_prefix(std::string_view prefix) {
  const size_t tag = prefix.rfind("]<std");
  if (tag == std::string_view::npos) return std::nullopt;
  const size_t open = prefix.rfind('[', tag);
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inside = prefix.substr(open + 1, tag - open - 1);
  const size_t comma = inside.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  if (!parse_int(inside.substr(0, comma))) return std::nullopt;
  return parse_int(inside.substr(comma + 1));
}

bool is_top1(std::string_view n) { return n == "Acc@1" || n == "Prec@1"; }
bool is_top5(std::string_view n) { return n == "Acc@5" || n == "Prec@5"; }

}  // namespace

LineKind classify(std::string_view line) {
  if (line.empty()) return LineKind::kOther;
  if (line.find(kTrainPrefix) != std::string_view::npos) return LineKind::kTrain;
  if (line.find(kTestPrefix) != std::string_view::npos) return LineKind::kTest;
  std::string_view t = trim_left(line);
  if (t.empty()) return LineKind::kOther;
  if (t.front() == '*') {
    std::string_view rest = trim_left(t.substr(1));
    if (rest.starts_with("Acc@") || rest.starts_with("Prec@")) return LineKind::kSummary;
    return LineKind::kOther;
  }
  // Launchers may prefix these too ("[1,0]<stdout>:Use GPU: 0 for training").
  if (line.find("Use GPU: ") != std::string_view::npos) return LineKind::kUseGpu;
  if (line.find("=> creating model") != std::string_view::npos ||
      line.find("=> using pre-trained model") != std::string_view::npos)
    return LineKind::kCreatingModel;
  if (line.find("main.py") != std::string_view::npos) return LineKind::kCommand;
  return LineKind::kOther;
}

bool parse_progress(std::string_view line, ProgressLine& p) {
  size_t pos = line.find(kTrainPrefix);
  p.is_train = pos != std::string_view::npos;
  if (!p.is_train) pos = line.find(kTestPrefix);
  if (pos == std::string_view::npos) return false;
  if (pos > 0) p.rank = rank_from_prefix(line.substr(0, pos));
  std::string_view s = line.substr(pos + (p.is_train ? kTrainPrefix.size() : kTestPrefix.size()));
  if (p.is_train) {
    if (!read_int(s, p.epoch) || p.epoch < 0 || !eat(s, ']') || !eat(s, '[')) return false;
  }
  skip_spaces(s);
  if (!read_int(s, p.index) || p.index < 0 || !eat(s, '/')) return false;
  if (!read_int(s, p.total) || p.total <= 0 || !eat(s, ']')) return false;

  int meters = 0;
  while (true) {
    skip_spaces(s);
    if (s.empty()) break;
    std::string_view name = next_token(s);
    skip_spaces(s);
    double val = 0, avg = 0;
    if (!read_number(s, val)) return false;
    skip_spaces(s);
    if (!eat(s, '(')) return false;
    skip_spaces(s);
    if (!read_number(s, avg)) return false;
    skip_spaces(s);
    if (!eat(s, ')')) return false;
    ++meters;
    if (name == "Time") {
      p.time = val;
      p.time_avg = avg;
    } else if (name == "Data") {
      p.data = val;
    } else if (name == "Loss") {
      p.loss = val;
      p.loss_avg = avg;
    } else if (is_top1(name)) {
      p.top1 = val;
    } else if (is_top5(name)) {
      p.top5 = val;
    }
    // Other meters (forks add e.g. "LR") are accepted and ignored.
  }
  return meters > 0 && p.time.has_value() && p.loss.has_value();
}

bool parse_summary(std::string_view line, SummaryLine& s) {
  std::string_view t = trim_left(line);
  if (!eat(t, '*')) return false;
  while (true) {
    skip_spaces(t);
    if (t.empty()) break;
    std::string_view name = next_token(t);
    std::string_view value = next_token(t);
    auto v = parse_double(value);
    if (!v) return false;
    if (is_top1(name))
      s.top1 = *v;
    else if (is_top5(name))
      s.top5 = *v;
  }
  return s.top1.has_value();
}

std::optional<int64_t> parse_use_gpu(std::string_view line) {
  const size_t at = line.find("Use GPU: ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view t = line.substr(at + std::string_view("Use GPU: ").size());
  int64_t id = 0;
  if (!read_int(t, id) || id < 0) return std::nullopt;
  return id;
}

std::string parse_creating_model(std::string_view line) {
  const size_t a = line.find('\'');
  if (a == std::string_view::npos) return {};
  const size_t b = line.find('\'', a + 1);
  if (b == std::string_view::npos) return {};
  return stored_text(line.substr(a + 1, b - a - 1), TextKind::kValue);
}

bool parse_command_line(std::string_view line, CommandLine& c) {
  // Only the shell command that runs main.py: cut at ';', '&&', '|' around it.
  const size_t m = line.find("main.py");
  if (m == std::string_view::npos) return false;
  size_t begin = 0;
  for (std::string_view sep : {";", "&&", "|", "):"}) {
    const size_t p = line.rfind(sep, m);
    if (p != std::string_view::npos) begin = std::max(begin, p + sep.size());
  }
  size_t end = line.size();
  for (std::string_view sep : {";", "&&", "|", ">", "&"}) {
    const size_t p = line.find(sep, m);
    if (p != std::string_view::npos) end = std::min(end, p);
  }
  std::string_view seg = line.substr(begin, end - begin);
  std::vector<std::string_view> tokens;
  for (std::string_view t = next_token(seg); !t.empty(); t = next_token(seg)) tokens.push_back(t);

  size_t main_at = tokens.size();
  bool launcher = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
    if (t.ends_with("main.py")) {
      main_at = i;
      break;
    }
    if (t.find("python") != std::string_view::npos || t == "torchrun") launcher = true;
    if (t.starts_with("CUDA_VISIBLE_DEVICES="))
      c.cuda_visible_devices =
          stored_text(t.substr(std::string_view("CUDA_VISIBLE_DEVICES=").size()), TextKind::kValue);
  }
  if (main_at == tokens.size() || !launcher) return false;

  static const std::map<std::string_view, std::string_view> kShort = {{"-a", "arch"},
                                                                      {"-j", "workers"},
                                                                      {"-b", "batch_size"},
                                                                      {"-p", "print_freq"},
                                                                      {"-e", "evaluate"}};
  static const std::map<std::string_view, std::string_view> kAlias = {{"learning_rate", "lr"},
                                                                      {"wd", "weight_decay"}};
  auto is_flag = [](std::string_view dest) {
    return dest == "evaluate" || dest == "pretrained" || dest == "multiprocessing_distributed" ||
           dest == "dummy" || dest == "no_accel";
  };
  for (size_t i = main_at + 1; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
    std::string dest;
    std::optional<std::string_view> inline_value;
    if (t.starts_with("--") && t.size() > 2) {
      std::string_view body = t.substr(2);
      if (size_t eq = body.find('='); eq != std::string_view::npos) {
        inline_value = body.substr(eq + 1);
        body = body.substr(0, eq);
      }
      dest.assign(body);
      for (char& ch : dest)
        if (ch == '-') ch = '_';
      if (auto it = kAlias.find(dest); it != kAlias.end()) dest = it->second;
    } else if (t.size() >= 2 && t[0] == '-' && !parse_double(t)) {
      auto it = kShort.find(t.substr(0, 2));
      if (it == kShort.end()) continue;  // unknown short option: ignore it
      dest = it->second;
      if (t.size() > 2) inline_value = t.substr(2);
    } else {
      c.args["data"] = stored_text(t, TextKind::kValue);
      continue;
    }
    if (is_flag(dest)) {
      c.args[dest] = "True";
    } else if (inline_value) {
      c.args[dest] = stored_text(*inline_value, TextKind::kValue);
    } else if (i + 1 < tokens.size()) {
      c.args[dest] = stored_text(tokens[++i], TextKind::kValue);
    }
  }
  return true;
}

}  // namespace rn50::parsers::pytorch_examples
