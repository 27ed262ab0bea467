#include "store/ingest.h"

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "core/user_text.h"
#include "core/utf8.h"
#include "store/metric_stream.h"
#include "store/metric_writer.h"
#include "store/sqlite_util.h"

namespace rn50::store {

namespace {

struct DiagRow {
  std::string origin;
  core::Diagnostic d;
};

int64_t experiment_id(sqlite3* db, const std::string& name) {
  if (name.empty()) throw core::UsageError("experiment name must not be empty");
  Statement ins(db, "INSERT INTO experiments(name) VALUES (?) ON CONFLICT(name) DO NOTHING");
  ins.bind(1, name).run();
  Statement sel(db, "SELECT id FROM experiments WHERE name = ?");
  sel.bind(1, name);
  if (!sel.step()) throw core::Error("experiment '" + name + "' vanished during ingest");
  return sel.col_int(0);
}

class RunWriter {
 public:
  RunWriter(sqlite3* db, int64_t experiment_id, int64_t file_id, const IngestOptions& opt,
            std::vector<DiagRow>& diags)
      : db_(db),
        experiment_id_(experiment_id),
        file_id_(file_id),
        opt_(opt),
        diags_(diags),
        keys_(db),
        run_(db, R"sql(
          INSERT INTO runs(experiment_id, source_file_id, run_key, name, source_format, status,
            start_time, end_time, world_size, nodes, precision, batch_per_device, global_batch,
            epochs_planned, epochs_completed, best_top1, best_top1_epoch, best_top5, last_top1,
            summary_top1, summary_top5, total_ips, total_ips_definition, compute_ips,
            compute_ips_definition, summary_total_ips, summary_compute_ips, target_top1,
            time_to_target_s, target_epoch, wall_time_s, step_time_p50, step_time_p90,
            step_time_p99)
          VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
          RETURNING id)sql"),
        fact_(db, "INSERT INTO facts(run_id, field, source, detail) VALUES (?,?,?,?)"),
        param_(db,
               "INSERT INTO params(run_id, key, value, source) VALUES (?,?,?,?) "
               "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value, "
               "source = excluded.source"),
        tag_(db,
             "INSERT INTO tags(run_id, key, value) VALUES (?,?,?) "
             "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value"),
        epoch_(db,
               "INSERT INTO epochs(run_id, epoch, train_loss, top1, top5, lr, total_ips, "
               "compute_ips, time) VALUES (?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT(run_id, epoch) DO UPDATE SET train_loss = excluded.train_loss, "
               "top1 = excluded.top1, top5 = excluded.top5, lr = excluded.lr, "
               "total_ips = excluded.total_ips, compute_ips = excluded.compute_ips, "
               "time = excluded.time"),
        event_(db,
               "INSERT INTO events(run_id, seq, key, time, epoch, value_json, metadata_json) "
               "VALUES (?,?,?,?,?,?,?)"),
        metrics_(db) {}

  int64_t write(const core::RunRecord& r, const std::string& default_name, IngestResult& res) {
    run_label_ = "run '" + (r.run_key.empty() ? default_name : r.run_key) + "'";
    section_ = "run row";
    const int64_t id = insert_run(r, default_name);
    write_facts(id, r);
    section_ = "params";
    for (const auto& p : r.params)
      param_.bind(1, id)
          .bind_static(2, p.key)
          .bind_static(3, p.value)
          .bind_static(4, core::to_string(p.source))
          .run();
    section_ = "tags";
    for (const auto& [k, v] : r.tags) tag_.bind(1, id).bind_static(2, k).bind_static(3, v).run();
    for (const auto& [k, v] : opt_.tags) tag_.bind(1, id).bind_static(2, k).bind_static(3, v).run();
    section_ = "epochs";
    res.epoch_rows += write_epochs(id, r);
    section_ = "metrics";
    res.metric_rows += metrics_.write(id, r.metrics, keys_);
    section_ = "events";
    for (size_t i = 0; i < r.events.size(); ++i) {
      const auto& e = r.events[i];
      event_.bind(1, id)
          .bind(2, static_cast<int64_t>(i))
          .bind_static(3, e.key)
          .bind(4, e.time)
          .bind(5, e.epoch)
          .bind_static(6, e.value_json.empty() ? std::string_view("null") : e.value_json)
          .bind_static(7, e.metadata_json.empty() ? std::string_view("{}") : e.metadata_json)
          .run();
    }
    return id;
  }

  std::string where() const { return run_label_ + ": " + section_; }
  void finish() const { metrics_.finish(); }

 private:
  int64_t insert_run(const core::RunRecord& r, const std::string& name) {
    const core::Derived& d = r.derived;
    run_.bind(1, experiment_id_)
        .bind(2, file_id_)
        .bind_static(3, r.run_key)
        .bind(4, name)
        .bind_static(5, r.source_format)
        .bind(6, core::to_string(r.status))
        .bind(7, r.start_time)
        .bind(8, r.end_time)
        .bind(9, r.world_size.value)
        .bind(10, r.nodes.value)
        .bind(11, r.precision.value)
        .bind(12, r.batch_per_device.value)
        .bind(13, r.global_batch.value)
        .bind(14, r.epochs_planned.value)
        .bind(15, r.epochs_completed)
        .bind(16, d.best_top1)
        .bind(17, d.best_top1_epoch)
        .bind(18, d.best_top5)
        .bind(19, d.last_top1)
        .bind(20, d.summary_top1)
        .bind(21, d.summary_top5)
        .bind(22, d.total_ips)
        .bind_static(23, d.total_ips_definition)
        .bind(24, d.compute_ips)
        .bind_static(25, d.compute_ips_definition)
        .bind(26, d.summary_total_ips)
        .bind(27, d.summary_compute_ips)
        .bind(28, d.target_top1)
        .bind(29, d.time_to_target_s)
        .bind(30, d.target_epoch)
        .bind(31, d.wall_time_s)
        .bind(32, d.step_time_p50)
        .bind(33, d.step_time_p90)
        .bind(34, d.step_time_p99);
    if (!run_.step()) throw_sqlite(db_, "inserting run");
    const int64_t id = run_.col_int(0);
    run_.reset();
    return id;
  }

  void fact(int64_t id, std::string_view field, core::Source s, const std::string& detail) {
    fact_.bind(1, id)
        .bind_static(2, field)
        .bind(3, core::to_string(s))
        .bind_static(4, detail)
        .run();
  }

  template <class T>
  void fact(int64_t id, std::string_view field, const core::Fact<T>& f) {
    if (f.known()) fact(id, field, f.source, f.detail);
  }

  // Provenance of every fact a user might question: the log, certain arithmetic, or --set.
  void write_facts(int64_t id, const core::RunRecord& r) {
    section_ = "facts";
    fact(id, "world_size", r.world_size);
    fact(id, "nodes", r.nodes);
    fact(id, "batch_per_device", r.batch_per_device);
    fact(id, "global_batch", r.global_batch);
    fact(id, "epochs_planned", r.epochs_planned);
    fact(id, "precision", r.precision);
    const core::Derived& d = r.derived;
    if (d.total_ips) fact(id, "total_ips", core::Source::kInferred, d.total_ips_definition);
    if (d.compute_ips) fact(id, "compute_ips", core::Source::kInferred, d.compute_ips_definition);
    static const std::string kSummary = "the log's own summary record";
    if (d.summary_total_ips) fact(id, "summary_total_ips", core::Source::kLog, kSummary);
    if (d.summary_compute_ips) fact(id, "summary_compute_ips", core::Source::kLog, kSummary);
  }

  int64_t write_epochs(int64_t id, const core::RunRecord& r) {
    std::set<int64_t> seen;
    for (const auto& e : r.epochs) {
      if (!seen.insert(e.epoch).second)
        diags_.push_back({"ingest",
                          {core::Severity::kWarning, 0,
                           run_label_ + ": epoch " + std::to_string(e.epoch) +
                               " has two records; the later one is stored"}});
      epoch_.bind(1, id)
          .bind(2, e.epoch)
          .bind(3, e.train_loss)
          .bind(4, e.top1)
          .bind(5, e.top5)
          .bind(6, e.lr)
          .bind(7, e.total_ips)
          .bind(8, e.compute_ips)
          .bind(9, e.time)
          .run();
    }
    return static_cast<int64_t>(seen.size());
  }

  sqlite3* db_;
  int64_t experiment_id_, file_id_;
  const IngestOptions& opt_;
  std::vector<DiagRow>& diags_;
  KeyInterner keys_;
  Statement run_, fact_, param_, tag_, epoch_, event_;
  MetricWriter metrics_;
  std::string run_label_, section_;
};

std::string default_run_name(const std::string& path, const core::RunRecord& r,
                             const Membership& m) {
  if (!m.run_name.empty()) return r.run_key.empty() ? m.run_name : m.run_name + "#" + r.run_key;
  if (!r.name.empty()) return core::to_utf8(r.name);
  std::string base = std::filesystem::path(path).filename().string();
  if (base.empty()) base = path;
  return core::to_utf8(r.run_key.empty() ? base : base + "#" + r.run_key);
}

// One row of memberships; false when the run already has it (same experiment and path).
bool add_membership(sqlite3* db, int64_t run_id, int64_t experiment_id, const std::string& path,
                    const std::string& abs_path, const std::string& name, const Membership& m) {
  Statement st(db,
               "INSERT INTO memberships(run_id, experiment_id, path, abs_path, name, set_key, "
               "set_org, set_system, set_benchmark, system_file, scaling_factor, scaling_file) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT(run_id, experiment_id, abs_path) DO NOTHING RETURNING id");
  st.bind(1, run_id)
      .bind(2, experiment_id)
      .bind(3, path)
      .bind(4, abs_path)
      .bind(5, name)
      .bind(6,
            m.set_key.empty() ? std::filesystem::path(abs_path).parent_path().string() : m.set_key)
      .bind(7, m.set_org)
      .bind(8, m.set_system)
      .bind(9, m.set_benchmark)
      .bind(10, m.system_file)
      .bind(11, m.scaling_factor)
      .bind(12, m.scaling_file);
  const bool added = st.step();
  st.reset();
  return added;
}

// The runs of an already stored file join opt.experiment at this path; user tags are added.
int64_t add_memberships(sqlite3* db, const SourceFileInfo& file, const std::string& abs_path,
                        const IngestOptions& opt) {
  Statement runs(db,
                 "SELECT r.id, r.run_key, r.name FROM runs r JOIN source_files f ON "
                 "f.id = r.source_file_id WHERE f.sha256 = ? ORDER BY r.id");
  runs.bind(1, file.sha256);
  struct Row {
    int64_t id;
    core::RunRecord key;
  };
  std::vector<Row> rows;
  while (runs.step()) {
    Row row{runs.col_int(0), {}};
    row.key.run_key = runs.col_text(1);
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return 0;
  const int64_t exp_id = experiment_id(db, opt.experiment);
  int64_t added = 0;
  Statement tag(db,
                "INSERT INTO tags(run_id, key, value) VALUES (?,?,?) "
                "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value");
  for (const Row& row : rows) {
    const std::string name = default_run_name(file.path, row.key, opt.membership);
    if (!add_membership(db, row.id, exp_id, file.path, abs_path, name, opt.membership)) continue;
    ++added;
    for (const auto& [k, v] : opt.tags) tag.bind(1, row.id).bind(2, k).bind(3, v).run();
  }
  return added;
}

}  // namespace

struct FileTransaction::State {
  Database& db;
  SourceFileInfo file;
  IngestOptions opt;
  std::string abs_path;
  std::optional<Transaction> tx;
  bool stored_before = false;
  std::optional<MetricStream> stream;
};

FileTransaction::FileTransaction(Database& db, SourceFileInfo file, IngestOptions opt)
    : st_(new State{db, std::move(file), std::move(opt), {}, {}, false, {}}) {
  sqlite3* h = db.raw();
  try {
    // Text columns hold valid UTF-8 whatever the file system allows in a name.
    st_->abs_path =
        core::to_utf8(std::filesystem::absolute(st_->file.path).lexically_normal().string());
    st_->file.path = core::to_utf8(st_->file.path);
    st_->opt.membership.set_key = core::to_utf8(st_->opt.membership.set_key);
    st_->opt.membership.run_name = core::to_utf8(st_->opt.membership.run_name);
    st_->tx.emplace(h);
    Statement known(h, "SELECT 1 FROM source_files WHERE sha256 = ?");
    known.bind(1, st_->file.sha256);
    st_->stored_before = known.step();
  } catch (const core::UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw core::Error(st_->file.path + ": not stored (database unchanged): " + e.what());
  }
}

FileTransaction::~FileTransaction() = default;

bool FileTransaction::already_stored() const { return st_->stored_before; }

core::MetricSink& FileTransaction::stream() {
  if (!st_->stream) st_->stream.emplace(st_->db.raw(), st_->opt.stream_budget_bytes);
  return *st_->stream;
}

IngestResult FileTransaction::commit(const core::ParsedFile& parsed) {
  sqlite3* h = st_->db.raw();
  const SourceFileInfo& file = st_->file;
  const IngestOptions& opt = st_->opt;
  const std::string& abs_path = st_->abs_path;
  IngestResult res;
  std::string where = "source file";
  try {
    if (st_->stored_before) {
      res.already_ingested = true;
      where = "memberships";
      res.memberships_added = add_memberships(h, file, abs_path, opt);
      st_->tx->commit();
      return res;
    }
    Statement ins(h,
                  "INSERT INTO source_files(sha256, path, abs_path, size_bytes, format, "
                  "parser_version) VALUES (?,?,?,?,?,?) RETURNING id");
    ins.bind(1, file.sha256)
        .bind(2, file.path)
        .bind(3, abs_path)
        .bind(4, file.size_bytes)
        .bind(5, parsed.format)
        .bind(6, parsed.parser_version);
    if (!ins.step()) throw_sqlite(h, "inserting source file");
    const int64_t file_id = ins.col_int(0);
    ins.reset();
    where = "experiment";
    const int64_t exp_id = experiment_id(h, opt.experiment);

    std::vector<DiagRow> diags;
    diags.reserve(parsed.diagnostics.size());
    for (const auto& d : parsed.diagnostics) diags.push_back({"parser", d});
    {
      RunWriter writer(h, exp_id, file_id, opt, diags);
      for (const auto& r : parsed.runs) {
        where = "run '" + r.run_key + "'";
        try {
          const std::string name = default_run_name(file.path, r, opt.membership);
          res.run_ids.push_back(writer.write(r, name, res));
          add_membership(h, res.run_ids.back(), exp_id, file.path, abs_path, name, opt.membership);
        } catch (const core::Error& e) {
          where = writer.where();
          throw;
        }
      }
      where = "metric ids";
      writer.finish();
    }
    if (st_->stream) {
      where = "metric series written while reading";
      res.metric_rows += st_->stream->finish(res.run_ids);
    }
    where = "diagnostics";
    Statement diag(h,
                   "INSERT INTO ingest_diagnostics(source_file_id, origin, severity, line, "
                   "message) VALUES (?,?,?,?,?)");
    for (const auto& d : diags)
      diag.bind(1, file_id)
          .bind(2, d.origin)
          .bind(3, core::to_string(d.d.severity))
          .bind(4, d.d.line)
          .bind(5, d.d.message)
          .run();
    res.diagnostics = static_cast<int64_t>(diags.size());
    st_->tx->commit();
  } catch (const core::UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw core::Error(file.path + ": not stored (database unchanged): " + where + ": " + e.what());
  }
  return res;
}

IngestResult ingest_parsed(Database& db, const SourceFileInfo& file, const core::ParsedFile& parsed,
                           const IngestOptions& opt) {
  FileTransaction tx(db, file, opt);
  return tx.commit(parsed);
}

bool is_ingested(Database& db, const std::string& sha256) {
  Statement st(db.raw(), "SELECT 1 FROM source_files WHERE sha256 = ?");
  st.bind(1, sha256);
  return st.step();
}

std::unordered_set<std::string> ingested_hashes(Database& db) {
  std::unordered_set<std::string> out;
  Statement st(db.raw(), "SELECT sha256 FROM source_files");
  while (st.step()) out.insert(st.col_text(0));
  return out;
}

}  // namespace rn50::store
