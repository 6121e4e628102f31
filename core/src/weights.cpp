#include "mobilenet/weights.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

namespace mnv1 {

const char* to_string(WeightsOrigin origin) {
    switch (origin) {
        case WeightsOrigin::Random: return "random";
        case WeightsOrigin::TFLite: return "TFLite";
        case WeightsOrigin::KerasH5: return "Keras HDF5";
        case WeightsOrigin::TfjsLayers: return "TF.js";
    }
    return "?";
}

namespace {

// Element count of a layer's weight tensor in the canonical layout.
std::size_t weight_count(const LayerSpec& l) {
    const std::size_t k = static_cast<std::size_t>(l.kernel) * static_cast<std::size_t>(l.kernel);
    if (l.kind == LayerKind::Depthwise) return static_cast<std::size_t>(l.in_c) * k;
    return static_cast<std::size_t>(l.out_c) * static_cast<std::size_t>(l.in_c) * k;
}

}  // namespace

std::shared_ptr<const ModelWeights> random_weights(const ArchConfig& cfg, std::uint64_t seed) {
    auto w = std::make_shared<ModelWeights>();
    w->alpha = cfg.alpha;
    w->native_resolution = cfg.resolution;
    w->num_classes = cfg.num_classes;
    w->padding = cfg.padding;
    w->standard_conv = cfg.standard_conv;
    w->origin = WeightsOrigin::Random;
    w->source = "He init, seed " + std::to_string(seed);
    w->description = "random weights (He init, seed " + std::to_string(seed) + ")";
    std::mt19937_64 rng(seed);
    for (const LayerSpec& l : layer_table(cfg)) {
        if (!l.has_weights()) continue;
        LayerWeights lw;
        lw.name = l.name;
        lw.weights.resize(weight_count(l));
        const double fan_in = static_cast<double>(l.kernel * l.kernel * (l.in_c / l.groups));
        std::normal_distribution<float> dist(0.0f, static_cast<float>(std::sqrt(2.0 / fan_in)));
        for (float& v : lw.weights) v = dist(rng);
        lw.bias.assign(static_cast<std::size_t>(l.out_c), 0.0f);
        w->layers.push_back(std::move(lw));
    }
    return w;
}

void check_shapes(const ModelWeights& w, const ArchConfig& cfg) {
    std::size_t i = 0;
    for (const LayerSpec& l : layer_table(cfg)) {
        if (!l.has_weights()) continue;
        if (i >= w.layers.size()) {
            throw std::runtime_error("weights end before layer " + l.name + " (" +
                                     std::to_string(w.layers.size()) + " weighted layers)");
        }
        const LayerWeights& lw = w.layers[i++];
        if (lw.name != l.name) {
            throw std::runtime_error("layer " + std::to_string(i - 1) + " is '" + lw.name +
                                     "', expected '" + l.name + "'");
        }
        if (lw.weights.size() != weight_count(l)) {
            throw std::runtime_error("layer " + l.name + " has " + std::to_string(lw.weights.size()) +
                                     " weights, expected " + std::to_string(weight_count(l)) + " (" +
                                     l.filter_label() + ")");
        }
        if (lw.bias.size() != static_cast<std::size_t>(l.out_c)) {
            throw std::runtime_error("layer " + l.name + " has " + std::to_string(lw.bias.size()) +
                                     " biases, expected " + std::to_string(l.out_c));
        }
    }
    if (i != w.layers.size()) {
        throw std::runtime_error("weights have " + std::to_string(w.layers.size()) +
                                 " weighted layers, expected " + std::to_string(i));
    }
}

}  // namespace mnv1
