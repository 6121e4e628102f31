#include "engine/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mnv1 {

namespace {

std::size_t round_up(std::size_t v, std::size_t to) { return (v + to - 1) / to * to; }

}  // namespace

bool HugePageArena::enabled() {
    static const bool on = [] {
        const char* v = std::getenv("MOBILENET_HUGE_PAGES");
        return !(v && std::strcmp(v, "0") == 0);
    }();
    return on;
}

HugePageArena::~HugePageArena() {
    for (const Chunk& c : chunks_) munmap(c.mapping, c.mapped);
}

void* HugePageArena::allocate(std::size_t bytes) {
    constexpr std::size_t kAlign = 64;
    bytes = round_up(bytes == 0 ? 1 : bytes, kAlign);
    if (chunks_.empty() || chunks_.back().size - chunks_.back().used < bytes) {
        Chunk c;
        c.size = round_up(bytes > kChunkBytes ? bytes : kChunkBytes, kHugePage);
        c.mapped = c.size + kHugePage;  // room to align the start
        c.mapping = mmap(nullptr, c.mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (c.mapping == MAP_FAILED) throw std::bad_alloc();
        c.base = reinterpret_cast<char*>(round_up(reinterpret_cast<std::uintptr_t>(c.mapping), kHugePage));
        // Before the first touch, or the kernel maps 4 KiB pages and only a background
        // thread may merge them later. The result is ignored: no THP, no huge pages.
        if (enabled()) madvise(c.base, c.size, MADV_HUGEPAGE);
        chunks_.push_back(c);
    }
    Chunk& c = chunks_.back();
    void* p = c.base + c.used;
    c.used += bytes;
    return p;
}

}  // namespace mnv1
