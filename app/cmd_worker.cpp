// `rn50-exp worker CONFIG.json`: one rank of a data-parallel run (docs/distributed.md). The
// runner (or torchrun, SLURM, or a hand launch) starts one per device with torchrun's
// environment; this reads it, joins the process group, and trains.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "core/document.h"
#include "core/error.h"
#include "core/train_config.h"
#include "trainer/distributed.h"
#include "trainer/torch_info.h"
#include "trainer/train_loop.h"

namespace rn50::app {
namespace {

namespace fs = std::filesystem;

constexpr double kDefaultTimeoutS = 60;

struct WorkerOptions {
  std::string config;
  double timeout_s = -1;  // -1: $RN50_DIST_TIMEOUT, else kDefaultTimeoutS
  bool print_env = false;
};

std::atomic<int> g_signal{0};
extern "C" void on_worker_signal(int sig) { g_signal = sig; }

// Restores the previous handlers however the run ends.
class SignalScope {
 public:
  SignalScope()
      : old_int_(std::signal(SIGINT, on_worker_signal)),
        old_term_(std::signal(SIGTERM, on_worker_signal)) {}
  ~SignalScope() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
  }

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

double resolve_timeout(double from_flag) {
  if (from_flag > 0) return from_flag;
  const char* env = std::getenv("RN50_DIST_TIMEOUT");
  if (!env || !*env) return kDefaultTimeoutS;
  char* end = nullptr;
  double v = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(v > 0))
    throw core::UsageError(std::string("RN50_DIST_TIMEOUT='") + env +
                           "' is not a positive number of seconds");
  return v;
}

nlohmann::json env_json(const trainer::DistEnv& env) {
  return {{"rank", env.rank},
          {"world_size", env.world_size},
          {"local_rank", env.local_rank},
          {"local_world_size", env.local_world_size},
          {"master_addr", env.master_addr},
          {"master_port", env.master_port}};
}

// What the runner's manifest wants to know about this build, without training.
int print_env() {
  trainer::TorchInfo t = trainer::torch_info();
  nlohmann::json j = {{"torch_version", t.torch_version},
                      {"cuda_available", t.cuda_available},
                      {"cuda_device_count", t.cuda_device_count},
                      {"cuda_version", t.cuda_version},
                      {"cudnn_version", t.cudnn_version},
                      {"nccl_version", t.nccl_version},
                      {"device_name", t.device_name},
                      {"parallel_info", t.parallel_info},
                      {"distributed_backend", t.cuda_available ? "nccl" : "gloo"},
                      {"dist_env", env_json(trainer::DistEnv::from_environment())}};
  std::cout << j.dump(2) << std::endl;
  return 0;
}

int run_worker(const WorkerOptions& o) {
  if (o.print_env) return print_env();
  if (o.config.empty()) throw core::UsageError("worker: CONFIG is required (or --print-env)");
  if (!fs::exists(o.config)) throw core::UsageError(o.config + ": config file not found");
  core::Document doc = core::load_document(o.config);
  core::TrainConfig cfg = core::parse_train_config(doc.root, doc.locator);
  const trainer::DistEnv env = trainer::DistEnv::from_environment();
  const double timeout_s = resolve_timeout(o.timeout_s);
  const std::string who = "worker " + env.describe();

  SignalScope signals;
  try {
    auto dist = trainer::Distributed::connect(
        env, cfg.device, std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000)));

    trainer::TrainHooks hooks;
    hooks.environment = {
        {"command", "rn50-exp worker"},
        {"config_file", o.config},
        {"distributed",
         {{"backend", dist->backend()}, {"timeout_s", timeout_s}, {"env", env_json(env)}}}};
    hooks.on_line = [](const std::string& s) { std::cout << s << std::endl; };
    // A signal reaches the ranks at slightly different steps; agreeing through a sum means
    // every rank stops after the same step (and takes part in the same checkpoint), instead
    // of one rank leaving while the others wait in the next all-reduce. The vote is pipelined
    // (read one step later) so that it adds no synchronisation point to the step.
    trainer::Distributed* d = dist.get();
    hooks.should_stop = [d] { return d->pipelined_sum(g_signal.load() != 0 ? 1.0 : 0.0) > 0; };

    trainer::TrainResult r = trainer::train(cfg, *dist, hooks);
    dist->barrier();  // no rank tears the group down while another still uses it
    if (dist->is_main()) {
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "%s: %lld epochs on %lld ranks, best top-1 %.2f%% top-5 %.2f%%, %.1f s, "
                    "%.1f img/s (%.1f compute)",
                    r.status.c_str(), (long long)r.epochs_completed, (long long)env.world_size,
                    r.acc1_best, r.acc5_best, r.training_time_s, r.total_ips, r.compute_ips);
      std::cout << buf << "\nlog: " << r.log_path << "\nreport: " << r.report_path << std::endl;
    }
    if (r.status == "aborted" && g_signal != 0) return 128 + g_signal.load();
    return 0;
  } catch (const core::UsageError& e) {
    throw core::UsageError(who + ": " + e.what());
  } catch (const c10::Error& e) {
    throw core::Error(who + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw core::Error(who + ": " + e.what());
  }
}

}  // namespace

Runner setup_worker(CLI::App& parent) {
  auto opt = std::make_shared<WorkerOptions>();
  auto* sub = parent.add_subcommand(
      "worker",
      "Internal: one rank of a data-parallel run, started by `rn50-exp run` (or torchrun/SLURM) "
      "with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT set (docs/distributed.md)");
  sub->add_option("config", opt->config, "resolved trainer config (.json, .yaml)");
  sub->add_option("--timeout", opt->timeout_s,
                  "seconds a rendezvous or collective may wait for the other ranks before the "
                  "worker fails (default $RN50_DIST_TIMEOUT, else 60)")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--print-env", opt->print_env,
                "print LibTorch/distributed facts and this process's rank variables as JSON");
  return [opt] { return run_worker(*opt); };
}

}  // namespace rn50::app
