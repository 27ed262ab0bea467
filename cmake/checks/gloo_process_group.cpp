// Configure-time check (trainer/CMakeLists.txt): do the Gloo headers found fit this LibTorch's
// ProcessGroupGloo.hpp? PyTorch's wheels ship LibTorch without Gloo's headers, and a Gloo much
// older or newer than the one LibTorch was built with does not compile against it.
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

int rn50_gloo_check() {
  auto opts = c10d::ProcessGroupGloo::Options::create();
  return static_cast<int>(opts->devices.size());
}
