// BusyLoad: N busy-loop processes competing for the CPU while a benchmark runs (the
// "other programs" of `mobilenet-cli bench --busy N`), like `yes > /dev/null` N times.
//
// They are separate processes, not threads, so the threading policy counts them as other
// programs' load. They stop when the BusyLoad is destroyed (normal end or an exception),
// on Ctrl-C (they share the terminal's process group), and when this process dies any
// other way (PR_SET_PDEATHSIG). Threading: construct and destroy on one thread.
#pragma once

#include <sys/types.h>

#include <vector>

namespace cli {

class BusyLoad {
public:
    // Starts `processes` busy loops (0: none). Throws std::runtime_error when fork fails
    // (the loops started so far are stopped first).
    explicit BusyLoad(int processes);
    ~BusyLoad();
    BusyLoad(const BusyLoad&) = delete;
    BusyLoad& operator=(const BusyLoad&) = delete;
    int size() const { return static_cast<int>(pids_.size()); }

private:
    void stop();
    std::vector<pid_t> pids_;
};

}  // namespace cli
