#include "trainer/conv1x1_gemm.h"

#include <ATen/autocast_mode.h>
#include <dlfcn.h>
#include <torch/autograd.h>

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#ifdef RN50_HAVE_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include "core/error.h"
#include "trainer/torch_compat.h"

namespace rn50::trainer {
namespace {

// oneDNN's BLAS-like entry points (row-major, status 0 = success). LibTorch links oneDNN
// dynamically (Debian: libdnnl.so.2), so they are looked up at run time: a LibTorch without
// them simply keeps ATen's convolution.
// dnnl_gemm_bf16bf16f32 is exported by oneDNN 2.x but declared in its headers only from 3.0.
using GemmF32 = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                        const float*, int64_t, float, float*, int64_t);
using GemmBf16 = int (*)(char, char, int64_t, int64_t, int64_t, float, const void*, int64_t,
                         const void*, int64_t, float, float*, int64_t);

struct Gemms {
  GemmF32 f32 = nullptr;
  GemmBf16 bf16 = nullptr;
};

const Gemms& gemms() {
  static const Gemms g = [] {
    Gemms found;
    found.f32 = reinterpret_cast<GemmF32>(dlsym(RTLD_DEFAULT, "dnnl_sgemm"));
    found.bf16 = reinterpret_cast<GemmBf16>(dlsym(RTLD_DEFAULT, "dnnl_gemm_bf16bf16f32"));
    return found;
  }();
  return g;
}

// c (float, row-major M x N) = op(a) op(b); a and b float or both bf16, dense row-major.
void gemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const torch::Tensor& a, int64_t lda,
          const torch::Tensor& b, int64_t ldb, torch::Tensor& c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    c.zero_();
    return;
  }
  const int status = a.scalar_type() == at::kBFloat16
                         ? gemms().bf16(ta, tb, m, n, k, 1.f, a.data_ptr(), lda, b.data_ptr(), ldb,
                                        0.f, c.data_ptr<float>(), ldc)
                         : gemms().f32(ta, tb, m, n, k, 1.f, a.data_ptr<float>(), lda,
                                       b.data_ptr<float>(), ldb, 0.f, c.data_ptr<float>(), ldc);
  if (status != 0)
    throw core::Error("oneDNN GEMM " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                      std::to_string(k) + " failed (dnnl status " + std::to_string(status) + ")");
}

#ifdef RN50_HAVE_DNNL
// bf16 x bf16 -> bf16 (float accumulation) through oneDNN's matmul primitive, one per shape,
// kept for the process: the bf16 GEMM entry point only writes float, and converting its output
// costs more memory traffic than the product itself on small feature maps.
void matmul_bf16(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const void* a, const void* b,
                 void* c) {
  using dnnl::memory;
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  static std::mutex mu;
  static std::map<std::tuple<bool, bool, int64_t, int64_t, int64_t>, dnnl::matmul> cache;
  const auto bf16 = memory::data_type::bf16;
  // Row-major storage; a transposed operand is the other matrix read column by column.
  const memory::desc a_md({m, k}, bf16, ta ? memory::dims{1, m} : memory::dims{k, 1});
  const memory::desc b_md({k, n}, bf16, tb ? memory::dims{1, k} : memory::dims{n, 1});
  const memory::desc c_md({m, n}, bf16, memory::dims{n, 1});
  dnnl::matmul prim;
  {
    std::lock_guard lock(mu);
    auto [it, added] = cache.try_emplace({ta, tb, m, n, k});
    if (added)
      it->second =
          dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, b_md, c_md), engine));
    prim = it->second;
  }
  thread_local dnnl::stream stream(engine);
  prim.execute(stream, {{DNNL_ARG_SRC, memory(a_md, engine, const_cast<void*>(a))},
                        {DNNL_ARG_WEIGHTS, memory(b_md, engine, const_cast<void*>(b))},
                        {DNNL_ARG_DST, memory(c_md, engine, c)}});
  stream.wait();
}
constexpr bool kBf16Output = true;
#else
void matmul_bf16(bool, bool, int64_t, int64_t, int64_t, const void*, const void*, void*) {}
constexpr bool kBf16Output = false;
#endif

// op(a) op(b) as a new [m, n] tensor of a's dtype (bf16 or float).
torch::Tensor product(char ta, char tb, int64_t m, int64_t n, int64_t k, const torch::Tensor& a,
                      int64_t lda, const torch::Tensor& b, int64_t ldb) {
  if (a.scalar_type() == at::kBFloat16 && kBf16Output && m > 0 && n > 0 && k > 0) {
    torch::Tensor c = torch::empty({m, n}, a.options());
    matmul_bf16(ta == 'T', tb == 'T', m, n, k, a.data_ptr(), b.data_ptr(), c.data_ptr());
    return c;
  }
  torch::Tensor c = torch::empty({m, n}, a.options().dtype(at::kFloat));
  gemm(ta, tb, m, n, k, a, lda, b, ldb, c, n);
  return c.to(a.scalar_type());
}

torch::Tensor every_nth_pixel(const torch::Tensor& x, int64_t stride) {
  if (stride == 1) return x;
  return x.slice(2, 0, x.size(2), stride).slice(3, 0, x.size(3), stride);
}

// Rows are pixels (n, h, w), columns channels: the memory of a channels_last NCHW tensor.
torch::Tensor nhwc_as_nchw(torch::Tensor rows, int64_t n, int64_t h, int64_t w) {
  return rows.view({n, h, w, rows.size(1)}).permute({0, 3, 1, 2});
}

class Conv1x1Function : public torch::autograd::Function<Conv1x1Function> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, int64_t stride, bool bf16) {
    const auto dtype = bf16 ? at::kBFloat16 : at::kFloat;
    const torch::Tensor in =
        every_nth_pixel(x, stride).to(dtype).contiguous(at::MemoryFormat::ChannelsLast);
    const int64_t n = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
    const int64_t o = weight.size(0), m = n * h * w;
    const torch::Tensor wt = weight.reshape({o, c}).to(dtype).contiguous();
    const torch::Tensor out = product('N', 'T', m, o, c, in, c, wt, c);  // [m, c] x [o, c]^T
    ctx->save_for_backward({in, wt});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["in_h"] = x.size(2);
    ctx->saved_data["in_w"] = x.size(3);
    ctx->saved_data["x_dtype"] = x.scalar_type();
    return nhwc_as_nchw(out, n, h, w);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& in = saved[0];
    const torch::Tensor& wt = saved[1];
    const int64_t n = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
    const int64_t o = wt.size(0), m = n * h * w;
    const torch::Tensor g =
        grads[0].to(in.scalar_type()).contiguous(at::MemoryFormat::ChannelsLast);

    torch::Tensor gw = torch::empty({o, c}, in.options().dtype(at::kFloat));
    gemm('T', 'N', o, c, m, g, o, in, c, gw, c);  // [m, o]^T x [m, c]

    torch::Tensor gx;
    if (ctx->needs_input_grad(0)) {
      const torch::Tensor rows = product('N', 'N', m, c, o, g, o, wt, c);  // [m, o] x [o, c]
      const auto x_dtype = ctx->saved_data["x_dtype"].toScalarType();
      gx = nhwc_as_nchw(rows.to(x_dtype), n, h, w);
      const int64_t stride = ctx->saved_data["stride"].toInt();
      if (stride > 1) {
        torch::Tensor full =
            torch::zeros({n, c, ctx->saved_data["in_h"].toInt(), ctx->saved_data["in_w"].toInt()},
                         gx.options().memory_format(at::MemoryFormat::ChannelsLast));
        every_nth_pixel(full, stride).copy_(gx);
        gx = full;
      }
    }
    return {gx, gw.view({o, c, 1, 1}), torch::Tensor(), torch::Tensor()};
  }
};

template <class Padding>  // LibTorch's variant of sizes, kValid and kSame
bool zero_padding(const Padding& p) {
  if (compat::holds<torch::enumtype::kValid>(p)) return true;
  const auto* a = compat::get_if<torch::ExpandingArray<2>>(&p);
  return a && (*a)->at(0) == 0 && (*a)->at(1) == 0;
}

}  // namespace

bool conv1x1_gemm_built() { return gemms().f32 != nullptr; }

bool conv1x1_gemm_applies(const torch::nn::Conv2dImpl& conv, const torch::Tensor& x) {
  if (!conv1x1_gemm_built()) return false;
  const auto& o = conv.options;
  const auto& k = *o.kernel_size();
  const auto& s = *o.stride();
  const auto& d = *o.dilation();
  if (k[0] != 1 || k[1] != 1 || s[0] != s[1] || d[0] != 1 || d[1] != 1) return false;
  if (o.groups() != 1 || o.bias() || !zero_padding(o.padding())) return false;
  if (!conv.weight.defined() || conv.weight.scalar_type() != at::kFloat) return false;
  if (!x.device().is_cpu() || x.dim() != 4 || !x.is_contiguous(at::MemoryFormat::ChannelsLast))
    return false;
  if (compat::autocast_enabled(c10::DeviceType::CPU))
    return compat::autocast_dtype(c10::DeviceType::CPU) == at::kBFloat16 && gemms().bf16 &&
           (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16);
  return x.scalar_type() == at::kFloat;
}

torch::Tensor conv1x1_gemm(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride) {
  return Conv1x1Function::apply(x, weight, stride, compat::autocast_enabled(c10::DeviceType::CPU));
}

bool linear_gemm_applies(const torch::nn::LinearImpl& fc, const torch::Tensor& x) {
  if (!conv1x1_gemm_built() || !x.device().is_cpu() || x.dim() != 2 || !x.is_contiguous())
    return false;
  if (fc.weight.scalar_type() != at::kFloat) return false;
  if (compat::autocast_enabled(c10::DeviceType::CPU))
    return compat::autocast_dtype(c10::DeviceType::CPU) == at::kBFloat16 && gemms().bf16 &&
           (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16);
  return x.scalar_type() == at::kFloat;
}

torch::Tensor linear_gemm(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias) {
  const int64_t n = x.size(0), k = x.size(1), o = weight.size(0);
  torch::Tensor y = conv1x1_gemm(x.view({n, k, 1, 1}), weight.view({o, k, 1, 1}), 1).view({n, o});
  return bias.defined() ? y + bias.to(y.scalar_type()) : y;
}

}  // namespace rn50::trainer
