#include "runner/experiment_runner.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "core/derive.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/process.h"
#include "core/slurm_hostlist.h"
#include "core/terminal.h"
#include "core/time_util.h"
#include "report/write_report.h"
#include "runner/launcher.h"
#include "runner/progress_view.h"
#include "runner/run_ingest.h"
#include "store/database.h"

namespace rn50::runner {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

void prepare_dataset(const Experiment& exp, const RunOptions& opt) {
  const DatasetPrep& d = *exp.dataset;
  std::vector<std::string> argv = {opt.executable, "dataset", d.name, "--out", d.dir};
  argv.insert(argv.end(), d.args.begin(), d.args.end());
  std::cerr << "rn50-exp run: preparing " << d.name << " in " << d.dir
            << " (does nothing when already prepared)\n";
  const int rc = core::run_and_wait(argv);
  if (rc != 0)
    throw core::Error(exp.where("dataset") + ": `rn50-exp dataset " + d.name + " --out " + d.dir +
                      "` failed with exit code " + std::to_string(rc));
}

std::vector<RankRecord> rank_records(const LaunchResult& r) {
  std::vector<RankRecord> out;
  for (const RankExit& e : r.ranks) {
    RankRecord rec;
    rec.rank = e.rank;
    rec.pid = e.pid;
    if (e.signal)
      rec.signal = e.signal;
    else
      rec.exit_code = e.exit_code;
    rec.stopped_by_runner = e.stopped_by_runner;
    out.push_back(rec);
  }
  return out;
}

RunManifest base_manifest(const Experiment& exp, const PlannedRun& run, const RunOptions& opt,
                          const std::string& experiment_sha) {
  json derived = json::object();
  for (const auto& [k, v] : run.derived) derived[k] = v;
  RunManifest m;
  m.plan = {{"experiment", exp.name},
            {"experiment_file", exp.file},
            {"experiment_sha256", experiment_sha},
            {"role", exp.role},
            {"target_top1", exp.target_top1 ? json(*exp.target_top1) : json(nullptr)},
            {"run_id", run.id},
            {"label", run.label},
            {"index", run.index},
            {"config_sha256", run.config_sha256},
            {"identity", run.identity},
            {"matrix",
             {{"shape", run.shape.label()},
              {"nodes", run.shape.nodes},
              {"devices_per_node", run.shape.devices_per_node},
              {"world_size", run.shape.world_size()},
              {"precision", run.precision},
              {"batch_per_device", run.batch_per_device},
              {"global_batch", run.global_batch},
              {"seed", run.seed},
              {"repeat", run.repeat},
              {"derived", derived}}},
            {"seeds", {{"seed", run.config.seed}}},
            {"deterministic", run.config.deterministic},
            {"tool",
             {{"name", "rn50-exp"},
              {"version", opt.tool.version},
              {"git_commit", opt.tool.git_commit},
              {"git_dirty", opt.tool.git_dirty}}}};
  return m;
}

bool read_json_file(const fs::path& p, json& out) {
  try {
    if (!fs::exists(p)) return false;
    out = json::parse(core::read_file(p));
    return true;
  } catch (...) {
    return false;
  }
}

// The header record of the native log carries the worker's LibTorch/CUDA facts.
json torch_facts_from_log(const fs::path& log) {
  std::FILE* f = std::fopen(log.c_str(), "r");
  if (!f) return nullptr;
  char buf[1 << 16];
  json out = nullptr;
  if (std::fgets(buf, sizeof buf, f)) {
    try {
      json h = json::parse(buf);
      if (h.contains("torch")) out = h["torch"];
      if (h.contains("threads") && out.is_object()) out["threads"] = h["threads"];
    } catch (...) {
    }
  }
  std::fclose(f);
  return out;
}

}  // namespace

void apply_slurm_environment(LaunchScope& scope) {
  if (scope.nnodes) return;
  const char* nnodes = env_or_null("SLURM_NNODES");
  if (!nnodes) nnodes = env_or_null("SLURM_JOB_NUM_NODES");
  const char* nodeid = env_or_null("SLURM_NODEID");
  if (!nnodes || !nodeid) return;
  scope.nnodes = std::atoll(nnodes);
  scope.node_rank = std::atoll(nodeid);
  if (const char* addr = env_or_null("MASTER_ADDR")) {
    scope.master_addr = addr;
  } else if (const char* list = env_or_null("SLURM_JOB_NODELIST")) {
    scope.master_addr = core::first_host(list);
  }
  if (const char* port = env_or_null("MASTER_PORT")) scope.master_port = std::atoi(port);
}

RunSummary run_experiment(const RunOptions& opt) {
  // --- validate everything before anything is written
  Experiment exp = load_experiment(opt.experiment_file, opt.sets);
  Plan plan = expand_plan(exp);
  RunSummary sum;
  sum.planned = plan.runs.size();
  if (opt.dry_run) {
    std::cout << format_plan(exp, plan);
    return sum;
  }
  LaunchScope scope = opt.scope;
  apply_slurm_environment(scope);
  if (scope.nnodes && (scope.node_rank < 0 || scope.node_rank >= *scope.nnodes))
    throw core::UsageError("--node-rank " + std::to_string(scope.node_rank) + ": must be in [0, " +
                           std::to_string(*scope.nnodes) + ")");
  const std::vector<size_t> selected = select_runs(exp, plan, scope);
  sum.selected = selected.size();
  const bool multi_node = scope.nnodes && *scope.nnodes > 1;
  const bool writes_db = scope.node_rank == 0;  // global rank 0 (and its log) lives on node 0
  const std::string experiment_sha = core::sha256_hex(core::read_file(opt.experiment_file));

  std::unique_ptr<store::Database> db;
  if (writes_db) db = store::Database::open(opt.db_path);
  if (exp.dataset) prepare_dataset(exp, opt);

  const fs::path exp_dir = fs::absolute(opt.out_dir / exp.name);
  fs::create_directories(exp_dir);
  const std::atomic<bool>* interrupt = install_interrupt_handler();
  ProgressView view(std::cerr);
  std::vector<int64_t> report_run_ids;
  bool stop = false;

  for (size_t pos = 0; pos < selected.size(); ++pos) {
    const PlannedRun& run = plan.runs[selected[pos]];
    if (stop || interrupt->load()) {
      ++sum.not_started;
      continue;
    }
    const fs::path run_dir = exp_dir / run.id;
    const fs::path manifest_path = run_dir / "manifest.json";
    fs::create_directories(run_dir);
    RunManifest manifest =
        RunManifest::read(manifest_path).value_or(base_manifest(exp, run, opt, experiment_sha));
    const std::string tag =
        "[" + std::to_string(pos + 1) + "/" + std::to_string(selected.size()) + "] " + run.id;

    core::TrainConfig cfg = run.config;
    cfg.workspace = run_dir.string();
    cfg.resume = "auto";  // the trainer picks up the checkpoint of an earlier attempt
    const fs::path log_path = run_dir / cfg.log_file;

    if (manifest.status == RunState::kRunning) {
      // An earlier invocation left it running: either it still is (another runner: refuse to
      // share the run directory), or that runner died (kill -9, a crash): its ranks died with it
      // (parent-death signal), and this invocation resumes the run.
      if (manifest.supervisor && manifest.supervisor->alive())
        throw core::UsageError(manifest_path.string() + ": run " + run.id +
                               " is being run right now by " + manifest.supervisor->describe() +
                               "; two runners must not share a run directory");
      if (!manifest.attempts.empty() && !manifest.attempts.back().outcome) {
        Attempt& dead = manifest.attempts.back();
        dead.outcome = Outcome::kSupervisorDied;
        dead.reason = "the runner of this attempt (" +
                      (manifest.supervisor ? manifest.supervisor->describe() : std::string("?")) +
                      ") died; its ranks stopped with it";
      }
      manifest.status = RunState::kFailed;
      manifest.supervisor.reset();
      manifest.write(manifest_path);
      view.line(tag + ": its earlier runner died; resuming");
    }

    if (manifest.status == RunState::kFinished) {
      ++sum.skipped;
      view.line(tag + ": finished earlier, skipped");
      if (writes_db) {
        IngestOutcome ing = ingest_run(*db, exp, run, cfg, manifest, nullptr);
        manifest.ingested = ing.record(opt.db_path);
        manifest.write(manifest_path);
        report_run_ids.insert(report_run_ids.end(), ing.run_ids.begin(), ing.run_ids.end());
      }
      continue;
    }

    core::write_file_atomic(run_dir / "config.json", core::canonical_json(cfg.to_json()) + "\n");
    const bool resuming = cfg.save_checkpoints && fs::exists(run_dir / cfg.checkpoint_file);
    Attempt attempt;
    attempt.started_at = core::format_iso8601(unix_now());
    attempt.resumed_from_checkpoint = resuming;
    attempt.argv = opt.argv;
    attempt.launch = {{"nnodes", scope.nnodes.value_or(1)},
                      {"node_rank", scope.node_rank},
                      {"local_ranks", run.shape.devices_per_node}};
    manifest.status = RunState::kRunning;
    manifest.supervisor = Supervisor::self();
    manifest.host = host_info();
    manifest.env = allowed_environment();
    manifest.attempts.push_back(attempt);
    manifest.write(manifest_path);

    LaunchSpec spec;
    spec.executable = opt.executable;
    spec.args = {"worker", (run_dir / "config.json").string()};
    spec.log_dir = run_dir / "logs";
    spec.nnodes = scope.nnodes.value_or(1);
    spec.node_rank = scope.node_rank;
    spec.local_world_size = run.shape.devices_per_node;
    spec.master_addr = multi_node ? scope.master_addr : "127.0.0.1";
    // Every node derives the same port for the same run, so no extra rendezvous is needed.
    spec.master_port = multi_node ? (scope.master_port ? scope.master_port : 29500) +
                                        static_cast<int>(run.index % 1000)
                                  : (scope.master_port ? scope.master_port : find_free_port());
    spec.timeout_s = exp.timeout_s;
    spec.hang_timeout_s = exp.hang_timeout_s;
    spec.grace_s = opt.grace_s;
    spec.progress_files = {log_path};
    spec.interrupt = interrupt;
    ProgressTracker tracker(log_path);
    spec.on_tick = [&] {
      tracker.poll();
      view.update(tag, pos + 1, selected.size(), tracker);
    };
    view.line(tag + ": " + std::to_string(spec.nnodes) + " node(s) x " +
              std::to_string(spec.local_world_size) + " rank(s)" +
              (resuming ? ", resuming from checkpoint" : "") + ", logs in " +
              spec.log_dir.string());
    // The ranks' pids go into the manifest as soon as they exist (a user or a test can find them
    // should this runner die).
    LaunchResult res = launch_and_supervise(spec, [&](const std::vector<RankExit>& started) {
      for (const RankExit& e : started) {
        RankRecord rec;
        rec.rank = e.rank;
        rec.pid = e.pid;
        manifest.attempts.back().ranks.push_back(rec);
      }
      manifest.write(manifest_path);
    });
    view.finish_line();

    Attempt& last = manifest.attempts.back();
    last.ended_at = core::format_iso8601(unix_now());
    last.seconds = res.seconds;
    last.outcome = res.outcome;
    last.reason = res.reason;
    last.ranks = rank_records(res);
    manifest.status = state_after(res.outcome);
    manifest.supervisor.reset();
    if (json torch = torch_facts_from_log(log_path); !torch.is_null()) manifest.torch = torch;
    manifest.write(manifest_path);

    if (res.outcome == Outcome::kInterrupted) {
      sum.interrupted = true;
      view.line(tag + ": interrupted; run the same command again to resume it");
      continue;
    }
    json report_json;
    std::string result_text;
    if (read_json_file(run_dir / cfg.report_file, report_json) &&
        res.outcome == Outcome::kFinished) {
      char buf[160];
      std::snprintf(buf, sizeof buf, ": %.1f img/s", report_json.value("total_ips", 0.0));
      result_text = buf;
      if (cfg.eval_every > 0) {
        std::snprintf(buf, sizeof buf, ", best top-1 %.2f %%", report_json.value("acc1_best", 0.0));
        result_text += buf;
      }
    }
    if (res.outcome == Outcome::kFinished) {
      ++sum.finished;
      view.line(tag + ": finished in " + core::format_duration(res.seconds) + result_text);
    } else {
      ++sum.failed;
      std::string codes;
      for (const RankExit& e : res.ranks) codes += (codes.empty() ? "" : "; ") + e.describe();
      view.line(tag + ": FAILED (" + res.reason + "); " + codes + "; see " + spec.log_dir.string());
    }
    if (writes_db) {
      IngestOutcome ing = ingest_run(*db, exp, run, cfg, manifest, &res);
      manifest.ingested = ing.record(opt.db_path);
      manifest.write(manifest_path);
      report_run_ids.insert(report_run_ids.end(), ing.run_ids.begin(), ing.run_ids.end());
      for (const auto& m : ing.messages) view.line(tag + ": " + m);
    }
    if (res.outcome != Outcome::kFinished && exp.on_failure == "stop") {
      view.line("on_failure: stop: the remaining runs are not started");
      stop = true;
    }
  }

  if (writes_db && exp.report && opt.report && !report_run_ids.empty() && !sum.interrupted) {
    report::ReportOptions ro;
    ro.filter.run_ids = report_run_ids;
    ro.out_dir = exp_dir / "report";
    ro.format = "md,html";
    ro.target_top1 = exp.target_top1.value_or(core::kDefaultTargetTop1);
    ro.title = exp.name + (exp.description.empty() ? "" : ": " + exp.description);
    report::ReportResult rr = report::write_report(*db, ro);
    for (const auto& m : rr.messages) view.line("report: " + m);
    if (!rr.written.empty()) sum.report_file = rr.written.front();
    for (const auto& f : rr.written)
      if (f.parent_path() == ro.out_dir) view.line("report: " + f.string());
  }
  view.line(exp.name + ": " + std::to_string(sum.finished) + " finished, " +
            std::to_string(sum.failed) + " failed, " + std::to_string(sum.skipped) +
            " skipped (finished earlier)" +
            (sum.not_started ? ", " + std::to_string(sum.not_started) + " not started" : "") +
            (writes_db ? "; database " + opt.db_path : ""));
  return sum;
}

}  // namespace rn50::runner
