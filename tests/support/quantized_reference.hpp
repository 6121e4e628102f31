// A deliberately naive integer MobileNet v1 that reproduces TFLite's uint8 arithmetic,
// for checking the engine's int8 path: plain loops, no blocking, no threads.
//
// Per convolution (full, depthwise, pointwise, and the classifier as a 1x1 conv), as in
// TFLite's reference kernels (tensorflow/lite/kernels/internal/reference/conv.h,
// depthwiseconv_uint8.h, common.h):
//   acc    = bias_q[o] + sum over valid taps of (x - zx) * (w - zw)      (int32; padded
//            taps are skipped, i.e. they contribute a real zero)
//   M      = s_in * s_w[o] / s_out
//   q_out  = clamp(requantize(acc, M) + zo, act_min, act_max); ReLU6: [max(0, zo),
//            min(255, zo + round(6 / s_out))], ReLU: [max(0, zo), 255], none (the
//            classifier): [0, 255].
// requantize() comes in two roundings (Rounding):
//   FixedPoint: TFLite's built-in kernels: M (double) as a Q31 multiplier and a
//            power-of-two shift (QuantizeMultiplier: frexp, round half away from zero),
//            MultiplyByQuantizedMultiplier (gemmlowp's saturating rounding doubling high
//            multiply, then a rounding right shift);
//   Fp32 (default): XNNPACK's, which TFLite uses by default on x86 and which produced
//            ../shared/reference (golden tensors bit-exact): round-half-even of
//            float(acc) * float(M), M formed in float.
// Average pool (uint8, input and output share scale and zero point in these models):
//   q = clamp((sum + n / 2) / n, 0, 255).
// Softmax is not reproduced bit for bit: probabilities are the double softmax of the
// dequantized uint8 logits (top-1 is the first maximum of the uint8 logits).
//
// Weights are read in ModelWeights' canonical layouts (QuantizedLayer::weights_q):
//   ConvFull / Pointwise / FullyConnected: oihw = [out_c][in_c][kh][kw]
//   Depthwise:                             [C][1][1][kh][kw]
// Activations are HWC uint8 per image.
// Header-only: the tests' CMake compiles only test_*.cpp files.
#pragma once

#include "mobilenet/arch.hpp"
#include "mobilenet/weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace mnv1::test::q8 {

// --- TFLite / gemmlowp fixed point -------------------------------------------------

inline std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
    const bool overflow = a == b && a == std::numeric_limits<std::int32_t>::min();
    const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
    const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
    const auto high = static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
    return overflow ? std::numeric_limits<std::int32_t>::max() : high;
}

inline std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
    if (exponent == 0) return x;
    const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
    const std::int32_t remainder = x & mask;
    const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

struct Multiplier {
    std::int32_t m = 0;  // Q31 mantissa in [2^30, 2^31)
    int shift = 0;       // > 0: left shift, < 0: right shift
};

inline Multiplier quantize_multiplier(double real) {
    Multiplier q;
    if (real == 0.0) return q;
    const double mant = std::frexp(real, &q.shift);
    auto fixed = static_cast<std::int64_t>(std::round(mant * static_cast<double>(std::int64_t{1} << 31)));
    if (fixed == (std::int64_t{1} << 31)) {
        fixed /= 2;
        ++q.shift;
    }
    if (q.shift < -31) {
        q.shift = 0;
        fixed = 0;
    }
    q.m = static_cast<std::int32_t>(fixed);
    return q;
}

inline std::int32_t multiply_by_quantized_multiplier(std::int32_t x, Multiplier q) {
    const int left = q.shift > 0 ? q.shift : 0;
    const int right = q.shift > 0 ? 0 : -q.shift;
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x * (1 << left), q.m), right);
}

// --- quantization parameters -------------------------------------------------------

inline float scale_at(const QuantParams& p, int c) {
    return p.scale.size() == 1 ? p.scale[0] : p.scale[static_cast<std::size_t>(c)];
}
inline std::int32_t zero_point_at(const QuantParams& p, int c) {
    return static_cast<std::int32_t>(p.zero_point.size() == 1 ? p.zero_point[0]
                                                               : p.zero_point[static_cast<std::size_t>(c)]);
}

// Effective multiplier of output channel c: s_in * s_w[c] / s_out (TFLite, in double).
inline double real_multiplier(const QuantizedLayer& q, int c) {
    return static_cast<double>(q.input.scale[0]) * static_cast<double>(scale_at(q.weights, c)) /
           static_cast<double>(q.output.scale[0]);
}

struct ActRange {
    int lo = 0, hi = 255;
};

// TFLite's CalculateActivationRangeUint8. `fused`: false for the classifier.
inline ActRange activation_range(const QuantParams& out, Activation act, bool fused) {
    ActRange r;
    if (!fused) return r;
    const float s = out.scale[0];
    const auto zo = static_cast<std::int32_t>(out.zero_point[0]);
    auto quantize = [&](float f) { return zo + static_cast<std::int32_t>(std::round(f / s)); };
    r.lo = std::max(0, quantize(0.0f));
    if (act == Activation::Relu6) r.hi = std::min(255, quantize(6.0f));
    return r;
}

// How the int32 accumulator is brought back to uint8.
enum class Rounding {
    // TFLite's built-in kernels: Q31 multiplier, doubling high multiply, rounding shift.
    FixedPoint,
    // XNNPACK's "fp32" requantization (TFLite's default delegate on x86, and what made
    // ../shared/reference: the golden tensors match it bit for bit, not FixedPoint):
    // float(acc) * (sx * sw / so computed in float), clamped to the output range minus
    // zo, rounded to nearest even, plus zo.
    Fp32,
};

inline std::int32_t requantize(std::int32_t acc, double real, Rounding rounding, std::int32_t zo, ActRange range,
                               const Multiplier& fixed) {
    if (rounding == Rounding::FixedPoint) {
        return std::clamp(multiply_by_quantized_multiplier(acc, fixed) + zo, range.lo, range.hi);
    }
    float v = static_cast<float>(acc) * static_cast<float>(real);
    v = std::min(std::max(v, static_cast<float>(range.lo - zo)), static_cast<float>(range.hi - zo));
    return static_cast<std::int32_t>(std::nearbyint(v)) + zo;
}

// --- layers -------------------------------------------------------------------------

// One convolution on an HWC uint8 input. FullyConnected runs as a 1x1 conv on 1x1.
inline std::vector<std::uint8_t> conv(const LayerSpec& l, const QuantizedLayer& q, const std::vector<std::uint8_t>& in,
                                      ActRange range, Rounding rounding = Rounding::Fp32) {
    const bool dw = l.kind == LayerKind::Depthwise;
    const int k = l.kind == LayerKind::FullyConnected ? 1 : l.kernel;
    const int in_h = l.kind == LayerKind::FullyConnected ? 1 : l.in_h;
    const int in_w = l.kind == LayerKind::FullyConnected ? 1 : l.in_w;
    const int out_h = l.kind == LayerKind::FullyConnected ? 1 : l.out_h;
    const int out_w = l.kind == LayerKind::FullyConnected ? 1 : l.out_w;
    const int stride = l.kind == LayerKind::FullyConnected ? 1 : l.stride;
    const int pad_top = l.kind == LayerKind::FullyConnected ? 0 : l.pad_top;
    const int pad_left = l.kind == LayerKind::FullyConnected ? 0 : l.pad_left;
    if (in.size() != static_cast<std::size_t>(in_h) * in_w * l.in_c) {
        throw std::runtime_error("q8::conv: input size mismatch in " + l.name);
    }
    const std::int32_t zx = zero_point_at(q.input, 0);
    const std::int32_t zo = zero_point_at(q.output, 0);
    std::vector<Multiplier> mult(static_cast<std::size_t>(l.out_c));
    std::vector<double> real(static_cast<std::size_t>(l.out_c));
    for (int o = 0; o < l.out_c; ++o) {
        // XNNPACK forms the scale in float: sx * sw / so.
        real[static_cast<std::size_t>(o)] =
            rounding == Rounding::Fp32
                ? static_cast<double>(q.input.scale[0] * scale_at(q.weights, o) / q.output.scale[0])
                : real_multiplier(q, o);
        mult[static_cast<std::size_t>(o)] = quantize_multiplier(real_multiplier(q, o));
    }

    std::vector<std::uint8_t> out(static_cast<std::size_t>(out_h) * out_w * l.out_c);
    for (int oy = 0; oy < out_h; ++oy) {
        for (int ox = 0; ox < out_w; ++ox) {
            for (int o = 0; o < l.out_c; ++o) {
                const std::int32_t zw = zero_point_at(q.weights, o);
                std::int32_t acc = q.bias_q[static_cast<std::size_t>(o)];
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= in_h) continue;
                    for (int kx = 0; kx < k; ++kx) {
                        const int ix = ox * stride - pad_left + kx;
                        if (ix < 0 || ix >= in_w) continue;
                        const std::size_t px = (static_cast<std::size_t>(iy) * in_w + ix) * l.in_c;
                        if (dw) {
                            const std::int32_t x = in[px + static_cast<std::size_t>(o)];
                            const std::int32_t wv = q.weights_q[(static_cast<std::size_t>(o) * k + ky) * k + kx];
                            acc += (x - zx) * (wv - zw);
                        } else {
                            for (int i = 0; i < l.in_c; ++i) {
                                const std::int32_t x = in[px + static_cast<std::size_t>(i)];
                                const std::int32_t wv =
                                    q.weights_q[((static_cast<std::size_t>(o) * l.in_c + i) * k + ky) * k + kx];
                                acc += (x - zx) * (wv - zw);
                            }
                        }
                    }
                }
                const std::int32_t y = requantize(acc, real[static_cast<std::size_t>(o)], rounding, zo, range,
                                                  mult[static_cast<std::size_t>(o)]);
                out[(static_cast<std::size_t>(oy) * out_w + ox) * l.out_c + o] = static_cast<std::uint8_t>(y);
            }
        }
    }
    return out;
}

// Global average pool, uint8 in and out with the same quantization; rounds half up
// (TFLite's kernel; the golden tensors show the reference run did too: rounding half to
// even at 4x4 = 16 pixels moves 0.25-128's outputs by up to 5 steps).
inline std::vector<std::uint8_t> average_pool(const LayerSpec& l, const std::vector<std::uint8_t>& in) {
    const std::int32_t n = l.in_h * l.in_w;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(l.in_c));
    for (int c = 0; c < l.in_c; ++c) {
        std::int32_t acc = 0;
        for (std::int32_t p = 0; p < n; ++p) acc += in[static_cast<std::size_t>(p) * l.in_c + c];
        acc = (acc + n / 2) / n;
        out[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(std::clamp(acc, 0, 255));
    }
    return out;
}

// --- whole network ------------------------------------------------------------------

struct Output {
    std::vector<LayerSpec> layers;
    // Per layer (index into layers): its uint8 output, HWC (pool: C, fc: the logits);
    // the softmax entry stays empty. Only the last three layers when !keep_layers.
    std::vector<std::vector<std::uint8_t>> activations;
    std::vector<std::uint8_t> logits;   // uint8 logits (the classifier's output)
    std::vector<double> probabilities;  // softmax of the dequantized logits
    int top1 = -1;                      // first maximum of the uint8 logits
};

// The layer weights of each weighted layer, in layer-table order; checks every one is
// quantized (a uint8 release, or a calibrated model).
inline std::vector<const LayerWeights*> weights_by_layer(const ModelWeights& w, const std::vector<LayerSpec>& layers) {
    std::vector<const LayerWeights*> out(layers.size(), nullptr);
    std::size_t wi = 0;
    for (std::size_t li = 0; li < layers.size(); ++li) {
        if (!layers[li].has_weights()) continue;
        if (wi >= w.layers.size() || w.layers[wi].name != layers[li].name || !w.layers[wi].quant) {
            throw std::runtime_error("q8: no uint8 weights for layer " + layers[li].name);
        }
        out[li] = &w.layers[wi++];
    }
    return out;
}

// Runs one image (resolution x resolution x 3 uint8, HWC, RGB, the model's quantized
// input) through the uint8 model `w`. One layer can be run alone with run_layer().
inline std::vector<std::uint8_t> run_layer(const ModelWeights& w, const LayerSpec& l, const LayerWeights* lw,
                                           const std::vector<std::uint8_t>& in, Rounding rounding = Rounding::Fp32) {
    switch (l.kind) {
        case LayerKind::ConvFull:
        case LayerKind::Depthwise:
        case LayerKind::Pointwise:
            return conv(l, *lw->quant, in, activation_range(lw->quant->output, w.activation, true), rounding);
        case LayerKind::FullyConnected:
            return conv(l, *lw->quant, in, activation_range(lw->quant->output, w.activation, false), rounding);
        case LayerKind::AvgPool: return average_pool(l, in);
        case LayerKind::Softmax: break;
    }
    return {};
}

inline Output forward(const ModelWeights& w, int resolution, const std::uint8_t* input_hwc, bool keep_layers = true,
                      Rounding rounding = Rounding::Fp32) {
    Output r;
    r.layers = layer_table(w.arch(resolution));
    const auto lws = weights_by_layer(w, r.layers);
    const std::size_t nl = r.layers.size();
    r.activations.assign(nl, {});
    std::vector<std::uint8_t> cur(input_hwc, input_hwc + static_cast<std::size_t>(resolution) * resolution * 3);
    const QuantizedLayer* fc = nullptr;
    for (std::size_t li = 0; li < nl; ++li) {
        const LayerSpec& l = r.layers[li];
        if (l.kind == LayerKind::Softmax) break;
        if (l.kind == LayerKind::FullyConnected) fc = &*lws[li]->quant;
        cur = run_layer(w, l, lws[li], cur, rounding);
        if (keep_layers || li + 3 >= nl) r.activations[li] = cur;
    }
    if (!fc) throw std::runtime_error("q8::forward: no classifier");
    r.logits = cur;
    r.top1 = static_cast<int>(std::max_element(cur.begin(), cur.end()) - cur.begin());
    const double s = fc->output.scale[0];
    const auto z = static_cast<double>(fc->output.zero_point[0]);
    const double mx = s * (static_cast<double>(cur[static_cast<std::size_t>(r.top1)]) - z);
    r.probabilities.resize(cur.size());
    double sum = 0;
    for (std::size_t i = 0; i < cur.size(); ++i) {
        sum += (r.probabilities[i] = std::exp(s * (static_cast<double>(cur[i]) - z) - mx));
    }
    for (double& p : r.probabilities) p /= sum;
    return r;
}

}  // namespace mnv1::test::q8
