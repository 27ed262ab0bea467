// Process-wide allocator policy for the long-running, allocation-heavy commands.
#pragma once

namespace rn50::core {

// Tells glibc malloc to keep freed memory instead of returning it to the kernel and to serve
// large blocks (file contents, tensors) from the heap instead of fresh mmaps. Training steps and
// ingest allocate and free the same sizes over and over; without this every large block is
// page-faulted in again (measured: ~5 % of the ingest writer thread). No-op without glibc.
void keep_freed_memory();

}  // namespace rn50::core
