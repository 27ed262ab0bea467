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

namespace {

// One run of the loop, phase by phase: setup (device, data, model, optimizer), resume (from a
// checkpoint), open_log (rank 0's header), then per epoch train_epoch (its steps) and
// end_of_epoch (epoch record, evaluation, Time2Train stop, checkpoint), and finish (report).
// The order of every operation that draws random numbers or touches the model is the order of
// the original single function: results are bit for bit the same (tests/trainer/train_loop_test).
class TrainingRun {
 public:
  TrainingRun(const core::TrainConfig& cfg, Distributed& dist, const TrainHooks& hooks)
      : cfg_(cfg),
        dist_(dist),
        hooks_(hooks),
        main_(dist.is_main()),
        world_(dist.world_size()),
        ckpt_path_(in_workspace(cfg, cfg.checkpoint_file)) {}

  TrainResult run() {
    setup();
    resume();
    open_log();
    t_start_ = Clock::now();
    if (main_ && resume_path_.empty()) log_.event("run_start");
    total_steps_ = (cfg_.epochs - start_epoch_) * steps_per_epoch_ - start_step_;
    target_reached_ = totals_.time_to_target_s.has_value();
    for (int64_t epoch = start_epoch_; epoch < cfg_.epochs && !stop_; ++epoch) {
      train_epoch(epoch);
      if (stop_) break;
      end_of_epoch(epoch);
    }
    return finish();
  }

 private:
  double elapsed() const { return elapsed_before_ + seconds_since(t_start_); }
  void say(const std::string& s) const {
    if (main_ && hooks_.on_line) hooks_.on_line(s);
  }

  // Device, threads, seeds, workspace, batch arithmetic, data, model and optimizer.
  void setup() {
    device_ = select_device(cfg_, dist_);
    prepare_device(device_, cfg_.deterministic);
    if (cfg_.threads > 0) at::set_num_threads(int(cfg_.threads));
    core::keep_freed_memory();
    if (cfg_.deterministic)
      at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
    torch::manual_seed(cfg_.seed);

    std::error_code ec;
    fs::create_directories(cfg_.workspace, ec);
    if (ec || !fs::is_directory(cfg_.workspace))
      throw core::Error("cannot create workspace " + cfg_.workspace + ": " + ec.message());

    // Batch arithmetic: optimizer_batch_size is global; accumulation makes it up from
    // micro-batches.
    global_batch_ = cfg_.batch_size * world_;
    if (cfg_.optimizer_batch_size > 0) {
      if (cfg_.optimizer_batch_size % global_batch_ != 0)
        throw core::UsageError(
            "optimizer_batch_size: " + std::to_string(cfg_.optimizer_batch_size) +
            " is not a multiple of the global batch " + std::to_string(global_batch_) +
            " (batch_size x world size)");
      accumulation_ = cfg_.optimizer_batch_size / global_batch_;
    }
    optimizer_batch_ = global_batch_ * accumulation_;
    schedule_.emplace(make_schedule(cfg_, optimizer_batch_));

    train_src_ = make_batch_source(data_options(cfg_, dist_, true));
    if (cfg_.eval_every > 0) val_src_ = make_batch_source(data_options(cfg_, dist_, false));
    if (train_src_->num_classes() > cfg_.num_classes)
      throw core::UsageError("num_classes: " + std::to_string(cfg_.num_classes) +
                             " but the training data has " +
                             std::to_string(train_src_->num_classes()) + " classes");
    steps_per_epoch_ = train_src_->batches_per_epoch();
    if (cfg_.training_step_per_epoch > 0)
      steps_per_epoch_ = std::min(steps_per_epoch_, cfg_.training_step_per_epoch);
    if (steps_per_epoch_ <= 0)
      throw core::UsageError("data: the training set has fewer images than one batch (" +
                             std::to_string(global_batch_) + ")");

    model_ = make_model(cfg_);  // initialised on the CPU: the same weights on every device
    model_->to(device_);
    apply_memory_format(*model_, cfg_);
    dist_.broadcast_module(*model_);
    if (world_ > 1) dist_.attach_gradient_sync(*model_);
    model_->train();
    stepper_.emplace(cfg_, model_, dist_, accumulation_);
    mixup_rng_.seed(cfg_.seed * 1000003ULL + uint64_t(dist_.rank()));
    totals_.world_size = world_;
    totals_.local_rank = dist_.rank();
  }

  // Continues from the checkpoint the config names (or the workspace's, for "auto").
  void resume() {
    resume_path_ = cfg_.resume;
    if (resume_path_ == "auto") resume_path_ = fs::exists(ckpt_path_) ? ckpt_path_ : "";
    if (resume_path_.empty()) return;
    CheckpointState st = load_checkpoint(resume_path_, *model_);
    if (st.momentum.size() != stepper_->sgd().momentum_buffers().size())
      throw core::UsageError(resume_path_ + ": optimizer state does not match the model");
    auto& bufs = stepper_->sgd().momentum_buffers();
    const auto& params = stepper_->sgd().params();
    for (size_t i = 0; i < bufs.size(); ++i)
      if (st.momentum[i].defined())
        bufs[i] =
            st.momentum[i].to(params[i].device()).contiguous(params[i].suggest_memory_format());
    stepper_->scaler().load_state(st.loss_scale, st.loss_scale_tracker);
    if (st.torch_rng.defined()) {
      at::Generator gen = at::detail::getDefaultCPUGenerator();  // a handle: shares the state
      gen.set_state(st.torch_rng);
    }
    std::istringstream(st.mixup_rng) >> mixup_rng_;
    start_epoch_ = st.epoch;
    start_step_ = st.step;
    const json& L = st.loop;
    totals_.acc1_best = L.value("acc1_best", 0.0);
    totals_.acc5_best = L.value("acc5_best", 0.0);
    if (L.contains("time_to_target_s") && L["time_to_target_s"].is_number())
      totals_.time_to_target_s = L["time_to_target_s"].get<double>();
    if (L.contains("target_epoch") && L["target_epoch"].is_number())
      totals_.target_epoch = L["target_epoch"].get<int64_t>();
    totals_.epochs_completed = L.value("epochs_completed", int64_t(0));
    elapsed_before_ = L.value("elapsed_s", 0.0);
    if (L.contains("steady")) totals_.steady = ThroughputStats::from_json(L["steady"]);
    if (start_step_ > 0 && L.contains("epoch_accum"))
      epoch_acc_ = EpochAccum::from_json(L["epoch_accum"]);
    if (L.contains("arch") && L["arch"] != cfg_.arch)
      throw core::UsageError(resume_path_ + ": checkpoint of " + L["arch"].dump() +
                             ", config says arch '" + cfg_.arch + "'");
  }

  // Rank 0's native log: the header of a new run, or a resume record appended to the old one.
  void open_log() {
    log_path_ = in_workspace(cfg_, cfg_.log_file);
    report_path_ = in_workspace(cfg_, cfg_.report_file);
    if (!main_) return;
    const bool append = !resume_path_.empty() && fs::exists(log_path_);
    log_.open(log_path_, append);
    if (!append) {
      log_.write("header", {{"schema", kNativeLogSchema},
                            {"version", kNativeLogVersion},
                            {"config", cfg_.to_json()},
                            {"environment", hooks_.environment},
                            {"world_size", world_},
                            {"global_batch", global_batch_},
                            {"optimizer_batch", optimizer_batch_},
                            {"accumulation", accumulation_},
                            {"steps_per_epoch", steps_per_epoch_},
                            {"train_images_per_epoch", train_src_->images_per_epoch() * world_},
                            {"val_images", val_src_ ? json(val_src_->images_per_epoch() * world_)
                                                    : json(nullptr)},
                            {"base_lr", schedule_->base_lr},
                            {"torch", torch_json(device_)},
                            {"threads", at::get_num_threads()}});
    }
    if (!resume_path_.empty())
      log_.write("resume",
                 {{"checkpoint", resume_path_}, {"epoch", start_epoch_}, {"step", start_step_}});
  }

  // Everything the loop needs to continue from (epoch, step).
  void checkpoint(int64_t epoch, int64_t step, double elapsed_s) {
    if (!cfg_.save_checkpoints) return;
    if (world_ > 1) dist_.broadcast_buffers(*model_);
    if (!main_) return;
    CheckpointState st;
    st.epoch = epoch;
    st.step = step;
    st.momentum = stepper_->sgd().momentum_buffers();
    st.loss_scale = stepper_->scaler().scale();
    st.loss_scale_tracker = stepper_->scaler().growth_tracker();
    st.torch_rng = at::detail::getDefaultCPUGenerator().get_state();
    st.mixup_rng = rng_to_string(mixup_rng_);
    st.loop = {{"acc1_best", totals_.acc1_best},
               {"acc5_best", totals_.acc5_best},
               {"time_to_target_s",
                totals_.time_to_target_s ? json(*totals_.time_to_target_s) : json(nullptr)},
               {"target_epoch", totals_.target_epoch ? json(*totals_.target_epoch) : json(nullptr)},
               {"epochs_completed", totals_.epochs_completed},
               {"elapsed_s", elapsed_s},
               {"steady", totals_.steady.to_json()},
               {"epoch_accum", epoch_acc_.to_json()},
               {"arch", cfg_.arch},
               {"config", cfg_.to_json()}};
    save_checkpoint(ckpt_path_, *model_, st);
  }

  // The train_step record of the print_freq interval just completed.
  void flush_interval(int64_t epoch, int64_t step) {
    if (!main_ || iv_.stats.steps == 0) return;
    log_.write("train_step", {{"epoch", epoch},
                              {"step", step},
                              {"steps", steps_per_epoch_},
                              {"interval_steps", iv_.stats.steps},
                              {"steady", iv_.steady},
                              {"images", iv_.stats.images},
                              {"seconds", iv_.stats.seconds},
                              {"data_seconds", iv_.stats.data_seconds},
                              {"loss_sum", iv_.loss_sum},
                              {"n", iv_.n},
                              {"metrics",
                               {{"train.loss", iv_.n > 0 ? iv_.loss_sum / iv_.n : 0},
                                {"train.total_ips", iv_.stats.total_ips()},
                                {"train.compute_ips", iv_.stats.compute_ips()},
                                {"train.lr", lr_}}}});
    iv_ = Interval{};
  }

  // The training steps of one epoch (from start_step_ when resuming inside it).
  void train_epoch(int64_t epoch) {
    const int64_t first_step = epoch == start_epoch_ ? start_step_ : 0;
    if (first_step == 0) epoch_acc_ = EpochAccum{};
    if (main_) log_.event("epoch_start", nullptr, json::object(), double(epoch));
    train_src_->start_epoch(epoch, first_step);
    model_->train();
    iv_ = Interval{};
    lr_ = schedule_->at(epoch, first_step, steps_per_epoch_);
    for (int64_t step = first_step; step < steps_per_epoch_; ++step) {
      if (!train_step(epoch, step)) break;
      if (stop_) return;
    }
  }

  // One step; false at the end of the data.
  bool train_step(int64_t epoch, int64_t step) {
    const auto t0 = Clock::now();
    auto batch = train_src_->next();
    if (!batch) return false;
    const double data_s = seconds_since(t0);
    const bool boundary = (step + 1) % accumulation_ == 0 || step + 1 == steps_per_epoch_;
    lr_ = schedule_->at(epoch, step, steps_per_epoch_);
    const int64_t n = batch->labels.size(0);
    std::optional<MixupDraw> mix;
    if (cfg_.mixup > 0) mix = draw_mixup(mixup_rng_, cfg_.mixup, n);
    const double loss =
        stepper_->run(batch->images, batch->labels, lr_, boundary, mix ? &*mix : nullptr);
    const double step_s = seconds_since(t0);
    const double images = double(n * world_);
    const bool steady = step + 1 > cfg_.skip_steps;
    epoch_acc_.all.add(images, step_s, data_s);
    if (steady) {
      epoch_acc_.steady.add(images, step_s, data_s);
      totals_.steady.add(images, step_s, data_s);
    }
    epoch_acc_.loss_sum += loss * double(n);
    epoch_acc_.n += double(n);
    iv_.stats.add(images, step_s, data_s);
    iv_.loss_sum += loss * double(n);
    iv_.n += double(n);
    iv_.steady = steady;
    ++steps_done_;
    recent_ips_ = recent_ips_ == 0 ? images / step_s : 0.9 * recent_ips_ + 0.1 * images / step_s;
    const int64_t s1 = step + 1;
    if (s1 % cfg_.print_freq == 0 || s1 == cfg_.skip_steps || s1 == steps_per_epoch_)
      flush_interval(epoch, s1);
    if (main_ && hooks_.on_progress) {
      ProgressInfo p{"train",     epoch, cfg_.epochs, s1,        steps_per_epoch_,
                     recent_ips_, loss,  lr_,         elapsed(), -1};
      p.eta_s = seconds_since(t_start_) / double(steps_done_) * double(total_steps_ - steps_done_);
      hooks_.on_progress(p);
    }
    if (hooks_.should_stop && hooks_.should_stop()) {
      flush_interval(epoch, s1);
      stop_ = true;
      status_ = "aborted";
      checkpoint(epoch, s1, elapsed());
      say("stopped at epoch " + std::to_string(epoch) + " step " + std::to_string(s1) +
          "; checkpoint " + ckpt_path_);
      return true;
    }
    if (cfg_.checkpoint_every_steps > 0 && steps_done_ % cfg_.checkpoint_every_steps == 0 &&
        s1 < steps_per_epoch_)
      checkpoint(epoch, s1, elapsed());
    return true;
  }

  // Epoch record: loss as a global mean (sums across ranks), throughput of the steady window
  // (all steps when the epoch is shorter than skip_steps); then the evaluation, the Time2Train
  // stop and the end-of-epoch checkpoint.
  void end_of_epoch(int64_t epoch) {
    auto sums = dist_.all_reduce_sum({epoch_acc_.loss_sum, epoch_acc_.n});
    const ThroughputStats& tp = epoch_acc_.steady.steps > 0 ? epoch_acc_.steady : epoch_acc_.all;
    const double train_loss = sums[1] > 0 ? sums[0] / sums[1] : 0;
    if (main_) {
      log_.write("epoch", {{"epoch", epoch},
                           {"steps", steps_per_epoch_},
                           {"all", epoch_acc_.all.to_json()},
                           {"steady", epoch_acc_.steady.to_json()},
                           {"loss_sum", sums[0]},
                           {"n", sums[1]},
                           {"metrics",
                            {{"train.loss", train_loss},
                             {"train.total_ips", tp.total_ips()},
                             {"train.compute_ips", tp.compute_ips()},
                             {"train.lr", lr_}}}});
      log_.event("epoch_stop", nullptr, json::object(), double(epoch));
    }
    totals_.epochs_completed = epoch + 1;
    char buf[256];
    std::snprintf(buf, sizeof buf, "epoch %lld/%lld: loss %.4f, %.1f img/s (%.1f compute), lr %.4g",
                  (long long)epoch + 1, (long long)cfg_.epochs, train_loss, tp.total_ips(),
                  tp.compute_ips(), lr_);
    std::string line = buf;
    const bool last = epoch + 1 == cfg_.epochs;
    if (val_src_ && ((epoch + 1) % cfg_.eval_every == 0 || last)) evaluate(epoch, line);
    say(line);
    for (const auto& problem : train_src_->take_problems())
      if (main_) log_.write("notice", {{"message", problem}});
    checkpoint(epoch + 1, 0, elapsed());
  }

  // One pass over the validation set; stops the run at the first evaluation reaching the target.
  void evaluate(int64_t epoch, std::string& line) {
    if (world_ > 1) dist_.broadcast_buffers(*model_);
    EvalOptions eo;
    eo.max_steps = cfg_.eval_step_per_epoch;
    eo.amp = amp_policy(cfg_);
    eo.channels_last = cfg_.memory_format == "nhwc";
    if (main_ && hooks_.on_progress) {
      eo.on_step = [&](int64_t s, int64_t steps) {
        hooks_.on_progress(
            ProgressInfo{"eval", epoch, cfg_.epochs, s, steps, 0, 0, lr_, elapsed(), -1});
      };
    }
    if (main_) log_.event("eval_start", nullptr, json::object(), double(epoch));
    EvalStats ev = trainer::evaluate(model_, *val_src_, epoch, dist_, eo);
    totals_.acc1_best = std::max(totals_.acc1_best, ev.top1());
    totals_.acc5_best = std::max(totals_.acc5_best, ev.top5());
    if (main_) {
      log_.write("eval",
                 {{"epoch", epoch},
                  {"correct1", ev.correct1},
                  {"correct5", ev.correct5},
                  {"n", ev.n},
                  {"loss_sum", ev.loss_sum},
                  {"seconds", ev.seconds},
                  {"metrics",
                   {{"val.top1", ev.top1()}, {"val.top5", ev.top5()}, {"val.loss", ev.loss()}}}});
      log_.event("eval_stop", nullptr, json::object(), double(epoch));
      log_.event("eval_accuracy", ev.top1() / 100.0, {{"epoch_num", epoch + 1}}, double(epoch));
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "; val top1 %.2f%% top5 %.2f%% (%lld images)", ev.top1(),
                  ev.top5(), (long long)ev.n);
    line += buf;
    if (cfg_.target_top1 > 0 && !target_reached_ && ev.top1() >= cfg_.target_top1) {
      target_reached_ = true;
      totals_.time_to_target_s = elapsed();
      totals_.target_epoch = epoch;
      stop_ = true;  // Time2Train: the run ends at the first evaluation reaching the target
      std::snprintf(buf, sizeof buf, "; target %.2f%% reached after %.1f s", cfg_.target_top1,
                    *totals_.time_to_target_s);
      line += buf;
    }
  }

  // run_stop, the summary record and the report JSON (rank 0).
  TrainResult finish() {
    totals_.status = status_;
    totals_.training_time_s = elapsed();
    TrainResult result;
    result.status = status_;
    result.epochs_completed = totals_.epochs_completed;
    result.acc1_best = totals_.acc1_best;
    result.acc5_best = totals_.acc5_best;
    result.time_to_target_s = totals_.time_to_target_s;
    result.training_time_s = totals_.training_time_s;
    result.total_ips = totals_.steady.total_ips();
    result.compute_ips = totals_.steady.compute_ips();
    if (main_) {
      result.report = make_run_report(cfg_, totals_);
      json stop_meta = {{"status", status_}, {"epochs_completed", totals_.epochs_completed}};
      if (cfg_.target_top1 > 0) stop_meta["target_reached"] = target_reached_;
      log_.event("run_stop", nullptr, stop_meta);
      log_.write("summary", {{"report", result.report}});
      core::write_file_atomic(report_path_, result.report.dump(2) + "\n");
      result.log_path = log_path_;
      result.report_path = report_path_;
      if (cfg_.save_checkpoints) result.checkpoint_path = ckpt_path_;
    }
    return result;
  }

  const core::TrainConfig& cfg_;
  Distributed& dist_;
  const TrainHooks& hooks_;
  const bool main_;
  const int64_t world_;
  const std::string ckpt_path_;

  // setup
  torch::Device device_{torch::kCPU};
  int64_t global_batch_ = 0, accumulation_ = 1, optimizer_batch_ = 0, steps_per_epoch_ = 0;
  std::optional<LrSchedule> schedule_;
  std::unique_ptr<BatchSource> train_src_, val_src_;
  ResNet model_{nullptr};
  std::optional<TrainStep> stepper_;
  std::mt19937_64 mixup_rng_;

  // resume and log
  std::string resume_path_, log_path_, report_path_;
  int64_t start_epoch_ = 0, start_step_ = 0;
  double elapsed_before_ = 0;
  NativeLog log_;

  // the loop
  RunTotals totals_;
  EpochAccum epoch_acc_;
  Interval iv_;
  Clock::time_point t_start_;
  int64_t total_steps_ = 0, steps_done_ = 0;
  double recent_ips_ = 0, lr_ = 0;
  bool stop_ = false, target_reached_ = false;
  std::string status_ = "success";
};

}  // namespace

TrainResult train(const core::TrainConfig& cfg, Distributed& dist, const TrainHooks& hooks) {
  return TrainingRun(cfg, dist, hooks).run();
}

}  // namespace rn50::trainer
