// The roofline of this machine for the current network, as the InferenceWorker sends it
// to the GUI (a plain value in a queued signal; any thread may copy, read or destroy it).
// Units follow mobilenet/roofline.hpp: FLOPs = 2 x mult-adds, intensity in FLOP per byte,
// GFLOP/s and GB/s in units of 1e9.
#pragma once

#include <QMetaType>

#include <vector>

#include "mobilenet/roofline.hpp"

namespace studio {

struct RooflineData {
    quint64 generation = 0;   // the configuration the layers were timed in
    double alpha = 1.0;
    int resolution = 224;
    int threads = 1;          // OpenMP threads of the network, and of both peak kernels
    int passes = 0;           // profiled passes the layer times are the median of
    mnv1::MachinePeaks peaks;                 // this machine's compute and memory roofs
    std::vector<mnv1::RooflinePoint> points;  // one per layer of the network (softmax included)

    // FLOP per byte where the memory roof meets the compute roof; 0 without peaks.
    double ridge_intensity() const {
        return peaks.bandwidth_gbs > 0 ? peaks.peak_gflops / peaks.bandwidth_gbs : 0.0;
    }
};

}  // namespace studio

Q_DECLARE_METATYPE(studio::RooflineData)
