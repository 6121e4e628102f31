// The threading policy (see threading.hpp). Why this one, from measurements on a 2-core
// AVX-512 machine, MobileNet v1 1.0-224 f32, `yes > /dev/null` loops as the other load
// (medians of 100 passes, 60 under two loops, in ms, p90 in brackets; one interleaved run
// of `mobilenet-cli bench --threads T` per load under each environment, on a machine
// other builds also used, so the busier columns carry some of their noise):
//
//                         quiet          1 busy loop     2 busy loops
//   libgomp default  1T   6.28 (6.38)    6.25 (6.45)     22.7 (24.1)
//                    2T   3.48 (4.07)    7.46 (91.7)     104 (420)
//   OMP PASSIVE      2T   3.80 (8.67)    6.67 (6.84)     8.49 (14.3)
//   OMP ACTIVE       2T   3.45 (3.54)    7.45 (7.69)     54.0 (345)
//   GOMP_SPINCOUNT   2T   1k: 3.42       1k: 8.07        1k: 8.62 (11.1)
//                         10k: 3.42      10k: 18.3       10k: 8.27 (33.0)
//                         100k: 3.40     100k: 28.5      100k: 42.4 (295)
//
//  - The tail comes from idle OpenMP threads spinning at barriers while the thread they
//    wait for is descheduled behind a busy loop: the longer the spin (default 300000
//    iterations, ACTIVE forever), the longer the stall. PASSIVE (no spin) removes it but
//    costs ~10% when quiet (every barrier is a futex wake-up). A short spin (1000
//    iterations, tens of microseconds) is as fast as ACTIVE when quiet, because a pass's
//    barriers are microseconds apart, and about as tail-free as PASSIVE when busy.
//  - The thread count matters as much: with one busy loop, one thread has a core to
//    itself (6.0-6.3 ms) while two threads share a core with the loop and wait for each
//    other (6.7-8 ms); with two loops, two threads each get half of both cores (8.5 ms)
//    while one thread gets half of one (19-22 ms here). threads_for_load() is that
//    arithmetic. ONNX Runtime in the same runs: 3.34 / 20.3 / 30.9 ms at 2 threads.
//  - The load is read as runnable tasks, not CPU time: CPU time of other processes
//    shrinks when we take more cores (two loops against our two threads use one core
//    between them), which would make a CPU-time rule flip back and forth; runnable tasks
//    do not depend on our choice. Averaged over half a second, with hysteresis.
#include "mobilenet/threading.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace mnv1 {

namespace {

constexpr const char* kAppliedMarker = "MOBILENET_WAIT_POLICY_APPLIED";

// Runnable tasks system-wide (/proc/stat "procs_running"); -1 when unreadable.
int procs_running() {
    std::FILE* f = std::fopen("/proc/stat", "r");
    if (!f) return -1;
    char line[512];
    int n = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "procs_running ", 14) == 0) {
            n = std::atoi(line + 14);
            break;
        }
    }
    std::fclose(f);
    return n;
}

// This process's threads in state R (running or waiting for a CPU).
int own_runnable_threads() {
    DIR* d = opendir("/proc/self/task");
    if (!d) return 0;
    int n = 0;
    while (const dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        const std::string path = std::string("/proc/self/task/") + e->d_name + "/stat";
        std::FILE* f = std::fopen(path.c_str(), "r");
        if (!f) continue;
        char buf[256];
        const std::size_t len = std::fread(buf, 1, sizeof buf - 1, f);
        std::fclose(f);
        buf[len] = '\0';
        // "tid (comm) S ...": the state follows the last ')' (comm may hold spaces or ')').
        const char* close = std::strrchr(buf, ')');
        if (close && close[1] == ' ' && close[2] == 'R') ++n;
    }
    closedir(d);
    return n;
}

// OpenMP placement the user asked for. With it libgomp binds the initial thread to the
// first place while loading, before main(); a re-exec would inherit that one-CPU mask and
// run every thread on it (measured: 2 threads at 1.0-160 6.7-7.5 ms instead of 3.3-3.9).
const char* placement_variable() {
    for (const char* name : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"}) {
        if (std::getenv(name)) return name;
    }
    return nullptr;
}

}  // namespace

void apply_wait_policy(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;  // the user's (or ours, applied)
    if (placement_variable()) return;  // the user manages OpenMP: no re-exec
    if (!argv || !argv[0]) return;
    setenv("GOMP_SPINCOUNT", std::to_string(kSpinCount).c_str(), 1);
    setenv(kAppliedMarker, "1", 1);
    execv("/proc/self/exe", argv);
    // No re-exec (no /proc?): libgomp keeps the policy it read; say so honestly.
    unsetenv("GOMP_SPINCOUNT");
    unsetenv(kAppliedMarker);
}

WaitPolicy wait_policy() {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    const char* spin = std::getenv("GOMP_SPINCOUNT");
    WaitPolicy w;
    if (spin && std::getenv(kAppliedMarker) && !policy) {
        w.setting = std::string("GOMP_SPINCOUNT=") + spin;
        w.source = "app default";
        return w;
    }
    if (policy || spin) {
        if (policy) w.setting = std::string("OMP_WAIT_POLICY=") + policy;
        if (spin) w.setting += (w.setting.empty() ? "" : " ") + std::string("GOMP_SPINCOUNT=") + spin;
        w.source = "environment";
        return w;
    }
    w.setting = "libgomp default";
    w.source = placement_variable() ? std::string("not applied: ") + placement_variable() + " set" : "not applied";
    return w;
}

int threads_for_load(int others, int cores) {
    cores = std::max(1, cores);
    others = std::max(0, others);
    int best = 1;
    double best_speed = 0;
    for (int t = 1; t <= cores; ++t) {
        const int per_core = (others + t + cores - 1) / cores;  // tasks sharing the busiest core
        const double speed = static_cast<double>(t) / per_core;
        if (speed > best_speed + 1e-9) {
            best_speed = speed;
            best = t;
        }
    }
    return best;
}

std::string ThreadChoice::reason() const {
    const std::string th = std::to_string(threads) + (threads == 1 ? " thread" : " threads");
    if (!measured) return "load unknown: " + th;
    if (others == 0) return "quiet machine: " + th;
    return std::to_string(others) + (others == 1 ? " busy task" : " busy tasks") + " elsewhere: " + th;
}

int other_runnable_tasks() {
    const int all = procs_running();
    if (all < 0) return -1;
    return std::max(0, all - std::max(1, own_runnable_threads()));
}

ThreadPolicy::ThreadPolicy(int cores, std::chrono::milliseconds window, std::chrono::milliseconds min_interval)
    : window_(window), min_interval_(min_interval) {
    choice_.cores = cores > 0 ? cores : hardware_threads();
    choice_.threads = choice_.cores;
}

const ThreadChoice& ThreadPolicy::choose() {
    const auto now = Clock::now();
    if (samples_.empty() || now - last_sample_ >= min_interval_) {
        last_sample_ = now;
        const int others = other_runnable_tasks();
        if (others >= 0) samples_.emplace_back(now, others);
        while (!samples_.empty() && now - samples_.front().first > window_) samples_.pop_front();
    }
    if (samples_.empty()) {
        choice_.measured = false;
        choice_.threads = choice_.cores;
        return choice_;
    }
    double sum = 0;
    for (const auto& s : samples_) sum += s.second;
    const double mean = sum / static_cast<double>(samples_.size());
    // Hysteresis: the load the rule uses moves only when the mean is clearly elsewhere,
    // so a mean hovering near a half does not switch networks every pass.
    if (!choice_.measured || std::abs(mean - choice_.others) > 0.7) {
        choice_.others = static_cast<int>(mean + 0.5);
    }
    choice_.measured = true;
    choice_.others_runnable = mean;
    choice_.threads = threads_for_load(choice_.others, choice_.cores);
    return choice_;
}

AdaptiveExecution::AdaptiveExecution(Runtime& runtime, std::shared_ptr<const ModelWeights> weights,
                                     NetworkConfig base, ContextOptions options, int max_threads)
    : runtime_(runtime),
      weights_(std::move(weights)),
      base_(base),
      options_(options),
      own_policy_(std::make_unique<ThreadPolicy>(max_threads)),
      policy_(own_policy_.get()) {
    if (!weights_) throw std::invalid_argument("AdaptiveExecution needs weights");
}

AdaptiveExecution::AdaptiveExecution(Runtime& runtime, std::shared_ptr<const ModelWeights> weights,
                                     NetworkConfig base, ThreadPolicy& policy, ContextOptions options)
    : runtime_(runtime), weights_(std::move(weights)), base_(base), options_(options), policy_(&policy) {
    if (!weights_) throw std::invalid_argument("AdaptiveExecution needs weights");
}

ExecutionContext& AdaptiveExecution::select() {
    const int t = base_.threads > 0 ? base_.threads : policy_->choose().threads;
    std::unique_ptr<ExecutionContext>& slot = contexts_[t];
    if (!slot) {
        NetworkConfig cfg = base_;
        cfg.threads = t;
        slot = std::make_unique<ExecutionContext>(runtime_.compile(weights_, cfg), options_);
    }
    if (current_ && current_ != slot.get()) {
        std::copy(current_->input(), current_->input() + current_->input_floats(), slot->input());
    }
    current_ = slot.get();
    return *current_;
}

}  // namespace mnv1
