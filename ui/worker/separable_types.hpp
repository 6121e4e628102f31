// The value InferenceWorker::measure_standard_conv sends back: the latency of the current
// network (depthwise separable, the weights in use) and of its Table 4 counterfactual (the
// same α, resolution, class count and threads with full 3×3 convolutions instead of each
// depthwise + pointwise pair), timed in interleaved rounds on this machine.
// Plain value, copied across threads: any thread may create, read or destroy it.
#pragma once

#include <QMetaType>
#include <QString>

#include <cstdint>

#include "mobilenet/benchmark.hpp"

namespace studio {

struct SeparableSpeedup {
    quint64 generation = 0;  // the configuration it was measured for
    double alpha = 1.0;
    int resolution = 224;
    int threads = 0;         // OpenMP threads both networks ran on (resolved, never 0)
    int numClasses = 0;

    // Interleaved rounds: each round times separablePasses passes of the separable
    // network, then standardPasses of the standard one, on the same input.
    int rounds = 0;
    int separablePasses = 0;
    int standardPasses = 0;
    mnv1::LatencyStats separable;  // over every timed pass of every round, ms
    mnv1::LatencyStats standard;
    double measuredSpeedup = 0;    // standard.median_ms / separable.median_ms
    double seconds = 0;            // wall time of the whole measurement (build included)

    // What the cost model predicts (mnv1::compare_network_costs for this configuration).
    std::int64_t separableMacs = 0, standardMacs = 0;
    std::int64_t separableParams = 0, standardParams = 0;
    double predictedSpeedup = 0;   // standardMacs / separableMacs

    // The live network ran int8: both were timed at fp32 all the same (the full-convolution
    // counterfactual has random weights and so no int8 form), and the panel says so.
    bool liveInt8 = false;
    QString separableWeights;  // the weights in use ("mobilenet_v1_1.0_224.tflite", "random weights")
    QString standardWeights;   // always random: time does not depend on the weights' values

    // The machine's compute roof (oneDNN f32 matmul peak on `threads` threads), from the
    // roofline cache or measured now; 0 when it could not be measured.
    double peakGflops = 0;
    bool peakFromCache = false;
    // Achieved GFLOP/s of each whole network at its median latency (2 FLOPs per mult-add).
    double separableGflops = 0, standardGflops = 0;
};

}  // namespace studio

Q_DECLARE_METATYPE(studio::SeparableSpeedup)
