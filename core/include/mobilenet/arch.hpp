// MobileNet v1 architecture and cost model (Howard et al. 2017, Table 1).
//
// Pure arithmetic: no oneDNN, no allocation beyond the returned tables. Every
// function here is thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mnv1 {

// How spatial padding is placed around a 3x3 convolution.
enum class Padding {
    // TensorFlow "SAME": output = ceil(in / stride); the total padding is split
    // with the smaller half before (stride 2 on an even size pads 0 before, 1 after).
    TfSame,
    // Keras 2.1 MobileNet: ZeroPadding2D(1) on every side, then a "valid" convolution.
    Symmetric,
};

enum class Activation { Relu6, Relu };

enum class LayerKind {
    ConvFull,        // the first 3x3 standard convolution (or every conv with --standard-conv)
    Depthwise,       // 3x3 depthwise convolution
    Pointwise,       // 1x1 convolution
    AvgPool,         // global average pool
    FullyConnected,  // classifier (a 1x1 convolution to the class logits, with bias)
    Softmax,
};

const char* to_string(LayerKind kind);
const char* to_string(Activation act);
const char* to_string(Padding pad);

// The variants the library builds: alpha in (0, kMaxAlpha], resolution in
// [kMinResolution, kMaxResolution] (validate() below).
inline constexpr double kMaxAlpha = 1.5;
inline constexpr int kMinResolution = 32;
inline constexpr int kMaxResolution = 1024;

// Parameters of one network variant. Only alpha, resolution, class count, the
// standard-conv counterfactual and padding change the cost table.
struct ArchConfig {
    double alpha = 1.0;       // width multiplier, (0, 1.5]
    int resolution = 224;     // square input side in pixels, [32, 1024]; rho = resolution / 224
    int num_classes = 1000;   // 1000 (paper, Keras) or 1001 (TF-slim / TFLite, index 0 = background)
    bool standard_conv = false;  // Table 4 counterfactual: full 3x3 convs instead of dw + pw
    Padding padding = Padding::TfSame;
};

// One row of the paper's Table 1, computed for a concrete ArchConfig.
struct LayerSpec {
    int index = 0;            // position in the network, 0-based
    std::string name;         // e.g. "conv0", "dw3", "pw3", "pool", "fc", "softmax"
    LayerKind kind = LayerKind::ConvFull;
    int stride = 1;
    int kernel = 1;           // square kernel side (the pool uses in_h x in_w)
    int groups = 1;           // == in_c for depthwise
    int in_c = 0, in_h = 0, in_w = 0;
    int out_c = 0, out_h = 0, out_w = 0;
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    std::int64_t macs = 0;    // multiply-adds per image (paper's "Mult-Adds")
    std::int64_t params = 0;  // weights only, as the paper counts them (no bias, no BN)
    bool has_weights() const { return kind != LayerKind::AvgPool && kind != LayerKind::Softmax; }
    std::string type_label() const;    // "Conv / s2", "Conv dw / s1", ... as in Table 1
    std::string filter_label() const;  // "3x3x3x32", "3x3x32 dw", "1x1x32x64", "Pool 7x7", ...
};

// Alpha as people write it: "0.25", "0.5", "1.0", "0.35".
std::string format_alpha(double alpha);

// Channel rule of the released checkpoints: max(int(c * alpha), 8).
int scaled_channels(int base_channels, double alpha);

// Output size and padding of one spatial dimension.
struct SpatialPad {
    int out = 0, before = 0, after = 0;
};
SpatialPad spatial_pad(int in, int kernel, int stride, Padding padding);

// Throws std::invalid_argument (with a one-line message) on alpha <= 0 or > 1.5,
// resolution outside [32, 1024], or a class count < 1.
void validate(const ArchConfig& cfg);

// Full layer table: conv0, 13 x (dw, pw), pool, fc, softmax (30 rows: the paper's
// 28 weighted layers plus pool and softmax). With standard_conv, each dw+pw pair
// becomes a single ConvFull row named "convN".
std::vector<LayerSpec> layer_table(const ArchConfig& cfg);

struct KindShare {
    LayerKind kind;
    std::int64_t macs = 0, params = 0;
    double macs_pct = 0, params_pct = 0;  // share of the total, in percent
};

struct CostSummary {
    std::int64_t macs = 0;
    std::int64_t params = 0;
    std::vector<KindShare> by_kind;  // ConvFull, Depthwise, Pointwise, FullyConnected (only kinds present)
};
CostSummary summarize(const std::vector<LayerSpec>& layers);

// The 13 depthwise-separable blocks of Table 1: (stride, output channels before alpha).
struct BlockSpec {
    int stride;
    int out_channels;
};
const std::vector<BlockSpec>& separable_blocks();
inline constexpr int kStemChannels = 32;
inline constexpr int kFeatureChannels = 1024;

// One convolution done two ways (paper, section 3.1): a standard Dk x Dk convolution from
// M to N channels on a Df x Df output, against a depthwise Dk x Dk convolution (one filter
// per input channel) followed by a pointwise 1x1 convolution from M to N channels.
//   standard  = Dk*Dk*M*N*Df*Df mult-adds, Dk*Dk*M*N weights
//   separable = Dk*Dk*M*Df*Df + M*N*Df*Df mult-adds, Dk*Dk*M + M*N weights
// Their ratio is exactly 1/N + 1/Dk^2, for the mult-adds and for the weights alike.
struct ConvCostComparison {
    int dk = 0;  // kernel side
    int m = 0;   // input channels
    int n = 0;   // output channels
    // Output feature-map side. The paper assumes stride 1 (input side == output side);
    // for a stride-2 block this is the output side, the one both layers' costs use
    // (the depthwise layer evaluates its filters only at the strided positions).
    int df = 0;
    std::int64_t standard_macs = 0, depthwise_macs = 0, pointwise_macs = 0, separable_macs = 0;
    std::int64_t standard_params = 0, depthwise_params = 0, pointwise_params = 0, separable_params = 0;
    double ratio = 0;          // separable_macs / standard_macs, from the counts
    double formula_ratio = 0;  // 1/N + 1/Dk^2, from the paper's formula (equal to ratio)
    double speedup() const { return ratio > 0 ? 1.0 / ratio : 0.0; }  // "x times fewer"
};

// Throws std::invalid_argument unless every argument is >= 1.
ConvCostComparison compare_conv_costs(int dk, int m, int n, int df);
// From a depthwise row and the pointwise row that follows it in layer_table():
// Dk = dw kernel, M = dw in_c, N = pw out_c, Df = dw out_h. Throws std::invalid_argument
// when the rows are not a Depthwise + Pointwise pair.
ConvCostComparison compare_conv_costs(const LayerSpec& depthwise, const LayerSpec& pointwise);
// Block `block` (1..13, "dwK" + "pwK") of the separable network of cfg (cfg.standard_conv is
// ignored). Throws std::invalid_argument on a block outside 1..13.
ConvCostComparison block_cost_comparison(const ArchConfig& cfg, int block);

// The whole network both ways (the paper's Table 4): the same cfg with depthwise separable
// blocks and with full 3x3 convolutions (cfg.standard_conv is ignored).
struct NetworkCostComparison {
    CostSummary separable;
    CostSummary standard;
    double macs_ratio = 0;    // standard.macs / separable.macs (predicted speed-up)
    double params_ratio = 0;  // standard.params / separable.params
};
NetworkCostComparison compare_network_costs(const ArchConfig& cfg);

}  // namespace mnv1
