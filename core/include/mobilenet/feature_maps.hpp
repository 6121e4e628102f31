// Feature maps and filters of a MobileNet v1 for one image: what every layer computed
// (its activations, channel by channel), the input tensor as the network sees it, and the
// weights that produced a layer (3x3 depthwise filters, the pointwise weight matrix).
//
// The extractor reuses the classification path unchanged: mnv1::classify (the same
// preprocess + forward) on its OWN ExecutionContext with keep_activations, so a
// feature-map view never disturbs the live classification context and costs nothing
// once the extractor is destroyed.
//
// Threading: FeatureMapExtractor follows ExecutionContext's rule (one thread at a time;
// other contexts of the same network may run on other threads). The free functions are
// thread-safe. Every value returned is a copy the caller owns.
#pragma once

#include <opencv2/core.hpp>

#include <vector>

#include "mobilenet/classify.hpp"
#include "mobilenet/network.hpp"

namespace mnv1 {

// A height x width x channels tensor of one image, HWC floats (row-major: channel fastest).
struct FeatureMap {
    int layer = -1;   // index into layer_table / CompiledNetwork::layers(); -1: the network input
    int height = 0, width = 0, channels = 0;
    std::vector<float> hwc;
    float at(int y, int x, int c) const {
        return hwc[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) *
                       static_cast<std::size_t>(channels) +
                   static_cast<std::size_t>(c)];
    }
};

struct ValueRange {
    float min = 0, max = 0;
};

// Smallest and largest value of each channel (channels entries) / of the whole tensor.
// An empty tensor gives {0, 0}.
std::vector<ValueRange> channel_ranges(const FeatureMap& map);
ValueRange value_range(const std::vector<float>& values);

// A stack of small 2-D weight arrays: `count` arrays of rows x cols floats, row-major,
// one after another.
struct FilterBank {
    int count = 0, rows = 0, cols = 0;
    std::vector<float> values;
    // Per output channel (batch norm folded in); empty for full-convolution slices.
    std::vector<float> bias;
    float bias_of(int channel) const {  // 0 where there is none
        return channel >= 0 && channel < static_cast<int>(bias.size()) ? bias[static_cast<std::size_t>(channel)] : 0.0f;
    }
    float at(int i, int r, int c) const {
        return values[(static_cast<std::size_t>(i) * static_cast<std::size_t>(rows) + static_cast<std::size_t>(r)) *
                          static_cast<std::size_t>(cols) +
                      static_cast<std::size_t>(c)];
    }
};

// The depthwise layer `layer`'s filters: channels arrays of kernel x kernel (filter c
// slides over input channel c only and makes output channel c). Batch norm folded, as the
// engine runs them. Throws std::invalid_argument when `layer` is not Depthwise and
// std::runtime_error when `weights` has no entry of that name or the wrong size.
FilterBank depthwise_filters(const ModelWeights& weights, const LayerSpec& layer);
// The pointwise layer `layer`'s weights as one out_c x in_c matrix (count 1): row n holds
// how much each input channel adds to output channel n. Same errors for a non-Pointwise layer.
FilterBank pointwise_weights(const ModelWeights& weights, const LayerSpec& layer);

// A full convolution's filters (conv0): out_c x in_c arrays of kernel x kernel; array
// o * in_c + i is the slice of filter o that reads input channel i. Same errors for a
// layer that is not ConvFull.
FilterBank full_conv_filters(const ModelWeights& weights, const LayerSpec& layer);

class FeatureMapExtractor {
public:
    // Creates its own execution context (keep_activations) on `network` (kept alive).
    // Throws std::invalid_argument for a null network.
    explicit FeatureMapExtractor(CompiledNetworkPtr network);

    const CompiledNetwork& network() const { return ctx_.network(); }
    const CompiledNetworkPtr& network_ptr() const { return ctx_.network_ptr(); }

    // Classifies an 8-bit BGR image exactly as mnv1::classify does (crop `mode`, resize,
    // scale, forward) and keeps every layer's output for activation().
    Classification run(const cv::Mat& bgr, CropMode mode);
    bool has_run() const { return has_run_; }
    // What the last run() returned (top-5, latency, crop); empty before the first.
    const Classification& last_run() const { return last_; }

    // Layer `layer`'s output for the last run(). Throws std::logic_error before the first
    // run() and std::out_of_range for a bad index.
    FeatureMap activation(int layer) const;
    // The input tensor of the last run(): resolution x resolution x 3 (RGB), after the
    // model's scaling ((pixel - input_mean) / input_std). Same logic_error before run().
    FeatureMap input() const;

private:
    ExecutionContext ctx_;
    bool has_run_ = false;
    Classification last_;
};

}  // namespace mnv1
