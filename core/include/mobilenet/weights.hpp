// Trained (or random) parameters of a MobileNet v1, in one canonical layout that
// every importer (TFLite, Keras HDF5, TF.js) produces and the engine consumes.
//
// A ModelWeights is immutable once built; share it as
// std::shared_ptr<const ModelWeights> between threads freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mobilenet/arch.hpp"

namespace mnv1 {

// Per-tensor (or per-channel) affine quantization as stored in a TFLite model:
// real = scale * (q - zero_point).
struct QuantParams {
    std::vector<float> scale;            // one entry per tensor, or one per output channel
    std::vector<std::int64_t> zero_point;
    bool empty() const { return scale.empty(); }
};

// Quantized form of one layer as released, kept for the int8 path.
struct QuantizedLayer {
    QuantParams input, weights, bias, output;
    std::vector<std::uint8_t> weights_q;  // same canonical layout as LayerWeights::weights
    std::vector<std::int32_t> bias_q;
};

// Weights of one weighted layer (conv0, dw1..dw13, pw1..pw13, fc), batch norm folded.
// Canonical layouts (row-major, oneDNN names):
//   ConvFull / Pointwise / FullyConnected: oihw  = [out_c][in_c][kh][kw] (fc: kh = kw = 1)
//   Depthwise:                             goihw = [channels][1][1][kh][kw]
struct LayerWeights {
    std::string name;               // matches LayerSpec::name
    std::vector<float> weights;
    std::vector<float> bias;        // out_c entries; zeros when the layer had none
    std::optional<QuantizedLayer> quant;  // present for uint8 TFLite models
};

enum class WeightsOrigin { Random, TFLite, KerasH5, TfjsLayers };
const char* to_string(WeightsOrigin origin);

struct ModelWeights {
    // Architecture the weights were detected to belong to.
    double alpha = 1.0;
    int native_resolution = 224;    // resolution the model was trained/exported at
    int num_classes = 1001;         // 1001: index 0 = background (TF-slim); 1000: Keras
    Activation activation = Activation::Relu6;
    Padding padding = Padding::TfSame;
    bool standard_conv = false;     // Table 4 counterfactual layer set (random weights only)

    // Input scaling: network input = (pixel_rgb_0_255 - input_mean) / input_std.
    // Float releases: 127.5 / 127.5. uint8 releases: derived from the input tensor's
    // quantization (zero point 128, scale 1/128 gives mean 128, std 128).
    float input_mean = 127.5f;
    float input_std = 127.5f;

    WeightsOrigin origin = WeightsOrigin::Random;
    bool quantized = false;         // weights were dequantized from uint8
    std::string source;             // file path, or "He init, seed N"
    std::string description;        // short human name, e.g. "mobilenet_v1_0.25_224 (TFLite uint8)"

    // Quantization of the network input and of the final probabilities (uint8 models).
    QuantParams input_quant, output_quant;

    // In network order: conv0, dw1, pw1, ..., dw13, pw13, fc (28 entries).
    std::vector<LayerWeights> layers;

    // Labels in the model's own class convention (num_classes entries), if known.
    std::vector<std::string> labels;

    ArchConfig arch(int resolution) const {
        ArchConfig cfg;
        cfg.alpha = alpha;
        cfg.resolution = resolution;
        cfg.num_classes = num_classes;
        cfg.padding = padding;
        cfg.standard_conv = standard_conv;
        return cfg;
    }
};

// He-normal weights (std = sqrt(2 / fan_in)), zero biases, for exploring cost and
// latency of any configuration without trained weights. Deterministic for a seed.
// cfg.standard_conv selects the Table 4 counterfactual layer set.
std::shared_ptr<const ModelWeights> random_weights(const ArchConfig& cfg, std::uint64_t seed = 42);

// Checks that `w` has exactly the layers and element counts that layer_table(cfg)
// expects; throws std::runtime_error naming the first mismatching layer.
void check_shapes(const ModelWeights& w, const ArchConfig& cfg);

}  // namespace mnv1
