// Timing a network: the one place that runs warm-up passes, timed passes and turns the
// samples into statistics, for the CLI's bench, the GUI's latency figure and sweeps.
//
// Threading: the functions that run a context follow ExecutionContext's rule (one
// thread at a time per context); latency_stats and percentile are pure.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <vector>

#include "mobilenet/network.hpp"
#include "mobilenet/threading.hpp"

namespace mnv1 {

// Statistics of a set of timings, all in milliseconds.
struct LatencyStats {
    int runs = 0;
    double median_ms = 0, p10_ms = 0, p90_ms = 0, min_ms = 0, max_ms = 0, mean_ms = 0;
};

// Linear-interpolated percentile (p in [0, 1]) of unsorted samples; 0 for none.
double percentile(std::vector<double> samples, double p);
LatencyStats latency_stats(const std::vector<double>& samples_ms);

struct BenchmarkOptions {
    int warmup_runs = 3;   // untimed passes first (cold caches, page faults, OpenMP team)
    int runs = 100;        // timed passes, >= 1
};

// Times ctx.forward() on whatever ctx.input() holds. Profiling must be off (it would
// time the synchronised per-step path instead).
LatencyStats benchmark_forward(ExecutionContext& ctx, const BenchmarkOptions& options);
// The same, checking `cancel` (may be set from any thread) before every pass, warm-up
// included; nullopt when it stopped early (a partial set of samples is no measurement).
std::optional<LatencyStats> benchmark_forward(ExecutionContext& ctx, const BenchmarkOptions& options,
                                              const std::atomic<bool>& cancel);

// Times passes at the thread count the threading policy picks pass by pass. The choice
// runs between passes, outside the timing (as on the GUI's live path): the first switch
// to a thread count builds its network, which is no pass's cost. Runs on whatever the
// selected context's input holds.
struct AdaptiveLatency {
    LatencyStats stats;
    std::map<int, int> passes_by_threads;  // timed passes per thread count
    ThreadChoice last;                     // the policy's last decision
};
AdaptiveLatency benchmark_adaptive(AdaptiveExecution& exec, const BenchmarkOptions& options);
// The same, checking `cancel` before every pass; nullopt when it stopped early.
std::optional<AdaptiveLatency> benchmark_adaptive(AdaptiveExecution& exec, const BenchmarkOptions& options,
                                                  const std::atomic<bool>& cancel);

// Per-step median time over `runs` profiled passes (each step synchronised, so the sum
// is a little above a plain forward pass). Leaves the context's profiling switch as it
// found it.
std::vector<LayerProfile> profile_layers(ExecutionContext& ctx, int runs);

// Per-layer times beside the whole passes they should add up to: `runs` profiled passes,
// each also timed whole (wall clock around forward()), interleaved with `runs` plain
// passes, so all see the same machine state.
//  - coverage(): per profiled pass, the sum of its steps over its wall time; the median of
//    that. What the per-layer table leaves out (gaps between steps) lowers it; a busy
//    machine does not, since a step and its pass are preempted together.
//  - steps_ms against forward.median_ms: the table against a pass run without profiling
//    (per-step synchronisation and timers cost a little; on a loaded machine the per-step
//    medians also filter out preemptions that a whole-pass median keeps).
struct ProfiledForward {
    std::vector<LayerProfile> steps;  // per-step medians of the profiled passes
    double steps_ms = 0;              // their sum, input reorder included
    LatencyStats profiled_pass;       // wall time of each profiled pass
    LatencyStats forward;             // the plain passes
    double coverage = 0;              // median over profiled passes of sum(steps) / wall time
};
ProfiledForward profile_layers_and_forward(ExecutionContext& ctx, int runs);

}  // namespace mnv1
