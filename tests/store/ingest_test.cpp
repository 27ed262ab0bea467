#include "store/ingest.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "store/info.h"
#include "store/queries.h"
#include "store/sqlite_util.h"
#include "store_fixture.h"

namespace rn50::store {
namespace {

using testing::count;
using testing::make_file;
using testing::make_parsed;
using testing::make_run;

const char* kTables[] = {"experiments",   "source_files", "runs",        "facts",
                         "params",        "tags",         "metric_keys", "metric_series",
                         "metric_points", "epochs",       "events",      "ingest_diagnostics",
                         "memberships"};

std::map<std::string, int64_t> all_counts(Database& db) {
  std::map<std::string, int64_t> m;
  for (const char* t : kTables) m[t] = count(db, t);
  return m;
}

template <class T>
void expect_fact(const core::Fact<T>& got, const core::Fact<T>& want, const char* name) {
  EXPECT_EQ(got.value, want.value) << name;
  EXPECT_EQ(got.source, want.source) << name;
  EXPECT_EQ(got.detail, want.detail) << name;
}

TEST(Ingest, RoundTripKeepsEveryField) {
  auto db = Database::open(":memory:");
  const core::ParsedFile pf = make_parsed(2, 20);
  IngestOptions opt;
  opt.experiment = "airank";
  opt.tags = {{"site", "override"}, {"batch", "7"}};
  IngestResult res = ingest_parsed(*db, make_file("logs/x.log"), pf, opt);
  EXPECT_FALSE(res.already_ingested);
  ASSERT_EQ(res.run_ids.size(), 2u);
  EXPECT_EQ(res.metric_rows, 2 * (20 * 2 + 2));
  EXPECT_EQ(res.epoch_rows, 4);
  EXPECT_EQ(res.diagnostics, 1);

  auto runs = load_runs(*db, {}, Detail::kAll);
  ASSERT_EQ(runs.size(), 2u);
  const StoredRun& s = runs[0];
  EXPECT_EQ(s.id, res.run_ids[0]);
  EXPECT_EQ(s.experiment, "airank");
  EXPECT_EQ(s.source_path, "logs/x.log");
  EXPECT_EQ(s.source_sha256, std::string(64, 'a'));
  EXPECT_EQ(s.ingested_at.size(), 24u) << s.ingested_at;  // 2024-01-01T00:00:00.000Z

  const core::RunRecord want = make_run("r0", 20);
  const core::RunRecord& got = s.run;
  EXPECT_EQ(got.source_format, want.source_format);
  EXPECT_EQ(got.run_key, "r0");
  EXPECT_EQ(got.name, "run r0");
  EXPECT_EQ(got.status, core::RunStatus::kFinished);
  EXPECT_EQ(got.start_time, want.start_time);
  EXPECT_EQ(got.end_time, want.end_time);
  expect_fact(got.world_size, want.world_size, "world_size");
  expect_fact(got.nodes, want.nodes, "nodes");
  expect_fact(got.batch_per_device, want.batch_per_device, "batch_per_device");
  expect_fact(got.global_batch, want.global_batch, "global_batch");
  expect_fact(got.epochs_planned, want.epochs_planned, "epochs_planned");
  expect_fact(got.precision, want.precision, "precision");
  EXPECT_EQ(got.epochs_completed, 2);

  ASSERT_EQ(got.params.size(), 3u);  // sorted by key
  EXPECT_EQ(got.params[0].key, "arch");
  EXPECT_EQ(got.params[1].value, "2.048");
  EXPECT_EQ(got.params[2].key, "seed");
  EXPECT_EQ(got.params[2].source, core::Source::kInferred);

  // Run tags plus --tag values; --tag wins for the same key.
  const std::vector<std::pair<std::string, std::string>> tags = {
      {"batch", "7"}, {"role", "baseline"}, {"site", "override"}};
  EXPECT_EQ(got.tags, tags);

  ASSERT_EQ(got.epochs.size(), 2u);
  EXPECT_EQ(got.epochs[1].epoch, 1);
  EXPECT_EQ(got.epochs[1].top1, 76.63);
  EXPECT_EQ(got.epochs[1].top5, 93.04);
  EXPECT_EQ(got.epochs[0].lr, 0.256);
  EXPECT_EQ(got.epochs[0].train_loss, 3.5);
  EXPECT_EQ(got.epochs[0].total_ips, 851.5);
  EXPECT_EQ(got.epochs[0].compute_ips, 859.0);
  EXPECT_EQ(got.epochs[0].time, 1616493000.0);

  ASSERT_EQ(got.metrics.size(), want.metrics.size());
  // Grouped by series, file order inside a series.
  std::vector<core::MetricPoint> loss;
  for (const auto& m : got.metrics)
    if (m.key == "train.loss") loss.push_back(m);
  ASSERT_EQ(loss.size(), 20u);
  EXPECT_EQ(loss[3].step, 300);
  EXPECT_EQ(loss[3].epoch, 0.0);
  EXPECT_EQ(loss[3].time, 1616491485.0);
  EXPECT_DOUBLE_EQ(loss[3].value, 7.0 - 0.03);
  auto series = load_metric_series(*db, s.id, "train.total_ips", "summary");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].value, 854.37);
  EXPECT_FALSE(series[0].step.has_value());

  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.events[1].key, "eval_accuracy");
  EXPECT_EQ(got.events[1].epoch, 1.0);
  EXPECT_EQ(got.events[1].value_json, "0.7663");
  EXPECT_EQ(got.events[1].metadata_json, "{\"epoch_num\": 1}");

  const core::Derived& d = got.derived;
  const core::Derived& w = want.derived;
  EXPECT_EQ(d.best_top1, w.best_top1);
  EXPECT_EQ(d.best_top1_epoch, w.best_top1_epoch);
  EXPECT_EQ(d.best_top5, w.best_top5);
  EXPECT_EQ(d.last_top1, w.last_top1);
  EXPECT_EQ(d.total_ips, w.total_ips);
  EXPECT_EQ(d.compute_ips, w.compute_ips);
  EXPECT_EQ(d.total_ips_definition, w.total_ips_definition);
  EXPECT_EQ(d.compute_ips_definition, w.compute_ips_definition);
  EXPECT_EQ(d.summary_total_ips, w.summary_total_ips);
  EXPECT_EQ(d.summary_compute_ips, w.summary_compute_ips);
  EXPECT_EQ(d.summary_top1, w.summary_top1);
  EXPECT_EQ(d.summary_top5, w.summary_top5);
  EXPECT_EQ(d.target_top1, w.target_top1);
  EXPECT_EQ(d.time_to_target_s, w.time_to_target_s);
  EXPECT_EQ(d.target_epoch, w.target_epoch);
  EXPECT_EQ(d.wall_time_s, w.wall_time_s);
  EXPECT_EQ(d.step_time_p50, w.step_time_p50);
  EXPECT_EQ(d.step_time_p90, w.step_time_p90);
  EXPECT_EQ(d.step_time_p99, w.step_time_p99);
}

TEST(Ingest, DetailLevelsLoadOnlyWhatIsAsked) {
  auto db = Database::open(":memory:");
  ingest_parsed(*db, make_file("a.log"), make_parsed(1, 5), {});
  auto summary = load_runs(*db, {}, Detail::kSummary);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_TRUE(summary[0].run.epochs.empty());
  EXPECT_TRUE(summary[0].run.metrics.empty());
  EXPECT_EQ(summary[0].run.params.size(), 3u);
  auto epochs = load_runs(*db, {}, Detail::kEpochs);
  EXPECT_EQ(epochs[0].run.epochs.size(), 2u);
  EXPECT_TRUE(epochs[0].run.metrics.empty());
  EXPECT_TRUE(epochs[0].run.events.empty());
}

// The same bytes again: no second copy of the run, its metrics or epochs; under another
// experiment or path the run joins it (a membership); the same experiment and path is a no-op.
TEST(Ingest, IdenticalContentIsStoredOnceAndJoinsEveryExperimentItIsIngestedUnder) {
  auto db = Database::open(":memory:");
  const auto pf = make_parsed(1, 5);
  EXPECT_FALSE(is_ingested(*db, std::string(64, 'a')));
  const IngestResult first = ingest_parsed(*db, make_file("a.log"), pf, {});
  EXPECT_TRUE(is_ingested(*db, std::string(64, 'a')));
  auto before = all_counts(*db);
  EXPECT_EQ(before["memberships"], 1);

  IngestOptions other;
  other.experiment = "elsewhere";
  other.tags = {{"copy", "yes"}};
  IngestResult again = ingest_parsed(*db, make_file("copy-of-a.log"), pf, other);
  EXPECT_TRUE(again.already_ingested);
  EXPECT_TRUE(again.run_ids.empty());
  EXPECT_EQ(again.memberships_added, 1);
  auto after = all_counts(*db);
  EXPECT_EQ(after["memberships"], 2);
  EXPECT_EQ(after["experiments"], before["experiments"] + 1);
  for (const char* t : {"runs", "metric_points", "metric_series", "epochs", "events", "params",
                        "facts", "source_files"})
    EXPECT_EQ(after[t], before[t]) << t;

  const IngestResult third = ingest_parsed(*db, make_file("copy-of-a.log"), pf, other);
  EXPECT_TRUE(third.already_ingested);
  EXPECT_EQ(third.memberships_added, 0);
  EXPECT_EQ(all_counts(*db), after);

  // Both experiments see the run, under the path it was ingested with there.
  for (const auto& [exp, path] :
       {std::pair<std::string, std::string>{"default", "a.log"}, {"elsewhere", "copy-of-a.log"}}) {
    RunFilter f;
    f.experiment = exp;
    const auto runs = load_runs(*db, f, Detail::kEpochs);
    ASSERT_EQ(runs.size(), 1u) << exp;
    EXPECT_EQ(runs[0].id, first.run_ids[0]) << exp;
    EXPECT_EQ(runs[0].source_path, path) << exp;
    EXPECT_EQ(runs[0].run.epochs.size(), pf.runs[0].epochs.size()) << exp;
  }
  EXPECT_EQ(load_runs(*db, {}, Detail::kSummary).size(), 2u);
}

TEST(Ingest, FailureMidwayLeavesDatabaseExactlyAsItWas) {
  auto db = Database::open(":memory:");
  ingest_parsed(*db, make_file("good.log", 'g'), make_parsed(1, 5), {});
  const auto before = all_counts(*db);

  // The second run's last metric violates the level constraint after many rows went in.
  core::ParsedFile bad = make_parsed(2, 30);
  bad.runs[1].metrics.push_back({"train.loss", "bogus", 0.0, 1, std::nullopt, 1.0});
  IngestOptions opt;
  opt.experiment = "new-experiment";
  try {
    ingest_parsed(*db, make_file("bad.log", 'b'), bad, opt);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.log"), std::string::npos) << msg;
    EXPECT_NE(msg.find("database unchanged"), std::string::npos) << msg;
    EXPECT_NE(msg.find("run 'r1': metrics"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bogus"), std::string::npos) << msg;
  }
  EXPECT_EQ(all_counts(*db), before);
  EXPECT_FALSE(is_ingested(*db, std::string(64, 'b')));
  EXPECT_EQ(list_experiments(*db), std::vector<std::string>{"default"});

  // Two runs with the same key in one file: also refused as a whole.
  core::ParsedFile dup = make_parsed(2, 3);
  dup.runs[1].run_key = "r0";
  EXPECT_THROW(ingest_parsed(*db, make_file("dup.log", 'd'), dup, {}), core::Error);
  EXPECT_EQ(all_counts(*db), before);
}

TEST(Ingest, DeletingASourceFileRemovesItsRunsAndPoints) {
  auto db = Database::open(":memory:");
  ingest_parsed(*db, make_file("a.log", 'a'), make_parsed(2, 100), {});
  ingest_parsed(*db, make_file("b.log", 'b'), make_parsed(1, 70), {});
  const int64_t b_points = 70 * 2 + 2;
  // Series own contiguous point ranges; history rows come back in log order.
  EXPECT_EQ(query_int(db->raw(),
                      "SELECT count(*) FROM v_metric_history WHERE key = 'train.loss' "
                      "AND level = 'iter' AND seq = step / 100"),
            2 * 100 + 70);
  exec(db->raw(), "DELETE FROM source_files WHERE path = 'a.log'");
  EXPECT_EQ(count(*db, "runs"), 1);
  EXPECT_EQ(count(*db, "metric_series"), 4);
  EXPECT_EQ(count(*db, "metric_points"), b_points);
  EXPECT_EQ(count(*db, "params"), 3);
  EXPECT_EQ(count(*db, "epochs"), 2);
  EXPECT_EQ(count(*db, "ingest_diagnostics"), 1);
  // New points append after the surviving ones and stay loadable.
  ingest_parsed(*db, make_file("c.log", 'c'), make_parsed(1, 5), {});
  auto runs = load_runs(*db, {}, Detail::kAll);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run.metrics.size(), static_cast<size_t>(b_points));
  EXPECT_EQ(runs[1].run.metrics.size(), 5u * 2 + 2);
}

TEST(Ingest, ProvenanceRowsNameTheirSource) {
  auto db = Database::open(":memory:");
  IngestResult res = ingest_parsed(*db, make_file("a.log"), make_parsed(1, 2), {});
  Statement st(db->raw(),
               "SELECT field, source, detail FROM facts WHERE run_id = ? ORDER BY field");
  st.bind(1, res.run_ids[0]);
  std::map<std::string, std::pair<std::string, std::string>> facts;
  while (st.step()) facts[st.col_text(0)] = {st.col_text(1), st.col_text(2)};
  EXPECT_EQ(facts["world_size"].first, "log");
  EXPECT_EQ(facts["nodes"],
            std::make_pair(std::string("inferred"), std::string("one host name in the log")));
  EXPECT_EQ(facts["batch_per_device"].first, "user");
  EXPECT_EQ(facts["global_batch"].second, "batch_per_device x world_size");
  EXPECT_EQ(facts["total_ips"].first, "inferred");
  EXPECT_EQ(facts["summary_total_ips"].first, "log");
  EXPECT_EQ(facts.size(), 10u);
}

TEST(Ingest, NanValuesAndDuplicateEpochs) {
  auto db = Database::open(":memory:");
  core::ParsedFile pf = make_parsed(1, 1);
  pf.runs[0].metrics.push_back({"train.loss", "iter", 0.0, 7, std::nullopt, std::nan("")});
  pf.runs[0].epochs.push_back({1, 2.0, 77.0, 93.5, 0.1, 1.0, 2.0, std::nullopt});
  IngestResult res = ingest_parsed(*db, make_file("nan.log"), pf, {});
  EXPECT_EQ(res.epoch_rows, 2);
  EXPECT_EQ(res.diagnostics, 2);  // the parser's warning + "epoch 1 has two records"
  auto runs = load_runs(*db, {}, Detail::kAll);
  EXPECT_EQ(runs[0].run.epochs[1].top1, 77.0);  // the later record wins
  int nans = 0;
  for (const auto& m : runs[0].run.metrics) nans += std::isnan(m.value);
  EXPECT_EQ(nans, 1);
  EXPECT_EQ(query_int(db->raw(),
                      "SELECT count(*) FROM ingest_diagnostics WHERE origin = 'ingest' "
                      "AND message LIKE '%epoch 1 has two records%'"),
            1);
}

TEST(Queries, FiltersByExperimentTagsAndIds) {
  auto db = Database::open(":memory:");
  IngestOptions a;
  a.experiment = "a";
  a.tags = {{"gpu", "v100"}};
  IngestOptions b;
  b.experiment = "b";
  b.tags = {{"gpu", "a100"}};
  auto ra = ingest_parsed(*db, make_file("a.log", 'a'), make_parsed(2, 1), a);
  auto rb = ingest_parsed(*db, make_file("b.log", 'b'), make_parsed(3, 1), b);

  RunFilter by_exp;
  by_exp.experiment = "b";
  EXPECT_EQ(load_runs(*db, by_exp, Detail::kSummary).size(), 3u);

  RunFilter by_tag;
  by_tag.tags = {{"gpu", "v100"}, {"role", "baseline"}};
  auto tagged = load_runs(*db, by_tag, Detail::kEpochs);
  ASSERT_EQ(tagged.size(), 2u);
  EXPECT_EQ(tagged[0].experiment, "a");
  EXPECT_EQ(tagged[0].run.epochs.size(), 2u);

  RunFilter none;
  none.tags = {{"gpu", "v100"}, {"role", "other"}};
  EXPECT_TRUE(load_runs(*db, none, Detail::kAll).empty());

  RunFilter ids;
  ids.run_ids = {ra.run_ids[1], rb.run_ids[2]};
  auto picked = load_runs(*db, ids, Detail::kAll);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].id, ra.run_ids[1]);
  EXPECT_EQ(picked[1].run.metrics.size(), 4u);
  EXPECT_EQ(list_experiments(*db), (std::vector<std::string>{"a", "b"}));
}

TEST(Views, RunSummaryAndThroughputMedian) {
  auto db = Database::open(":memory:");
  // Four 8-device runs with total_ips 100, 400, 200, 300 (median 250) and one at 1 device.
  const double ips[] = {100, 400, 200, 300};
  char fill = 'a';
  for (double v : ips) {
    core::ParsedFile pf = make_parsed(1, 1);
    pf.runs[0].derived.total_ips = v;
    pf.runs[0].derived.compute_ips = v == 400 ? std::nullopt : std::optional<double>(v + 1);
    ingest_parsed(*db, make_file("r.log", fill++), pf, {});
  }
  core::ParsedFile one = make_parsed(1, 1);
  one.runs[0].world_size.set(1);
  ingest_parsed(*db, make_file("one.log", fill++), one, {});
  // The bytes of the first run again under another path of the same experiment: one more
  // membership (v_run_summary shows both paths) but still one run in the median.
  {
    core::ParsedFile again = make_parsed(1, 1);
    again.runs[0].derived.total_ips = 100;
    again.runs[0].derived.compute_ips = 101;
    EXPECT_EQ(ingest_parsed(*db, make_file("copy/r.log", 'a'), again, {}).memberships_added, 1);
  }

  Statement st(db->raw(),
               "SELECT runs, median_total_ips, min_total_ips, max_total_ips, n_compute_ips, "
               "median_compute_ips FROM v_throughput_by_devices WHERE world_size = 8");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.col_int(0), 4);
  EXPECT_DOUBLE_EQ(st.col_double(1), 250.0);
  EXPECT_DOUBLE_EQ(st.col_double(2), 100.0);
  EXPECT_DOUBLE_EQ(st.col_double(3), 400.0);
  EXPECT_EQ(st.col_int(4), 3);
  EXPECT_DOUBLE_EQ(st.col_double(5), 201.0);  // median of 101, 201, 301

  Statement sum(db->raw(),
                "SELECT experiment, status, wall_time_s, tags, start_time FROM v_run_summary "
                "ORDER BY run_id LIMIT 1");
  ASSERT_TRUE(sum.step());
  EXPECT_EQ(sum.col_text(0), "default");
  EXPECT_EQ(sum.col_text(1), "finished");
  EXPECT_DOUBLE_EQ(sum.col_double(2), 137335.28);
  EXPECT_EQ(sum.col_text(3), "role=baseline, site=lab|1");
  EXPECT_EQ(sum.col_text(4), "2021-03-23T09:24:42.127Z");

  Statement ep(db->raw(), "SELECT epoch, top1, t FROM v_epoch_metrics ORDER BY run_id, epoch");
  ASSERT_TRUE(ep.step());
  EXPECT_EQ(ep.col_int(0), 0);
  EXPECT_NEAR(ep.col_double(2), 1616493000.0 - 1616491482.127408, 1e-6);
}

TEST(Info, CountsTablesAndExperiments) {
  auto db = Database::open(":memory:");
  IngestOptions a;
  a.experiment = "x";
  ingest_parsed(*db, make_file("a.log"), make_parsed(2, 3), a);
  DbInfo info = db_info(*db);
  EXPECT_EQ(info.schema_version, Database::current_schema_version());
  EXPECT_EQ(info.application_id, kApplicationId);
  std::map<std::string, int64_t> rows(info.table_rows.begin(), info.table_rows.end());
  EXPECT_EQ(rows["runs"], 2);
  EXPECT_EQ(rows["metric_points"], 2 * (3 * 2 + 2));
  EXPECT_EQ(rows["metric_series"], 2 * 4);
  ASSERT_EQ(info.experiments.size(), 1u);
  EXPECT_EQ(info.experiments[0].runs, 2);
  EXPECT_EQ(info.experiments[0].source_files, 1);
}

}  // namespace
}  // namespace rn50::store
