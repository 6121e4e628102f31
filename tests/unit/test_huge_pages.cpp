// The engine's huge-page arena (core/src/engine/huge_pages.hpp): allocations are 64-byte
// aligned, zero-filled, disjoint and stay valid; chunks start on 2 MiB boundaries; and,
// where the kernel has transparent huge pages, the memory is advised for them (the
// kernel's own account in /proc/self/smaps says THPeligible).
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/huge_pages.hpp"

using mnv1::HugePageArena;

namespace {

// The "THPeligible:" value of the mapping holding `p` in /proc/self/smaps; -1 when absent.
int thp_eligible(const void* p) {
    std::ifstream smaps("/proc/self/smaps");
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    bool inside = false;
    std::string line;
    while (std::getline(smaps, line)) {
        std::uintptr_t lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(' ') > line.find('-')) {
            inside = addr >= lo && addr < hi;
        } else if (inside && line.rfind("THPeligible:", 0) == 0) {
            return std::stoi(line.substr(12));
        }
    }
    return -1;
}

std::string thp_mode() {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string s;
    std::getline(f, s);
    return s;
}

}  // namespace

class TestHugePages : public QObject {
    Q_OBJECT
private slots:
    void allocationsAreAlignedZeroAndDisjoint() {
        HugePageArena arena;
        std::vector<std::pair<unsigned char*, std::size_t>> blocks;
        for (const std::size_t bytes : {std::size_t{1}, std::size_t{100}, std::size_t{4096}, std::size_t{3} << 20,
                                        std::size_t{20} << 20, std::size_t{64}, std::size_t{7} << 20}) {
            auto* p = static_cast<unsigned char*>(arena.allocate(bytes));
            QVERIFY(p);
            QCOMPARE(reinterpret_cast<std::uintptr_t>(p) % 64, std::uintptr_t{0});
            for (std::size_t i = 0; i < bytes; i += 997) QCOMPARE(p[i], static_cast<unsigned char>(0));
            QCOMPARE(p[bytes - 1], static_cast<unsigned char>(0));
            std::memset(p, 0xab, bytes);  // all of it writable
            blocks.emplace_back(p, bytes);
        }
        // The first block opens a chunk: on a 2 MiB boundary.
        QCOMPARE(reinterpret_cast<std::uintptr_t>(blocks.front().first) % HugePageArena::kHugePage, std::uintptr_t{0});
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            for (std::size_t j = i + 1; j < blocks.size(); ++j) {
                const auto [a, an] = blocks[i];
                const auto [b, bn] = blocks[j];
                QVERIFY2(a + an <= b || b + bn <= a, "two allocations overlap");
            }
            // Nothing later overwrote an earlier block.
            QCOMPARE(blocks[i].first[0], static_cast<unsigned char>(0xab));
            QCOMPARE(blocks[i].first[blocks[i].second - 1], static_cast<unsigned char>(0xab));
        }
    }

    void memoryIsAdvisedForHugePages() {
        const std::string mode = thp_mode();
        if (mode.empty() || mode.find("[never]") != std::string::npos) {
            QSKIP("this kernel offers no transparent huge pages");
        }
        QVERIFY(HugePageArena::enabled());  // MOBILENET_HUGE_PAGES is not set to 0 here
        HugePageArena arena;
        void* p = arena.allocate(std::size_t{4} << 20);
        std::memset(p, 1, std::size_t{4} << 20);
        QCOMPARE(thp_eligible(p), 1);
        // Plain malloc'd memory of that size is not, in "madvise" mode (Debian's default):
        // what the arena is for.
        if (mode.find("[madvise]") != std::string::npos) {
            std::vector<char> plain(std::size_t{4} << 20, 1);
            QCOMPARE(thp_eligible(plain.data()), 0);
        }
    }
};

QTEST_APPLESS_MAIN(TestHugePages)
#include "test_huge_pages.moc"
