// Strict parsing of the trainer configuration. Every key is described once in a table, so that
// parsing, serialisation and the "unknown key" check can never disagree about the key set.
#include "core/train_config.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include "core/error.h"

namespace rn50::core {
namespace {

using nlohmann::json;

struct Ctx {
  const SourceLocator& loc;
  std::string path;  // key path of the value being read, for messages
  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError(loc.where(path) + ": " + what);
  }
};

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  return "a mapping";
}

// `d` as an integer when it is a whole number small enough to be exact in a double.
std::optional<int64_t> exact_integer(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return int64_t(d);
  return std::nullopt;
}

int64_t read_int(const json& v, const Ctx& c) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
      c.fail("integer out of range");
    return v.get<int64_t>();
  }
  // YAML/JSON writers sometimes print integral values as 8.0; accept those, nothing else.
  if (v.is_number_float()) {
    if (const auto i = exact_integer(v.get<double>())) return *i;
  }
  c.fail("expected an integer, got " + (v.is_number() ? v.dump() : type_name(v)));
}

double read_double(const json& v, const Ctx& c) {
  if (!v.is_number()) c.fail("expected a number, got " + type_name(v));
  double d = v.get<double>();
  if (!std::isfinite(d)) c.fail("expected a finite number");
  return d;
}

bool read_bool(const json& v, const Ctx& c) {
  if (!v.is_boolean()) c.fail("expected true or false, got " + type_name(v));
  return v.get<bool>();
}

std::string read_string(const json& v, const Ctx& c) {
  if (!v.is_string()) c.fail("expected a string, got " + type_name(v));
  return v.get<std::string>();
}

// One entry per key: how to read it into the struct and how to write it back.
struct Key {
  const char* name;
  std::function<void(TrainConfig&, const json&, const Ctx&)> read;
  std::function<json(const TrainConfig&)> write;
};

template <class T>
Key int_key(const char* name, T TrainConfig::*field, int64_t min) {
  return {name,
          [=](TrainConfig& cfg, const json& v, const Ctx& c) {
            int64_t x = read_int(v, c);
            if (x < min) c.fail("must be >= " + std::to_string(min) + ", got " + std::to_string(x));
            cfg.*field = T(x);
          },
          [=](const TrainConfig& cfg) { return json(cfg.*field); }};
}

Key double_key(const char* name, double TrainConfig::*field, double min,
               double max = std::numeric_limits<double>::infinity()) {
  return {name,
          [=](TrainConfig& cfg, const json& v, const Ctx& c) {
            double x = read_double(v, c);
            if (x < min || x > max) {
              c.fail("must be in [" + json(min).dump() + ", " +
                     (std::isinf(max) ? std::string("inf") : json(max).dump()) + "], got " +
                     json(x).dump());
            }
            cfg.*field = x;
          },
          [=](const TrainConfig& cfg) { return json(cfg.*field); }};
}

Key bool_key(const char* name, bool TrainConfig::*field) {
  return {name,
          [=](TrainConfig& cfg, const json& v, const Ctx& c) { cfg.*field = read_bool(v, c); },
          [=](const TrainConfig& cfg) { return json(cfg.*field); }};
}

Key string_key(const char* name, std::string TrainConfig::*field) {
  return {name,
          [=](TrainConfig& cfg, const json& v, const Ctx& c) { cfg.*field = read_string(v, c); },
          [=](const TrainConfig& cfg) { return json(cfg.*field); }};
}

Key choice_key(const char* name, std::string TrainConfig::*field,
               std::initializer_list<const char*> choices) {
  std::vector<const char*> copy(choices);
  return {name,
          [=](TrainConfig& cfg, const json& v, const Ctx& c) {
            std::string s = read_string(v, c);
            if (std::find_if(copy.begin(), copy.end(), [&](const char* x) { return s == x; }) ==
                copy.end()) {
              std::string list;
              for (const char* x : copy) list += (list.empty() ? "" : ", ") + std::string(x);
              c.fail("'" + s + "' is not one of: " + list);
            }
            cfg.*field = s;
          },
          [=](const TrainConfig& cfg) { return json(cfg.*field); }};
}

const std::vector<Key>& keys() {
  using C = TrainConfig;
  static const std::vector<Key> table = {
      string_key("run_name", &C::run_name),
      string_key("experiment", &C::experiment),
      // model
      choice_key("arch", &C::arch, {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152"}),
      int_key("num_classes", &C::num_classes, 2),
      bool_key("zero_init_residual", &C::zero_init_residual),
      choice_key("stem", &C::stem, {"imagenet", "cifar"}),
      // data
      choice_key("data_backend", &C::data_backend, {"folder", "list", "synthetic"}),
      string_key("data", &C::data),
      int_key("image_size", &C::image_size, 8),
      double_key("crop_scale_min", &C::crop_scale_min, 0.01, 1),
      int_key("workers", &C::workers, 1),
      int_key("prefetch", &C::prefetch, 1),
      int_key("synthetic_train_images", &C::synthetic_train_images, 1),
      int_key("synthetic_val_images", &C::synthetic_val_images, 0),
      choice_key("on_corrupt_image", &C::on_corrupt_image, {"skip", "fail"}),
      // loop
      int_key("epochs", &C::epochs, 1),
      int_key("batch_size", &C::batch_size, 1),
      int_key("optimizer_batch_size", &C::optimizer_batch_size, -1),
      int_key("training_step_per_epoch", &C::training_step_per_epoch, -1),
      int_key("eval_step_per_epoch", &C::eval_step_per_epoch, -1),
      int_key("print_freq", &C::print_freq, 1),
      int_key("skip_steps", &C::skip_steps, 0),
      int_key("eval_every", &C::eval_every, 0),
      double_key("target_top1", &C::target_top1, 0, 100),
      {"seed",
       [](TrainConfig& cfg, const json& v, const Ctx& c) {
         int64_t x = read_int(v, c);
         if (x < 0) c.fail("must be >= 0, got " + std::to_string(x));
         cfg.seed = uint64_t(x);
       },
       [](const TrainConfig& cfg) { return json(cfg.seed); }},
      bool_key("deterministic", &C::deterministic),
      int_key("threads", &C::threads, 0),
      // optimization
      choice_key("optimizer", &C::optimizer, {"sgd"}),
      double_key("lr", &C::lr, 0),
      bool_key("lr_scaling", &C::lr_scaling),
      int_key("lr_reference_batch", &C::lr_reference_batch, 1),
      choice_key("lr_schedule", &C::lr_schedule, {"step", "cosine", "linear", "onecycle"}),
      {"lr_milestones",
       [](TrainConfig& cfg, const json& v, const Ctx& c) {
         if (!v.is_array()) c.fail("expected a list of epochs, got " + type_name(v));
         std::vector<double> out;
         for (size_t i = 0; i < v.size(); ++i) {
           Ctx item{c.loc, c.path + "[" + std::to_string(i) + "]"};
           double x = read_double(v[i], item);
           if (x < 0) item.fail("must be >= 0");
           if (!out.empty() && x <= out.back()) item.fail("milestones must increase");
           out.push_back(x);
         }
         cfg.lr_milestones = std::move(out);
       },
       [](const TrainConfig& cfg) { return json(cfg.lr_milestones); }},
      double_key("lr_factor", &C::lr_factor, 0, 1),
      double_key("end_lr", &C::end_lr, 0),
      double_key("warmup_epochs", &C::warmup_epochs, 0),
      bool_key("lr_per_iteration", &C::lr_per_iteration),
      double_key("momentum", &C::momentum, 0, 1),
      bool_key("nesterov", &C::nesterov),
      double_key("weight_decay", &C::weight_decay, 0),
      bool_key("bn_weight_decay", &C::bn_weight_decay),
      double_key("label_smoothing", &C::label_smoothing, 0, 0.999),
      double_key("mixup", &C::mixup, 0),
      // precision
      choice_key("precision", &C::precision, {"fp32", "amp"}),
      choice_key("amp_dtype", &C::amp_dtype, {"auto", "fp16", "bf16"}),
      choice_key("memory_format", &C::memory_format, {"nchw", "nhwc"}),
      choice_key("conv1x1", &C::conv1x1, {"gemm", "aten"}),
      double_key("loss_scale_init", &C::loss_scale_init, 1),
      double_key("loss_scale_growth", &C::loss_scale_growth, 1),
      double_key("loss_scale_backoff", &C::loss_scale_backoff, 1e-6, 1),
      int_key("loss_scale_interval", &C::loss_scale_interval, 1),
      // output
      string_key("workspace", &C::workspace),
      string_key("log_file", &C::log_file),
      string_key("report_file", &C::report_file),
      bool_key("save_checkpoints", &C::save_checkpoints),
      string_key("checkpoint_file", &C::checkpoint_file),
      int_key("checkpoint_every_steps", &C::checkpoint_every_steps, 0),
      string_key("resume", &C::resume),
      choice_key("device", &C::device, {"cpu", "cuda"}),
  };
  return table;
}

// Relations between keys that single-key checks cannot see.
void check_combinations(const TrainConfig& cfg, const SourceLocator& loc,
                        const std::string& prefix) {
  auto fail = [&](const std::string& key, const std::string& what) {
    throw UsageError(loc.where(prefix + key) + ": " + what);
  };
  if (cfg.data_backend != "synthetic" && cfg.data.empty())
    fail("data", "required for data_backend '" + cfg.data_backend + "' (the dataset root folder)");
  if (cfg.training_step_per_epoch == 0) fail("training_step_per_epoch", "must be -1 (all) or > 0");
  if (cfg.eval_step_per_epoch == 0) fail("eval_step_per_epoch", "must be -1 (all) or > 0");
  if (cfg.optimizer_batch_size == 0) fail("optimizer_batch_size", "must be -1 or > 0");
  if (cfg.optimizer_batch_size > 0 && cfg.optimizer_batch_size % cfg.batch_size != 0)
    fail("optimizer_batch_size",
         "must be a multiple of batch_size (" + std::to_string(cfg.batch_size) + ")");
  if (cfg.warmup_epochs >= double(cfg.epochs) && cfg.warmup_epochs > 0)
    fail("warmup_epochs", "must be smaller than epochs (" + std::to_string(cfg.epochs) + ")");
  if (cfg.lr_schedule == "step") {
    for (double m : cfg.lr_milestones)
      if (m > double(cfg.epochs)) {
        const auto whole = exact_integer(m);
        fail("lr_milestones", "milestone " + (whole ? std::to_string(*whole) : json(m).dump()) +
                                  " is after the last epoch (" + std::to_string(cfg.epochs) +
                                  "): the step would never fire");
      }
  }
  if ((cfg.lr_schedule == "cosine" || cfg.lr_schedule == "linear" ||
       cfg.lr_schedule == "onecycle") &&
      cfg.end_lr > cfg.lr)
    fail("end_lr", "must not exceed lr");
  if (cfg.amp_dtype == "fp16" && cfg.device != "cuda")
    fail("amp_dtype", "fp16 autocast needs device 'cuda' (CPU autocast computes in bf16)");
  if (cfg.log_file.empty()) fail("log_file", "must not be empty");
  if (cfg.report_file.empty()) fail("report_file", "must not be empty");
  if (cfg.checkpoint_file.empty()) fail("checkpoint_file", "must not be empty");
  if (cfg.workspace.empty()) fail("workspace", "must not be empty");
}

}  // namespace

nlohmann::json TrainConfig::to_json() const {
  json out = json::object();  // std::map-backed: keys come out sorted
  for (const Key& k : keys()) out[k.name] = k.write(*this);
  return out;
}

TrainConfig parse_train_config(const nlohmann::json& doc, const SourceLocator& loc,
                               const std::string& key_prefix) {
  std::string prefix = key_prefix;
  if (!prefix.empty() && prefix.back() != '.') prefix += '.';
  if (!doc.is_object()) {
    std::string where = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    throw UsageError(loc.where(where) + ": expected a mapping of trainer keys, got " +
                     type_name(doc));
  }
  TrainConfig cfg;
  const auto& table = keys();
  for (const auto& [name, value] : doc.items()) {
    auto it =
        std::find_if(table.begin(), table.end(), [&n = name](const Key& k) { return n == k.name; });
    Ctx ctx{loc, prefix + name};
    if (it == table.end()) {
      // Suggest the closest known key: most typos are one or two letters off.
      std::string best;
      size_t best_d = 3;
      for (const Key& k : table) {
        const std::string a = name, b = k.name;
        std::vector<size_t> row(b.size() + 1);
        for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (size_t i = 1; i <= a.size(); ++i) {
          size_t prev = row[0];
          row[0] = i;
          for (size_t j = 1; j <= b.size(); ++j) {
            size_t cur = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1])});
            prev = cur;
          }
        }
        if (row[b.size()] < best_d) best_d = row[b.size()], best = k.name;
      }
      ctx.fail("unknown key" + (best.empty() ? std::string() : " (did you mean '" + best + "'?)"));
    }
    it->read(cfg, value, ctx);
  }
  check_combinations(cfg, loc, prefix);
  return cfg;
}

}  // namespace rn50::core
