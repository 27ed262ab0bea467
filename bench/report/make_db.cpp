// Builds a large rn50-exp database for timing `report` and `runs list`: N runs with epochs,
// params, tags, a membership each and M metric points in total (two iteration series per run).
// The schema comes from the store itself (store::Database::open creates and migrates it); rows go
// in with prepared statements in one transaction, laid out as ingest lays them out (a series is a
// contiguous rowid range of metric_points). Values are synthetic but plausible (so every table and
// plot has work to do).
//
// usage: make_db OUT.db [runs=10000] [metric_rows=10000000]
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "store/database.h"

namespace {

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

struct Stmt {
  sqlite3* db;
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* d, const char* sql) : db(d) {
    check(sqlite3_prepare_v2(d, sql, -1, &s, nullptr), d, sql);
  }
  ~Stmt() { sqlite3_finalize(s); }
  void run() {
    check(sqlite3_step(s), db, sqlite3_sql(s));
    sqlite3_reset(s);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.db [runs] [metric_rows]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const long runs = argc > 2 ? std::atol(argv[2]) : 10000;
  const long metric_rows = argc > 3 ? std::atol(argv[3]) : 10000000;
  std::filesystem::remove(path);
  auto t0 = std::chrono::steady_clock::now();
  auto dbh = rn50::store::Database::open(path);
  sqlite3* db = dbh->raw();
  check(sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr, nullptr), db, "begin");
  Stmt exp(db, "INSERT INTO experiments(id, name) VALUES(?, ?)");
  Stmt key(db, "INSERT INTO metric_keys(id, name) VALUES(?, ?)");
  Stmt file(db,
            "INSERT INTO source_files(id, sha256, path, abs_path, size_bytes, format, "
            "parser_version) VALUES(?, printf('%064x', ?), ?, ?, 1000, 'rn50-native', '1')");
  Stmt run(db,
           "INSERT INTO runs(id, experiment_id, source_file_id, name, source_format, status, "
           "start_time, end_time, world_size, nodes, precision, batch_per_device, global_batch, "
           "epochs_planned, epochs_completed, best_top1, best_top1_epoch, best_top5, last_top1, "
           "total_ips, total_ips_definition, compute_ips, summary_total_ips, summary_compute_ips, "
           "target_top1, time_to_target_s, target_epoch, wall_time_s, step_time_p50, "
           "step_time_p90, step_time_p99) VALUES(?,?,?,?, 'rn50-native', ?, ?,?,?,?,?,?,?,?,?,?,"
           "?,?,?,?, 'sum images / sum seconds over the steady window',?,?,?, 75.9, ?,?,?,?,?,?)");
  Stmt param(db, "INSERT INTO params(run_id, key, value, source) VALUES(?, ?, ?, 'log')");
  Stmt tag(db, "INSERT INTO tags(run_id, key, value) VALUES(?, ?, ?)");
  Stmt epoch(db,
             "INSERT INTO epochs(run_id, epoch, train_loss, top1, top5, lr, total_ips, "
             "compute_ips, time) VALUES(?,?,?,?,?,?,?,?,?)");
  Stmt member(db,
              "INSERT INTO memberships(run_id, experiment_id, path, abs_path, name, set_key) "
              "VALUES(?, ?, ?, ?, ?, '/bench/logs')");
  Stmt series(db,
              "INSERT INTO metric_series(run_id, key_id, level, segment, seq_offset, first_point, "
              "points) VALUES(?, ?, 'iter', 0, 0, ?, ?)");
  Stmt point(db, "INSERT INTO metric_points(id, epoch, step, time, value) VALUES(?, ?, ?, ?, ?)");
  const int experiments = 10;
  for (int e = 1; e <= experiments; ++e) {
    sqlite3_bind_int(exp.s, 1, e);
    sqlite3_bind_text(exp.s, 2, ("bench-" + std::to_string(e)).c_str(), -1, SQLITE_TRANSIENT);
    exp.run();
  }
  const char* keys[] = {"train.loss", "train.total_ips"};
  for (int k = 0; k < 2; ++k) {
    sqlite3_bind_int(key.s, 1, k + 1);
    sqlite3_bind_text(key.s, 2, keys[k], -1, SQLITE_STATIC);
    key.run();
  }
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0, 1);
  const int devices_choice[] = {1, 2, 4, 8, 16, 32};
  const int epochs_per_run = 10;
  const long metrics_per_run = metric_rows / runs;
  long metric_total = 0;
  int64_t next_point = 1;
  for (long r = 1; r <= runs; ++r) {
    const int ws = devices_choice[r % 6];
    const double ips = 850.0 * ws * (1 - 0.01 * std::log2(ws)) * (1 + 0.01 * noise(rng));
    const double start = 1.6e9 + r * 1e5, epoch_s = 1281167.0 / ips;
    const double best = 75.5 + 0.3 * noise(rng);
    const std::string name = "bench-run-" + std::to_string(r);
    sqlite3_bind_int64(file.s, 1, r);
    sqlite3_bind_int64(file.s, 2, r);
    sqlite3_bind_text(file.s, 3, ("logs/" + name + ".jsonl").c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(file.s, 4, ("/bench/logs/" + name + ".jsonl").c_str(), -1, SQLITE_TRANSIENT);
    file.run();
    int c = 1;
    sqlite3_bind_int64(run.s, c++, r);
    sqlite3_bind_int64(run.s, c++, 1 + r % experiments);
    sqlite3_bind_int64(run.s, c++, r);
    sqlite3_bind_text(run.s, c++, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run.s, c++, r % 50 == 0 ? "incomplete" : "finished", -1, SQLITE_STATIC);
    sqlite3_bind_double(run.s, c++, start);
    sqlite3_bind_double(run.s, c++, start + epochs_per_run * epoch_s);
    sqlite3_bind_int(run.s, c++, ws);
    sqlite3_bind_int(run.s, c++, ws > 8 ? ws / 8 : 1);
    sqlite3_bind_text(run.s, c++, r % 3 ? "amp" : "fp32", -1, SQLITE_STATIC);
    sqlite3_bind_int(run.s, c++, 256);
    sqlite3_bind_int(run.s, c++, 256 * ws);
    sqlite3_bind_int(run.s, c++, epochs_per_run);
    sqlite3_bind_int(run.s, c++, epochs_per_run);
    sqlite3_bind_double(run.s, c++, best);
    sqlite3_bind_int(run.s, c++, epochs_per_run - 1);
    sqlite3_bind_double(run.s, c++, best + 17);
    sqlite3_bind_double(run.s, c++, best);
    sqlite3_bind_double(run.s, c++, ips);
    sqlite3_bind_double(run.s, c++, ips * 1.01);
    sqlite3_bind_double(run.s, c++, ips * 0.99);
    sqlite3_bind_double(run.s, c++, ips * 1.005);
    if (best >= 75.9) {
      sqlite3_bind_double(run.s, c++, epochs_per_run * epoch_s);
      sqlite3_bind_int(run.s, c++, epochs_per_run - 1);
    } else {
      sqlite3_bind_null(run.s, c++);
      sqlite3_bind_null(run.s, c++);
    }
    sqlite3_bind_double(run.s, c++, epochs_per_run * epoch_s + 30);
    sqlite3_bind_double(run.s, c++, 256.0 / 850);
    sqlite3_bind_double(run.s, c++, 256.0 / 830);
    sqlite3_bind_double(run.s, c++, 256.0 / 600);
    run.run();
    for (const auto& [k, v] : {std::pair{"arch", "resnet50"},
                               {"lr", "2.048"},
                               {"seed", "1"},
                               {"system.gpu", "V100-SXM2-16GB"},
                               {"optimizer", "sgd"}}) {
      sqlite3_bind_int64(param.s, 1, r);
      sqlite3_bind_text(param.s, 2, k, -1, SQLITE_STATIC);
      sqlite3_bind_text(param.s, 3, v, -1, SQLITE_STATIC);
      param.run();
    }
    sqlite3_bind_int64(tag.s, 1, r);
    sqlite3_bind_text(tag.s, 2, "role", -1, SQLITE_STATIC);
    sqlite3_bind_text(tag.s, 3, r % 7 ? "time2train" : "throughput", -1, SQLITE_STATIC);
    tag.run();
    for (int e = 0; e < epochs_per_run; ++e) {
      const double frac = (e + 1.0) / epochs_per_run;
      sqlite3_bind_int64(epoch.s, 1, r);
      sqlite3_bind_int(epoch.s, 2, e);
      sqlite3_bind_double(epoch.s, 3, 7.0 * (1.2 - frac));
      sqlite3_bind_double(epoch.s, 4, best * (0.55 + 0.45 * std::sqrt(frac)));
      sqlite3_bind_double(epoch.s, 5, std::min(99.0, best * (0.55 + 0.45 * std::sqrt(frac)) + 16));
      sqlite3_bind_double(epoch.s, 6, 0.1);
      sqlite3_bind_double(epoch.s, 7, ips);
      sqlite3_bind_double(epoch.s, 8, ips * 1.01);
      sqlite3_bind_double(epoch.s, 9, start + (e + 1) * epoch_s);
      epoch.run();
    }
    sqlite3_bind_int64(member.s, 1, r);
    sqlite3_bind_int64(member.s, 2, 1 + r % experiments);
    sqlite3_bind_text(member.s, 3, ("logs/" + name + ".jsonl").c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(member.s, 4, ("/bench/logs/" + name + ".jsonl").c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(member.s, 5, name.c_str(), -1, SQLITE_TRANSIENT);
    member.run();
    const long steps = metrics_per_run / 2;
    for (int k = 1; k <= 2 && steps > 0; ++k) {
      sqlite3_bind_int64(series.s, 1, r);
      sqlite3_bind_int(series.s, 2, k);
      sqlite3_bind_int64(series.s, 3, next_point);
      sqlite3_bind_int64(series.s, 4, steps);
      series.run();
      for (long step = 0; step < steps; ++step) {
        sqlite3_bind_int64(point.s, 1, next_point++);
        sqlite3_bind_double(point.s, 2, static_cast<double>(step * epochs_per_run) / steps);
        sqlite3_bind_int64(point.s, 3, step * 10);
        sqlite3_bind_double(point.s, 4, start + step * 2.5);
        sqlite3_bind_double(point.s, 5, k == 1 ? 7.0 - step * 0.001 : ips + 5 * noise(rng));
        point.run();
        ++metric_total;
      }
    }
  }
  check(sqlite3_exec(db, "COMMIT; ANALYZE;", nullptr, nullptr, nullptr), db, "commit");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %ld runs, %ld metric rows, %ld epoch rows in %.1f s\n", path.c_str(), runs,
              metric_total, runs * epochs_per_run, s);
  return 0;
}
