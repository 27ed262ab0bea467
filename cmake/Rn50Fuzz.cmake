# -DRN50_FUZZ=ON: every library is compiled with libFuzzer's coverage instrumentation and with
# AddressSanitizer and UndefinedBehaviorSanitizer (any report aborts), so that fuzz/ can link its
# targets against them (fuzz/README.md). Debian's clang has libFuzzer (libclang-rt-14-dev); GCC
# has none.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "RN50_FUZZ=ON needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
if(RN50_WITH_TRAINER)
  # No target needs LibTorch, and it is not instrumented: it would only slow the build.
  message(FATAL_ERROR "RN50_FUZZ=ON needs -DRN50_WITH_TRAINER=OFF")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -gline-tables-only
                    # Bounds checks of std::vector/string operator[] within their capacity,
                    # which AddressSanitizer cannot see.
                    -D_GLIBCXX_ASSERTIONS)
add_link_options(-fsanitize=address,undefined)
message(STATUS "rn50-exp: fuzz targets ON (libFuzzer, ASan, UBSan)")
