#include "parsers/timm_args.h"

#include <map>
#include <system_error>

#include "parsers/numbers.h"
#include "parsers/text.h"

namespace rn50::parsers {

namespace {

using core::Source;

struct YamlValue {
  std::string text;  // a scalar (quotes removed), or "[a, b]" for a block list
  int64_t line = 0;
  bool is_null = false;
};

// A plain or quoted YAML scalar as safe_dump writes it ('it''s', "tab\t", null, ~).
std::string scalar(std::string_view v, bool& is_null) {
  v = trim(v);
  is_null = v.empty() || v == "null" || v == "~";
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      out += v[i];
      if (v[i] == '\'' && i + 2 < v.size() && v[i + 1] == '\'') ++i;  // '' is a quote
    }
    return out;
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      if (v[i] == '\\' && i + 2 < v.size()) {
        const char e = v[++i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        continue;
      }
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

// Top-level "key: value" lines and the "- item" lines of block lists under them; anything
// indented deeper (nested mappings, continued strings) is left out.
std::map<std::string, YamlValue> read_flat_yaml(std::string_view text) {
  std::map<std::string, YamlValue> out;
  LineReader lines(text);
  std::string_view line;
  std::string list_key;
  while (lines.next(line) && out.size() < 4096) {
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("- ") || line == "-") {
      if (list_key.empty()) continue;
      bool is_null = false;
      YamlValue& v = out[list_key];
      std::string item = scalar(line.substr(1), is_null);
      v.text = v.text.empty() ? "[" + item + "]"
                              : v.text.substr(0, v.text.size() - 1) + ", " + item + "]";
      continue;
    }
    list_key.clear();
    if (line.front() == ' ' || line.front() == '\t') continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    if (colon + 1 < line.size() && line[colon + 1] != ' ') continue;  // "a:b" is no mapping
    const std::string key(trim(line.substr(0, colon)));
    const std::string_view rest = colon + 1 < line.size() ? line.substr(colon + 1) : "";
    YamlValue v;
    v.line = lines.line_number();
    v.text = scalar(rest, v.is_null);
    if (trim(rest).empty()) list_key = key;  // a block list (or a nested mapping) follows
    out[key] = std::move(v);
  }
  return out;
}

}  // namespace

std::optional<std::filesystem::path> find_timm_args(const std::filesystem::path& timm_file) {
  namespace fs = std::filesystem;
  const fs::path dir = timm_file.has_parent_path() ? timm_file.parent_path() : fs::path(".");
  const std::string stem = timm_file.stem().string();
  std::error_code ec;
  if (stem.starts_with("summary") && timm_file.extension() == ".csv") {
    const fs::path paired = dir / ("args" + stem.substr(7) + ".yaml");
    if (fs::is_regular_file(paired, ec)) return paired;
  }
  const fs::path plain = dir / "args.yaml";
  if (fs::is_regular_file(plain, ec)) return plain;
  return std::nullopt;
}

std::vector<std::string> apply_timm_args(core::RunRecord& run, std::string_view yaml_text,
                                         const std::string& file_name) {
  std::vector<std::string> warnings;
  const auto args = read_flat_yaml(yaml_text);
  if (args.empty()) {
    warnings.push_back(file_name + ": no 'key: value' lines: not applied");
    return warnings;
  }
  for (const auto& [k, v] : args)
    run.set_param(stored_text("args." + k, TextKind::kKey), stored_text(v.text, TextKind::kValue),
                  Source::kLog);

  auto where = [&](const std::string& key) {
    const auto it = args.find(key);
    return file_name + ":" + std::to_string(it == args.end() ? 0 : it->second.line) + ": " + key;
  };
  // A count, or nullopt (with a warning when the key is there but not a count in [lo, hi]).
  auto count = [&](const std::string& key, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    const auto it = args.find(key);
    if (it == args.end() || it->second.is_null) return std::nullopt;
    std::string why;
    const auto n = parse_int(it->second.text);
    if (n && in_range(*n, lo, hi, &why)) return n;
    warnings.push_back(
        where(key) + ": " +
        (n ? why
           : in_quotes(stored_text(it->second.text, TextKind::kValue)) + " is not an integer"));
    return std::nullopt;
  };
  auto text = [&](const std::string& key) -> std::string {
    const auto it = args.find(key);
    return it == args.end() || it->second.is_null ? std::string() : it->second.text;
  };
  auto flag = [&](const std::string& key) -> std::optional<bool> {
    const std::string v = text(key);
    if (v == "true") return true;
    if (v == "false") return false;
    return std::nullopt;
  };

  if (auto b = count("batch_size", 1, kMaxBatch); b && !run.batch_per_device.known())
    run.batch_per_device.set(*b, Source::kLog, file_name + ": batch_size (per process)");

  // What train.py runs: the scheduler's cycle length plus the cool-down epochs for the cycle
  // schedulers, the epochs themselves for the others.
  const auto epochs = count("epochs", 1, kMaxEpochs);
  const std::string sched = text("sched");
  std::optional<int64_t> planned;
  std::string planned_detail;
  if (epochs && (sched == "cosine" || sched == "tanh" || sched == "poly")) {
    const auto cycles = count("lr_cycle_limit", 1, kMaxEpochs);
    const auto cooldown = count("cooldown_epochs", 0, kMaxEpochs);
    if (cycles.value_or(1) == 1 && (cooldown || !args.count("cooldown_epochs"))) {
      planned = *epochs + cooldown.value_or(0);
      planned_detail = file_name + ": epochs " + std::to_string(*epochs) + " + cooldown_epochs " +
                       std::to_string(cooldown.value_or(0)) + " (" + sched + " schedule)";
    }
  } else if (epochs && (sched == "step" || sched == "multistep" || sched == "plateau")) {
    planned = epochs;
    planned_detail = file_name + ": epochs (" + sched + " schedule)";
  }
  if (planned && !run.epochs_planned.known())
    run.epochs_planned.set(*planned, Source::kInferred, planned_detail);

  if (!run.precision.known()) {
    const auto amp = flag("amp"), apex = flag("apex_amp"), native = flag("native_amp");
    if (amp == true || apex == true || native == true) {
      const bool bf16 = text("amp_dtype") == "bfloat16";
      run.precision.set(bf16 ? "bf16" : "amp", Source::kLog,
                        file_name + (bf16 ? ": amp with amp_dtype bfloat16" : ": amp true"));
    } else if (amp == false && apex != true && native != true) {
      run.precision.set("fp32", Source::kInferred, file_name + ": amp false");
    }
  }

  // summary.csv has no end record: the run is finished when its last planned epoch is there.
  if (run.epochs_planned.known() && run.epochs_completed &&
      *run.epochs_completed >= *run.epochs_planned.value && !run.epochs.empty() &&
      run.epochs.back().epoch == *run.epochs_planned.value - 1)
    run.status = core::RunStatus::kFinished;
  return warnings;
}

}  // namespace rn50::parsers
