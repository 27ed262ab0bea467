// timm's args.yaml (train.py writes yaml.safe_dump(args.__dict__) into the output folder, beside
// summary.csv): the only place where a timm run states its batch size, epochs and model. A parser
// sees one file, so `rn50-exp ingest` finds the args file and applies it, as it does the MLPerf
// system description (parsers/mlperf_system.h). Read without a YAML library: the file is one flat
// mapping of scalars and block lists.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_record.h"

namespace rn50::parsers {

// The args file of a timm file: for `summary<suffix>.csv` the `args<suffix>.yaml` in the same
// folder (timm writes `summary.csv` and `args.yaml`; collections rename both alike, e.g.
// summary_res50_100.csv / args_res50_100.yaml), else `args.yaml` there; nullopt when there is
// none.
std::optional<std::filesystem::path> find_timm_args(const std::filesystem::path& timm_file);

// Applies the args text (read from `file_name`) to a run of format "timm" and returns warnings
// ("<file>:<line>: <key>: ..."). Sets, unless the run already knows them (from its log or --set):
//   batch_per_device  batch_size (per process), source log, detail naming the file;
//   epochs_planned    epochs + cooldown_epochs for the cycle schedulers (cosine, tanh, poly) with
//                     one cycle, epochs for step, multistep and plateau (what train.py runs),
//                     otherwise left unknown;
//   precision         amp / bf16 when amp, apex_amp or native_amp is true, fp32 (inferred) when
//                     they are all false;
// params "args.<key>" for every top-level key, and the status `finished` when the run's epochs
// reach epochs_planned. World size is not in the file: it stays unknown (--set world_size=N).
std::vector<std::string> apply_timm_args(core::RunRecord& run, std::string_view yaml_text,
                                         const std::string& file_name);

}  // namespace rn50::parsers
