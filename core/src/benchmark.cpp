#include "mobilenet/benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

namespace mnv1 {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double pos = std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

LatencyStats latency_stats(const std::vector<double>& samples) {
    LatencyStats s;
    if (samples.empty()) return s;
    s.runs = static_cast<int>(samples.size());
    s.median_ms = percentile(samples, 0.5);
    s.p10_ms = percentile(samples, 0.1);
    s.p90_ms = percentile(samples, 0.9);
    const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
    s.min_ms = *lo;
    s.max_ms = *hi;
    s.mean_ms = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
    return s;
}

LatencyStats benchmark_forward(ExecutionContext& ctx, const BenchmarkOptions& options) {
    const std::atomic<bool> never{false};
    return *benchmark_forward(ctx, options, never);
}

std::optional<LatencyStats> benchmark_forward(ExecutionContext& ctx, const BenchmarkOptions& options,
                                              const std::atomic<bool>& cancel) {
    if (options.runs < 1) throw std::invalid_argument("benchmark needs at least one timed run");
    if (ctx.profiling()) throw std::logic_error("benchmark_forward needs profiling off");
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < options.warmup_runs; ++i) {
        if (cancel.load()) return std::nullopt;
        ctx.forward();
    }
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(options.runs));
    for (int i = 0; i < options.runs; ++i) {
        if (cancel.load()) return std::nullopt;
        const auto t0 = Clock::now();
        ctx.forward();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return latency_stats(ms);
}

AdaptiveLatency benchmark_adaptive(AdaptiveExecution& exec, const BenchmarkOptions& options) {
    const std::atomic<bool> never{false};
    return *benchmark_adaptive(exec, options, never);
}

std::optional<AdaptiveLatency> benchmark_adaptive(AdaptiveExecution& exec, const BenchmarkOptions& options,
                                                  const std::atomic<bool>& cancel) {
    if (options.runs < 1) throw std::invalid_argument("benchmark needs at least one timed run");
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < options.warmup_runs; ++i) {
        if (cancel.load()) return std::nullopt;
        exec.select().forward();
    }
    AdaptiveLatency out;
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(options.runs));
    for (int i = 0; i < options.runs; ++i) {
        if (cancel.load()) return std::nullopt;
        ExecutionContext& ctx = exec.select();
        const auto t0 = Clock::now();
        ctx.forward();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        ++out.passes_by_threads[ctx.network().threads()];
    }
    out.stats = latency_stats(ms);
    out.last = exec.last_choice();
    return out;
}

namespace {

// `runs` profiled passes, each timed whole, each followed by a plain pass when
// `with_plain` (so both see the same machine state). The profiling switch is left as found.
ProfiledForward profile(ExecutionContext& ctx, int runs, bool with_plain) {
    using Clock = std::chrono::steady_clock;
    const auto ms_since = [](Clock::time_point t0) {
        return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    };
    const bool was_profiling = ctx.profiling();
    std::vector<std::vector<double>> step_samples;
    std::vector<double> plain_ms, pass_ms, pass_coverage;
    ProfiledForward out;
    try {
        for (int i = 0; i < std::max(runs, 1); ++i) {
            ctx.set_profiling(true);
            const auto p0 = Clock::now();
            ctx.forward();
            const double wall = ms_since(p0);
            const std::vector<LayerProfile>& prof = ctx.profile();
            if (out.steps.empty()) out.steps = prof;
            step_samples.resize(prof.size());
            double pass_steps = 0;
            for (std::size_t s = 0; s < prof.size(); ++s) {
                step_samples[s].push_back(prof[s].ms);
                pass_steps += prof[s].ms;
            }
            pass_ms.push_back(wall);
            pass_coverage.push_back(wall > 0 ? pass_steps / wall : 0);
            if (!with_plain) continue;
            ctx.set_profiling(false);
            const auto t0 = Clock::now();
            ctx.forward();
            plain_ms.push_back(ms_since(t0));
        }
    } catch (...) {
        ctx.set_profiling(was_profiling);
        throw;
    }
    ctx.set_profiling(was_profiling);
    for (std::size_t s = 0; s < out.steps.size(); ++s) {
        out.steps[s].ms = percentile(step_samples[s], 0.5);
        out.steps_ms += out.steps[s].ms;
    }
    out.profiled_pass = latency_stats(pass_ms);
    out.forward = latency_stats(plain_ms);
    out.coverage = percentile(pass_coverage, 0.5);
    return out;
}

}  // namespace

std::vector<LayerProfile> profile_layers(ExecutionContext& ctx, int runs) { return profile(ctx, runs, false).steps; }

ProfiledForward profile_layers_and_forward(ExecutionContext& ctx, int runs) { return profile(ctx, runs, true); }

}  // namespace mnv1
