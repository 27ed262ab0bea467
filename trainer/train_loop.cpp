#include "trainer/train_loop.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/core/Generator.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/file_util.h"
#include "core/memory.h"
#include "trainer/checkpoint.h"
#include "trainer/device.h"
#include "trainer/evaluate.h"
#include "trainer/native_log.h"
#include "trainer/optim_schedule.h"
#include "trainer/run_report.h"
#include "trainer/torch_info.h"
#include "trainer/train_step.h"

namespace rn50::trainer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string in_workspace(const core::TrainConfig& cfg, const std::string& name) {
  fs::path p(name);
  return p.is_absolute() ? p.string() : (fs::path(cfg.workspace) / p).string();
}

DataOptions data_options(const core::TrainConfig& cfg, const Distributed& dist, bool train) {
  DataOptions o;
  o.backend = cfg.data_backend;
  o.root = cfg.data;
  o.train = train;
  o.image_size = cfg.image_size;
  o.crop_scale_min = cfg.crop_scale_min;
  o.batch_size = cfg.batch_size;
  o.workers = cfg.workers;
  o.prefetch = cfg.prefetch;
  o.seed = cfg.seed;
  o.rank = dist.rank();
  o.world_size = dist.world_size();
  o.synthetic_images = train ? cfg.synthetic_train_images : cfg.synthetic_val_images;
  o.num_classes = cfg.num_classes;
  o.fail_on_corrupt = cfg.on_corrupt_image == "fail";
  return o;
}

// Per-epoch accumulators; part of the checkpoint so a mid-epoch resume reports the same epoch.
struct EpochAccum {
  ThroughputStats all, steady;
  double loss_sum = 0, n = 0;  // this rank
  json to_json() const {
    return {{"all", all.to_json()}, {"steady", steady.to_json()}, {"loss_sum", loss_sum}, {"n", n}};
  }
  static EpochAccum from_json(const json& j) {
    EpochAccum a;
    a.all = ThroughputStats::from_json(j.at("all"));
    a.steady = ThroughputStats::from_json(j.at("steady"));
    a.loss_sum = j.at("loss_sum").get<double>();
    a.n = j.at("n").get<double>();
    return a;
  }
};

// The print_freq interval being accumulated for the next train_step record.
struct Interval {
  ThroughputStats stats;
  double loss_sum = 0, n = 0;
  bool steady = false;
};

std::string rng_to_string(const std::mt19937_64& rng) {
  std::ostringstream s;
  s << rng;
  return s.str();
}

json torch_json(const torch::Device& device) {
  TorchInfo t = torch_info();
  json j = {{"version", t.torch_version},
            {"cuda_available", t.cuda_available},
            {"parallel_info", t.parallel_info}};
  if (device.is_cuda()) {
    j["cuda_version"] = t.cuda_version;
    j["cudnn_version"] = t.cudnn_version;
    j["nccl_version"] = t.nccl_version;
    j["device_name"] = t.device_name;
    j["cuda_device_count"] = t.cuda_device_count;
  }
  return j;
}

}  // namespace

TrainResult train(const core::TrainConfig& cfg, Distributed& dist, const TrainHooks& hooks) {
  const torch::Device device = select_device(cfg, dist);
  prepare_device(device, cfg.deterministic);
  const bool main = dist.is_main();
  const int64_t world = dist.world_size();
  if (cfg.threads > 0) at::set_num_threads(int(cfg.threads));
  core::keep_freed_memory();
  if (cfg.deterministic) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  torch::manual_seed(cfg.seed);

  std::error_code ec;
  fs::create_directories(cfg.workspace, ec);
  if (ec || !fs::is_directory(cfg.workspace))
    throw core::Error("cannot create workspace " + cfg.workspace + ": " + ec.message());

  // Batch arithmetic: optimizer_batch_size is global; accumulation makes it up from micro-batches.
  const int64_t global_batch = cfg.batch_size * world;
  int64_t accumulation = 1;
  if (cfg.optimizer_batch_size > 0) {
    if (cfg.optimizer_batch_size % global_batch != 0)
      throw core::UsageError("optimizer_batch_size: " + std::to_string(cfg.optimizer_batch_size) +
                             " is not a multiple of the global batch " +
                             std::to_string(global_batch) + " (batch_size x world size)");
    accumulation = cfg.optimizer_batch_size / global_batch;
  }
  const int64_t optimizer_batch = global_batch * accumulation;
  const LrSchedule schedule = make_schedule(cfg, optimizer_batch);

  auto train_src = make_batch_source(data_options(cfg, dist, true));
  std::unique_ptr<BatchSource> val_src;
  if (cfg.eval_every > 0) val_src = make_batch_source(data_options(cfg, dist, false));
  if (train_src->num_classes() > cfg.num_classes)
    throw core::UsageError("num_classes: " + std::to_string(cfg.num_classes) +
                           " but the training data has " +
                           std::to_string(train_src->num_classes()) + " classes");
  int64_t steps_per_epoch = train_src->batches_per_epoch();
  if (cfg.training_step_per_epoch > 0)
    steps_per_epoch = std::min(steps_per_epoch, cfg.training_step_per_epoch);
  if (steps_per_epoch <= 0)
    throw core::UsageError("data: the training set has fewer images than one batch (" +
                           std::to_string(global_batch) + ")");

  ResNet model = make_model(cfg);  // initialised on the CPU: the same weights on every device
  model->to(device);
  apply_memory_format(*model, cfg);
  dist.broadcast_module(*model);
  if (world > 1) dist.attach_gradient_sync(*model);
  model->train();
  TrainStep stepper(cfg, model, dist, accumulation);
  std::mt19937_64 mixup_rng(cfg.seed * 1000003ULL + uint64_t(dist.rank()));

  // --- resume
  const std::string ckpt_path = in_workspace(cfg, cfg.checkpoint_file);
  std::string resume_path = cfg.resume;
  if (resume_path == "auto") resume_path = fs::exists(ckpt_path) ? ckpt_path : "";
  int64_t start_epoch = 0, start_step = 0;
  RunTotals totals;
  totals.world_size = world;
  totals.local_rank = dist.rank();
  double elapsed_before = 0;
  EpochAccum epoch_acc;
  if (!resume_path.empty()) {
    CheckpointState st = load_checkpoint(resume_path, *model);
    if (st.momentum.size() != stepper.sgd().momentum_buffers().size())
      throw core::UsageError(resume_path + ": optimizer state does not match the model");
    auto& bufs = stepper.sgd().momentum_buffers();
    const auto& params = stepper.sgd().params();
    for (size_t i = 0; i < bufs.size(); ++i)
      if (st.momentum[i].defined())
        bufs[i] =
            st.momentum[i].to(params[i].device()).contiguous(params[i].suggest_memory_format());
    stepper.scaler().load_state(st.loss_scale, st.loss_scale_tracker);
    if (st.torch_rng.defined()) {
      at::Generator gen = at::detail::getDefaultCPUGenerator();  // a handle: shares the state
      gen.set_state(st.torch_rng);
    }
    std::istringstream(st.mixup_rng) >> mixup_rng;
    start_epoch = st.epoch;
    start_step = st.step;
    const json& L = st.loop;
    totals.acc1_best = L.value("acc1_best", 0.0);
    totals.acc5_best = L.value("acc5_best", 0.0);
    if (L.contains("time_to_target_s") && L["time_to_target_s"].is_number())
      totals.time_to_target_s = L["time_to_target_s"].get<double>();
    if (L.contains("target_epoch") && L["target_epoch"].is_number())
      totals.target_epoch = L["target_epoch"].get<int64_t>();
    totals.epochs_completed = L.value("epochs_completed", int64_t(0));
    elapsed_before = L.value("elapsed_s", 0.0);
    if (L.contains("steady")) totals.steady = ThroughputStats::from_json(L["steady"]);
    if (start_step > 0 && L.contains("epoch_accum"))
      epoch_acc = EpochAccum::from_json(L["epoch_accum"]);
    if (L.contains("arch") && L["arch"] != cfg.arch)
      throw core::UsageError(resume_path + ": checkpoint of " + L["arch"].dump() +
                             ", config says arch '" + cfg.arch + "'");
  }

  // --- log (rank 0 only)
  const std::string log_path = in_workspace(cfg, cfg.log_file);
  const std::string report_path = in_workspace(cfg, cfg.report_file);
  NativeLog log;
  if (main) {
    const bool append = !resume_path.empty() && fs::exists(log_path);
    log.open(log_path, append);
    if (!append) {
      log.write("header", {{"schema", kNativeLogSchema},
                           {"version", kNativeLogVersion},
                           {"config", cfg.to_json()},
                           {"environment", hooks.environment},
                           {"world_size", world},
                           {"global_batch", global_batch},
                           {"optimizer_batch", optimizer_batch},
                           {"accumulation", accumulation},
                           {"steps_per_epoch", steps_per_epoch},
                           {"train_images_per_epoch", train_src->images_per_epoch() * world},
                           {"val_images",
                            val_src ? json(val_src->images_per_epoch() * world) : json(nullptr)},
                           {"base_lr", schedule.base_lr},
                           {"torch", torch_json(device)},
                           {"threads", at::get_num_threads()}});
    }
    if (!resume_path.empty())
      log.write("resume",
                {{"checkpoint", resume_path}, {"epoch", start_epoch}, {"step", start_step}});
  }
  auto say = [&](const std::string& s) {
    if (main && hooks.on_line) hooks.on_line(s);
  };

  // The checkpoint writer: everything the loop needs to continue from (epoch, step).
  auto save = [&](int64_t epoch, int64_t step, double elapsed) {
    if (!cfg.save_checkpoints) return;
    if (world > 1) dist.broadcast_buffers(*model);
    if (!main) return;
    CheckpointState st;
    st.epoch = epoch;
    st.step = step;
    st.momentum = stepper.sgd().momentum_buffers();
    st.loss_scale = stepper.scaler().scale();
    st.loss_scale_tracker = stepper.scaler().growth_tracker();
    st.torch_rng = at::detail::getDefaultCPUGenerator().get_state();
    st.mixup_rng = rng_to_string(mixup_rng);
    st.loop = {{"acc1_best", totals.acc1_best},
               {"acc5_best", totals.acc5_best},
               {"time_to_target_s",
                totals.time_to_target_s ? json(*totals.time_to_target_s) : json(nullptr)},
               {"target_epoch", totals.target_epoch ? json(*totals.target_epoch) : json(nullptr)},
               {"epochs_completed", totals.epochs_completed},
               {"elapsed_s", elapsed},
               {"steady", totals.steady.to_json()},
               {"epoch_accum", epoch_acc.to_json()},
               {"arch", cfg.arch},
               {"config", cfg.to_json()}};
    save_checkpoint(ckpt_path, *model, st);
  };

  // --- the loop
  const auto t_start = Clock::now();
  auto elapsed = [&] { return elapsed_before + seconds_since(t_start); };
  if (main && resume_path.empty()) log.event("run_start");
  const int64_t total_steps = (cfg.epochs - start_epoch) * steps_per_epoch - start_step;
  int64_t steps_done = 0;
  double recent_ips = 0;
  bool stop = false, target_reached = totals.time_to_target_s.has_value();
  std::string status = "success";

  for (int64_t epoch = start_epoch; epoch < cfg.epochs && !stop; ++epoch) {
    const int64_t first_step = epoch == start_epoch ? start_step : 0;
    if (first_step == 0) epoch_acc = EpochAccum{};
    if (main) log.event("epoch_start", nullptr, json::object(), double(epoch));
    train_src->start_epoch(epoch, first_step);
    model->train();
    Interval iv;
    double lr = schedule.at(epoch, first_step, steps_per_epoch);
    auto flush = [&](int64_t step) {
      if (!main || iv.stats.steps == 0) return;
      log.write("train_step", {{"epoch", epoch},
                               {"step", step},
                               {"steps", steps_per_epoch},
                               {"interval_steps", iv.stats.steps},
                               {"steady", iv.steady},
                               {"images", iv.stats.images},
                               {"seconds", iv.stats.seconds},
                               {"data_seconds", iv.stats.data_seconds},
                               {"loss_sum", iv.loss_sum},
                               {"n", iv.n},
                               {"metrics",
                                {{"train.loss", iv.n > 0 ? iv.loss_sum / iv.n : 0},
                                 {"train.total_ips", iv.stats.total_ips()},
                                 {"train.compute_ips", iv.stats.compute_ips()},
                                 {"train.lr", lr}}}});
      iv = Interval{};
    };
    for (int64_t step = first_step; step < steps_per_epoch; ++step) {
      const auto t0 = Clock::now();
      auto batch = train_src->next();
      if (!batch) break;
      const double data_s = seconds_since(t0);
      const bool boundary = (step + 1) % accumulation == 0 || step + 1 == steps_per_epoch;
      lr = schedule.at(epoch, step, steps_per_epoch);
      const int64_t n = batch->labels.size(0);
      std::optional<MixupDraw> mix;
      if (cfg.mixup > 0) mix = draw_mixup(mixup_rng, cfg.mixup, n);
      const double loss =
          stepper.run(batch->images, batch->labels, lr, boundary, mix ? &*mix : nullptr);
      const double step_s = seconds_since(t0);
      const double images = double(n * world);
      const bool steady = step + 1 > cfg.skip_steps;
      epoch_acc.all.add(images, step_s, data_s);
      if (steady) {
        epoch_acc.steady.add(images, step_s, data_s);
        totals.steady.add(images, step_s, data_s);
      }
      epoch_acc.loss_sum += loss * double(n);
      epoch_acc.n += double(n);
      iv.stats.add(images, step_s, data_s);
      iv.loss_sum += loss * double(n);
      iv.n += double(n);
      iv.steady = steady;
      ++steps_done;
      recent_ips = recent_ips == 0 ? images / step_s : 0.9 * recent_ips + 0.1 * images / step_s;
      const int64_t s1 = step + 1;
      if (s1 % cfg.print_freq == 0 || s1 == cfg.skip_steps || s1 == steps_per_epoch) flush(s1);
      if (main && hooks.on_progress) {
        ProgressInfo p{"train",    epoch, cfg.epochs, s1,        steps_per_epoch,
                       recent_ips, loss,  lr,         elapsed(), -1};
        p.eta_s = seconds_since(t_start) / double(steps_done) * double(total_steps - steps_done);
        hooks.on_progress(p);
      }
      if (hooks.should_stop && hooks.should_stop()) {
        flush(s1);
        stop = true;
        status = "aborted";
        save(epoch, s1, elapsed());
        say("stopped at epoch " + std::to_string(epoch) + " step " + std::to_string(s1) +
            "; checkpoint " + ckpt_path);
        break;
      }
      if (cfg.checkpoint_every_steps > 0 && steps_done % cfg.checkpoint_every_steps == 0 &&
          s1 < steps_per_epoch)
        save(epoch, s1, elapsed());
    }
    if (stop) break;

    // Epoch record: loss as a global mean (sums across ranks), throughput of the steady window
    // (all steps when the epoch is shorter than skip_steps).
    auto sums = dist.all_reduce_sum({epoch_acc.loss_sum, epoch_acc.n});
    const ThroughputStats& tp = epoch_acc.steady.steps > 0 ? epoch_acc.steady : epoch_acc.all;
    const double train_loss = sums[1] > 0 ? sums[0] / sums[1] : 0;
    if (main) {
      log.write("epoch", {{"epoch", epoch},
                          {"steps", steps_per_epoch},
                          {"all", epoch_acc.all.to_json()},
                          {"steady", epoch_acc.steady.to_json()},
                          {"loss_sum", sums[0]},
                          {"n", sums[1]},
                          {"metrics",
                           {{"train.loss", train_loss},
                            {"train.total_ips", tp.total_ips()},
                            {"train.compute_ips", tp.compute_ips()},
                            {"train.lr", lr}}}});
      log.event("epoch_stop", nullptr, json::object(), double(epoch));
    }
    totals.epochs_completed = epoch + 1;
    char buf[256];
    std::snprintf(buf, sizeof buf, "epoch %lld/%lld: loss %.4f, %.1f img/s (%.1f compute), lr %.4g",
                  (long long)epoch + 1, (long long)cfg.epochs, train_loss, tp.total_ips(),
                  tp.compute_ips(), lr);
    std::string line = buf;

    const bool last = epoch + 1 == cfg.epochs;
    if (val_src && ((epoch + 1) % cfg.eval_every == 0 || last)) {
      if (world > 1) dist.broadcast_buffers(*model);
      EvalOptions eo;
      eo.max_steps = cfg.eval_step_per_epoch;
      eo.amp = amp_policy(cfg);
      eo.channels_last = cfg.memory_format == "nhwc";
      if (main && hooks.on_progress) {
        eo.on_step = [&](int64_t s, int64_t steps) {
          hooks.on_progress(
              ProgressInfo{"eval", epoch, cfg.epochs, s, steps, 0, 0, lr, elapsed(), -1});
        };
      }
      if (main) log.event("eval_start", nullptr, json::object(), double(epoch));
      EvalStats ev = evaluate(model, *val_src, epoch, dist, eo);
      totals.acc1_best = std::max(totals.acc1_best, ev.top1());
      totals.acc5_best = std::max(totals.acc5_best, ev.top5());
      if (main) {
        log.write("eval",
                  {{"epoch", epoch},
                   {"correct1", ev.correct1},
                   {"correct5", ev.correct5},
                   {"n", ev.n},
                   {"loss_sum", ev.loss_sum},
                   {"seconds", ev.seconds},
                   {"metrics",
                    {{"val.top1", ev.top1()}, {"val.top5", ev.top5()}, {"val.loss", ev.loss()}}}});
        log.event("eval_stop", nullptr, json::object(), double(epoch));
        log.event("eval_accuracy", ev.top1() / 100.0, {{"epoch_num", epoch + 1}}, double(epoch));
      }
      std::snprintf(buf, sizeof buf, "; val top1 %.2f%% top5 %.2f%% (%lld images)", ev.top1(),
                    ev.top5(), (long long)ev.n);
      line += buf;
      if (cfg.target_top1 > 0 && !target_reached && ev.top1() >= cfg.target_top1) {
        target_reached = true;
        totals.time_to_target_s = elapsed();
        totals.target_epoch = epoch;
        stop = true;  // Time2Train: the run ends at the first evaluation reaching the target
        std::snprintf(buf, sizeof buf, "; target %.2f%% reached after %.1f s", cfg.target_top1,
                      *totals.time_to_target_s);
        line += buf;
      }
    }
    say(line);
    for (const auto& problem : train_src->take_problems())
      if (main) log.write("notice", {{"message", problem}});
    save(epoch + 1, 0, elapsed());
  }

  // --- end of run
  totals.status = status;
  totals.training_time_s = elapsed();
  TrainResult result;
  result.status = status;
  result.epochs_completed = totals.epochs_completed;
  result.acc1_best = totals.acc1_best;
  result.acc5_best = totals.acc5_best;
  result.time_to_target_s = totals.time_to_target_s;
  result.training_time_s = totals.training_time_s;
  result.total_ips = totals.steady.total_ips();
  result.compute_ips = totals.steady.compute_ips();
  if (main) {
    result.report = make_run_report(cfg, totals);
    json stop_meta = {{"status", status}, {"epochs_completed", totals.epochs_completed}};
    if (cfg.target_top1 > 0) stop_meta["target_reached"] = target_reached;
    log.event("run_stop", nullptr, stop_meta);
    log.write("summary", {{"report", result.report}});
    core::write_file_atomic(report_path, result.report.dump(2) + "\n");
    result.log_path = log_path;
    result.report_path = report_path;
    if (cfg.save_checkpoints) result.checkpoint_path = ckpt_path;
  }
  return result;
}

}  // namespace rn50::trainer
