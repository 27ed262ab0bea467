#include "runner/run_ingest.h"

#include <chrono>
#include <filesystem>

#include "core/derive.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/native_log_format.h"
#include "core/time_util.h"
#include "ingest/pipeline.h"
#include "parsers/registry.h"
#include "store/ingest.h"

namespace rn50::runner {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string exit_codes_text(const LaunchResult& r) {
  std::string out;
  for (const RankExit& e : r.ranks) {
    out += out.empty() ? "" : ",";
    out += e.signal ? "signal " + std::to_string(e.signal) : std::to_string(e.exit_code);
  }
  return out;
}

// The runner's verdict on a run that did not finish, written into the record.
void mark_failed(core::RunRecord& rec, const LaunchResult& res, int64_t attempt) {
  rec.status = core::RunStatus::kFailed;
  rec.set_param("runner.outcome", std::string(to_string(res.outcome)), core::Source::kUser);
  rec.set_param("runner.reason", res.reason, core::Source::kUser);
  rec.set_param("runner.exit_codes", exit_codes_text(res), core::Source::kUser);
  rec.set_param("runner.attempt", std::to_string(attempt), core::Source::kUser);
  json ranks = json::array();
  for (const RankExit& e : res.ranks)
    ranks.push_back({{"rank", e.rank},
                     {"exit_code", e.signal ? json(nullptr) : json(e.exit_code)},
                     {"signal", e.signal ? json(e.signal) : json(nullptr)},
                     {"stopped_by_runner", e.stopped_by_runner}});
  core::Event ev;
  ev.key = "runner_failed";
  ev.time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ev.value_json = json(std::string(to_string(res.outcome))).dump();
  ev.metadata_json = json({{"reason", res.reason}, {"ranks", ranks}}).dump();
  rec.events.push_back(std::move(ev));
}

// A record for a run whose rank 0 never wrote a log: what the plan knows, status failed.
core::ParsedFile record_without_log(const PlannedRun& run, const core::TrainConfig& cfg) {
  core::RunRecord rec;
  rec.source_format = "rn50-runner";
  const std::string detail = "experiment plan";
  rec.world_size.set(run.shape.world_size(), core::Source::kUser, detail);
  rec.nodes.set(run.shape.nodes, core::Source::kUser, detail);
  rec.batch_per_device.set(run.batch_per_device, core::Source::kUser, detail);
  rec.global_batch.set(run.global_batch, core::Source::kUser, detail);
  rec.epochs_planned.set(cfg.epochs, core::Source::kUser, detail);
  rec.precision.set(run.precision, core::Source::kUser, detail);
  // Named: iterating items() of a temporary would outlive the temporary.
  const json config = cfg.to_json();
  for (const auto& [k, v] : config.items())
    rec.set_param(k, v.is_string() ? v.get<std::string>() : v.dump(), core::Source::kUser);
  core::ParsedFile pf;
  pf.format = "rn50-runner";
  pf.parser_version = "1";
  pf.runs.push_back(std::move(rec));
  return pf;
}

}  // namespace

IngestRecord IngestOutcome::record(const std::string& db_path) const {
  return {fs::absolute(db_path).lexically_normal().string(), run_ids, source_path, source_sha256};
}

IngestOutcome ingest_run(store::Database& db, const Experiment& exp, const PlannedRun& run,
                         const core::TrainConfig& cfg, const RunManifest& manifest,
                         const LaunchResult* result) {
  IngestOutcome out;
  const fs::path log_path = fs::path(cfg.workspace) / cfg.log_file;
  const auto attempt = static_cast<int64_t>(manifest.attempts.size());

  // Already in this database (an earlier invocation ingested it): nothing to do.
  if (!result && manifest.ingested) {
    const IngestRecord& ing = *manifest.ingested;
    if (ing.db == fs::absolute(db.path()).lexically_normal().string() && !ing.run_ids.empty()) {
      out.run_ids = ing.run_ids;
      out.already_ingested = true;
      out.source_path = ing.source;
      out.source_sha256 = ing.source_sha256;
      return out;
    }
  }

  const bool failed = result && result->outcome != Outcome::kFinished;
  ingest::Options popt;
  popt.experiment = exp.name;
  popt.tags = run.tags;
  popt.tags.emplace_back("attempt", std::to_string(attempt));
  popt.derive.target_top1 = exp.target_top1.value_or(core::kDefaultTargetTop1);
  ingest::Pipeline pipeline(db, popt);
  // The runner's knowledge goes into the record before it is stored.
  const auto adjust = [&](core::ParsedFile& parsed) {
    for (core::RunRecord& rec : parsed.runs) {
      rec.name = exp.name + "/" + run.label;
      if (failed) mark_failed(rec, *result, attempt);
      rec.set_param("runner.run_id", run.id, core::Source::kUser);
      rec.set_param("runner.config_sha256", run.config_sha256, core::Source::kUser);
    }
  };
  // A failed attempt's partial log is stored as its own source even if a later attempt appends to
  // the same file: the hash covers the runner's verdict too.
  const std::string verdict = failed ? "\n#runner: " + std::string(to_string(result->outcome)) +
                                           " attempt " + std::to_string(attempt)
                                     : "";

  ingest::FileResult r;
  std::error_code ec;
  const bool have_log = fs::is_regular_file(log_path, ec) && fs::file_size(log_path, ec) > 0;
  if (have_log) {
    ingest::FileJob job;
    job.path = log_path;
    job.shown = log_path.string();
    job.parser = parsers::find_parser(core::kNativeLogFormat);
    if (!job.parser) throw core::Error("the rn50-native parser is not registered");
    job.adjust = adjust;
    job.hash_suffix = verdict;
    r = pipeline.ingest(job);
    out.source_path = job.shown;
  }
  const bool no_run = !have_log || (r.outcome == ingest::Outcome::kFailed && r.parsed.runs.empty());
  if (no_run && !failed) {
    out.messages.push_back("not ingested: " + log_path.string() + " holds no run" +
                           (r.parsed.diagnostics.empty()
                                ? (r.message.empty() ? std::string() : " (" + r.message + ")")
                                : " (" + r.parsed.diagnostics[0].message + ")"));
    return out;
  }
  if (no_run) {
    // Unique per attempt: every failed attempt is its own record.
    ingest::FileJob job;
    job.shown = (fs::path(cfg.workspace) / "manifest.json").string();
    job.record = record_without_log(run, cfg);
    job.record_identity =
        run.id + "\nattempt " + std::to_string(attempt) + "\nno log\n" + result->reason + verdict;
    job.adjust = adjust;
    r = pipeline.ingest(job);
    out.source_path = job.shown;
  }
  if (r.outcome == ingest::Outcome::kFailed) throw core::Error(r.message);
  out.source_sha256 = r.sha256;
  out.already_ingested =
      r.outcome == ingest::Outcome::kDuplicate || r.outcome == ingest::Outcome::kJoined;
  out.run_ids = r.stored.run_ids;
  if (out.already_ingested && manifest.ingested) out.run_ids = manifest.ingested->run_ids;
  for (const auto& d : r.parsed.diagnostics)
    if (d.severity == core::Severity::kError)
      out.messages.push_back("log diagnostic (line " + std::to_string(d.line) + "): " + d.message);
  return out;
}

}  // namespace rn50::runner
