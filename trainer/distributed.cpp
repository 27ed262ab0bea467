// c10d process group behind the trainer's Distributed API. Every collective failure (a peer
// that exited, or one that stopped answering for longer than the timeout) becomes a
// core::Error naming this rank and the operation, so a worker exits non-zero instead of
// hanging.
#include "trainer/distributed.h"

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#ifdef RN50_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>
#ifdef RN50_HAVE_CUDA
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <map>

#include "core/error.h"
#include "trainer/distributed_buckets.h"

namespace rn50::trainer {
namespace {

std::string rank_label(int64_t rank, int64_t world_size) {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world_size);
}

std::string seconds(std::chrono::milliseconds t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(t.count()) / 1000.0);
  return buf;
}

#ifdef RN50_HAVE_GLOO
bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Which address Gloo listens on: GLOO_SOCKET_IFNAME wins (as in PyTorch); a loopback master
// means a single-node job, so loopback is enough; otherwise the address the host name
// resolves to (LibTorch falls back to loopback when it does not resolve).
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_hint) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (is_loopback(master_hint)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

#endif

}  // namespace

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<compat::CommGroup> group;
  std::string backend = "none";
  torch::Device device{torch::kCPU};
  std::chrono::milliseconds timeout{0};
  std::string who;
  bool sync = true;
  std::unique_ptr<GradientBuckets> buckets;
  // The vote in flight (pipelined_sum): its tensor receives the sum.
  c10::intrusive_ptr<c10d::Work> vote_work;
  at::Tensor vote;

  double finish_vote() {
    if (!vote_work) return 0.0;
    auto work = std::move(vote_work);
    vote_work.reset();
    wait(work, "stop vote");
    return vote.to(torch::kCPU).item<double>();
  }

  // master_hint: MASTER_ADDR when known (connect); it decides which address Gloo binds.
  void init(c10::intrusive_ptr<c10d::Store> the_store, int64_t rank, int64_t world_size,
            const std::string& device_name, std::chrono::milliseconds the_timeout,
            const std::string& master_hint, bool group_of_one) {
    who = rank_label(rank, world_size);
    timeout = the_timeout;
    if (world_size < 1 || rank < 0 || rank >= world_size)
      throw core::UsageError("distributed: invalid " + who);
    try {
      device = torch::Device(device_name);
    } catch (const std::exception& e) {
      throw core::UsageError("distributed: device '" + device_name +
                             "' is not a valid device: " + exception_text(e));
    }
    if (world_size == 1 && !group_of_one) return;  // no group: every operation is a no-op
    store = std::move(the_store);
    store->setTimeout(timeout);
    try {
      if (device.is_cuda()) {
#ifdef RN50_HAVE_CUDA
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = the_timeout;
        group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, static_cast<int>(rank),
                                                            static_cast<int>(world_size), opts);
        backend = "nccl";
#else
        throw core::UsageError("distributed: device '" + device_name +
                               "' needs NCCL, but this rn50-exp was built against a LibTorch "
                               "without CUDA");
#endif
      } else {
#ifdef RN50_HAVE_GLOO
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
        opts->devices.push_back(gloo_device(master_hint));
        group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, static_cast<int>(rank),
                                                            static_cast<int>(world_size), opts);
        backend = "gloo";
#else
        throw core::UsageError("distributed: device '" + device_name +
                               "' needs Gloo, but this rn50-exp was built without Gloo's headers");
#endif
      }
    } catch (const core::UsageError&) {
      throw;
    } catch (const std::exception& e) {
      throw core::Error("distributed: " + who +
                        ": process group rendezvous did not complete within " + seconds(timeout) +
                        " (did every rank start?): " + exception_text(e));
    }
  }

  // Waits for one collective, turning every failure into a one-line core::Error.
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& op) const {
    try {
      work->wait();
    } catch (const std::exception& e) {
      throw core::Error("distributed: " + who + ": " + op + " failed (collective timeout " +
                        seconds(timeout) +
                        "; a peer exited or stopped responding): " + exception_text(e));
    }
  }

  // Same dtype -> one flat tensor and one collective; groups in a fixed order on every rank.
  void broadcast(const std::vector<torch::Tensor>& tensors, const std::string& what) {
    torch::NoGradGuard no_grad;
    std::map<int, std::vector<torch::Tensor>> by_dtype;
    for (const torch::Tensor& t : tensors)
      if (t.defined() && t.numel() > 0) by_dtype[static_cast<int>(t.scalar_type())].push_back(t);
    for (auto& [dtype, group_tensors] : by_dtype) {
      std::vector<torch::Tensor> flat_parts;
      for (const torch::Tensor& t : group_tensors) flat_parts.push_back(t.reshape(-1).to(device));
      std::vector<at::Tensor> flat{torch::cat(flat_parts)};
      c10d::BroadcastOptions opts;
      opts.rootRank = 0;
      wait(group->broadcast(flat, opts), "broadcast of " + what);
      int64_t offset = 0;
      for (torch::Tensor& t : group_tensors) {
        t.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
      }
    }
  }
};

Distributed::Distributed() : impl_(std::make_unique<Impl>()) { impl_->who = rank_label(0, 1); }

Distributed::Distributed(c10::intrusive_ptr<c10d::Store> store, int64_t rank, int64_t world_size,
                         const std::string& device, std::chrono::milliseconds timeout,
                         bool group_of_one)
    : impl_(std::make_unique<Impl>()), rank_(rank), world_size_(world_size) {
  impl_->init(std::move(store), rank, world_size, device, timeout, "", group_of_one);
}

std::unique_ptr<Distributed> Distributed::connect(const DistEnv& env, const std::string& device,
                                                  std::chrono::milliseconds timeout) {
  if (env.world_size == 1) {
    auto single = std::make_unique<Distributed>();
    single->impl_->device = torch::Device(device == "cuda" ? "cuda:0" : device);
    return single;
  }
  // One GPU per local rank.
  std::string dev = device == "cuda" ? "cuda:" + std::to_string(env.local_rank) : device;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<uint16_t>(env.master_port);
    opts.isServer = env.rank == 0;
    opts.numWorkers = static_cast<size_t>(env.world_size);
    // Not waiting for workers here: LibTorch 1.13 lets that wait expire silently, and the Gloo
    // rendezvous right after waits for every rank anyway, with a clear timeout.
    opts.waitWorkers = false;
    // The store's client connect works in whole seconds; under 1 s it gives up at once.
    opts.timeout = std::max(timeout, std::chrono::milliseconds(1000));
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, opts);
  } catch (const std::exception& e) {
    throw core::Error("distributed: " + env.describe() + ": TCPStore rendezvous failed within " +
                      seconds(timeout) +
                      " (is rank 0 running and MASTER_ADDR:MASTER_PORT reachable, and the port "
                      "free on rank 0?): " +
                      exception_text(e));
  }
  auto d = std::make_unique<Distributed>();
  d->rank_ = env.rank;
  d->world_size_ = env.world_size;
  d->impl_->init(std::move(store), env.rank, env.world_size, dev, timeout, env.master_addr, false);
  return d;
}

Distributed::~Distributed() {
  // A vote still in flight must not outlive its tensor or the group.
  if (impl_ && impl_->vote_work) {
    try {
      impl_->vote_work->wait();
    } catch (...) {
    }
  }
}

std::string Distributed::backend() const { return impl_->backend; }

torch::Device Distributed::device() const { return impl_->device; }

void Distributed::broadcast_module(torch::nn::Module& module) {
  if (!impl_->group) return;
  std::vector<torch::Tensor> tensors = module.parameters();
  for (const torch::Tensor& b : module.buffers()) tensors.push_back(b);
  impl_->broadcast(tensors, "parameters and buffers");
}

void Distributed::broadcast_buffers(torch::nn::Module& module) {
  if (!impl_->group) return;
  impl_->broadcast(module.buffers(), "buffers");
}

void Distributed::attach_gradient_sync(torch::nn::Module& module, int64_t bucket_bytes) {
  if (!impl_->group) return;
  std::vector<torch::Tensor> params;
  for (const torch::Tensor& p : module.parameters())
    if (p.requires_grad()) params.push_back(p);
  impl_->buckets.reset();
  impl_->buckets = std::make_unique<GradientBuckets>(impl_->group, world_size_, std::move(params),
                                                     bucket_bytes, impl_->who);
  impl_->buckets->set_sync(impl_->sync);
}

void Distributed::finish_gradient_sync() {
  if (impl_->buckets) impl_->buckets->finish();
}

void Distributed::set_sync(bool enabled) {
  impl_->sync = enabled;
  if (impl_->buckets) impl_->buckets->set_sync(enabled);
}

bool Distributed::sync_enabled() const { return impl_->sync; }

void Distributed::average_gradients(torch::nn::Module& module) {
  if (!impl_->group) return;
  torch::NoGradGuard no_grad;
  std::map<int, std::vector<torch::Tensor>> by_dtype;
  for (torch::Tensor& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    by_dtype[static_cast<int>(p.scalar_type())].push_back(p.grad());
  }
  for (auto& [dtype, grads] : by_dtype) {
    std::vector<torch::Tensor> parts;
    for (const torch::Tensor& g : grads) parts.push_back(g.reshape(-1));
    std::vector<at::Tensor> flat{torch::cat(parts)};
    impl_->wait(impl_->group->allreduce(flat), "gradient all-reduce");
    flat[0].div_(static_cast<double>(world_size_));
    int64_t offset = 0;
    for (torch::Tensor& g : grads) {
      g.copy_(flat[0].narrow(0, offset, g.numel()).view(g.sizes()));
      offset += g.numel();
    }
  }
}

std::vector<double> Distributed::all_reduce_sum(const std::vector<double>& values) {
  if (!impl_->group || values.empty()) return values;
  std::vector<at::Tensor> t{
      torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64)).to(impl_->device)};
  impl_->wait(impl_->group->allreduce(t),
              "all_reduce_sum of " + std::to_string(values.size()) + " values");
  torch::Tensor host = t[0].to(torch::kCPU).contiguous();
  const double* data = host.data_ptr<double>();
  return std::vector<double>(data, data + values.size());
}

double Distributed::pipelined_sum(double value) {
  if (!impl_->group) return value;
  const double previous = impl_->finish_vote();
  impl_->vote =
      torch::full({1}, value, torch::TensorOptions().dtype(torch::kFloat64)).to(impl_->device);
  std::vector<at::Tensor> t{impl_->vote};
  impl_->vote_work = impl_->group->allreduce(t);
  return previous;
}

void Distributed::barrier() {
  if (!impl_->group) return;
  impl_->finish_vote();
  impl_->wait(impl_->group->barrier(), "barrier");
}

}  // namespace rn50::trainer
