#include "core/memory.h"

#include <cstdlib>  // defines __GLIBC__ (via features.h) before it is tested

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace rn50::core {

void keep_freed_memory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace rn50::core
