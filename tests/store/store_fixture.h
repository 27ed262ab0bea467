// Hand-built parsed files for store tests: every field set, so a round trip can check them all.
#pragma once

#include <sqlite3.h>

#include <string>

#include "core/parsed_file.h"
#include "store/database.h"
#include "store/ingest.h"
#include "store/sqlite_util.h"

namespace rn50::store::testing {

inline core::RunRecord make_run(const std::string& key, int n_iters) {
  core::RunRecord r;
  r.source_format = "ngc-dllogger-stdout";
  r.run_key = key;
  r.name = "run " + key;
  r.status = core::RunStatus::kFinished;
  r.start_time = 1616491482.127408;
  r.end_time = 1616628817.4;
  r.world_size.set(8, core::Source::kLog);
  r.nodes.set(1, core::Source::kInferred, "one host name in the log");
  r.batch_per_device.set(256, core::Source::kUser);
  r.global_batch.set(2048, core::Source::kInferred, "batch_per_device x world_size");
  r.epochs_planned.set(90);
  r.precision.set("amp");
  r.epochs_completed = 2;
  r.set_param("lr", "2.048");
  r.set_param("arch", "resnet50");
  r.set_param("seed", "None", core::Source::kInferred);
  r.tags = {{"role", "baseline"}, {"site", "lab|1"}};
  for (int i = 0; i < n_iters; ++i) {
    core::MetricPoint loss{"train.loss", "iter", 0.0, i * 100, 1616491482.0 + i, 7.0 - i * 0.01};
    core::MetricPoint ips{"train.total_ips", "iter", 0.0, i * 100, 1616491482.0 + i, 850.0 + i};
    r.metrics.push_back(loss);
    r.metrics.push_back(ips);
  }
  r.metrics.push_back({"val.top1", "epoch", 1.0, std::nullopt, std::nullopt, 76.5});
  r.metrics.push_back(
      {"train.total_ips", "summary", std::nullopt, std::nullopt, 1616628817.4, 854.37});
  r.epochs.push_back({0, 3.5, 10.25, 25.5, 0.256, 851.5, 859.0, 1616493000.0});
  r.epochs.push_back({1, 3.1, 76.63, 93.04, 0.5, 852.5, 860.0, 1616494000.0});
  r.events.push_back({"run_start", 1616491482.127408, std::nullopt, "null", "{}"});
  r.events.push_back({"eval_accuracy", 1616494000.0, 1.0, "0.7663", "{\"epoch_num\": 1}"});
  core::Derived& d = r.derived;
  d.best_top1 = 76.63;
  d.best_top1_epoch = 1;
  d.best_top5 = 93.04;
  d.last_top1 = 76.63;
  d.total_ips = 852.0;
  d.compute_ips = 859.5;
  d.total_ips_definition = "sum images / sum seconds after 100 warm-up steps";
  d.compute_ips_definition = "mean train.compute_ips of steady iterations";
  d.summary_total_ips = 854.37;
  d.summary_compute_ips = 859.24;
  d.summary_top1 = 76.63;
  d.summary_top5 = 93.04;
  d.target_top1 = 75.9;
  d.time_to_target_s = 2517.87;
  d.target_epoch = 1;
  d.wall_time_s = 137335.28;
  d.step_time_p50 = 0.298;
  d.step_time_p90 = 0.301;
  d.step_time_p99 = 0.35;
  return r;
}

inline core::ParsedFile make_parsed(int runs = 2, int n_iters = 50) {
  core::ParsedFile pf;
  pf.format = "ngc-dllogger-stdout";
  pf.parser_version = "1";
  for (int i = 0; i < runs; ++i) pf.runs.push_back(make_run("r" + std::to_string(i), n_iters));
  pf.diagnostics.push_back({core::Severity::kWarning, 12, "unparsed DLL line"});
  return pf;
}

inline SourceFileInfo make_file(const std::string& name, char fill = 'a') {
  return SourceFileInfo{name, std::string(64, fill), 1234};
}

inline int64_t count(Database& db, const std::string& table) {
  return query_int(db.raw(), "SELECT count(*) FROM " + table);
}

}  // namespace rn50::store::testing
