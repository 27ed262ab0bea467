#include "runner/plan.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/error.h"
#include "core/hash.h"
#include "parsers/numbers.h"

namespace rn50::runner {

namespace {

using core::UsageError;
using nlohmann::json;

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

Plan expand_plan(const Experiment& exp) {
  Plan plan;
  const json defaults = core::TrainConfig{}.to_json();
  for (const DeviceShape& shape : exp.devices)
    for (const std::string& precision : exp.precisions)
      for (int64_t bpd : exp.batch_per_device)
        for (uint64_t seed : exp.seeds)
          for (int64_t repeat = 0; repeat < exp.repeats; ++repeat) {
            PlannedRun run;
            run.index = plan.runs.size();
            run.shape = shape;
            run.precision = precision;
            run.batch_per_device = bpd;
            run.global_batch = bpd * shape.world_size();
            run.seed = seed;
            run.repeat = repeat;
            run.label = shape.label() + "-" + precision + "-bs" + std::to_string(bpd) + "-seed" +
                        std::to_string(seed) + "-r" + std::to_string(repeat);

            json cfg = exp.base;
            cfg["batch_size"] = bpd;
            cfg["precision"] = precision;
            cfg["seed"] = seed;
            cfg["experiment"] = exp.name;
            cfg["run_name"] = exp.name + "/" + run.label;
            if (exp.role == "time2train" && exp.target_top1 && !exp.base.contains("target_top1"))
              cfg["target_top1"] = *exp.target_top1;

            const std::map<std::string, double> vars = {
                {"global_batch", double(run.global_batch)},
                {"batch_per_device", double(bpd)},
                {"devices", double(shape.world_size())},
                {"nodes", double(shape.nodes)},
                {"devices_per_node", double(shape.devices_per_node)}};
            for (const DerivedValue& d : exp.derived) {
              double value = 0;
              try {
                value = d.expr.evaluate(vars);
              } catch (const std::domain_error& e) {
                throw UsageError(exp.where("derived." + d.key) + ": '" + d.expr.text() +
                                 "': " + e.what() + " for run " + run.label);
              }
              if (defaults[d.key].is_number_integer()) {
                const double r = std::round(value);
                if (std::fabs(value - r) > 1e-9 * std::max(1.0, std::fabs(value)))
                  throw UsageError(exp.where("derived." + d.key) + ": '" + d.expr.text() +
                                   "' = " + format_number(value) + " for run " + run.label +
                                   ", but " + d.key + " needs an integer");
                const auto whole = parsers::to_int64(r);
                if (!whole)
                  throw UsageError(exp.where("derived." + d.key) + ": '" + d.expr.text() +
                                   "' = " + format_number(value) + " for run " + run.label +
                                   ", beyond the range of " + d.key + " (an integer below 2^63)");
                cfg[d.key] = *whole;
              } else {
                cfg[d.key] = value;
              }
              run.derived[d.key] = value;
            }
            try {
              run.config = core::parse_train_config(cfg, exp.doc.locator, "base");
            } catch (const UsageError& e) {
              rethrow_trainer_error(exp, e.what());
            }

            json config_json = run.config.to_json();
            config_json.erase("workspace");
            config_json.erase("resume");
            run.identity = {{"experiment", exp.name}, {"role", exp.role},
                            {"nodes", shape.nodes},   {"devices_per_node", shape.devices_per_node},
                            {"repeat", repeat},       {"config", config_json}};
            run.config_sha256 = core::sha256_hex(core::canonical_json(run.identity));
            run.id = run.label + "-" + run.config_sha256.substr(0, 8);
            run.tags = {{"role", exp.role},
                        {"run_id", run.id},
                        {"config_sha256", run.config_sha256},
                        {"shape", shape.label()},
                        {"nodes", std::to_string(shape.nodes)},
                        {"devices_per_node", std::to_string(shape.devices_per_node)},
                        {"devices", std::to_string(shape.world_size())},
                        {"precision", precision},
                        {"batch_per_device", std::to_string(bpd)},
                        {"seed", std::to_string(seed)},
                        {"repeat", std::to_string(repeat)}};
            plan.runs.push_back(std::move(run));
          }
  return plan;
}

std::vector<size_t> select_runs(const Experiment& exp, const Plan& plan, const LaunchScope& scope) {
  const unsigned cores =
      scope.cpu_cores ? scope.cpu_cores : std::max(1u, std::thread::hardware_concurrency());
  std::vector<size_t> selected;
  for (const PlannedRun& run : plan.runs) {
    const DeviceShape& s = run.shape;
    if (!scope.nnodes) {
      if (s.nodes > 1)
        throw UsageError(exp.where(s.key) + ": run " + run.label + " needs " +
                         std::to_string(s.nodes) + " nodes; start `rn50-exp run " + exp.file +
                         " --nnodes " + std::to_string(s.nodes) +
                         " --node-rank R --master-addr HOST` on each node (or under SLURM), or "
                         "use --dry-run to see the plan");
    } else if (s.nodes != *scope.nnodes) {
      continue;
    }
    if (run.config.device == "cpu" && s.devices_per_node > static_cast<int64_t>(cores))
      throw UsageError(exp.where(s.key) + ": run " + run.label + " starts " +
                       std::to_string(s.devices_per_node) + " CPU ranks on one node but this " +
                       "machine has " + std::to_string(cores) +
                       " cores; use fewer devices per node or several nodes (--nnodes)");
    selected.push_back(run.index);
  }
  if (selected.empty() && scope.nnodes)
    throw UsageError(exp.where("matrix") + ": no run of the plan uses " +
                     std::to_string(*scope.nnodes) + " nodes (--nnodes)");
  return selected;
}

std::string format_plan(const Experiment& exp, const Plan& plan) {
  std::ostringstream out;
  out << "experiment " << exp.name << " (" << exp.file << "): role " << exp.role;
  if (exp.target_top1) out << ", target top-1 " << format_number(*exp.target_top1) << " %";
  out << ", " << plan.runs.size() << (plan.runs.size() == 1 ? " run" : " runs") << "\n";
  if (!exp.description.empty()) out << "  " << exp.description << "\n";
  for (const DerivedValue& d : exp.derived)
    out << "  derived " << d.key << " = " << d.expr.text() << "\n";
  const size_t n = plan.runs.size();
  for (const PlannedRun& r : plan.runs) {
    const core::TrainConfig& c = r.config;
    out << "[" << r.index + 1 << "/" << n << "] " << r.id << "  nodes " << r.shape.nodes
        << " x ranks " << r.shape.devices_per_node << " = " << r.shape.world_size()
        << "  batch/device " << r.batch_per_device << "  global batch " << r.global_batch;
    if (c.optimizer_batch_size > 0 && c.optimizer_batch_size != r.global_batch)
      out << "  optimizer batch " << c.optimizer_batch_size;
    out << "  lr " << format_number(c.lr);
    if (c.lr_scaling) {
      const int64_t opt_batch =
          c.optimizer_batch_size > 0 ? c.optimizer_batch_size : r.global_batch;
      out << " (scaled " << format_number(c.lr * double(opt_batch) / double(c.lr_reference_batch))
          << ")";
    }
    out << " " << c.lr_schedule;
    if (c.warmup_epochs > 0) out << " warmup " << format_number(c.warmup_epochs);
    out << "  epochs " << c.epochs;
    if (c.training_step_per_epoch > 0) out << " (" << c.training_step_per_epoch << " steps each)";
    out << "  precision " << r.precision << "  seed " << r.seed << "  repeat " << r.repeat + 1
        << "/" << exp.repeats << "  device " << c.device << "\n";
  }
  return out.str();
}

}  // namespace rn50::runner
