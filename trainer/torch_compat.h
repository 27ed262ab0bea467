// The LibTorch API differences between the versions rn50-exp builds against, in one place:
// Debian's LibTorch 1.13 (CPU; what CI builds) and LibTorch 2.x (the CUDA builds users make from
// PyTorch's wheels or archives). Code elsewhere in trainer/ calls these names and never tests
// TORCH_VERSION itself.
//
//   since 2.0  c10d's ProcessGroupGloo / ProcessGroupNCCL derive from c10d::Backend, no longer
//              from c10d::ProcessGroup (the collectives rn50-exp uses are the same on both);
//   since 2.1  option variants (a convolution's padding) are std::variant, not c10::variant;
//   since 2.4  autocast is configured per device type (set_autocast_enabled(kCUDA, ...)); the
//              per-device functions (set_enabled, set_cpu_enabled, ...) are deprecated and warn
//              at run time on every call.
#pragma once

#include <ATen/core/ATen_fwd.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <torch/version.h>

#define RN50_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||       \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

#include <string>
#if RN50_TORCH_AT_LEAST(2, 1)
#include <variant>
#else
#include <c10/util/variant.h>
#endif

namespace c10d {
class ProcessGroup;
class Backend;
}  // namespace c10d

namespace rn50::trainer::compat {

// The object that runs collectives (allreduce, broadcast, barrier) for one backend.
#if RN50_TORCH_AT_LEAST(2, 0)
using CommGroup = c10d::Backend;
#else
using CommGroup = c10d::ProcessGroup;
#endif

// Autocast state of one device type (CPU or CUDA).
bool autocast_enabled(c10::DeviceType device);
at::ScalarType autocast_dtype(c10::DeviceType device);
void set_autocast(c10::DeviceType device, bool enabled, at::ScalarType dtype);

// Alternatives of LibTorch's option variants.
template <class T, class Variant>
bool holds(const Variant& v) {
#if RN50_TORCH_AT_LEAST(2, 1)
  return std::holds_alternative<T>(v);
#else
  return c10::holds_alternative<T>(v);
#endif
}
template <class T, class Variant>
const T* get_if(const Variant* v) {
#if RN50_TORCH_AT_LEAST(2, 1)
  return std::get_if<T>(v);
#else
  return c10::get_if<T>(v);
#endif
}

// "2.11.0+cu130" style description of the LibTorch this binary was compiled against.
std::string compiled_torch_version();

}  // namespace rn50::trainer::compat
