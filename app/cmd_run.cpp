// `rn50-exp run EXP.yaml`: the experiment runner (docs/experiments.md).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "app/commands.h"
#include "app/version.h"
#include "core/error.h"
#include "runner/experiment_runner.h"

namespace rn50::app {

Runner setup_run(CLI::App& parent) {
  auto* sub = parent.add_subcommand(
      "run",
      "Validate an experiment file, expand its matrix, run every run (resuming earlier "
      "ones), ingest them and render the experiment's report");
  struct Args {
    std::string file, db, out = "runs", master_addr = "127.0.0.1";
    std::vector<std::string> sets;
    bool dry_run = false, no_report = false;
    int64_t nnodes = 0, node_rank = 0;
    int master_port = 0;
  };
  auto a = std::make_shared<Args>();
  sub->add_option("experiment", a->file, "Experiment file (YAML or JSON)")->required();
  sub->add_option("--set", a->sets,
                  "Override a key of the experiment file: key.path=value (repeatable), e.g. "
                  "--set base.epochs=1 --set matrix.repeats=1")
      ->allow_extra_args(false);
  sub->add_flag("--dry-run", a->dry_run,
                "Print the expanded plan (runs, nodes x ranks, batch sizes, LRs, epochs) and exit");
  sub->add_option("--out", a->out, "Folder of run directories: OUT/<experiment>/<run-id>/")
      ->capture_default_str();
  add_db_option(*sub, a->db, DbUse::kCreatesWhenAbsent);
  sub->add_flag("--no-report", a->no_report, "Do not render the report at the end");
  sub->add_option("--nnodes", a->nnodes,
                  "Nodes of a multi-node launch (start the same command on every node); only "
                  "runs using this many nodes are run. Default: SLURM_NNODES under SLURM, "
                  "else this machine alone")
      ->check(CLI::PositiveNumber);
  sub->add_option("--node-rank", a->node_rank, "This node's index in [0, nnodes)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--master-addr", a->master_addr,
                  "Address of node 0 (rendezvous of rank 0) for multi-node runs")
      ->capture_default_str();
  sub->add_option("--master-port", a->master_port,
                  "Base TCP port on node 0; run i uses port + i (default 29500 for multi-node; "
                  "a free port on a single node)");

  return [a, sub] {
    runner::RunOptions opt;
    opt.experiment_file = a->file;
    opt.sets = a->sets;
    opt.out_dir = a->out;
    opt.db_path = a->db;
    opt.dry_run = a->dry_run;
    opt.report = !a->no_report;
    if (a->nnodes > 0) {
      opt.scope.nnodes = a->nnodes;
      opt.scope.node_rank = a->node_rank;
      opt.scope.master_addr = a->master_addr;
    } else if (sub->count("--node-rank") > 0) {
      throw core::UsageError("--node-rank needs --nnodes");
    }
    opt.scope.master_port = a->master_port;
    opt.executable = self_executable();
    opt.tool = {kVersion, kGitCommit, kGitDirty};
    opt.argv = {"rn50-exp", "run", a->file};
    for (const auto& s : a->sets) {
      opt.argv.push_back("--set");
      opt.argv.push_back(s);
    }
    runner::RunSummary s = runner::run_experiment(opt);
    if (s.interrupted) return 130;
    return s.failed > 0 || s.not_started > 0 ? 1 : 0;
  };
}

}  // namespace rn50::app
