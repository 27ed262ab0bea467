#include "core/memory.h"

#include <gtest/gtest.h>

#include <cstdlib>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace rn50::core {
namespace {

#ifdef __GLIBC__
// A block far above glibc's mmap threshold must come from the heap once the policy is set:
// otherwise every training step and every ingested file pays fresh page faults for it.
TEST(KeepFreedMemory, LargeBlocksComeFromTheHeapNotFromMmap) {
  keep_freed_memory();
  const size_t mmapped_before = mallinfo2().hblks;
  void* block = std::malloc(size_t{64} << 20);
  ASSERT_NE(block, nullptr);
  const size_t mmapped_during = mallinfo2().hblks;
  std::free(block);
  EXPECT_EQ(mmapped_during, mmapped_before);
}
#else
TEST(KeepFreedMemory, NotGlibc) { GTEST_SKIP() << "allocator policy is glibc-only"; }
#endif

}  // namespace
}  // namespace rn50::core
