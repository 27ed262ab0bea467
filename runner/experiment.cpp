#include "runner/experiment.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <stdexcept>

#include "core/error.h"
#include "core/train_config.h"

namespace rn50::runner {

namespace {

using core::UsageError;
using nlohmann::json;

const std::vector<std::string> kTopKeys = {
    "name",    "description", "role",    "target_top1",  "base_config", "base",  "matrix",
    "derived", "on_failure",  "timeout", "hang_timeout", "dataset",     "report"};
const std::vector<std::string> kMatrixKeys = {
    "devices", "devices_per_node", "nodes", "precision", "batch_per_device", "seeds", "repeats"};
const std::vector<std::string> kRoles = {"time2train", "accuracy", "throughput"};
const std::vector<std::string> kPrecisions = {"fp32", "amp"};
// Each run is a training run: a matrix beyond this is a mistake (and its plan alone would take
// gigabytes).
constexpr uint64_t kMaxPlanRuns = 10'000;
// Trainer keys the runner owns: each run gets its own directory and resumes automatically.
const std::vector<std::string> kRunnerOwned = {"workspace", "resume"};
// Trainer keys the matrix sets per run.
const std::vector<std::pair<std::string, std::string>> kMatrixOwned = {
    {"batch_size", "matrix.batch_per_device"},
    {"precision", "matrix.precision"},
    {"seed", "matrix.seeds"}};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  return "a mapping";
}

class Validator {
 public:
  explicit Validator(Experiment& exp) : exp_(exp) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw UsageError(exp_.where(key) + ": " + what);
  }

  void check_keys(const json& obj, const std::string& prefix,
                  const std::vector<std::string>& known) const {
    for (const auto& [k, v] : obj.items())
      if (!contains(known, k))
        fail(core::join_key(prefix, k), "unknown key (known: " + join(known) + ")");
  }

  const json& object(const json& v, const std::string& key) const {
    if (!v.is_object()) fail(key, "expected a mapping, got " + type_name(v));
    return v;
  }

  std::string string(const json& v, const std::string& key) const {
    if (!v.is_string()) fail(key, "expected a string, got " + type_name(v));
    return v.get<std::string>();
  }

  std::string choice(const json& v, const std::string& key,
                     const std::vector<std::string>& allowed) const {
    std::string s = string(v, key);
    if (!contains(allowed, s)) fail(key, "'" + s + "' is not one of " + join(allowed));
    return s;
  }

  double number(const json& v, const std::string& key) const {
    if (!v.is_number()) fail(key, "expected a number, got " + type_name(v));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(key, "expected a finite number");
    return d;
  }

  int64_t integer(const json& v, const std::string& key, int64_t min) const {
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + type_name(v));
    const int64_t i = v.get<int64_t>();
    if (i < min) fail(key, "must be >= " + std::to_string(min) + ", got " + std::to_string(i));
    return i;
  }

  bool boolean(const json& v, const std::string& key) const {
    if (!v.is_boolean()) fail(key, "expected true or false, got " + type_name(v));
    return v.get<bool>();
  }

  // A scalar is a one-element list: `precision: amp` == `precision: [amp]`.
  template <class F>
  void each(const json& v, const std::string& key, F&& f) const {
    if (v.is_array()) {
      if (v.empty()) fail(key, "must not be empty");
      for (size_t i = 0; i < v.size(); ++i) f(v[i], core::join_index(key, i));
    } else if (v.is_object() || v.is_null()) {
      fail(key, "expected a value or a list, got " + type_name(v));
    } else {
      f(v, key);
    }
  }

  template <class T>
  void no_duplicates(const std::vector<T>& values, const std::vector<std::string>& keys) const {
    for (size_t i = 0; i < values.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (values[i] == values[j]) fail(keys[i], "duplicate value (same as " + keys[j] + ")");
  }

 private:
  Experiment& exp_;
};

// Digits of a shape string as an int64; false when they do not fit.
bool parse_count(const std::string& digits, int64_t& out) {
  const char* end = digits.data() + digits.size();
  const auto [p, ec] = std::from_chars(digits.data(), end, out);
  return ec == std::errc() && p == end;
}

// Where a base key's value came from: the experiment's `base` (or --set), else its base_config.
std::string base_key_where(const Experiment& exp, const std::string& key) {
  if (exp.base_explicit.count(key) || !exp.base_config) return exp.where("base." + key);
  return exp.base_config->locator.where(key);
}

// Trainer key defaults, to know which keys exist and which are numeric.
const json& trainer_defaults() {
  static const json d = core::TrainConfig{}.to_json();
  return d;
}

void parse_devices(Experiment& exp, const Validator& v, const json& matrix) {
  std::optional<int64_t> per_node;
  if (matrix.contains("devices_per_node"))
    per_node = v.integer(matrix["devices_per_node"], "matrix.devices_per_node", 1);
  if (matrix.contains("nodes")) {
    if (matrix.contains("devices"))
      v.fail("matrix.nodes", "give either matrix.devices or matrix.nodes, not both");
    if (!per_node) v.fail("matrix.nodes", "needs matrix.devices_per_node");
    v.each(matrix["nodes"], "matrix.nodes", [&](const json& item, const std::string& key) {
      exp.devices.push_back({v.integer(item, key, 1), *per_node, key});
    });
  } else if (matrix.contains("devices")) {
    static const std::regex kShape("([0-9]+)n([0-9]+)g");
    v.each(matrix["devices"], "matrix.devices", [&](const json& item, const std::string& key) {
      if (item.is_string()) {
        std::smatch m;
        const std::string s = item.get<std::string>();
        if (!std::regex_match(s, m, kShape))
          v.fail(key, "'" + s + "' is neither a device count nor a shape like 2n8g");
        int64_t n = 0, g = 0;
        if (!parse_count(m[1].str(), n) || !parse_count(m[2].str(), g))
          v.fail(key, "'" + s + "' has a count beyond 2^63");
        if (n < 1 || g < 1) v.fail(key, "'" + s + "' needs at least 1 node and 1 device");
        if (per_node && g != *per_node)
          v.fail(key, "'" + s + "' has " + std::to_string(g) +
                          " devices per node but matrix.devices_per_node is " +
                          std::to_string(*per_node));
        exp.devices.push_back({n, g, key});
        return;
      }
      const int64_t n = v.integer(item, key, 1);
      if (!per_node || n <= *per_node) {
        exp.devices.push_back({1, n, key});
      } else if (n % *per_node != 0) {
        v.fail(key, std::to_string(n) + " devices are not divisible by devices_per_node " +
                        std::to_string(*per_node));
      } else {
        exp.devices.push_back({n / *per_node, *per_node, key});
      }
    });
  } else {
    const int64_t n = per_node.value_or(1);
    exp.devices.push_back({1, n, per_node ? "matrix.devices_per_node" : "matrix"});
  }
  std::vector<std::pair<int64_t, int64_t>> shapes;
  std::vector<std::string> keys;
  for (const auto& d : exp.devices) {
    shapes.emplace_back(d.nodes, d.devices_per_node);
    keys.push_back(d.key);
  }
  v.no_duplicates(shapes, keys);
}

void parse_matrix(Experiment& exp, const Validator& v, const json& base_merged) {
  static const json kEmpty = json::object();
  const json& matrix =
      exp.doc.root.contains("matrix") ? v.object(exp.doc.root["matrix"], "matrix") : kEmpty;
  v.check_keys(matrix, "matrix", kMatrixKeys);
  parse_devices(exp, v, matrix);

  std::vector<std::string> keys;
  if (matrix.contains("precision")) {
    v.each(matrix["precision"], "matrix.precision", [&](const json& item, const std::string& k) {
      exp.precisions.push_back(v.choice(item, k, kPrecisions));
      keys.push_back(k);
    });
    v.no_duplicates(exp.precisions, keys);
  } else if (const auto it = base_merged.find("precision"); it == base_merged.end()) {
    exp.precisions.push_back("fp32");
  } else if (it->is_string()) {
    exp.precisions.push_back(it->get<std::string>());
  } else {
    throw UsageError(base_key_where(exp, "precision") + ": expected " + join(kPrecisions) +
                     ", got " + type_name(*it));
  }
  keys.clear();
  if (matrix.contains("batch_per_device")) {
    v.each(matrix["batch_per_device"], "matrix.batch_per_device",
           [&](const json& item, const std::string& k) {
             exp.batch_per_device.push_back(v.integer(item, k, 1));
             keys.push_back(k);
           });
    v.no_duplicates(exp.batch_per_device, keys);
  } else {
    const json& b = base_merged.contains("batch_size") ? base_merged["batch_size"]
                                                       : trainer_defaults()["batch_size"];
    exp.batch_per_device.push_back(b.is_number_integer() ? b.get<int64_t>() : 0);
  }
  keys.clear();
  if (matrix.contains("seeds")) {
    v.each(matrix["seeds"], "matrix.seeds", [&](const json& item, const std::string& k) {
      exp.seeds.push_back(static_cast<uint64_t>(v.integer(item, k, 0)));
      keys.push_back(k);
    });
    v.no_duplicates(exp.seeds, keys);
  } else {
    const json& s = base_merged.contains("seed") ? base_merged["seed"] : json(0);
    exp.seeds.push_back(s.is_number_integer() ? s.get<uint64_t>() : 0);
  }
  if (matrix.contains("repeats")) exp.repeats = v.integer(matrix["repeats"], "matrix.repeats", 1);

  // Products of counts stay countable: world size (nodes x devices per node) and global batch
  // (x batch per device) in int64, and the plan in a number of runs anyone would start.
  for (const DeviceShape& d : exp.devices) {
    int64_t world = 0, global = 0;
    if (__builtin_mul_overflow(d.nodes, d.devices_per_node, &world))
      v.fail(d.key, d.label() + ": nodes x devices per node is beyond 2^63");
    for (int64_t bpd : exp.batch_per_device)
      if (__builtin_mul_overflow(bpd, world, &global))
        v.fail(d.key, d.label() + " with batch_per_device " + std::to_string(bpd) +
                          ": a global batch beyond 2^63");
  }
  uint64_t runs = 1;
  for (const uint64_t n :
       {uint64_t(exp.devices.size()), uint64_t(exp.precisions.size()),
        uint64_t(exp.batch_per_device.size()), uint64_t(exp.seeds.size()), uint64_t(exp.repeats)})
    runs = n != 0 && runs > kMaxPlanRuns / n ? kMaxPlanRuns + 1 : runs * n;
  if (runs > kMaxPlanRuns)
    v.fail("matrix", "expands to more than " + std::to_string(kMaxPlanRuns) +
                         " runs (devices x precision x batch_per_device x seeds x repeats)");
}

void parse_derived(Experiment& exp, const Validator& v) {
  if (!exp.doc.root.contains("derived")) return;
  const json& derived = v.object(exp.doc.root["derived"], "derived");
  for (const auto& [k, val] : derived.items()) {
    const std::string key = "derived." + k;
    const json& defaults = trainer_defaults();
    if (!defaults.contains(k)) v.fail(key, "'" + k + "' is not a trainer key");
    if (!defaults[k].is_number()) v.fail(key, "'" + k + "' is not a numeric trainer key");
    for (const auto& [owned, by] : kMatrixOwned)
      if (k == owned) v.fail(key, "'" + k + "' is set by " + by);
    if (exp.base_explicit.count(k))
      v.fail(key, "'" + k + "' is also set in base." + k + "; keep one of them");
    std::string text;
    if (val.is_number())
      text = val.dump();
    else if (val.is_string())
      text = val.get<std::string>();
    else
      v.fail(key, "expected an expression string or a number, got " + type_name(val));
    try {
      exp.derived.push_back({k, Expression::parse(text, derived_variables())});
    } catch (const std::invalid_argument& e) {
      v.fail(key, std::string(e.what()) + " in '" + text + "'");
    }
  }
}

void parse_dataset(Experiment& exp, const Validator& v) {
  if (!exp.doc.root.contains("dataset")) return;
  const json& d = v.object(exp.doc.root["dataset"], "dataset");
  v.check_keys(d, "dataset", {"name", "dir", "args"});
  DatasetPrep prep;
  if (!d.contains("name")) v.fail("dataset", "needs name (fashion-mnist)");
  if (!d.contains("dir")) v.fail("dataset", "needs dir (where the data is prepared)");
  prep.name = v.choice(d["name"], "dataset.name", {"fashion-mnist"});
  prep.dir = v.string(d["dir"], "dataset.dir");
  if (prep.dir.empty()) v.fail("dataset.dir", "must not be empty");
  if (d.contains("args")) {
    if (!d["args"].is_array()) v.fail("dataset.args", "expected a list of strings");
    for (size_t i = 0; i < d["args"].size(); ++i)
      prep.args.push_back(v.string(d["args"][i], core::join_index("dataset.args", i)));
  }
  exp.dataset = std::move(prep);
}

}  // namespace

const std::vector<std::string>& experiment_keys() { return kTopKeys; }
const std::vector<std::string>& matrix_keys() { return kMatrixKeys; }

std::string DeviceShape::label() const {
  return std::to_string(nodes) + "n" + std::to_string(devices_per_node) + "g";
}

Experiment parse_experiment(core::Document doc, const std::filesystem::path& base_dir) {
  Experiment exp;
  exp.file = doc.locator.file;
  exp.doc = std::move(doc);
  Validator v(exp);
  const json& root = exp.doc.root;
  if (!root.is_object())
    v.fail("", "expected a mapping of experiment keys, got " + type_name(root));
  v.check_keys(root, "", kTopKeys);

  if (!root.contains("name")) v.fail("name", "required key is missing");
  exp.name = v.string(root["name"], "name");
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  if (!std::regex_match(exp.name, kName))
    v.fail("name",
           "'" + exp.name + "' must be 1-100 characters of A-Z a-z 0-9 . _ - (it names a folder)");
  if (root.contains("description")) exp.description = v.string(root["description"], "description");
  if (!root.contains("role")) v.fail("role", "required key is missing (" + join(kRoles) + ")");
  exp.role = v.choice(root["role"], "role", kRoles);
  if (root.contains("target_top1")) {
    const double t = v.number(root["target_top1"], "target_top1");
    if (t <= 0 || t > 100) v.fail("target_top1", "must be a percentage in (0, 100]");
    exp.target_top1 = t;
  }
  if (exp.role == "time2train" && !exp.target_top1)
    v.fail("role", "time2train needs target_top1 (percent, e.g. 75.9)");

  // base_config, then base on top.
  json merged = json::object();
  if (root.contains("base_config")) {
    const std::string rel = v.string(root["base_config"], "base_config");
    std::filesystem::path p = rel;
    if (p.is_relative()) p = base_dir / p;
    std::error_code ec;  // a name too long for the file system is only a file not found
    if (!std::filesystem::is_regular_file(p, ec))
      v.fail("base_config",
             "cannot read " + p.string() + " (paths are relative to the experiment file)");
    exp.base_config = core::load_document(p);
    if (!exp.base_config->root.is_object())
      throw UsageError(exp.base_config->locator.where("") + ": expected a mapping of trainer keys");
    merged = exp.base_config->root;
    for (const auto& k : kRunnerOwned) merged.erase(k);  // the runner sets them per run
  }
  if (root.contains("base")) {
    const json& base = v.object(root["base"], "base");
    for (const auto& [k, val] : base.items()) {
      if (contains(kRunnerOwned, k))
        v.fail("base." + k,
               "set by the runner (each run has its own directory and resumes "
               "automatically); remove it");
      merged[k] = val;
      exp.base_explicit.insert(k);
    }
  }
  exp.base = std::move(merged);

  parse_matrix(exp, v, exp.base);
  parse_derived(exp, v);

  if (root.contains("on_failure"))
    exp.on_failure = v.choice(root["on_failure"], "on_failure", {"continue", "stop"});
  if (root.contains("timeout")) {
    exp.timeout_s = v.number(root["timeout"], "timeout");
    if (exp.timeout_s < 0) v.fail("timeout", "must be >= 0 seconds (0 = none)");
  }
  if (root.contains("hang_timeout")) {
    exp.hang_timeout_s = v.number(root["hang_timeout"], "hang_timeout");
    if (exp.hang_timeout_s < 0) v.fail("hang_timeout", "must be >= 0 seconds (0 = none)");
  }
  parse_dataset(exp, v);
  // The prepared folder is the default data root.
  if (exp.dataset && !exp.base.contains("data")) exp.base["data"] = exp.dataset->dir;
  if (root.contains("report")) exp.report = v.boolean(root["report"], "report");
  return exp;
}

Experiment load_experiment(const std::filesystem::path& path,
                           const std::vector<std::string>& overrides) {
  core::Document doc = core::load_document(path);
  for (const auto& o : overrides) core::apply_override(doc, o);
  return parse_experiment(std::move(doc), path.parent_path());
}

void rethrow_trainer_error(const Experiment& exp, const std::string& message) {
  // The trainer parser names "exp.yaml[:line]: base.KEY: ..."; find KEY and say where the value
  // really came from.
  for (const auto& [k, val] : exp.base.items()) {
    const std::string prefix = exp.where("base." + k) + ": ";
    if (message.rfind(prefix, 0) != 0) continue;
    const std::string rest = message.substr(prefix.size());
    if (!exp.base_explicit.count(k) && exp.base_config)
      throw UsageError(exp.base_config->locator.where(k) + ": " + rest + " (base_config of " +
                       exp.file + ")");
    throw UsageError(message);
  }
  for (const auto& d : exp.derived) {
    const std::string prefix = exp.where("base." + d.key) + ": ";
    if (message.rfind(prefix, 0) == 0)
      throw UsageError(exp.where("derived." + d.key) + ": '" + d.expr.text() +
                       "' gives a bad value: " + message.substr(prefix.size()));
  }
  for (const auto& [owned, by] : kMatrixOwned) {
    const std::string prefix = exp.where("base." + owned) + ": ";
    if (message.rfind(prefix, 0) == 0)
      throw UsageError(exp.where(by) + ": " + message.substr(prefix.size()));
  }
  throw UsageError(message);
}

}  // namespace rn50::runner
