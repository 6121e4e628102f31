// Engine-internal: memory for the large tensors a forward pass streams through (a
// network's weights, a context's activation buffers) on 2 MiB transparent huge pages.
//
// Why: at 1.0-224 a pass reads ~17 MB of f32 weights, more than the cache keeps from one
// pass to the next, so they come from DRAM every time. On 4 KiB pages each new page costs a
// TLB walk and the hardware prefetchers stop at page ends. Debian's kernel gives huge
// pages only to memory that asks for them (THP "madvise" mode), which oneDNN's own
// allocations never do. Measured on a 2-core Zen 4 VM (MOBILENET_HUGE_PAGES=0 against on,
// alternating processes, median of their medians): f32 1 thread 1.0-224 12.17 -> 11.70 ms
// (8 pairs), 1.0-160 6.88 -> 6.45, 0.25-128 0.369 -> 0.364; 2 threads 1.0-224 6.62 ->
// 6.51; int8 1.0-224 1 thread 4.49 -> 4.35 (6 pairs each). The weights alone gave most of
// it (12.18 -> 11.90 in an earlier run); the activation buffers alone nothing measurable.
//
// Memory comes in chunks of at least kChunkBytes, mapped anonymously (zero-filled),
// aligned to 2 MiB and advised MADV_HUGEPAGE before anything touches them; a kernel
// without THP simply keeps 4 KiB pages. Untouched parts of a chunk cost no memory.
// MOBILENET_HUGE_PAGES=0 in the environment turns the advice off (to compare).
// Not thread-safe: an arena belongs to one network or one context.
#pragma once

#include <cstddef>
#include <vector>

namespace mnv1 {

class HugePageArena {
public:
    static constexpr std::size_t kHugePage = std::size_t{2} << 20;
    static constexpr std::size_t kChunkBytes = std::size_t{8} << 20;

    HugePageArena() = default;
    HugePageArena(const HugePageArena&) = delete;
    HugePageArena& operator=(const HugePageArena&) = delete;
    ~HugePageArena();

    // `bytes` of zero-filled memory, 64-byte aligned, valid until the arena is destroyed.
    // Throws std::bad_alloc when the system has no memory to map.
    void* allocate(std::size_t bytes);

    // Whether huge pages are asked for (MOBILENET_HUGE_PAGES is not "0").
    static bool enabled();

private:
    struct Chunk {
        void* mapping = nullptr;  // what mmap returned, and its length (for munmap)
        std::size_t mapped = 0;
        char* base = nullptr;     // 2 MiB aligned start
        std::size_t size = 0;
        std::size_t used = 0;
    };
    std::vector<Chunk> chunks_;
};

}  // namespace mnv1
