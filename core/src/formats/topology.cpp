#include "topology.hpp"

#include <cmath>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "mobilenet/errors.hpp"

namespace mnv1::detail {

namespace {

[[noreturn]] void not_mobilenet(const std::string& path, const std::string& why) {
    throw ModelError(path, "not a MobileNet v1 graph: " + why);
}

// The weighted rows of Table 1 (conv0, dw1, pw1, ..., pw13, fc).
std::vector<LayerSpec> weighted_layers(const ArchConfig& cfg) {
    std::vector<LayerSpec> out;
    for (LayerSpec& l : layer_table(cfg))
        if (l.has_weights()) out.push_back(std::move(l));
    return out;
}

LayerKind table_kind(ConvKind kind) {
    switch (kind) {
        case ConvKind::Full: return LayerKind::ConvFull;
        case ConvKind::Depthwise: return LayerKind::Depthwise;
        case ConvKind::Pointwise: return LayerKind::Pointwise;
        case ConvKind::Classifier: break;
    }
    return LayerKind::FullyConnected;
}

std::string shape_text(LayerKind kind, int kernel, int stride) {
    if (kind == LayerKind::FullyConnected) return "the classifier (1x1, stride 1)";
    const std::string k = std::to_string(kernel) + "x" + std::to_string(kernel);
    const char* what = kind == LayerKind::Depthwise ? " depthwise convolution" : " convolution";
    return "a " + k + what + " with stride " + std::to_string(stride);
}

std::string channel_list(const std::vector<int>& channels) {
    std::string s;
    for (int c : channels) {
        if (!s.empty()) s += ',';
        s += std::to_string(c);
    }
    return s;
}

std::string witness(const FoundConv& c, const char* how) {
    return c.label + (c.padding_detail.empty() ? "" : " (" + c.padding_detail + ")") + " pads " + how;
}

// Table 1 at the defaults: kinds, kernels and strides, which no ArchConfig changes.
const std::vector<LayerSpec>& reference_layers() {
    static const std::vector<LayerSpec> layers = weighted_layers(ArchConfig{});
    return layers;
}

}  // namespace

std::string weighted_layer_name(std::size_t index) {
    const std::vector<LayerSpec>& layers = reference_layers();
    return index < layers.size() ? layers[index].name : "layer " + std::to_string(index);
}

void check_layer_shape(const FoundConv& c, std::size_t index, const std::string& path) {
    const std::vector<LayerSpec>& expect = reference_layers();
    const LayerKind kind = table_kind(c.kind);
    if (index >= expect.size()) {
        not_mobilenet(path, c.label + " is " + shape_text(kind, c.kernel, c.stride) + ", found after all " +
                                std::to_string(expect.size()) + " weighted layers");
    }
    const LayerSpec& e = expect[index];
    if (kind != e.kind || c.kernel != e.kernel || c.stride != e.stride) {
        not_mobilenet(path, c.label + " is " + shape_text(kind, c.kernel, c.stride) + ", expected " + e.name + ": " +
                                shape_text(e.kind, e.kernel, e.stride));
    }
}

Topology match_mobilenet_v1(const std::vector<FoundConv>& convs, int resolution, const std::string& path) {
    ArchConfig cfg;
    cfg.resolution = resolution;
    cfg.num_classes = convs.empty() ? 1 : convs.back().out_c;
    std::vector<LayerSpec> expect;
    try {
        expect = weighted_layers(cfg);
    } catch (const std::invalid_argument& e) {
        not_mobilenet(path, e.what());
    }

    // Layer kinds, kernels and strides do not depend on alpha: check them first.
    for (std::size_t i = 0; i < convs.size(); ++i) check_layer_shape(convs[i], i, path);
    if (convs.size() != expect.size()) {
        not_mobilenet(path, "found " + std::to_string(convs.size()) + " convolutions, expected " +
                                std::to_string(expect.size()) + " (conv0, 13 depthwise-separable blocks, classifier)");
    }

    // One activation for the whole feature extractor.
    const FoundConv* first_act = nullptr;
    for (const FoundConv& c : convs) {
        if (c.kind == ConvKind::Classifier) continue;
        if (!c.activation) not_mobilenet(path, c.label + " is not followed by a ReLU or ReLU6");
        if (!first_act) first_act = &c;
        if (*c.activation != *first_act->activation) {
            not_mobilenet(path, std::string("mixes ") + to_string(*first_act->activation) + " (" + first_act->label +
                                    ") and " + to_string(*c.activation) + " (" + c.label + ") activations");
        }
    }

    // One padding convention; TF SAME wins when every layer agrees with both.
    bool all_tf = true, all_sym = true;
    const FoundConv *tf_only = nullptr, *sym_only = nullptr;
    for (const FoundConv& c : convs) {
        if (!c.padding.tf_same && !c.padding.symmetric) {
            not_mobilenet(path, witness(c, "neither like TF SAME nor symmetrically"));
        }
        if (c.padding.tf_same && !c.padding.symmetric && !tf_only) tf_only = &c;
        if (c.padding.symmetric && !c.padding.tf_same && !sym_only) sym_only = &c;
        all_tf = all_tf && c.padding.tf_same;
        all_sym = all_sym && c.padding.symmetric;
    }
    if (all_tf) {
        cfg.padding = Padding::TfSame;
    } else if (all_sym) {
        cfg.padding = Padding::Symmetric;
    } else {
        not_mobilenet(path, "mixes padding conventions: " + witness(*tf_only, "like TF SAME") + ", " +
                                witness(*sym_only, "symmetrically"));
    }

    // Width multiplier: conv0 and every pointwise layer must have max(int(c * alpha), 8)
    // channels. Released multipliers first, then the ratios the stem and the last
    // layer suggest (an unreleased alpha such as 0.375).
    std::vector<int> found, base;
    for (std::size_t i = 0; i < convs.size(); ++i) {
        if (expect[i].kind != LayerKind::ConvFull && expect[i].kind != LayerKind::Pointwise) continue;
        found.push_back(convs[i].out_c);
        base.push_back(expect[i].out_c);
    }
    auto fits = [&](double a) {
        if (!(a > 0.0) || a > 1.5) return false;
        for (std::size_t i = 0; i < found.size(); ++i)
            if (found[i] != scaled_channels(base[i], a)) return false;
        return true;
    };
    const double candidates[] = {1.0,  0.75, 0.5, 0.35, 0.25, 1.25, 1.3, 1.4, 1.5,
                                 static_cast<double>(found.front()) / base.front(),
                                 static_cast<double>(found.back()) / base.back()};
    std::optional<double> alpha;
    for (double a : candidates) {
        if (fits(a)) {
            alpha = a;
            break;
        }
    }
    if (!alpha) {
        not_mobilenet(path, "channel sequence " + channel_list(found) +
                                " matches no width multiplier (expected max(int(c * alpha), 8) of " +
                                channel_list(base) + ")");
    }
    cfg.alpha = *alpha;

    // Every layer against the table for the detected configuration.
    Topology t;
    t.arch = cfg;
    t.activation = first_act ? *first_act->activation : Activation::Relu6;
    const std::vector<LayerSpec> table = layer_table(cfg);
    for (const LayerSpec& l : table) {
        if (l.kind == LayerKind::AvgPool) t.feature_size = l.in_h;
        if (l.has_weights()) t.layers.push_back(l);
    }
    for (std::size_t i = 0; i < convs.size(); ++i) {
        const FoundConv& c = convs[i];
        const LayerSpec& e = t.layers[i];
        if (c.in_c != e.in_c || c.out_c != e.out_c) {
            not_mobilenet(path, c.label + " maps " + std::to_string(c.in_c) + " to " + std::to_string(c.out_c) +
                                    " channels, expected " + e.name + ": " + std::to_string(e.in_c) + " to " +
                                    std::to_string(e.out_c) + " at alpha " + format_alpha(cfg.alpha));
        }
    }
    return t;
}

void apply_topology(const Topology& topology, ModelWeights& w) {
    w.alpha = topology.arch.alpha;
    w.native_resolution = topology.arch.resolution;
    w.num_classes = topology.arch.num_classes;
    w.activation = topology.activation;
    w.padding = topology.arch.padding;
}

ModelSummary summary_of(const Topology& topology, bool quantized, WeightsOrigin origin) {
    return {topology.arch.alpha, topology.arch.resolution, topology.arch.num_classes, quantized, origin};
}

void check_finite(std::span<const float> values, const std::string& what, const std::string& path) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            std::ostringstream value;
            value << values[i];  // "nan", "inf", "-inf"
            throw ModelError(path, what + " has a non-finite value (" + value.str() + ") at element " +
                                       std::to_string(i) + " of " + std::to_string(values.size()));
        }
    }
}

void check_finite_weights(const ModelWeights& w, const std::string& path) {
    const float input_scaling[] = {w.input_mean, w.input_std};
    check_finite(input_scaling, "the input scaling (mean, std)", path);
    const auto check_quant = [&](const QuantParams& q, const std::string& what) {
        check_finite(q.scale, what + " quantization scale", path);
    };
    check_quant(w.input_quant, "the input tensor's");
    check_quant(w.output_quant, "the output tensor's");
    for (const LayerWeights& l : w.layers) {
        const std::string layer = "layer " + l.name;
        check_finite(l.weights, layer + " weights", path);
        check_finite(l.bias, layer + " bias", path);
        if (l.quant) {
            check_quant(l.quant->input, layer + " input");
            check_quant(l.quant->weights, layer + " weight");
            check_quant(l.quant->bias, layer + " bias");
            check_quant(l.quant->output, layer + " output");
        }
    }
}

}  // namespace mnv1::detail
