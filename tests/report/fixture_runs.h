// Loads tests/fixtures/report/runs.json (a small fixed input) into StoredRun values, so the
// analysis and golden tests need no database.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "store/queries.h"
#include "test_support.h"

namespace rn50::testing {

inline std::vector<store::StoredRun> load_fixture_runs(const std::string& name = "runs.json") {
  std::ifstream in(fixtures_dir() / "report" / name);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str());
  std::vector<store::StoredRun> out;
  auto dbl = [](const nlohmann::json& o, const char* k) -> std::optional<double> {
    if (!o.contains(k) || o[k].is_null()) return std::nullopt;
    return o[k].get<double>();
  };
  auto i64 = [](const nlohmann::json& o, const char* k) -> std::optional<int64_t> {
    if (!o.contains(k) || o[k].is_null()) return std::nullopt;
    return o[k].get<int64_t>();
  };
  for (const auto& r : j) {
    store::StoredRun s;
    s.id = r["id"];
    s.experiment = r["experiment"];
    s.source_path = r["source_path"];
    s.source_sha256 = r["source_sha256"];
    s.ingested_at = r["ingested_at"];
    const auto& x = r["run"];
    auto& run = s.run;
    run.source_format = x["source_format"];
    run.name = x["name"];
    run.status = *core::run_status_from_string(x["status"].get<std::string>());
    run.start_time = dbl(x, "start_time");
    run.end_time = dbl(x, "end_time");
    if (auto v = i64(x, "world_size")) run.world_size.set(*v);
    if (auto v = i64(x, "nodes")) run.nodes.set(*v);
    if (auto v = i64(x, "batch_per_device")) run.batch_per_device.set(*v);
    if (auto v = i64(x, "epochs_planned")) run.epochs_planned.set(*v);
    if (x.contains("precision")) run.precision.set(x["precision"].get<std::string>());
    for (auto& [k, v] : x["params"].items()) run.set_param(k, v.get<std::string>());
    for (auto& [k, v] : x["tags"].items()) run.tags.emplace_back(k, v.get<std::string>());
    const auto& d = x["derived"];
    auto& o = run.derived;
    o.best_top1 = dbl(d, "best_top1");
    o.best_top5 = dbl(d, "best_top5");
    o.last_top1 = dbl(d, "last_top1");
    o.best_top1_epoch = i64(d, "best_top1_epoch");
    o.total_ips = dbl(d, "total_ips");
    o.compute_ips = dbl(d, "compute_ips");
    o.summary_total_ips = dbl(d, "summary_total_ips");
    o.summary_compute_ips = dbl(d, "summary_compute_ips");
    o.target_top1 = dbl(d, "target_top1");
    o.time_to_target_s = dbl(d, "time_to_target_s");
    o.target_epoch = i64(d, "target_epoch");
    o.wall_time_s = dbl(d, "wall_time_s");
    o.step_time_p50 = dbl(d, "step_time_p50");
    o.step_time_p90 = dbl(d, "step_time_p90");
    o.step_time_p99 = dbl(d, "step_time_p99");
    if (d.contains("total_ips_definition")) o.total_ips_definition = d["total_ips_definition"];
    if (d.contains("compute_ips_definition"))
      o.compute_ips_definition = d["compute_ips_definition"];
    for (const auto& e : x["epochs"]) {
      core::EpochRecord er;
      er.epoch = e["epoch"];
      er.top1 = dbl(e, "top1");
      er.top5 = dbl(e, "top5");
      er.train_loss = dbl(e, "train_loss");
      er.time = dbl(e, "time");
      run.epochs.push_back(er);
    }
    if (!run.epochs.empty()) run.epochs_completed = static_cast<int64_t>(run.epochs.size());
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace rn50::testing
