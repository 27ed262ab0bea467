// `rn50-exp train CONFIG.json|yaml [--set key=value]...`: one training process from a config
// (docs/trainer.md). `--bench` times the training step alone instead (bench/train).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "core/document.h"
#include "core/error.h"
#include "core/train_config.h"
#include "trainer/distributed.h"
#include "trainer/progress.h"
#include "trainer/train_bench.h"
#include "trainer/train_loop.h"

namespace rn50::app {
namespace {

namespace fs = std::filesystem;

struct TrainOptions {
  std::string config;
  std::vector<std::string> sets;
  bool quiet = false;
  bool bench = false;
  int64_t bench_steps = 20, bench_warmup = 5;
};

std::atomic<int> g_signal{0};
extern "C" void on_signal(int sig) { g_signal = sig; }

core::TrainConfig load_config(const TrainOptions& o) {
  if (!fs::exists(o.config)) throw core::UsageError(o.config + ": config file not found");
  core::Document doc = core::load_document(o.config);
  for (const auto& s : o.sets) core::apply_override(doc, s);
  core::TrainConfig cfg = core::parse_train_config(doc.root, doc.locator);
  // Found here rather than after minutes of model setup: the data folder must exist.
  if (cfg.data_backend != "synthetic" && !o.bench) {
    if (!fs::is_directory(cfg.data))
      throw core::UsageError(doc.locator.where("data") + ": data folder '" + cfg.data +
                             "' does not exist (create it with `rn50-exp dataset fashion-mnist "
                             "--out DIR` or point data at an ImageNet-style folder)");
  }
  if (!cfg.resume.empty() && cfg.resume != "auto" && !fs::is_regular_file(cfg.resume))
    throw core::UsageError(doc.locator.where("resume") + ": checkpoint '" + cfg.resume +
                           "' not found");
  return cfg;
}

int run_bench(const TrainOptions& o) {
  core::TrainConfig cfg = load_config(o);
  auto r = trainer::bench_train_step(cfg, o.bench_warmup, o.bench_steps);
  nlohmann::json j = {{"arch", cfg.arch},
                      {"image_size", cfg.image_size},
                      {"batch_size", cfg.batch_size},
                      {"precision", cfg.precision},
                      {"autocast_dtype", r.autocast_dtype},
                      {"device", r.device},
                      {"skipped_steps", r.skipped_steps},
                      {"loss_scale", r.loss_scale},
                      {"memory_format", cfg.memory_format},
                      {"threads", r.threads},
                      {"steps", r.steps},
                      {"seconds_per_step", r.seconds_per_step},
                      {"images_per_s", r.images_per_s}};
  std::cout << j.dump() << std::endl;
  return 0;
}

int run_train(const TrainOptions& o) {
  if (o.bench) return run_bench(o);
  core::TrainConfig cfg = load_config(o);

  trainer::ProgressDisplay progress(o.quiet ? trainer::ProgressDisplay::Mode::kQuiet
                                            : trainer::ProgressDisplay::detect_mode());
  trainer::TrainHooks hooks;
  hooks.environment = {{"command", "rn50-exp train"}, {"config_file", o.config}};
  hooks.on_progress = [&](const trainer::ProgressInfo& p) { progress.update(p); };
  hooks.on_line = [&](const std::string& s) { progress.line(s); };
  hooks.should_stop = [] { return g_signal.load() != 0; };
  auto old_int = std::signal(SIGINT, on_signal);
  auto old_term = std::signal(SIGTERM, on_signal);

  trainer::Distributed single;
  trainer::TrainResult r;
  try {
    r = trainer::train(cfg, single, hooks);
  } catch (...) {
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    progress.finish();
    throw;
  }
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  progress.finish();

  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s: %lld epochs, best top-1 %.2f%% top-5 %.2f%%, %.1f s, %.1f img/s (%.1f "
                "compute)",
                r.status.c_str(), (long long)r.epochs_completed, r.acc1_best, r.acc5_best,
                r.training_time_s, r.total_ips, r.compute_ips);
  std::cout << buf << "\n";
  if (r.time_to_target_s) std::cout << "time to target: " << *r.time_to_target_s << " s\n";
  std::cout << "log: " << r.log_path << "\nreport: " << r.report_path << "\n";
  if (!r.checkpoint_path.empty()) std::cout << "checkpoint: " << r.checkpoint_path << "\n";
  if (g_signal != 0) return 128 + g_signal.load();
  return 0;
}

}  // namespace

Runner setup_train(CLI::App& parent) {
  auto opt = std::make_shared<TrainOptions>();
  auto* sub = parent.add_subcommand(
      "train", "Train a ResNet from a config file (JSON or YAML; keys in docs/trainer-config.md)");
  sub->add_option("config", opt->config, "trainer config (.json, .yaml)")->required();
  sub->add_option("--set", opt->sets, "override a key: --set lr=0.2 (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--quiet,-q", opt->quiet, "no progress output (the log is still written)");
  sub->add_flag("--bench", opt->bench,
                "time the training step on one fixed synthetic batch instead of training");
  sub->add_option("--bench-steps", opt->bench_steps, "timed steps for --bench")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--bench-warmup", opt->bench_warmup, "untimed steps for --bench")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  return [opt] { return run_train(*opt); };
}

}  // namespace rn50::app
