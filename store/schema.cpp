#include "store/schema.h"

#include <filesystem>
#include <string>

#include "core/archive_layout.h"
#include "core/error.h"
#include "store/database.h"
#include "store/sqlite_util.h"

namespace rn50::store {

namespace {

// Version 1. Units everywhere: percent, images/s, seconds, unix seconds (naive log timestamps
// read as UTC). Persisted enum texts (status, source, level, severity) never change meaning.
constexpr std::string_view kTablesV1 = R"sql(
CREATE TABLE experiments(
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE source_files(
  id             INTEGER PRIMARY KEY,
  sha256         TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  path           TEXT NOT NULL,
  abs_path       TEXT NOT NULL,
  size_bytes     INTEGER NOT NULL CHECK (size_bytes >= 0),
  format         TEXT NOT NULL,
  parser_version TEXT NOT NULL,
  ingested_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE runs(
  id               INTEGER PRIMARY KEY,
  experiment_id    INTEGER NOT NULL REFERENCES experiments(id),
  source_file_id   INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  run_key          TEXT NOT NULL DEFAULT '',
  name             TEXT NOT NULL,
  source_format    TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('finished', 'incomplete', 'aborted', 'failed')),
  start_time       REAL,
  end_time         REAL,
  world_size       INTEGER CHECK (world_size > 0),
  nodes            INTEGER CHECK (nodes > 0),
  precision        TEXT,
  batch_per_device INTEGER CHECK (batch_per_device > 0),
  global_batch     INTEGER CHECK (global_batch > 0),
  epochs_planned   INTEGER CHECK (epochs_planned >= 0),
  epochs_completed INTEGER CHECK (epochs_completed >= 0),
  best_top1        REAL,
  best_top1_epoch  INTEGER,
  best_top5        REAL,
  last_top1        REAL,
  summary_top1     REAL,
  summary_top5     REAL,
  total_ips        REAL,
  total_ips_definition   TEXT NOT NULL DEFAULT '',
  compute_ips      REAL,
  compute_ips_definition TEXT NOT NULL DEFAULT '',
  summary_total_ips   REAL,
  summary_compute_ips REAL,
  target_top1      REAL,
  time_to_target_s REAL,
  target_epoch     INTEGER,
  wall_time_s      REAL,
  step_time_p50    REAL,
  step_time_p90    REAL,
  step_time_p99    REAL,
  UNIQUE (source_file_id, run_key)
) STRICT;
CREATE INDEX runs_by_experiment ON runs(experiment_id);

CREATE TABLE facts(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  field  TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('log', 'inferred', 'user')),
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, field)
) STRICT, WITHOUT ROWID;

CREATE TABLE params(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('log', 'inferred', 'user')),
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE tags(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX tags_by_key_value ON tags(key, value);

CREATE TABLE metric_keys(
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

-- Metric history. A series is one (run, key, level); its points are the contiguous rowid range
-- first_point .. first_point + points - 1 of metric_points, in the order the log printed them.
-- Points carry no foreign keys or text: appending them is the hot path of ingest.
CREATE TABLE metric_series(
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key_id      INTEGER NOT NULL REFERENCES metric_keys(id),
  level       TEXT NOT NULL CHECK (level IN ('iter', 'val_iter', 'epoch', 'summary', 'eval')),
  first_point INTEGER NOT NULL,
  points      INTEGER NOT NULL CHECK (points > 0),
  UNIQUE (run_id, key_id, level)
) STRICT;

CREATE TABLE metric_points(
  id    INTEGER PRIMARY KEY,
  epoch REAL,
  step  INTEGER,
  time  REAL,
  value REAL
) STRICT;

CREATE TRIGGER metric_series_points_delete AFTER DELETE ON metric_series BEGIN
  DELETE FROM metric_points
   WHERE id BETWEEN old.first_point AND old.first_point + old.points - 1;
END;

CREATE TABLE epochs(
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL,
  train_loss  REAL,
  top1        REAL,
  top5        REAL,
  lr          REAL,
  total_ips   REAL,
  compute_ips REAL,
  time        REAL,
  PRIMARY KEY (run_id, epoch)
) STRICT, WITHOUT ROWID;

CREATE TABLE events(
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  key           TEXT NOT NULL,
  time          REAL,
  epoch         REAL,
  value_json    TEXT NOT NULL DEFAULT 'null',
  metadata_json TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE ingest_diagnostics(
  id             INTEGER PRIMARY KEY,
  source_file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  origin         TEXT NOT NULL CHECK (origin IN ('parser', 'ingest')),
  severity       TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
  line           INTEGER NOT NULL CHECK (line >= 0),
  message        TEXT NOT NULL
) STRICT;
CREATE INDEX ingest_diagnostics_by_file ON ingest_diagnostics(source_file_id);
)sql";

// Views are the users' interface: column names are a promise (docs/schema.md).
constexpr std::string_view kViewsV1 = R"sql(
CREATE VIEW v_run_summary AS
SELECT
  r.id               AS run_id,
  e.name             AS experiment,
  r.source_format    AS source_format,
  f.path             AS source_path,
  r.status           AS status,
  r.nodes            AS nodes,
  r.world_size       AS world_size,
  r.precision        AS precision,
  r.batch_per_device AS batch_per_device,
  r.global_batch     AS global_batch,
  r.epochs_planned   AS epochs_planned,
  r.epochs_completed AS epochs_completed,
  r.best_top1        AS best_top1,
  r.best_top1_epoch  AS best_top1_epoch,
  r.best_top5        AS best_top5,
  r.last_top1        AS last_top1,
  r.total_ips        AS total_ips,
  r.compute_ips      AS compute_ips,
  r.summary_total_ips   AS summary_total_ips,
  r.summary_compute_ips AS summary_compute_ips,
  r.target_top1      AS target_top1,
  r.time_to_target_s AS time_to_target_s,
  r.wall_time_s      AS wall_time_s,
  r.name             AS name,
  r.run_key          AS run_key,
  f.sha256           AS source_sha256,
  r.total_ips_definition   AS total_ips_definition,
  r.compute_ips_definition AS compute_ips_definition,
  r.step_time_p50    AS step_time_p50,
  r.step_time_p90    AS step_time_p90,
  r.step_time_p99    AS step_time_p99,
  r.target_epoch     AS target_epoch,
  r.summary_top1     AS summary_top1,
  r.summary_top5     AS summary_top5,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.start_time, 'unixepoch') AS start_time,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.end_time, 'unixepoch')   AS end_time,
  f.ingested_at      AS ingested_at,
  (SELECT group_concat(key || '=' || value, ', ')
     FROM (SELECT t.key, t.value FROM tags t WHERE t.run_id = r.id ORDER BY t.key)) AS tags
FROM runs r
JOIN experiments e  ON e.id = r.experiment_id
JOIN source_files f ON f.id = r.source_file_id;

CREATE VIEW v_epoch_metrics AS
SELECT
  ep.run_id      AS run_id,
  ep.epoch       AS epoch,
  ep.train_loss  AS train_loss,
  ep.top1        AS top1,
  ep.top5        AS top5,
  ep.lr          AS lr,
  ep.total_ips   AS total_ips,
  ep.compute_ips AS compute_ips,
  ep.time - r.start_time AS t,
  strftime('%Y-%m-%dT%H:%M:%fZ', ep.time, 'unixepoch') AS time
FROM epochs ep
JOIN runs r ON r.id = ep.run_id;

CREATE VIEW v_metric_history AS
SELECT
  s.run_id AS run_id,
  k.name   AS key,
  s.level  AS level,
  p.epoch  AS epoch,
  p.step   AS step,
  p.time   AS time,
  p.value  AS value,
  p.id - s.first_point AS seq
FROM metric_series s
JOIN metric_keys k   ON k.id = s.key_id
JOIN metric_points p ON p.id BETWEEN s.first_point AND s.first_point + s.points - 1;

CREATE VIEW v_facts AS
SELECT f.run_id, f.field, f.source, f.detail FROM facts f;

-- Median in plain SQL (SQLite 3.40 has no median(); C++ functions do not exist in a user's
-- sqlite3 shell): rank the non-NULL values inside each group and average the middle one or two.
CREATE VIEW v_throughput_by_devices AS
WITH base AS (
  SELECT e.name AS experiment, r.source_format, r.precision, r.batch_per_device, r.world_size,
         r.total_ips, r.compute_ips
  FROM runs r JOIN experiments e ON e.id = r.experiment_id
),
ranked AS (
  SELECT *,
    count(*)           OVER grp AS n_all,
    count(total_ips)   OVER grp AS n_total,
    count(compute_ips) OVER grp AS n_compute,
    row_number() OVER (grp ORDER BY total_ips)   AS rn_total,
    row_number() OVER (grp ORDER BY compute_ips) AS rn_compute
  FROM base
  WINDOW grp AS (PARTITION BY experiment, source_format, precision, batch_per_device, world_size)
)
SELECT
  experiment, source_format, precision, batch_per_device, world_size,
  max(n_all) AS runs,
  max(n_total) AS n_total_ips,
  avg(CASE WHEN total_ips IS NOT NULL
            AND rn_total - (n_all - n_total) IN ((n_total + 1) / 2, (n_total + 2) / 2)
           THEN total_ips END) AS median_total_ips,
  min(total_ips) AS min_total_ips,
  max(total_ips) AS max_total_ips,
  max(n_compute) AS n_compute_ips,
  avg(CASE WHEN compute_ips IS NOT NULL
            AND rn_compute - (n_all - n_compute) IN ((n_compute + 1) / 2, (n_compute + 2) / 2)
           THEN compute_ips END) AS median_compute_ips,
  min(compute_ips) AS min_compute_ips,
  max(compute_ips) AS max_compute_ips
FROM ranked
GROUP BY experiment, source_format, precision, batch_per_device, world_size;
)sql";

// Version 2. A stored file (and its runs) can belong to several experiments and MLPerf sets: the
// same bytes ingested again under another experiment or path add a membership, not new runs.
// runs.experiment_id stays as the experiment of the first ingest; selections go through
// memberships. A metric series may be stored in several segments (a file too large to hold in
// memory is written while it is read): rows (run, key, level, segment 0..n), each a contiguous
// rowid range, seq_offset = points of the earlier segments.
constexpr std::string_view kTablesV2 = R"sql(
CREATE TABLE memberships(
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id),
  path           TEXT NOT NULL,
  abs_path       TEXT NOT NULL,
  name           TEXT NOT NULL,
  set_key        TEXT NOT NULL,
  set_org        TEXT,
  set_system     TEXT,
  set_benchmark  TEXT,
  system_file    TEXT,
  scaling_factor REAL CHECK (scaling_factor > 0),
  scaling_file   TEXT,
  added_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (run_id, experiment_id, abs_path)
) STRICT;
CREATE INDEX memberships_by_experiment ON memberships(experiment_id);
CREATE INDEX memberships_by_run ON memberships(run_id);

DROP VIEW v_metric_history;
DROP TRIGGER metric_series_points_delete;
CREATE TABLE metric_series_v2(
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key_id      INTEGER NOT NULL REFERENCES metric_keys(id),
  level       TEXT NOT NULL CHECK (level IN ('iter', 'val_iter', 'epoch', 'summary', 'eval')),
  segment     INTEGER NOT NULL DEFAULT 0 CHECK (segment >= 0),
  seq_offset  INTEGER NOT NULL DEFAULT 0 CHECK (seq_offset >= 0),
  first_point INTEGER NOT NULL,
  points      INTEGER NOT NULL CHECK (points > 0),
  UNIQUE (run_id, key_id, level, segment)
) STRICT;
INSERT INTO metric_series_v2(id, run_id, key_id, level, segment, seq_offset, first_point, points)
  SELECT id, run_id, key_id, level, 0, 0, first_point, points FROM metric_series;
DROP TABLE metric_series;
ALTER TABLE metric_series_v2 RENAME TO metric_series;
CREATE TRIGGER metric_series_points_delete AFTER DELETE ON metric_series BEGIN
  DELETE FROM metric_points
   WHERE id BETWEEN old.first_point AND old.first_point + old.points - 1;
END;
CREATE VIEW v_metric_history AS
SELECT
  s.run_id AS run_id,
  k.name   AS key,
  s.level  AS level,
  p.epoch  AS epoch,
  p.step   AS step,
  p.time   AS time,
  p.value  AS value,
  s.seq_offset + p.id - s.first_point AS seq
FROM metric_series s
JOIN metric_keys k   ON k.id = s.key_id
JOIN metric_points p ON p.id BETWEEN s.first_point AND s.first_point + s.points - 1;

DROP VIEW v_run_summary;
DROP VIEW v_throughput_by_devices;
)sql";

constexpr std::string_view kViewsV2 = R"sql(
CREATE VIEW v_run_summary AS
SELECT
  r.id               AS run_id,
  e.name             AS experiment,
  r.source_format    AS source_format,
  m.path             AS source_path,
  r.status           AS status,
  r.nodes            AS nodes,
  r.world_size       AS world_size,
  r.precision        AS precision,
  r.batch_per_device AS batch_per_device,
  r.global_batch     AS global_batch,
  r.epochs_planned   AS epochs_planned,
  r.epochs_completed AS epochs_completed,
  r.best_top1        AS best_top1,
  r.best_top1_epoch  AS best_top1_epoch,
  r.best_top5        AS best_top5,
  r.last_top1        AS last_top1,
  r.total_ips        AS total_ips,
  r.compute_ips      AS compute_ips,
  r.summary_total_ips   AS summary_total_ips,
  r.summary_compute_ips AS summary_compute_ips,
  r.target_top1      AS target_top1,
  r.time_to_target_s AS time_to_target_s,
  r.wall_time_s      AS wall_time_s,
  m.name             AS name,
  r.run_key          AS run_key,
  f.sha256           AS source_sha256,
  r.total_ips_definition   AS total_ips_definition,
  r.compute_ips_definition AS compute_ips_definition,
  r.step_time_p50    AS step_time_p50,
  r.step_time_p90    AS step_time_p90,
  r.step_time_p99    AS step_time_p99,
  r.target_epoch     AS target_epoch,
  r.summary_top1     AS summary_top1,
  r.summary_top5     AS summary_top5,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.start_time, 'unixepoch') AS start_time,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.end_time, 'unixepoch')   AS end_time,
  f.ingested_at      AS ingested_at,
  (SELECT group_concat(key || '=' || value, ', ')
     FROM (SELECT t.key, t.value FROM tags t WHERE t.run_id = r.id ORDER BY t.key)) AS tags,
  m.id               AS membership_id,
  m.set_key          AS set_key,
  m.set_org          AS set_org,
  m.set_system       AS set_system,
  m.set_benchmark    AS set_benchmark,
  m.system_file      AS system_file,
  m.scaling_factor   AS scaling_factor,
  m.scaling_file     AS scaling_file
FROM memberships m
JOIN runs r         ON r.id = m.run_id
JOIN experiments e  ON e.id = m.experiment_id
JOIN source_files f ON f.id = r.source_file_id;

CREATE VIEW v_throughput_by_devices AS
WITH base AS (
  -- A run counts once per experiment, however many paths hold its bytes.
  SELECT DISTINCT e.name AS experiment, r.id AS run_id, r.source_format, r.precision,
         r.batch_per_device, r.world_size, r.total_ips, r.compute_ips
  FROM memberships m JOIN runs r ON r.id = m.run_id JOIN experiments e ON e.id = m.experiment_id
),
ranked AS (
  SELECT *,
    count(*)           OVER grp AS n_all,
    count(total_ips)   OVER grp AS n_total,
    count(compute_ips) OVER grp AS n_compute,
    row_number() OVER (grp ORDER BY total_ips)   AS rn_total,
    row_number() OVER (grp ORDER BY compute_ips) AS rn_compute
  FROM base
  WINDOW grp AS (PARTITION BY experiment, source_format, precision, batch_per_device, world_size)
)
SELECT
  experiment, source_format, precision, batch_per_device, world_size,
  max(n_all) AS runs,
  max(n_total) AS n_total_ips,
  avg(CASE WHEN total_ips IS NOT NULL
            AND rn_total - (n_all - n_total) IN ((n_total + 1) / 2, (n_total + 2) / 2)
           THEN total_ips END) AS median_total_ips,
  min(total_ips) AS min_total_ips,
  max(total_ips) AS max_total_ips,
  max(n_compute) AS n_compute_ips,
  avg(CASE WHEN compute_ips IS NOT NULL
            AND rn_compute - (n_all - n_compute) IN ((n_compute + 1) / 2, (n_compute + 2) / 2)
           THEN compute_ips END) AS median_compute_ips,
  min(compute_ips) AS min_compute_ips,
  max(compute_ips) AS max_compute_ips
FROM ranked
GROUP BY experiment, source_format, precision, batch_per_device, world_size;
)sql";

// One membership per run of a version-1 database: its experiment, its file's path and its name;
// the set from where the file was (docs/ingest.md, core/archive_layout.h).
void add_memberships_v2(sqlite3* db) {
  Statement sel(db,
                "SELECT r.id, r.experiment_id, f.path, f.abs_path, r.name FROM runs r "
                "JOIN source_files f ON f.id = r.source_file_id ORDER BY r.id");
  Statement ins(db,
                "INSERT INTO memberships(run_id, experiment_id, path, abs_path, name, set_key, "
                "set_org, set_system, set_benchmark) VALUES (?,?,?,?,?,?,?,?,?)");
  while (sel.step()) {
    const std::filesystem::path abs = sel.col_text(3);
    const core::ArchivePlace place = core::archive_place(abs);
    const bool in_layout = place.kind == core::ArchivePlace::Kind::kResult;
    ins.bind(1, sel.col_int(0))
        .bind(2, sel.col_int(1))
        .bind(3, sel.col_text(2))
        .bind(4, abs.string())
        .bind(5, sel.col_text(4))
        .bind(6, core::set_key(place, abs));
    if (in_layout)
      ins.bind(7, place.org).bind(8, place.system).bind(9, place.benchmark);
    else
      ins.bind_null(7).bind_null(8).bind_null(9);
    ins.run();
  }
}

void migrate_v2(sqlite3* db) {
  exec(db, kTablesV2);
  add_memberships_v2(db);
  exec(db, kViewsV2);
}

void create_v1(sqlite3* db) {
  exec(db, kTablesV1);
  exec(db, kViewsV1);
}

constexpr Migration kLadder[] = {
    {1, "tables, indexes and views of the first release", &create_v1},
    {2, "memberships of runs in experiments and sets; metric series in segments", &migrate_v2},
};

}  // namespace

std::span<const Migration> schema_ladder() { return kLadder; }

int migrate(sqlite3* db, std::span<const Migration> ladder,
            const std::function<void(const FoundState&)>& check) {
  const int target = ladder.empty() ? 0 : ladder.back().to_version;
  Transaction tx(db);
  // Read inside the write transaction: a concurrent process may have migrated meanwhile.
  FoundState state;
  state.application_id = query_int(db, "PRAGMA application_id");
  state.user_version = query_int(db, "PRAGMA user_version");
  state.schema_objects = query_int(db, "SELECT count(*) FROM sqlite_schema");
  if (check) check(state);
  const int found = static_cast<int>(state.user_version);
  if (found >= target) return found;  // nothing to do; the destructor ends the transaction
  int version = found;
  for (const Migration& m : ladder) {
    if (version != m.to_version - 1) continue;
    try {
      m.apply(db);
    } catch (const std::exception& e) {
      throw core::Error("migrating schema to version " + std::to_string(m.to_version) + " (" +
                        std::string(m.description) + "): " + e.what());
    }
    version = m.to_version;
  }
  if (version != target)
    throw core::Error(db_file_name(db) + ": no migration path from schema version " +
                      std::to_string(found) + " to " + std::to_string(target));
  exec(db, "PRAGMA user_version = " + std::to_string(target));
  exec(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
  tx.commit();
  return found;
}

}  // namespace rn50::store
