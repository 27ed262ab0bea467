#include "trainer/distributed_buckets.h"

#include <ATen/ScalarOps.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <algorithm>
#include <map>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>  // 1.13: the group type; 2.x: Backend too
#include <torch/csrc/distributed/c10d/Work.hpp>

#include "core/error.h"

namespace rn50::trainer {
namespace {

// Fires after AccumulateGrad has written the parameter's .grad for this backward pass.
class ReadyHook : public torch::autograd::FunctionPostHook {
 public:
  ReadyHook(std::function<void()> fn) : fn_(std::move(fn)) {}
  torch::autograd::variable_list operator()(
      const torch::autograd::variable_list& outputs,
      const torch::autograd::variable_list& /*inputs*/) override {
    fn_();
    return outputs;
  }

 private:
  std::function<void()> fn_;
};

constexpr int64_t kFirstBucketBytes = 1 << 20;

}  // namespace

std::string exception_text(const std::exception& e) {
  if (auto* c10_error = dynamic_cast<const c10::Error*>(&e))
    return c10_error->what_without_backtrace();
  return e.what();
}

GradientBuckets::GradientBuckets(c10::intrusive_ptr<compat::CommGroup> group, int64_t world_size,
                                 std::vector<torch::Tensor> params, int64_t bucket_bytes,
                                 std::string who)
    : group_(std::move(group)),
      world_size_(world_size),
      who_(std::move(who)),
      params_(std::move(params)) {
  if (bucket_bytes <= 0)
    throw core::UsageError("distributed: bucket size must be positive, got " +
                           std::to_string(bucket_bytes) + " bytes");
  bucket_of_.resize(params_.size());
  ready_.assign(params_.size(), 0);

  // Gradients appear roughly in reverse registration order, so buckets are filled from the
  // last parameter backwards. A bucket holds one dtype on one device (it is one flat tensor).
  std::map<std::string, size_t> open;  // dtype+device -> index of the bucket being filled
  std::vector<int64_t> bytes;
  for (size_t i = params_.size(); i-- > 0;) {
    const torch::Tensor& p = params_[i];
    std::string key = std::string(c10::toString(p.scalar_type())) + "@" + p.device().str();
    int64_t p_bytes = p.numel() * static_cast<int64_t>(p.element_size());
    auto cap = [&](size_t b) {
      return b == 0 ? std::min(bucket_bytes, kFirstBucketBytes) : bucket_bytes;
    };
    auto it = open.find(key);
    if (it == open.end() ||
        (bytes[it->second] > 0 && bytes[it->second] + p_bytes > cap(it->second))) {
      buckets_.emplace_back();
      bytes.push_back(0);
      open[key] = buckets_.size() - 1;
    }
    size_t b = open[key];
    Bucket& bucket = buckets_[b];
    bucket.params.push_back(i);
    bucket.offsets.push_back(bucket.numel);
    bucket.numel += p.numel();
    bytes[b] += p_bytes;
    bucket_of_[i] = b;
  }
  for (Bucket& bucket : buckets_) {
    const torch::Tensor& first = params_[bucket.params.front()];
    bucket.flat = torch::zeros({bucket.numel}, first.options().requires_grad(false));
    for (size_t k = 0; k < bucket.params.size(); ++k) {
      const torch::Tensor& p = params_[bucket.params[k]];
      const int64_t at = bucket.flat.storage_offset() + bucket.offsets[k];
      // The param's own strides (channels_last stays channels_last): copying a gradient in
      // is then a straight memcpy and the optimizer sees matching layouts.
      // detach(): not an autograd view, so an optimizer's zero_grad() may detach_() it.
      bucket.views.push_back(
          (p.is_non_overlapping_and_dense()
               ? bucket.flat.as_strided(p.sizes(), p.strides(), at)
               : bucket.flat.narrow(0, bucket.offsets[k], p.numel()).view(p.sizes()))
              .detach());
    }
  }
  reset_round();

  // The accumulator nodes must stay alive: a parameter only keeps a weak reference, and a
  // new accumulator (without our hook) would be created for the next backward otherwise.
  for (size_t i = 0; i < params_.size(); ++i) {
    auto acc = torch::autograd::impl::grad_accumulator(params_[i]);
    if (!acc)
      throw core::Error("distributed: parameter " + std::to_string(i) +
                        " is not a leaf that requires grad; cannot attach gradient sync");
    hook_keys_.push_back(
        acc->add_post_hook(std::make_unique<ReadyHook>([this, i] { on_ready(i); })));
    accumulators_.push_back(std::move(acc));
  }
}

GradientBuckets::~GradientBuckets() {
  for (size_t i = 0; i < accumulators_.size(); ++i) accumulators_[i]->del_post_hook(hook_keys_[i]);
  // In-flight work (an exception unwound past finish()) must not outlive the buffers.
  for (Bucket& bucket : buckets_) {
    if (!bucket.work) continue;
    try {
      bucket.work->wait();
    } catch (...) {
    }
  }
}

void GradientBuckets::set_sync(bool enabled) {
  std::lock_guard lock(mutex_);
  sync_ = enabled;
}

bool GradientBuckets::sync() const {
  std::lock_guard lock(mutex_);
  return sync_;
}

std::vector<std::vector<size_t>> GradientBuckets::layout() const {
  std::vector<std::vector<size_t>> out;
  for (const Bucket& bucket : buckets_) out.push_back(bucket.params);
  return out;
}

void GradientBuckets::on_ready(size_t param) {
  std::lock_guard lock(mutex_);
  if (!sync_) return;
  if (ready_[param]) {
    if (error_.empty())
      error_ = "parameter " + std::to_string(param) +
               " received a second gradient before finish_gradient_sync(); call set_sync(false) "
               "for accumulation micro-batches";
    return;
  }
  ready_[param] = 1;
  --buckets_[bucket_of_[param]].pending;
  launch_in_order();
}

// Buckets are launched strictly in index order, so every rank issues the same sequence of
// collectives even if its hooks fire in a different order.
void GradientBuckets::launch_in_order() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].pending == 0) {
    launch(buckets_[next_launch_]);
    ++next_launch_;
  }
}

void GradientBuckets::launch(Bucket& bucket) {
  torch::NoGradGuard no_grad;
  // Gradients enter the bucket already divided by the world size (one pass, as DDP does), so
  // the all-reduced sum is the average.
  const at::Tensor scale =
      at::native::wrapped_scalar_tensor(at::Scalar(1.0 / static_cast<double>(world_size_)));
  for (size_t k = 0; k < bucket.params.size(); ++k) {
    const torch::Tensor& p = params_[bucket.params[k]];
    torch::Tensor& view = bucket.views[k];
    const torch::Tensor& grad = p.grad();
    // A parameter without a gradient on this rank contributes zeros, never garbage.
    if (!grad.defined())
      view.zero_();
    else if (!grad.is_same(view))
      at::mul_out(view, grad, scale);
    else
      view.mul_(scale);  // accumulated in place into last round's view
  }
  std::vector<at::Tensor> tensors{bucket.flat};
  bucket.work = group_->allreduce(tensors);
  bucket.launched = true;
}

void GradientBuckets::reset_round() {
  std::fill(ready_.begin(), ready_.end(), 0);
  for (Bucket& bucket : buckets_) {
    bucket.pending = static_cast<int64_t>(bucket.params.size());
    bucket.launched = false;
    bucket.work.reset();
  }
  next_launch_ = 0;
  error_.clear();
}

void GradientBuckets::finish() {
  std::lock_guard lock(mutex_);
  if (!sync_) return;
  // Parameters that got no gradient (unused in this forward) no longer hold their bucket back.
  for (Bucket& bucket : buckets_) bucket.pending = 0;
  launch_in_order();
  std::string error = error_;
  torch::NoGradGuard no_grad;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    Bucket& bucket = buckets_[b];
    try {
      bucket.work->wait();
    } catch (const std::exception& e) {
      reset_round();
      throw core::Error("distributed: " + who_ + ": all-reduce of gradient bucket " +
                        std::to_string(b) + " failed: " + exception_text(e));
    }
    // The averaged gradient is handed over as the bucket's view (no copy back). The optimizer
    // may scribble on it (weight decay in place); the next round overwrites it anyway.
    for (size_t k = 0; k < bucket.params.size(); ++k)
      params_[bucket.params[k]].mutable_grad() = bucket.views[k];
  }
  reset_round();
  if (!error.empty()) throw core::Error("distributed: " + who_ + ": " + error);
}

}  // namespace rn50::trainer
