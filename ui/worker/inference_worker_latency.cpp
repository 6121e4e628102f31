// InferenceWorker: the threading policy on the live path (automatic thread count) and
// "Measure again" (a fresh median/p10/p90 of the current network). Kept apart from
// inference_worker.cpp: the policy itself lives in core (mobilenet/threading.hpp).
#include "inference_worker.hpp"

#include <chrono>
#include <map>
#include <vector>

#include "common/display_format.hpp"
#include "mobilenet/benchmark.hpp"

namespace studio {

namespace {

QString threads_text(int threads) { return format_threads(threads); }

}  // namespace

QString InferenceWorker::adapt_threads() {
    if (!exec_) return {};
    ctx_ = &exec_->select();  // the input of the last pass comes along to a newly picked context
    if (current_.threads != 0) return tr("%1, set in Tune").arg(threads_text(ctx_->network().threads()));
    return QString::fromStdString(exec_->last_choice().reason());
}

void InferenceWorker::measure_latency(quint64 generation, quint64 request_id) {
    raise_to(latest_latency_request_, request_id);
    if (stale(generation) || request_id < latest_latency_request_.load()) return;
    if (!configured_ || generation != current_.generation || !ctx_) return;
    try {
        using Clock = std::chrono::steady_clock;
        std::vector<double> ms;
        std::map<int, int> by_threads;
        QString reason;
        adapt_threads();
        ctx_->forward();  // warm-up: a newly chosen network's first pass pays for page faults
        for (int i = 0; i < kLatencyMeasurePasses; ++i) {
            if (stale(generation)) return;  // the configuration changed meanwhile: no answer
            // The choice runs between passes, as on the live path (where classify() times the
            // forward pass alone): a load sample every 20 ms costs ~10 us per thread of this
            // process (~0.25 ms in the GUI), about 1 % of the time, not part of a pass.
            reason = adapt_threads();
            const auto t0 = Clock::now();
            ctx_->forward();
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            ++by_threads[ctx_->network().threads()];
        }
        const mnv1::LatencyStats s = mnv1::latency_stats(ms);
        LatencyMeasurement m;
        m.generation = generation;
        m.requestId = request_id;
        m.passes = s.runs;
        m.medianMs = s.median_ms;
        m.p10Ms = s.p10_ms;
        m.p90Ms = s.p90_ms;
        QStringList used;
        for (const auto& [threads, passes] : by_threads) used << tr("%1 × %2").arg(threads_text(threads)).arg(passes);
        m.threadsUsed = used.join(QStringLiteral(", "));
        m.policy = tr("%1; OpenMP wait: %2").arg(reason, QString::fromStdString(mnv1::wait_policy().describe()));
        emit latencyMeasured(m);
    } catch (const std::exception& e) {
        emit requestFailed(generation, QString::fromUtf8(e.what()));
    }
}

}  // namespace studio
