// Cooperative cancellation shared by long-running core jobs (sweeps, calibration).
#pragma once

#include <atomic>

namespace mnv1 {

// The job checks `cancelled` between units of work (timed passes, images); cancel() is
// safe from any thread.
struct CancelToken {
    std::atomic<bool> cancelled{false};
    void cancel() { cancelled = true; }
};

}  // namespace mnv1
