#include "mobilenet/arch.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace mnv1 {

const char* to_string(LayerKind kind) {
    switch (kind) {
        case LayerKind::ConvFull: return "conv3x3";
        case LayerKind::Depthwise: return "depthwise3x3";
        case LayerKind::Pointwise: return "pointwise1x1";
        case LayerKind::AvgPool: return "avgpool";
        case LayerKind::FullyConnected: return "fc";
        case LayerKind::Softmax: return "softmax";
    }
    return "?";
}

const char* to_string(Activation act) { return act == Activation::Relu6 ? "relu6" : "relu"; }

const char* to_string(Padding pad) { return pad == Padding::TfSame ? "tf-same" : "symmetric"; }

const std::vector<BlockSpec>& separable_blocks() {
    // Table 1, after the stem: (stride of the depthwise conv, pointwise output channels).
    // The paper prints s2 for the 13th depthwise layer; the released networks (and the
    // 7x7 feature map the table itself lists) use s1.
    static const std::vector<BlockSpec> blocks = {
        {1, 64},  {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512},  {1, 512},
        {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024},
    };
    return blocks;
}

std::string format_alpha(double alpha) {
    std::ostringstream os;
    os << std::setprecision(4) << alpha;
    std::string s = os.str();
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
}

int scaled_channels(int base_channels, double alpha) {
    // int() truncation as in TF-slim's depth(); the tiny epsilon keeps 0.35*... style
    // products that are integral in decimal from truncating one below.
    const int c = static_cast<int>(base_channels * alpha + 1e-9);
    return c < 8 ? 8 : c;
}

SpatialPad spatial_pad(int in, int kernel, int stride, Padding padding) {
    SpatialPad p;
    if (padding == Padding::TfSame) {
        p.out = (in + stride - 1) / stride;
        const int total = std::max((p.out - 1) * stride + kernel - in, 0);
        p.before = total / 2;
        p.after = total - p.before;
    } else {
        const int pad = kernel / 2;
        p.before = pad;
        p.out = (in + 2 * pad - kernel) / stride + 1;
        // Only the padding the convolution actually reads counts (stride 2 on an even
        // size never reaches the last padded column).
        p.after = std::max((p.out - 1) * stride + kernel - in - pad, 0);
    }
    return p;
}

void validate(const ArchConfig& cfg) {
    if (!(cfg.alpha > 0.0) || cfg.alpha > kMaxAlpha || !std::isfinite(cfg.alpha)) {
        std::ostringstream os;
        os << "alpha must be in (0, " << kMaxAlpha << "], got " << cfg.alpha;
        throw std::invalid_argument(os.str());
    }
    if (cfg.resolution < kMinResolution || cfg.resolution > kMaxResolution) {
        throw std::invalid_argument("resolution must be in [" + std::to_string(kMinResolution) + ", " +
                                    std::to_string(kMaxResolution) + "], got " + std::to_string(cfg.resolution));
    }
    if (cfg.num_classes < 1) {
        throw std::invalid_argument("number of classes must be positive, got " +
                                    std::to_string(cfg.num_classes));
    }
}

namespace {

LayerSpec conv_layer(int index, std::string name, LayerKind kind, int kernel, int stride, int in_c,
                     int out_c, int in_hw, Padding padding) {
    LayerSpec l;
    l.index = index;
    l.name = std::move(name);
    l.kind = kind;
    l.kernel = kernel;
    l.stride = stride;
    l.in_c = in_c;
    l.out_c = out_c;
    l.in_h = l.in_w = in_hw;
    l.groups = kind == LayerKind::Depthwise ? in_c : 1;
    const SpatialPad p = kernel == 1 ? SpatialPad{(in_hw - 1) / stride + 1, 0, 0}
                                     : spatial_pad(in_hw, kernel, stride, padding);
    l.out_h = l.out_w = p.out;
    l.pad_top = l.pad_left = p.before;
    l.pad_bottom = l.pad_right = p.after;
    const std::int64_t per_out = static_cast<std::int64_t>(kernel) * kernel * (in_c / l.groups);
    l.params = per_out * out_c;
    l.macs = per_out * out_c * l.out_h * l.out_w;
    return l;
}

}  // namespace

std::vector<LayerSpec> layer_table(const ArchConfig& cfg) {
    validate(cfg);
    std::vector<LayerSpec> layers;
    int c = scaled_channels(kStemChannels, cfg.alpha);
    layers.push_back(conv_layer(0, "conv0", LayerKind::ConvFull, 3, 2, 3, c, cfg.resolution, cfg.padding));
    int hw = layers.back().out_h;
    int block = 1;
    for (const BlockSpec& b : separable_blocks()) {
        const int out_c = scaled_channels(b.out_channels, cfg.alpha);
        const int idx = static_cast<int>(layers.size());
        if (cfg.standard_conv) {
            layers.push_back(conv_layer(idx, "conv" + std::to_string(block), LayerKind::ConvFull, 3,
                                        b.stride, c, out_c, hw, cfg.padding));
        } else {
            layers.push_back(conv_layer(idx, "dw" + std::to_string(block), LayerKind::Depthwise, 3,
                                        b.stride, c, c, hw, cfg.padding));
            layers.push_back(conv_layer(idx + 1, "pw" + std::to_string(block), LayerKind::Pointwise,
                                        1, 1, c, out_c, layers.back().out_h, cfg.padding));
        }
        hw = layers.back().out_h;
        c = out_c;
        ++block;
    }

    LayerSpec pool;
    pool.index = static_cast<int>(layers.size());
    pool.name = "pool";
    pool.kind = LayerKind::AvgPool;
    pool.kernel = hw;
    pool.in_c = pool.out_c = c;
    pool.in_h = pool.in_w = hw;
    pool.out_h = pool.out_w = 1;
    pool.groups = c;
    layers.push_back(pool);

    LayerSpec fc = conv_layer(static_cast<int>(layers.size()), "fc", LayerKind::FullyConnected, 1, 1,
                              c, cfg.num_classes, 1, cfg.padding);
    layers.push_back(fc);

    LayerSpec sm;
    sm.index = static_cast<int>(layers.size());
    sm.name = "softmax";
    sm.kind = LayerKind::Softmax;
    sm.in_c = sm.out_c = cfg.num_classes;
    sm.in_h = sm.in_w = sm.out_h = sm.out_w = 1;
    layers.push_back(sm);
    return layers;
}

std::string LayerSpec::type_label() const {
    switch (kind) {
        case LayerKind::ConvFull: return "Conv / s" + std::to_string(stride);
        case LayerKind::Depthwise: return "Conv dw / s" + std::to_string(stride);
        case LayerKind::Pointwise: return "Conv / s1";
        case LayerKind::AvgPool: return "Avg Pool / s1";
        case LayerKind::FullyConnected: return "FC / s1";
        case LayerKind::Softmax: return "Softmax / s1";
    }
    return "?";
}

std::string LayerSpec::filter_label() const {
    const std::string k = std::to_string(kernel) + "x" + std::to_string(kernel);
    switch (kind) {
        case LayerKind::ConvFull:
            return k + "x" + std::to_string(in_c) + "x" + std::to_string(out_c);
        case LayerKind::Depthwise: return k + "x" + std::to_string(in_c) + " dw";
        case LayerKind::Pointwise: return "1x1x" + std::to_string(in_c) + "x" + std::to_string(out_c);
        case LayerKind::AvgPool: return "Pool " + std::to_string(in_h) + "x" + std::to_string(in_w);
        case LayerKind::FullyConnected: return std::to_string(in_c) + "x" + std::to_string(out_c);
        case LayerKind::Softmax: return "Classifier";
    }
    return "?";
}

CostSummary summarize(const std::vector<LayerSpec>& layers) {
    CostSummary s;
    for (const LayerSpec& l : layers) {
        s.macs += l.macs;
        s.params += l.params;
    }
    for (LayerKind kind : {LayerKind::ConvFull, LayerKind::Depthwise, LayerKind::Pointwise,
                           LayerKind::FullyConnected}) {
        KindShare share{kind};
        bool present = false;
        for (const LayerSpec& l : layers) {
            if (l.kind != kind) continue;
            present = true;
            share.macs += l.macs;
            share.params += l.params;
        }
        if (!present) continue;
        share.macs_pct = s.macs ? 100.0 * static_cast<double>(share.macs) / static_cast<double>(s.macs) : 0;
        share.params_pct =
            s.params ? 100.0 * static_cast<double>(share.params) / static_cast<double>(s.params) : 0;
        s.by_kind.push_back(share);
    }
    return s;
}

ConvCostComparison compare_conv_costs(int dk, int m, int n, int df) {
    if (dk < 1 || m < 1 || n < 1 || df < 1) {
        throw std::invalid_argument("Dk, M, N and Df must all be at least 1, got Dk=" +
                                    std::to_string(dk) + " M=" + std::to_string(m) +
                                    " N=" + std::to_string(n) + " Df=" + std::to_string(df));
    }
    ConvCostComparison c;
    c.dk = dk;
    c.m = m;
    c.n = n;
    c.df = df;
    const std::int64_t k2 = static_cast<std::int64_t>(dk) * dk;
    const std::int64_t positions = static_cast<std::int64_t>(df) * df;
    c.standard_params = k2 * m * n;
    c.depthwise_params = k2 * m;
    c.pointwise_params = static_cast<std::int64_t>(m) * n;
    c.separable_params = c.depthwise_params + c.pointwise_params;
    c.standard_macs = c.standard_params * positions;
    c.depthwise_macs = c.depthwise_params * positions;
    c.pointwise_macs = c.pointwise_params * positions;
    c.separable_macs = c.depthwise_macs + c.pointwise_macs;
    c.ratio = static_cast<double>(c.separable_macs) / static_cast<double>(c.standard_macs);
    c.formula_ratio = 1.0 / n + 1.0 / static_cast<double>(k2);
    return c;
}

ConvCostComparison compare_conv_costs(const LayerSpec& depthwise, const LayerSpec& pointwise) {
    if (depthwise.kind != LayerKind::Depthwise || pointwise.kind != LayerKind::Pointwise ||
        pointwise.in_c != depthwise.out_c) {
        throw std::invalid_argument("a cost comparison needs a depthwise row and the pointwise row after it, got " +
                                    depthwise.name + " and " + pointwise.name);
    }
    return compare_conv_costs(depthwise.kernel, depthwise.in_c, pointwise.out_c, depthwise.out_h);
}

ConvCostComparison block_cost_comparison(const ArchConfig& cfg, int block) {
    const int blocks = static_cast<int>(separable_blocks().size());
    if (block < 1 || block > blocks) {
        throw std::invalid_argument("block must be in [1, " + std::to_string(blocks) + "], got " +
                                    std::to_string(block));
    }
    ArchConfig separable = cfg;
    separable.standard_conv = false;
    const std::vector<LayerSpec> layers = layer_table(separable);
    // conv0 is row 0; block k is rows 2k-1 (dw) and 2k (pw).
    return compare_conv_costs(layers[static_cast<std::size_t>(2 * block - 1)],
                              layers[static_cast<std::size_t>(2 * block)]);
}

NetworkCostComparison compare_network_costs(const ArchConfig& cfg) {
    ArchConfig separable = cfg;
    separable.standard_conv = false;
    ArchConfig standard = cfg;
    standard.standard_conv = true;
    NetworkCostComparison n;
    n.separable = summarize(layer_table(separable));
    n.standard = summarize(layer_table(standard));
    n.macs_ratio = static_cast<double>(n.standard.macs) / static_cast<double>(n.separable.macs);
    n.params_ratio = static_cast<double>(n.standard.params) / static_cast<double>(n.separable.params);
    return n;
}

}  // namespace mnv1
