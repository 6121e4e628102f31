// A deliberately naive MobileNet v1 forward pass for checking the oneDNN engine:
// plain loops, double accumulation, no blocking, no threads. Shapes and padding come
// from mnv1::layer_table (pad_top / pad_left are the leading padding, taps outside
// the input read zero); weights are read in ModelWeights' canonical layouts:
//   ConvFull / Pointwise / FullyConnected: oihw = [out_c][in_c][kh][kw]
//   Depthwise:                             [C][1][1][kh][kw]
// Activation (ReLU6 = clamp(x, 0, 6), or ReLU) follows every convolution, not the FC.
// Header-only: the tests' CMake compiles only test_*.cpp files.
#pragma once

#include "mobilenet/arch.hpp"
#include "mobilenet/weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace mnv1::test {

struct ReferenceOutput {
    std::vector<LayerSpec> layers;  // layer_table of the configuration that ran
    // activations[layer][image]: that layer's output as out_h x out_w x out_c (HWC),
    // in double. Pool: out_c values; fc: the logits; softmax: the probabilities.
    // Empty per layer when keep_layers was false (except the last three).
    std::vector<std::vector<std::vector<double>>> activations;
    // probabilities[image][class]
    std::vector<std::vector<double>> probabilities;

    int feature_layer() const { return static_cast<int>(layers.size()) - 4; }
};

namespace reference_detail {

inline double activate(double v, Activation act) {
    if (v < 0.0) return 0.0;
    if (act == Activation::Relu6 && v > 6.0) return 6.0;
    return v;
}

// Full KxK convolution (also the 1x1 pointwise case), NHWC in -> HWC out.
inline std::vector<double> conv_full(const LayerSpec& l, const LayerWeights& w, const std::vector<double>& in,
                                     Activation act) {
    const int k = l.kernel;
    // Transpose oihw to [o][kh][kw][i] so the inner loop runs over contiguous channels.
    std::vector<double> wt(static_cast<std::size_t>(l.out_c) * k * k * l.in_c);
    for (int o = 0; o < l.out_c; ++o)
        for (int i = 0; i < l.in_c; ++i)
            for (int ky = 0; ky < k; ++ky)
                for (int kx = 0; kx < k; ++kx)
                    wt[((static_cast<std::size_t>(o) * k + ky) * k + kx) * l.in_c + i] =
                        w.weights[((static_cast<std::size_t>(o) * l.in_c + i) * k + ky) * k + kx];

    std::vector<double> out(static_cast<std::size_t>(l.out_h) * l.out_w * l.out_c);
    for (int oy = 0; oy < l.out_h; ++oy) {
        for (int ox = 0; ox < l.out_w; ++ox) {
            double* dst = &out[(static_cast<std::size_t>(oy) * l.out_w + ox) * l.out_c];
            for (int o = 0; o < l.out_c; ++o) {
                double acc = w.bias[static_cast<std::size_t>(o)];
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * l.stride - l.pad_top + ky;
                    if (iy < 0 || iy >= l.in_h) continue;
                    for (int kx = 0; kx < k; ++kx) {
                        const int ix = ox * l.stride - l.pad_left + kx;
                        if (ix < 0 || ix >= l.in_w) continue;
                        const double* src = &in[(static_cast<std::size_t>(iy) * l.in_w + ix) * l.in_c];
                        const double* wp = &wt[((static_cast<std::size_t>(o) * k + ky) * k + kx) * l.in_c];
                        for (int i = 0; i < l.in_c; ++i) acc += src[i] * wp[i];
                    }
                }
                dst[o] = activate(acc, act);
            }
        }
    }
    return out;
}

inline std::vector<double> conv_depthwise(const LayerSpec& l, const LayerWeights& w,
                                          const std::vector<double>& in, Activation act) {
    const int k = l.kernel;
    std::vector<double> out(static_cast<std::size_t>(l.out_h) * l.out_w * l.out_c);
    for (int oy = 0; oy < l.out_h; ++oy) {
        for (int ox = 0; ox < l.out_w; ++ox) {
            for (int c = 0; c < l.out_c; ++c) {
                double acc = w.bias[static_cast<std::size_t>(c)];
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * l.stride - l.pad_top + ky;
                    if (iy < 0 || iy >= l.in_h) continue;
                    for (int kx = 0; kx < k; ++kx) {
                        const int ix = ox * l.stride - l.pad_left + kx;
                        if (ix < 0 || ix >= l.in_w) continue;
                        acc += in[(static_cast<std::size_t>(iy) * l.in_w + ix) * l.in_c + c] *
                               static_cast<double>(
                                   w.weights[(static_cast<std::size_t>(c) * k + ky) * k + kx]);
                    }
                }
                out[(static_cast<std::size_t>(oy) * l.out_w + ox) * l.out_c + c] = activate(acc, act);
            }
        }
    }
    return out;
}

inline std::vector<double> global_average_pool(const LayerSpec& l, const std::vector<double>& in) {
    std::vector<double> out(static_cast<std::size_t>(l.in_c), 0.0);
    const std::size_t pixels = static_cast<std::size_t>(l.in_h) * l.in_w;
    for (std::size_t p = 0; p < pixels; ++p)
        for (int c = 0; c < l.in_c; ++c) out[static_cast<std::size_t>(c)] += in[p * l.in_c + c];
    for (double& v : out) v /= static_cast<double>(pixels);
    return out;
}

}  // namespace reference_detail

// logits = fc_w . pooled + fc_b (fc_w is [classes][channels]).
inline std::vector<double> reference_fc(const std::vector<double>& pooled, const LayerWeights& fc) {
    const std::size_t channels = pooled.size();
    const std::size_t classes = fc.bias.size();
    if (fc.weights.size() != classes * channels) throw std::runtime_error("reference_fc: shape mismatch");
    std::vector<double> logits(classes);
    for (std::size_t o = 0; o < classes; ++o) {
        double acc = fc.bias[o];
        for (std::size_t c = 0; c < channels; ++c) acc += static_cast<double>(fc.weights[o * channels + c]) * pooled[c];
        logits[o] = acc;
    }
    return logits;
}

inline std::vector<double> reference_softmax(const std::vector<double>& logits) {
    const double mx = *std::max_element(logits.begin(), logits.end());
    std::vector<double> p(logits.size());
    double sum = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) sum += (p[i] = std::exp(logits[i] - mx));
    for (double& v : p) v /= sum;
    return p;
}

// Runs `batch` images of `input_nhwc` (batch x resolution x resolution x 3 floats)
// through the network `w` describes, at `resolution`.
inline ReferenceOutput reference_forward(const ModelWeights& w, int resolution, int batch,
                                         const float* input_nhwc, bool keep_layers = true) {
    ReferenceOutput r;
    r.layers = layer_table(w.arch(resolution));
    const std::size_t nl = r.layers.size();
    r.activations.assign(nl, std::vector<std::vector<double>>(static_cast<std::size_t>(batch)));
    const std::size_t per_image = static_cast<std::size_t>(resolution) * resolution * 3;
    for (int n = 0; n < batch; ++n) {
        std::vector<double> cur(input_nhwc + per_image * static_cast<std::size_t>(n),
                                input_nhwc + per_image * static_cast<std::size_t>(n + 1));
        std::size_t wi = 0;
        for (std::size_t li = 0; li < nl; ++li) {
            const LayerSpec& l = r.layers[li];
            const LayerWeights* lw = nullptr;
            if (l.has_weights()) {
                if (wi >= w.layers.size() || w.layers[wi].name != l.name) {
                    throw std::runtime_error("reference: weights do not match layer " + l.name);
                }
                lw = &w.layers[wi++];
            }
            std::vector<double> next;
            switch (l.kind) {
                case LayerKind::ConvFull:
                case LayerKind::Pointwise:
                    next = reference_detail::conv_full(l, *lw, cur, w.activation);
                    break;
                case LayerKind::Depthwise:
                    next = reference_detail::conv_depthwise(l, *lw, cur, w.activation);
                    break;
                case LayerKind::AvgPool: next = reference_detail::global_average_pool(l, cur); break;
                case LayerKind::FullyConnected: next = reference_fc(cur, *lw); break;
                case LayerKind::Softmax: next = reference_softmax(cur); break;
            }
            cur = std::move(next);
            if (keep_layers || li + 3 >= nl || static_cast<int>(li) == r.feature_layer()) {
                r.activations[li][static_cast<std::size_t>(n)] = cur;
            }
        }
        r.probabilities.push_back(cur);
    }
    return r;
}

// How far an engine activation is from the reference's. Accepted when
// max_diff <= kActivationRelTol * max(1, max_ref) (float32 against double over a few
// thousand accumulations); a reference of all zeros (max_ref == 0) proves nothing.
inline constexpr double kActivationRelTol = 1e-4;
struct ActivationDiff {
    double max_diff = 0, max_ref = 0;
    bool within_tolerance() const { return max_diff <= kActivationRelTol * std::max(1.0, max_ref); }
};
inline ActivationDiff compare_activation(const std::vector<float>& got, const std::vector<double>& ref) {
    ActivationDiff d;
    for (std::size_t i = 0; i < ref.size() && i < got.size(); ++i) {
        d.max_ref = std::max(d.max_ref, std::abs(ref[i]));
        d.max_diff = std::max(d.max_diff, std::abs(static_cast<double>(got[i]) - ref[i]));
    }
    return d;
}

}  // namespace mnv1::test
