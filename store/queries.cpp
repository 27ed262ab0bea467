#include "store/queries.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/error.h"
#include "store/sqlite_util.h"

namespace rn50::store {

namespace {

// The selection as SQL over memberships m / runs r / experiments e / source_files f, plus its
// bindings in order.
// Run ids travel as one JSON array (json_each) so that any number of them binds as one value.
struct Selection {
  std::string where;
  std::vector<std::string> binds;
};

Selection make_selection(const RunFilter& filter) {
  Selection s;
  s.where = " WHERE 1";
  if (filter.experiment) {
    s.where += " AND e.name = ?";
    s.binds.push_back(*filter.experiment);
  }
  if (!filter.run_ids.empty()) {
    s.where += " AND r.id IN (SELECT value FROM json_each(?))";
    s.binds.push_back(nlohmann::json(filter.run_ids).dump());
  }
  for (const auto& [k, v] : filter.tags) {
    s.where +=
        " AND EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.key = ? AND t.value = ?)";
    s.binds.push_back(k);
    s.binds.push_back(v);
  }
  return s;
}

constexpr std::string_view kFrom =
    " FROM memberships m JOIN runs r ON r.id = m.run_id"
    " JOIN experiments e ON e.id = m.experiment_id"
    " JOIN source_files f ON f.id = r.source_file_id";

// "x.run_id IN (ids of the selection)": child tables are read with one query each.
std::string child_filter(const Selection& s, std::string_view alias) {
  return std::string(" WHERE ") + std::string(alias) + ".run_id IN (SELECT r.id" +
         std::string(kFrom) + s.where + ")";
}

void bind_all(Statement& st, const Selection& s) {
  int i = 0;
  for (const auto& b : s.binds) st.bind(++i, b);
}

template <class T>
void set_fact(core::Fact<T>& f, std::optional<T> v) {
  if (v) f.set(std::move(*v), core::Source::kLog);
}

core::Source source_from(const std::string& s) {
  if (s == "inferred") return core::Source::kInferred;
  if (s == "user") return core::Source::kUser;
  return core::Source::kLog;
}

void apply_fact_source(core::RunRecord& r, const std::string& field, core::Source src,
                       std::string detail) {
  auto put = [&](auto& fact) {
    fact.source = src;
    fact.detail = std::move(detail);
  };
  if (field == "world_size")
    put(r.world_size);
  else if (field == "nodes")
    put(r.nodes);
  else if (field == "batch_per_device")
    put(r.batch_per_device);
  else if (field == "global_batch")
    put(r.global_batch);
  else if (field == "epochs_planned")
    put(r.epochs_planned);
  else if (field == "precision")
    put(r.precision);
  // Derived-value provenance rows are documentation for users; RunRecord keeps the definitions.
}

std::optional<std::string> opt_text(const Statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return st.col_text(col);
}

// Child rows were loaded into the first membership of each run; the others get copies.
std::vector<StoredRun> copy_to_other_memberships(std::vector<StoredRun>& out,
                                                 const std::unordered_map<int64_t, size_t>& index) {
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t first = index.at(out[i].id);
    if (first == i) continue;
    core::RunRecord& r = out[i].run;
    const core::RunRecord& src = out[first].run;
    r.params = src.params;
    r.tags = src.tags;
    r.epochs = src.epochs;
    r.metrics = src.metrics;
    r.events = src.events;
    r.world_size = src.world_size;
    r.nodes = src.nodes;
    r.batch_per_device = src.batch_per_device;
    r.global_batch = src.global_batch;
    r.epochs_planned = src.epochs_planned;
    r.precision = src.precision;
  }
  return std::move(out);
}

}  // namespace

std::vector<StoredRun> load_runs(Database& db, const RunFilter& filter, Detail detail) {
  sqlite3* h = db.raw();
  const Selection sel = make_selection(filter);
  std::vector<StoredRun> out;
  std::unordered_map<int64_t, size_t> index;  // run id -> its first membership in `out`

  {
    Statement st(h, std::string(R"sql(SELECT r.id, e.name, m.path, f.sha256, f.ingested_at,
        r.source_format, r.run_key, m.name, r.status, r.start_time, r.end_time, r.world_size,
        r.nodes, r.batch_per_device, r.global_batch, r.epochs_planned, r.precision,
        r.epochs_completed, r.best_top1, r.best_top5, r.last_top1, r.best_top1_epoch,
        r.total_ips, r.compute_ips, r.total_ips_definition, r.compute_ips_definition,
        r.summary_total_ips, r.summary_compute_ips, r.summary_top1, r.summary_top5,
        r.target_top1, r.time_to_target_s, r.target_epoch, r.wall_time_s, r.step_time_p50,
        r.step_time_p90, r.step_time_p99, m.id, m.set_key, m.set_org, m.set_system,
        m.set_benchmark, m.system_file, m.scaling_factor, m.scaling_file)sql") +
                        std::string(kFrom) + sel.where + " ORDER BY r.id, m.id");
    bind_all(st, sel);
    while (st.step()) {
      StoredRun s;
      int c = 0;
      s.id = st.col_int(c++);
      s.experiment = st.col_text(c++);
      s.source_path = st.col_text(c++);
      s.source_sha256 = st.col_text(c++);
      s.ingested_at = st.col_text(c++);
      core::RunRecord& r = s.run;
      r.source_format = st.col_text(c++);
      r.run_key = st.col_text(c++);
      r.name = st.col_text(c++);
      const std::string status = st.col_text(c++);
      auto parsed = core::run_status_from_string(status);
      if (!parsed)
        throw core::Error(db.path() + ": run " + std::to_string(s.id) + ": unknown status '" +
                          status + "'");
      r.status = *parsed;
      r.start_time = st.col_opt_double(c++);
      r.end_time = st.col_opt_double(c++);
      set_fact(r.world_size, st.col_opt_int(c++));
      set_fact(r.nodes, st.col_opt_int(c++));
      set_fact(r.batch_per_device, st.col_opt_int(c++));
      set_fact(r.global_batch, st.col_opt_int(c++));
      set_fact(r.epochs_planned, st.col_opt_int(c++));
      set_fact(r.precision, opt_text(st, c++));
      r.epochs_completed = st.col_opt_int(c++);
      core::Derived& d = r.derived;
      d.best_top1 = st.col_opt_double(c++);
      d.best_top5 = st.col_opt_double(c++);
      d.last_top1 = st.col_opt_double(c++);
      d.best_top1_epoch = st.col_opt_int(c++);
      d.total_ips = st.col_opt_double(c++);
      d.compute_ips = st.col_opt_double(c++);
      d.total_ips_definition = st.col_text(c++);
      d.compute_ips_definition = st.col_text(c++);
      d.summary_total_ips = st.col_opt_double(c++);
      d.summary_compute_ips = st.col_opt_double(c++);
      d.summary_top1 = st.col_opt_double(c++);
      d.summary_top5 = st.col_opt_double(c++);
      d.target_top1 = st.col_opt_double(c++);
      d.time_to_target_s = st.col_opt_double(c++);
      d.target_epoch = st.col_opt_int(c++);
      d.wall_time_s = st.col_opt_double(c++);
      d.step_time_p50 = st.col_opt_double(c++);
      d.step_time_p90 = st.col_opt_double(c++);
      d.step_time_p99 = st.col_opt_double(c++);
      s.membership_id = st.col_int(c++);
      s.set_key = st.col_text(c++);
      s.set_org = opt_text(st, c++);
      s.set_system = opt_text(st, c++);
      s.set_benchmark = opt_text(st, c++);
      s.system_file = opt_text(st, c++);
      s.scaling_factor = st.col_opt_double(c++);
      s.scaling_file = opt_text(st, c++);
      index.emplace(s.id, out.size());  // keeps the first membership of the run
      out.push_back(std::move(s));
    }
  }
  if (out.empty()) return out;
  auto run_of = [&](int64_t id) -> core::RunRecord& { return out[index.at(id)].run; };

  {
    Statement st(
        h, "SELECT x.run_id, x.field, x.source, x.detail FROM facts x" + child_filter(sel, "x"));
    bind_all(st, sel);
    while (st.step())
      apply_fact_source(run_of(st.col_int(0)), st.col_text(1), source_from(st.col_text(2)),
                        st.col_text(3));
  }
  {
    Statement st(h, "SELECT x.run_id, x.key, x.value, x.source FROM params x" +
                        child_filter(sel, "x") + " ORDER BY x.run_id, x.key");
    bind_all(st, sel);
    while (st.step())
      run_of(st.col_int(0))
          .params.push_back(
              core::Param{st.col_text(1), st.col_text(2), source_from(st.col_text(3))});
  }
  {
    Statement st(h, "SELECT x.run_id, x.key, x.value FROM tags x" + child_filter(sel, "x") +
                        " ORDER BY x.run_id, x.key");
    bind_all(st, sel);
    while (st.step()) run_of(st.col_int(0)).tags.emplace_back(st.col_text(1), st.col_text(2));
  }
  if (detail == Detail::kSummary) return copy_to_other_memberships(out, index);

  {
    Statement st(h,
                 "SELECT x.run_id, x.epoch, x.train_loss, x.top1, x.top5, x.lr, x.total_ips, "
                 "x.compute_ips, x.time FROM epochs x" +
                     child_filter(sel, "x") + " ORDER BY x.run_id, x.epoch");
    bind_all(st, sel);
    while (st.step()) {
      core::EpochRecord e;
      e.epoch = st.col_int(1);
      e.train_loss = st.col_opt_double(2);
      e.top1 = st.col_opt_double(3);
      e.top5 = st.col_opt_double(4);
      e.lr = st.col_opt_double(5);
      e.total_ips = st.col_opt_double(6);
      e.compute_ips = st.col_opt_double(7);
      e.time = st.col_opt_double(8);
      run_of(st.col_int(0)).epochs.push_back(e);
    }
  }
  if (detail == Detail::kEpochs) return copy_to_other_memberships(out, index);

  {
    std::unordered_map<int64_t, std::string> names;
    Statement keys(h, "SELECT id, name FROM metric_keys");
    while (keys.step()) names.emplace(keys.col_int(0), keys.col_text(1));
    // Series in key order, points of a series in log order (their rowid range).
    Statement st(h,
                 "SELECT x.run_id, x.key_id, x.level, p.epoch, p.step, p.time, p.value "
                 "FROM metric_series x JOIN metric_points p "
                 "ON p.id BETWEEN x.first_point AND x.first_point + x.points - 1" +
                     child_filter(sel, "x") + " ORDER BY x.run_id, x.key_id, x.level, p.id");
    bind_all(st, sel);
    while (st.step()) {
      core::MetricPoint m;
      m.key = names.at(st.col_int(1));
      m.level = st.col_text(2);
      m.epoch = st.col_opt_double(3);
      m.step = st.col_opt_int(4);
      m.time = st.col_opt_double(5);
      m.value = st.is_null(6) ? std::numeric_limits<double>::quiet_NaN() : st.col_double(6);
      run_of(st.col_int(0)).metrics.push_back(std::move(m));
    }
  }
  {
    Statement st(h,
                 "SELECT x.run_id, x.key, x.time, x.epoch, x.value_json, x.metadata_json "
                 "FROM events x" +
                     child_filter(sel, "x") + " ORDER BY x.run_id, x.seq");
    bind_all(st, sel);
    while (st.step()) {
      core::Event e;
      e.key = st.col_text(1);
      e.time = st.col_opt_double(2);
      e.epoch = st.col_opt_double(3);
      e.value_json = st.col_text(4);
      e.metadata_json = st.col_text(5);
      run_of(st.col_int(0)).events.push_back(std::move(e));
    }
  }
  return copy_to_other_memberships(out, index);
}

std::vector<core::MetricPoint> load_metric_series(Database& db, int64_t run_id,
                                                  const std::string& key,
                                                  const std::string& level) {
  Statement st(
      db.raw(),
      "SELECT p.epoch, p.step, p.time, p.value FROM metric_series s "
      "JOIN metric_keys k ON k.id = s.key_id "
      "JOIN metric_points p ON p.id BETWEEN s.first_point AND s.first_point + s.points - 1 "
      "WHERE s.run_id = ? AND k.name = ? AND s.level = ? "
      "ORDER BY p.epoch, p.step, p.time, p.id");
  st.bind(1, run_id).bind(2, key).bind(3, level);
  std::vector<core::MetricPoint> out;
  while (st.step()) {
    core::MetricPoint m;
    m.key = key;
    m.level = level;
    m.epoch = st.col_opt_double(0);
    m.step = st.col_opt_int(1);
    m.time = st.col_opt_double(2);
    m.value = st.is_null(3) ? std::numeric_limits<double>::quiet_NaN() : st.col_double(3);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> list_experiments(Database& db) {
  Statement st(db.raw(), "SELECT name FROM experiments ORDER BY name");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.col_text(0));
  return out;
}

}  // namespace rn50::store
