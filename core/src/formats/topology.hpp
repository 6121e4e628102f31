// Internal: the one MobileNet v1 topology matcher every importer uses.
//
// An importer walks its file format's graph (TFLite operators, Keras layer configs)
// and reports the convolutions it finds on the data path, in order. The matcher
// checks them against the paper's Table 1 (layer_table), detects the width multiplier
// from the channel sequence (scaled_channels) and the padding convention, and tells
// which canonical layer (conv0, dw1, pw1, ..., fc) each convolution is. Pure
// functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "formats.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/weights.hpp"

namespace mnv1::detail {

enum class ConvKind {
    Full,        // k x k convolution over all input channels (k > 1)
    Depthwise,   // k x k depthwise convolution, multiplier 1
    Pointwise,   // 1x1 convolution in the feature extractor
    Classifier,  // the 1x1 convolution / dense layer after the global pool
};

// Which padding conventions a convolution's padding agrees with. A 1x1 or a
// stride-1 3x3 convolution agrees with both; stride 2 on an even size tells them apart.
struct PaddingFit {
    bool tf_same = true;
    bool symmetric = true;
};

// One convolution found on the data path of a model file.
struct FoundConv {
    std::string label;        // how messages name it: "layer dw3 (operator 5)", "layer 'conv_dw_3'"
    ConvKind kind = ConvKind::Full;
    int kernel = 1;           // square kernel side
    int stride = 1;
    int in_c = 0, out_c = 0;
    PaddingFit padding;
    std::string padding_detail;  // how the file pads it, for messages ("'same' stride 2"); may be empty
    std::optional<Activation> activation;  // the activation that follows it; none for the classifier
};

// A file's convolutions recognized as MobileNet v1.
struct Topology {
    ArchConfig arch;                  // alpha, resolution (the native one), num_classes, padding
    Activation activation = Activation::Relu6;
    std::vector<LayerSpec> layers;    // the layer_table(arch) row of each FoundConv, same order
    int feature_size = 0;             // side of the last feature map (the global pool's window)
};

// Checks `convs` (in data-path order) against MobileNet v1 at input `resolution`.
// Throws ModelError(path, "not a MobileNet v1 graph: ...") naming the first
// mismatching layer, a mix of activations or padding conventions, or a channel
// sequence that follows no width multiplier.
Topology match_mobilenet_v1(const std::vector<FoundConv>& convs, int resolution, const std::string& path);

// Checks the alpha-independent part (kind, kernel, stride) of the index-th convolution
// as soon as an importer finds it, so that another architecture is named as such
// before format details are. Throws like match_mobilenet_v1.
void check_layer_shape(const FoundConv& conv, std::size_t index, const std::string& path);

// The canonical name of the index-th weighted layer (conv0, dw1, pw1, ..., pw13, fc),
// or "layer <index>" past the end: lets importers name layers while still walking.
std::string weighted_layer_name(std::size_t index);

// Sets the architecture fields of `w` (alpha, native resolution, classes, activation,
// padding) from a matched topology.
void apply_topology(const Topology& topology, ModelWeights& w);

// What a probe reports for a matched topology.
ModelSummary summary_of(const Topology& topology, bool quantized, WeightsOrigin origin);

// The one non-finite check of imported parameters. Throws ModelError(path, "<what> has
// a non-finite value (nan) at element i of n") when any value is NaN or +-Inf.
void check_finite(std::span<const float> values, const std::string& what, const std::string& path);

// Every float an importer hands the engine must be finite: each layer's weights and
// bias (after folding or dequantizing), its quantization scales, the input scaling.
// Every importer calls this on its result; the error names the layer. Throws ModelError.
void check_finite_weights(const ModelWeights& w, const std::string& path);

}  // namespace mnv1::detail
