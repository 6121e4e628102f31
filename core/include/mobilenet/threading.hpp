// The threading policy: how many OpenMP threads a forward pass gets and how long idle
// OpenMP threads spin, chosen so latency is close to the best when the machine is quiet
// and degrades gracefully when other programs want the cores. Used by the CLI and the GUI.
//
// Two halves (the reasons, with the measurements, are in core/src/threading.cpp):
//  - Wait policy (process-wide): GNU libgomp reads OMP_WAIT_POLICY / GOMP_SPINCOUNT once,
//    when it is loaded, before main(). apply_wait_policy() therefore re-executes the
//    program once with GOMP_SPINCOUNT=kSpinCount when the user set neither variable.
//  - Thread count (per pass): ThreadPolicy watches how many runnable tasks *other*
//    processes have (/proc/stat procs_running minus this process's runnable threads) and
//    picks the thread count with the best expected speed for that load;
//    AdaptiveExecution keeps one ExecutionContext per thread count (networks compiled
//    through the Runtime's cache) and hands out the one the policy picks.
//
// Threading: apply_wait_policy() only from main() before any other thread starts.
// wait_policy() and threads_for_load() from any thread. ThreadPolicy and
// AdaptiveExecution: one thread at a time (the thread that runs the passes).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "mobilenet/network.hpp"

namespace mnv1 {

// libgomp spin iterations before an idle OpenMP thread sleeps (its default is 300000,
// ~0.1 s of spinning on a busy machine; PASSIVE is 0, slower when quiet).
inline constexpr int kSpinCount = 1000;

// The OpenMP wait policy this process runs with.
struct WaitPolicy {
    std::string setting;   // e.g. "GOMP_SPINCOUNT=1000", "OMP_WAIT_POLICY=PASSIVE", "libgomp default"
    std::string source;    // "app default", "environment" or "not applied"
    std::string describe() const { return setting + " (" + source + ")"; }
};

// Call first thing in main(), before any thread starts, with main's argv. When the
// environment sets neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT, sets GOMP_SPINCOUNT to
// kSpinCount and re-executes this program (/proc/self/exe, same arguments) so libgomp
// reads it; a user's explicit setting is left alone, and so is a process where the user set
// OpenMP placement (OMP_PROC_BIND, OMP_PLACES, GOMP_CPU_AFFINITY: libgomp has already bound
// the initial thread to one CPU, and the re-executed program would inherit that mask).
// Returns only when no re-exec took place (already applied, the user's setting or placement,
// or the exec failed).
void apply_wait_policy(char** argv);
WaitPolicy wait_policy();

// The rule: the thread count (1..cores) with the best expected speed when `others` other
// tasks want the CPU. With fair scheduling, t threads among `others` busy tasks on `cores`
// cores each get about 1/ceil((others + t) / cores) of a core, and a pass goes at its
// slowest thread (barriers), so the expected speed is t / ceil((others + t) / cores);
// ties go to fewer threads. On 2 cores: quiet -> 2, one busy task -> 1, two or more -> 2.
int threads_for_load(int others, int cores);

// One decision of ThreadPolicy.
struct ThreadChoice {
    int threads = 1;
    int cores = 1;
    double others_runnable = 0;  // mean runnable tasks of other processes over the window
    int others = 0;              // the load the rule used (others_runnable with hysteresis)
    bool measured = false;       // false where /proc is not readable (then all cores)
    std::string reason() const;  // "quiet machine: 2 threads", "1 busy task elsewhere: 1 thread", ...
};

// Samples the machine's load and applies threads_for_load.
class ThreadPolicy {
public:
    // cores: the most threads it picks (0 = hardware_threads()). window: how far back
    // the load samples are averaged; a sample is taken at most every min_interval (a
    // sample reads /proc/stat and one small file per thread of this process: ~10 us each).
    explicit ThreadPolicy(int cores = 0, std::chrono::milliseconds window = std::chrono::milliseconds(500),
                          std::chrono::milliseconds min_interval = std::chrono::milliseconds(20));
    // Samples the load (when min_interval has passed) and returns the thread count to use.
    const ThreadChoice& choose();
    const ThreadChoice& last() const { return choice_; }
    int cores() const { return choice_.cores; }

private:
    using Clock = std::chrono::steady_clock;
    std::chrono::milliseconds window_, min_interval_;
    std::deque<std::pair<Clock::time_point, int>> samples_;
    Clock::time_point last_sample_{};
    ThreadChoice choice_;
};

// Runnable tasks of other processes right now (procs_running minus this process's
// runnable threads, the calling one included); -1 where /proc is not readable.
int other_runnable_tasks();

// Runs one network at the thread count ThreadPolicy picks, pass by pass: a context per
// thread count, each compiled through `runtime` (cached) on first use. The input written
// into one context is copied into the next when the choice changes, so a caller may fill
// the input once and run many passes.
class AdaptiveExecution {
public:
    // base.threads: 0 lets the policy choose per pass; a positive count fixes it (one
    // context, no sampling). The runtime must outlive this object. The first form owns
    // its policy (max_threads: its most threads, 0 = all cores); the second samples
    // through `policy`, which outlives this object and keeps its history across
    // configurations (the app's worker: one policy, a new network per slider move).
    AdaptiveExecution(Runtime& runtime, std::shared_ptr<const ModelWeights> weights, NetworkConfig base,
                      ContextOptions options = {}, int max_threads = 0);
    AdaptiveExecution(Runtime& runtime, std::shared_ptr<const ModelWeights> weights, NetworkConfig base,
                      ThreadPolicy& policy, ContextOptions options = {});
    // Chooses the thread count for the next pass and returns its context (fill its
    // input, then forward()). The reference stays valid for this object's lifetime.
    ExecutionContext& select();
    const ThreadChoice& last_choice() const { return policy_->last(); }
    ExecutionContext* current() { return current_; }

private:
    Runtime& runtime_;
    std::shared_ptr<const ModelWeights> weights_;
    NetworkConfig base_;
    ContextOptions options_;
    std::unique_ptr<ThreadPolicy> own_policy_;  // null when borrowing
    ThreadPolicy* policy_;
    std::map<int, std::unique_ptr<ExecutionContext>> contexts_;
    ExecutionContext* current_ = nullptr;
};

}  // namespace mnv1
