# Dependencies. On Debian every one comes from a package (scripts/install-deps.sh); a CUDA build
# may find them in a prefix unpacked from those packages (CMAKE_PREFIX_PATH, scripts/gpu-check.sh),
# so each is found by its files where a package's CMake config is not relocatable.
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(yaml-cpp REQUIRED)
find_package(Threads REQUIRED)

# LibTorch is optional: parsers/store/report must build and test without it.
find_package(Torch QUIET)
if(Torch_FOUND)
  set(_rn50_trainer_default ON)
else()
  set(_rn50_trainer_default OFF)
endif()
option(RN50_WITH_TRAINER "Build the LibTorch trainer (needs libtorch-dev)" ${_rn50_trainer_default})
if(RN50_WITH_TRAINER AND NOT Torch_FOUND)
  # Asked for explicitly: look again, loudly, so that LibTorch's own message says what is missing.
  find_package(Torch REQUIRED)
endif()
option(RN50_REQUIRE_CUDA "Fail the configure step unless the LibTorch found has CUDA" OFF)
if(RN50_WITH_TRAINER)
  # libjpeg-turbo's own CMake config names absolute /usr paths; its files are enough.
  find_path(RN50_TURBOJPEG_INCLUDE_DIR turbojpeg.h)
  find_library(RN50_TURBOJPEG_LIBRARY NAMES turbojpeg)
  if(NOT RN50_TURBOJPEG_INCLUDE_DIR OR NOT RN50_TURBOJPEG_LIBRARY)
    message(FATAL_ERROR "TurboJPEG not found (turbojpeg.h, libturbojpeg): install libturbojpeg0-dev")
  endif()
  add_library(rn50::turbojpeg UNKNOWN IMPORTED)
  set_target_properties(rn50::turbojpeg PROPERTIES IMPORTED_LOCATION "${RN50_TURBOJPEG_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${RN50_TURBOJPEG_INCLUDE_DIR}")
  # CUDA/NCCL code paths compile only when the LibTorch in use was built with CUDA.
  if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
    set(RN50_HAVE_CUDA ON)
  else()
    set(RN50_HAVE_CUDA OFF)
  endif()
  message(STATUS "rn50-exp: trainer ON (LibTorch ${Torch_VERSION}, CUDA ${RN50_HAVE_CUDA})")
  if(RN50_REQUIRE_CUDA AND NOT RN50_HAVE_CUDA)
    message(FATAL_ERROR "RN50_REQUIRE_CUDA=ON but LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX} has no CUDA")
  endif()
else()
  if(RN50_REQUIRE_CUDA)
    message(FATAL_ERROR "RN50_REQUIRE_CUDA=ON needs the trainer (RN50_WITH_TRAINER=ON)")
  endif()
  message(STATUS "rn50-exp: trainer OFF (no LibTorch)")
endif()
