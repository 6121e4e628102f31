// InferenceWorker::measure_standard_conv: the whole network both ways, measured. Kept
// apart from inference_worker.cpp: it compiles a second network (the Table 4
// counterfactual) and times the two against each other, nothing the live path needs.
#include "inference_worker.hpp"

#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/display_format.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/roofline.hpp"

namespace studio {

namespace {

// Interleaving: kSpeedupRounds rounds, each timing the separable network then the
// standard one, so a change in machine load (another process, frequency) hits both.
constexpr int kSpeedupRounds = 5;
// Per round and per network, about this much timing: ~4 s in all whatever the
// configuration (the standard network is ~8x slower, so it gets fewer passes).
constexpr double kRoundBudgetMsPerNetwork = 400.0;
constexpr int kMinPasses = 3;
constexpr int kMaxPasses = 60;

int passes_for(double one_pass_ms) {
    if (!(one_pass_ms > 0)) return kMinPasses;
    return std::clamp(static_cast<int>(std::lround(kRoundBudgetMsPerNetwork / one_pass_ms)), kMinPasses, kMaxPasses);
}

// One forward pass, timed by the benchmark module (no warm-up: the caller warmed up).
double one_pass_ms(mnv1::ExecutionContext& ctx) {
    return mnv1::benchmark_forward(ctx, {.warmup_runs = 0, .runs = 1}).median_ms;
}

}  // namespace

void InferenceWorker::measure_standard_conv(quint64 generation) {
    if (stale(generation) || !configured_ || generation != current_.generation) return;
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    try {
        // Both networks run fp32: the standard-convolution counterfactual has random
        // weights and so no int8 form; at int8 the separable one is its fp32 build.
        mnv1::NetworkConfig cfg = ctx_->network().config();
        const bool live_int8 = cfg.precision != mnv1::Precision::F32;
        cfg.precision = mnv1::Precision::F32;
        const mnv1::CompiledNetworkPtr separable_net =
            live_int8 ? runtime_->compile(ctx_->network().weights_ptr(), cfg) : ctx_->network_ptr();
        const mnv1::ModelWeights& weights = separable_net->weights();

        SeparableSpeedup r;
        r.generation = generation;
        r.liveInt8 = live_int8;
        r.alpha = weights.alpha;
        r.resolution = cfg.resolution;
        r.threads = cfg.threads > 0 ? cfg.threads : mnv1::hardware_threads();
        r.numClasses = separable_net->num_classes();
        const mnv1::NetworkCostComparison costs = mnv1::compare_network_costs(weights.arch(cfg.resolution));
        r.separableMacs = costs.separable.macs;
        r.standardMacs = costs.standard.macs;
        r.separableParams = costs.separable.params;
        r.standardParams = costs.standard.params;
        r.predictedSpeedup = costs.macs_ratio;
        r.separableWeights = separable_net->pretrained()
                                 ? QFileInfo(QString::fromStdString(weights.source)).fileName()
                                 : tr("random weights");
        if (r.separableWeights.isEmpty()) r.separableWeights = QString::fromStdString(weights.description);
        if (live_int8) r.separableWeights += tr(" (timed at fp32: the standard network has no int8 form)");

        // The counterfactual: random weights (a timing does not depend on the values), the
        // same architecture otherwise. Built for this measurement only: its weights and
        // their reordered copy (2 x 117 MB at 1.0-224) leave the cache when it ends.
        mnv1::ArchConfig std_arch = weights.arch(cfg.resolution);
        std_arch.standard_conv = true;
        emit progress(tr("Building the standard-convolution network %1 (random weights)…").arg(config_name(r.alpha, r.resolution)));
        struct EvictAfterUse {
            mnv1::Runtime& runtime;
            std::shared_ptr<const mnv1::ModelWeights> weights;
            ~EvictAfterUse() { runtime.evict(weights); }
        } standard_weights{*runtime_, mnv1::random_weights(std_arch)};
        r.standardWeights = tr("random (He init): the time of a pass does not depend on the weights' values");
        if (stale(generation)) return;
        // Own contexts for this use; the live context (ctx_) keeps its activations and CAM.
        mnv1::ExecutionContext separable(separable_net);
        mnv1::ExecutionContext standard(runtime_->compile(standard_weights.weights, cfg));
        // Both see the image last classified (or the blank timing input).
        std::copy(ctx_->input(), ctx_->input() + ctx_->input_floats(), separable.input());
        std::copy(ctx_->input(), ctx_->input() + ctx_->input_floats(), standard.input());

        // Warm-up, which also sizes the rounds.
        emit progress(tr("Timing standard vs separable: warming up…"));
        separable.forward();
        standard.forward();
        r.separablePasses = passes_for(one_pass_ms(separable));
        r.standardPasses = passes_for(one_pass_ms(standard));
        r.rounds = kSpeedupRounds;

        std::vector<double> sep_ms, std_ms;
        for (int round = 0; round < r.rounds; ++round) {
            if (stale(generation)) return;  // a new configuration is waiting: stop here
            emit progress(tr("Timing standard vs separable: round %1 of %2…").arg(round + 1).arg(r.rounds));
            for (int i = 0; i < r.separablePasses; ++i) sep_ms.push_back(one_pass_ms(separable));
            for (int i = 0; i < r.standardPasses; ++i) std_ms.push_back(one_pass_ms(standard));
        }
        r.separable = mnv1::latency_stats(sep_ms);
        r.standard = mnv1::latency_stats(std_ms);
        r.measuredSpeedup = r.standard.median_ms / r.separable.median_ms;
        r.separableGflops = mnv1::kFlopsPerMac * static_cast<double>(r.separableMacs) / (r.separable.median_ms * 1e6);
        r.standardGflops = mnv1::kFlopsPerMac * static_cast<double>(r.standardMacs) / (r.standard.median_ms * 1e6);

        // The compute roof, to say how close to it each network runs.
        try {
            if (stale(generation)) return;
            emit progress(tr("Reading this machine's compute peak…"));
            const mnv1::MachinePeaks peaks = mnv1::load_or_measure_machine_peaks(machine_peaks_dir(), r.threads);
            r.peakGflops = peaks.peak_gflops;
            r.peakFromCache = peaks.from_cache;
        } catch (const std::exception&) {
            r.peakGflops = 0;  // the panel then leaves the roof out
        }
        r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        emit progress(QString());
        emit standardConvMeasured(r);
    } catch (const std::exception& e) {
        emit standardConvFailed(generation, QString::fromUtf8(e.what()));
        emit requestFailed(generation, QString::fromUtf8(e.what()));
    }
}

}  // namespace studio
