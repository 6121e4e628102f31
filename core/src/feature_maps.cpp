#include "mobilenet/feature_maps.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mnv1 {

std::vector<ValueRange> channel_ranges(const FeatureMap& map) {
    std::vector<ValueRange> r(static_cast<std::size_t>(std::max(map.channels, 0)));
    if (map.hwc.empty() || map.channels <= 0) return r;
    const std::size_t c = static_cast<std::size_t>(map.channels);
    for (std::size_t i = 0; i < c; ++i) r[i] = {map.hwc[i], map.hwc[i]};
    for (std::size_t p = 0; p < map.hwc.size(); p += c) {
        for (std::size_t i = 0; i < c; ++i) {
            const float v = map.hwc[p + i];
            r[i].min = std::min(r[i].min, v);
            r[i].max = std::max(r[i].max, v);
        }
    }
    return r;
}

ValueRange value_range(const std::vector<float>& values) {
    if (values.empty()) return {};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return {*lo, *hi};
}

namespace {

const LayerWeights& weights_of(const ModelWeights& weights, const LayerSpec& layer, LayerKind kind,
                               std::size_t expected) {
    if (layer.kind != kind) {
        throw std::invalid_argument(layer.name + " is a " + to_string(layer.kind) + " layer, not " + to_string(kind));
    }
    const auto it = std::find_if(weights.layers.begin(), weights.layers.end(),
                                 [&](const LayerWeights& l) { return l.name == layer.name; });
    if (it == weights.layers.end()) throw std::runtime_error("no weights for layer " + layer.name);
    if (it->weights.size() != expected) {
        throw std::runtime_error("weights of " + layer.name + " have " + std::to_string(it->weights.size()) +
                                 " values, expected " + std::to_string(expected));
    }
    return *it;
}

}  // namespace

FilterBank depthwise_filters(const ModelWeights& weights, const LayerSpec& layer) {
    FilterBank f;
    f.count = layer.out_c;
    f.rows = f.cols = layer.kernel;
    // Canonical goihw [c][1][1][kh][kw] is already c x k x k.
    const LayerWeights& w = weights_of(weights, layer, LayerKind::Depthwise,
                                       static_cast<std::size_t>(layer.out_c) * static_cast<std::size_t>(layer.kernel * layer.kernel));
    f.values = w.weights;
    f.bias = w.bias;
    return f;
}

FilterBank pointwise_weights(const ModelWeights& weights, const LayerSpec& layer) {
    FilterBank f;
    f.count = 1;
    f.rows = layer.out_c;
    f.cols = layer.in_c;
    // Canonical oihw [out][in][1][1] is already out x in.
    const LayerWeights& w = weights_of(weights, layer, LayerKind::Pointwise,
                                       static_cast<std::size_t>(layer.out_c) * static_cast<std::size_t>(layer.in_c));
    f.values = w.weights;
    f.bias = w.bias;
    return f;
}

FilterBank full_conv_filters(const ModelWeights& weights, const LayerSpec& layer) {
    FilterBank f;
    f.count = layer.out_c * layer.in_c;
    f.rows = f.cols = layer.kernel;
    // Canonical oihw [out][in][kh][kw] is already (out * in) x k x k.
    f.values = weights_of(weights, layer, LayerKind::ConvFull,
                          static_cast<std::size_t>(f.count) * static_cast<std::size_t>(layer.kernel * layer.kernel))
                   .weights;
    return f;
}

FeatureMapExtractor::FeatureMapExtractor(CompiledNetworkPtr network)
    : ctx_(std::move(network), ContextOptions{.keep_activations = true}) {}

Classification FeatureMapExtractor::run(const cv::Mat& bgr, CropMode mode) {
    has_run_ = false;
    last_ = classify(ctx_, {bgr}, mode, 5).front();
    has_run_ = true;
    return last_;
}

FeatureMap FeatureMapExtractor::activation(int layer) const {
    if (!has_run_) throw std::logic_error("FeatureMapExtractor::activation before run()");
    const auto& layers = network().layers();
    if (layer < 0 || layer >= static_cast<int>(layers.size())) {
        throw std::out_of_range("layer index " + std::to_string(layer) + " out of range");
    }
    const LayerSpec& l = layers[static_cast<std::size_t>(layer)];
    FeatureMap m;
    m.layer = layer;
    m.height = l.out_h;
    m.width = l.out_w;
    m.channels = l.out_c;
    ctx_.copy_activation(layer, 0, m.hwc);
    return m;
}

FeatureMap FeatureMapExtractor::input() const {
    if (!has_run_) throw std::logic_error("FeatureMapExtractor::input before run()");
    FeatureMap m;
    m.layer = -1;
    m.height = m.width = network().config().resolution;
    m.channels = 3;
    // The first image of the context's input (batch 1 for extraction in practice).
    // ExecutionContext::input() is the writable buffer; reading it changes nothing.
    const float* in = const_cast<ExecutionContext&>(ctx_).input();
    m.hwc.assign(in, in + static_cast<std::size_t>(m.height) * static_cast<std::size_t>(m.width) * 3);
    return m;
}

}  // namespace mnv1
