// int8 layer builders: the released uint8 TFLite models on oneDNN 2.6 int8 primitives,
// with their own scales and zero points, requantized between layers as TFLite does.
//
// TFLite's arithmetic for every convolution (the naive version is
// tests/support/quantized_reference.hpp):
//     acc = bias_q + sum (x - zx) * (w - zw)                 int32
//     q   = clamp(round(M * acc) + zo, lo, hi),  M = sx * sw / so
// oneDNN's int8 convolution / matmul: u8 or s8 src, s8 weights, s32 accumulation, the s32
// bias added to the accumulator, per-channel f32 output scales (M), post-ops, the dst
// zero point, then round-to-nearest-even and saturation to u8. M is applied in f32
// instead of TFLite's Q31 fixed point, so an output can differ by one step where
// M * acc lands within float rounding of a half (rare; measured in the tests).
//
// The mapping:
//  - Activations between layers are u8 nhwc holding TFLite's own q (src zero point zx,
//    dst zero point zo, passed as run-time s32 zero points when nonzero). nhwc
//    throughout, so a pointwise layer can see its input as a [N*H*W, C] matrix.
//  - The input: the user's f32 tensor x = (pixel - 128) / 128 = sx * (q - zx) is
//    reordered to s8 with scale 1 / sx, which gives q - zx exactly; conv0 reads that as
//    s8 with no zero point. This needs zx = 128 (q - zx then fits s8): every release.
//  - ReLU6 / ReLU is a clip post-op. oneDNN adds the dst zero point after the post-ops,
//    so the bounds are TFLite's [lo, hi] shifted by -zo.
//  - Weights are u8 with zero point zw; oneDNN 2.6 convolutions take no weight zero
//    point and weights must be s8:
//      * pointwise and the classifier: a matmul with s8 weights (w - 128) and weight
//        zero point (zw - 128), so oneDNN computes sum (x - zx)(w - zw) itself (its
//        compensation is one row sum per output pixel). Exact. When every (w - zw)
//        fits s8 the weights are (w - zw) and no zero point is needed.
//      * conv0 and depthwise: s8 weights (w - zw), exact when they all fit s8. In the
//        releases nearly every such layer has 1-8 channels where one or two weights do
//        not (the channel holding the layer's extreme weight). Such a channel's weights
//        are divided by f = max(hi / 127, lo / -128) and rounded, its output scale
//        multiplied by f and its bias divided by f (f32 bias): NOT exact, each weight
//        of that channel off by up to f / 2 steps (kOverflow::Rescale). Clamping only
//        the outlier instead (kOverflow::Clamp) is far worse: 42-95% top-1 agreement
//        against 94-98%. The layer's impl string says how many channels. An exact
//        form needs int32 accumulation of a second convolution for the outliers (see
//        INT8_NOTES.md).
//  - The average pool is oneDNN's u8 average (rounds half to even where TFLite rounds
//    half up; only ties differ). The pool's output keeps its input's quantization, as
//    in TFLite.
//  - The classifier writes f32: the dequantized uint8 logits so * (q - zo), made by
//    post-ops round -> clip to [-zo, 255 - zo] -> linear(so), so the f32 softmax sees
//    exactly the values TFLite's uint8 logits stand for.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/layer_builders.hpp"

namespace mnv1 {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

float scale_at(const QuantParams& p, std::size_t c) { return p.scale.size() == 1 ? p.scale[0] : p.scale[c]; }
std::int32_t zero_point_at(const QuantParams& p, std::size_t c) {
    return static_cast<std::int32_t>(p.zero_point.size() == 1 ? p.zero_point[0] : p.zero_point[c]);
}

const QuantizedLayer& quant_of(const LayerWeights& w) {
    if (!w.quant) {
        throw std::invalid_argument("int8 precision needs a uint8 (quantized TFLite) model; layer " + w.name +
                                    " has no quantization parameters");
    }
    return *w.quant;
}

// Per output channel: sx * sw[c] / so, formed in float as XNNPACK does (the
// requantization that made the shared TFLite references).
std::vector<float> output_scales(const QuantizedLayer& q, int out_c) {
    std::vector<float> s(static_cast<std::size_t>(out_c));
    for (std::size_t c = 0; c < s.size(); ++c) s[c] = q.input.scale[0] * scale_at(q.weights, c) / q.output.scale[0];
    return s;
}

// TFLite's activation range for the output (CalculateActivationRangeUint8).
struct Range {
    int lo = 0, hi = 255;
};
Range activation_range(const QuantParams& out, Activation act, bool fused) {
    Range r;
    if (!fused) return r;
    const float s = out.scale[0];
    const auto zo = static_cast<std::int32_t>(out.zero_point[0]);
    auto quantize = [&](float f) { return zo + static_cast<std::int32_t>(std::round(f / s)); };
    r.lo = std::max(0, quantize(0.0f));
    if (act == Activation::Relu6) r.hi = std::min(255, quantize(6.0f));
    return r;
}

// How conv0 / depthwise weights whose (w - zw) leave s8 are represented.
enum class Overflow {
    Clamp,    // clamp (w - zw) to [-128, 127]: few weights, each off by up to 127 steps
    Rescale,  // per channel that overflows: round((w - zw) / f) with f = max / 127 and
              // the output scale times f (bias / f in f32): every weight of that
              // channel off by at most f / 2 steps, f < 2.01
};
constexpr Overflow kOverflow = Overflow::Rescale;

// Weights as s8, in the canonical layout, and the weight zero point oneDNN must apply.
struct S8Weights {
    std::vector<std::int8_t> data;
    std::int32_t zero_point = 0;  // for a matmul; 0 otherwise
    std::size_t clamped = 0;      // values that did not fit (clamped or rescaled)
    std::vector<float> factor;    // per output channel: weights were divided by it (1: exact)
    std::string mapping;
};

S8Weights s8_weights(const QuantizedLayer& q, int out_c, bool zero_point_ok) {
    S8Weights r;
    const std::size_t per = q.weights_q.size() / static_cast<std::size_t>(out_c);
    r.data.resize(q.weights_q.size());
    r.factor.assign(static_cast<std::size_t>(out_c), 1.0f);
    std::vector<std::int32_t> hi(r.factor.size(), 0), lo(r.factor.size(), 0);
    for (std::size_t i = 0; i < q.weights_q.size(); ++i) {
        const std::int32_t d = static_cast<std::int32_t>(q.weights_q[i]) - zero_point_at(q.weights, i / per);
        r.clamped += d < -128 || d > 127;
        r.data[i] = static_cast<std::int8_t>(std::clamp(d, -128, 127));
        hi[i / per] = std::max(hi[i / per], d);
        lo[i / per] = std::min(lo[i / per], d);
    }
    if (r.clamped == 0) {
        r.mapping = "s8 w-zw";
        return r;
    }
    const bool per_tensor_zp = q.weights.zero_point.size() == 1;
    if (zero_point_ok && per_tensor_zp) {
        for (std::size_t i = 0; i < q.weights_q.size(); ++i) {
            r.data[i] = static_cast<std::int8_t>(static_cast<std::int32_t>(q.weights_q[i]) - 128);
        }
        r.zero_point = zero_point_at(q.weights, 0) - 128;
        r.clamped = 0;
        r.mapping = "s8 w-128, wei zp";
        return r;
    }
    if (kOverflow == Overflow::Clamp) {
        r.mapping = "s8 w-zw, clamped " + std::to_string(r.clamped) + "/" + std::to_string(r.data.size());
        return r;
    }
    std::size_t channels = 0;
    for (std::size_t c = 0; c < r.factor.size(); ++c) {
        if (hi[c] <= 127 && lo[c] >= -128) continue;
        ++channels;
        const float f = std::max(static_cast<float>(hi[c]) / 127.0f, static_cast<float>(lo[c]) / -128.0f);
        r.factor[c] = f;
        for (std::size_t i = c * per; i < (c + 1) * per; ++i) {
            const std::int32_t d = static_cast<std::int32_t>(q.weights_q[i]) - zero_point_at(q.weights, c);
            r.data[i] = static_cast<std::int8_t>(std::clamp<long>(std::lround(static_cast<float>(d) / f), -128, 127));
        }
    }
    r.mapping = "s8 w-zw, " + std::to_string(channels) + "/" + std::to_string(r.factor.size()) +
                " channels rescaled (" + std::to_string(r.clamped) + " weights outside s8)";
    return r;
}

memory s32_scalar(const BuildEnv& env, std::int32_t v) {
    memory m(memory::desc({1}, dt::s32, tag::x), env.eng);
    std::memcpy(m.get_data_handle(), &v, sizeof v);
    return m;
}

memory s32_vector(const BuildEnv& env, const memory::desc& md, const std::vector<std::int32_t>& v) {
    memory m(md, env.eng);
    std::memcpy(m.get_data_handle(), v.data(), v.size() * sizeof(std::int32_t));
    return m;
}

// Weights reordered once from the canonical plain layout (as s8) into the primitive's
// layout (which may carry oneDNN's own compensation for s8 sources).
memory reordered(const BuildEnv& env, const memory::desc& user_md, const memory::desc& prim_md,
                 const std::vector<std::int8_t>& data) {
    memory user(user_md, env.eng, const_cast<std::int8_t*>(data.data()));
    memory out(prim_md, env.eng);
    dnnl::reorder(user, out).execute(env.strm, user, out);
    env.strm.wait();  // `data` is a temporary of the caller
    return out;
}

dnnl::primitive_attr base_attr() {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
}

void set_scales(dnnl::primitive_attr& attr, const std::vector<float>& scales) {
    const bool same = std::all_of(scales.begin(), scales.end(), [&](float s) { return s == scales[0]; });
    if (same) {
        attr.set_output_scales(0, {scales[0]});
    } else {
        attr.set_output_scales(1 << 1, scales);  // per output channel (dim 1 of dst)
    }
}

template <class PrimitiveDesc>
BuiltLayer built(const PrimitiveDesc& pd, dnnl::primitive prim, const std::string& mapping) {
    BuiltLayer b;
    b.prim = std::move(prim);
    b.src = pd.src_desc();
    b.dst = pd.dst_desc();
    b.scratchpad = pd.scratchpad_desc();
    b.impl = pd.impl_info_str();
    if (!mapping.empty()) b.impl += " [" + mapping + "]";
    return b;
}

class Int8Builders final : public LayerBuilders {
public:
    dt input_type() const override { return dt::s8; }

    dnnl::primitive_attr input_reorder_attr(const BuildEnv& env) const override {
        const QuantParams& in = env.weights.input_quant;
        if (in.empty() || in.zero_point[0] != 128) {
            throw std::invalid_argument("int8 precision needs a uint8 model whose input zero point is 128");
        }
        dnnl::primitive_attr attr;
        attr.set_output_scales(0, {1.0f / in.scale[0]});  // x / sx = q - 128, exactly
        return attr;
    }

    BuiltLayer convolution(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                           const memory::desc& src) const override {
        const QuantizedLayer& q = quant_of(w);
        if (l.kind == LayerKind::Pointwise) return pointwise(env, l, w, q, src);
        const memory::dim n = env.cfg.batch;
        const bool first = l.index == 0;
        // conv0 reads the s8 input (q - zx, no zero point); later layers u8 with zx.
        const memory::desc src_md =
            first ? memory::desc({n, l.in_c, l.in_h, l.in_w}, dt::s8, tag::nhwc) : src;
        const std::int32_t zx = first ? 0 : zero_point_at(q.input, 0);
        const std::int32_t zo = zero_point_at(q.output, 0);
        const bool dw = l.kind == LayerKind::Depthwise;
        const memory::dims wdims = dw ? memory::dims{l.in_c, 1, 1, l.kernel, l.kernel}
                                      : memory::dims{l.out_c, l.in_c, l.kernel, l.kernel};
        const memory::desc dst_md({n, l.out_c, l.out_h, l.out_w}, dt::u8, tag::nhwc);
        const S8Weights s8 = s8_weights(q, l.out_c, false);
        const bool rescaled = std::any_of(s8.factor.begin(), s8.factor.end(), [](float f) { return f != 1.0f; });
        dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                             dnnl::algorithm::convolution_direct, src_md,
                                             memory::desc(wdims, dt::s8, tag::any),
                                             memory::desc({l.out_c}, rescaled ? dt::f32 : dt::s32, tag::x), dst_md,
                                             {l.stride, l.stride}, {l.pad_top, l.pad_left},
                                             {l.pad_bottom, l.pad_right});
        dnnl::primitive_attr attr = base_attr();
        std::vector<float> scales = output_scales(q, l.out_c);
        for (std::size_t c = 0; c < scales.size(); ++c) scales[c] *= s8.factor[c];
        set_scales(attr, scales);
        const Range r = activation_range(q.output, env.weights.activation, true);
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(r.lo - zo),
                           static_cast<float>(r.hi - zo));
        attr.set_post_ops(ops);
        if (zx != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
        if (zo != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
        dnnl::convolution_forward::primitive_desc pd(desc, attr, env.eng);
        BuiltLayer b = built(pd, dnnl::convolution_forward(pd), s8.mapping);
        b.constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc(wdims, dt::s8, dw ? tag::goihw : tag::oihw), pd.weights_desc(), s8.data);
        if (rescaled) {
            memory bias(pd.bias_desc(), env.eng);
            auto* bp = static_cast<float*>(bias.get_data_handle());
            for (std::size_t c = 0; c < s8.factor.size(); ++c) {
                bp[c] = static_cast<float>(q.bias_q[c]) / s8.factor[c];  // accumulator units of the rescaled weights
            }
            b.constants[DNNL_ARG_BIAS] = bias;
        } else {
            b.constants[DNNL_ARG_BIAS] = s32_vector(env, pd.bias_desc(), q.bias_q);
        }
        if (zx != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = s32_scalar(env, zx);
        if (zo != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = s32_scalar(env, zo);
        return b;
    }

    BuiltLayer pooling(const BuildEnv& env, const LayerSpec& l, const memory::desc& src) const override {
        const memory::desc dst_md({env.cfg.batch, l.out_c, 1, 1}, dt::u8, tag::nhwc);
        dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::pooling_avg_exclude_padding, src, dst_md, {1, 1},
                                         {l.in_h, l.in_w}, {0, 0}, {0, 0});
        dnnl::pooling_forward::primitive_desc pd(desc, base_attr(), env.eng);
        return built(pd, dnnl::pooling_forward(pd), "");
    }

    BuiltLayer classifier(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                          const memory::desc& src) const override {
        const QuantizedLayer& q = quant_of(w);
        const memory::dim n = env.cfg.batch;
        const std::int32_t zx = zero_point_at(q.input, 0);
        const std::int32_t zo = zero_point_at(q.output, 0);
        const S8Weights s8 = s8_weights(q, l.out_c, true);
        const memory::desc src2d({n, l.in_c}, dt::u8, tag::ab);
        const memory::desc dst_md({n, l.out_c}, dt::f32, tag::ab);
        const memory::desc b_md({1, l.out_c}, dt::s32, tag::ab);
        dnnl::matmul::desc desc(src2d, memory::desc({l.in_c, l.out_c}, dt::s8, tag::any), b_md, dst_md);
        dnnl::primitive_attr attr = base_attr();
        set_scales(attr, output_scales(q, l.out_c));
        // M * acc -> round -> + zo and saturate (as a clip of the unshifted value) -> so * (q - zo).
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_round, 0.0f, 0.0f);
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(-zo), static_cast<float>(255 - zo));
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, q.output.scale[0], 0.0f);
        attr.set_post_ops(ops);
        if (zx != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
        if (s8.zero_point != 0) attr.set_zero_points(DNNL_ARG_WEIGHTS, 0, {DNNL_RUNTIME_S32_VAL});
        dnnl::matmul::primitive_desc pd(desc, attr, env.eng);
        BuiltLayer b = built(pd, dnnl::matmul(pd), s8.mapping);
        b.src = src;  // the pool's {N, C, 1, 1}, seen as [N, C]
        b.views[DNNL_ARG_SRC] = src2d;
        b.constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc({l.in_c, l.out_c}, dt::s8, tag::ba), pd.weights_desc(), s8.data);
        b.constants[DNNL_ARG_BIAS] = s32_vector(env, pd.bias_desc(), q.bias_q);
        if (zx != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = s32_scalar(env, zx);
        if (s8.zero_point != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_WEIGHTS] = s32_scalar(env, s8.zero_point);
        return b;
    }

    BuiltLayer softmax(const BuildEnv& env, const LayerSpec&, const memory::desc& src) const override {
        dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, src, 1);
        dnnl::softmax_forward::primitive_desc pd(desc, base_attr(), env.eng);
        return built(pd, dnnl::softmax_forward(pd), "");
    }

private:
    // A 1x1 convolution as a matmul [N*H*W, in_c] x [in_c, out_c] on the nhwc tensors.
    static BuiltLayer pointwise(const BuildEnv& env, const LayerSpec& l, const LayerWeights&, const QuantizedLayer& q,
                                const memory::desc& src) {
        const memory::dim rows = env.cfg.batch * l.out_h * l.out_w;
        const std::int32_t zx = zero_point_at(q.input, 0);
        const std::int32_t zo = zero_point_at(q.output, 0);
        const S8Weights s8 = s8_weights(q, l.out_c, true);
        const memory::desc src2d({rows, l.in_c}, dt::u8, tag::ab);
        const memory::desc dst2d({rows, l.out_c}, dt::u8, tag::ab);
        const memory::desc b_md({1, l.out_c}, dt::s32, tag::ab);
        dnnl::matmul::desc desc(src2d, memory::desc({l.in_c, l.out_c}, dt::s8, tag::any), b_md, dst2d);
        dnnl::primitive_attr attr = base_attr();
        set_scales(attr, output_scales(q, l.out_c));
        const Range r = activation_range(q.output, env.weights.activation, true);
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(r.lo - zo),
                           static_cast<float>(r.hi - zo));
        attr.set_post_ops(ops);
        if (zx != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
        if (s8.zero_point != 0) attr.set_zero_points(DNNL_ARG_WEIGHTS, 0, {DNNL_RUNTIME_S32_VAL});
        if (zo != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
        dnnl::matmul::primitive_desc pd(desc, attr, env.eng);
        BuiltLayer b = built(pd, dnnl::matmul(pd), s8.mapping);
        b.src = src;
        b.dst = memory::desc({env.cfg.batch, l.out_c, l.out_h, l.out_w}, dt::u8, tag::nhwc);
        b.views[DNNL_ARG_SRC] = src2d;
        b.views[DNNL_ARG_DST] = dst2d;
        b.constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc({l.in_c, l.out_c}, dt::s8, tag::ba), pd.weights_desc(), s8.data);
        b.constants[DNNL_ARG_BIAS] = s32_vector(env, pd.bias_desc(), q.bias_q);
        if (zx != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = s32_scalar(env, zx);
        if (s8.zero_point != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_WEIGHTS] = s32_scalar(env, s8.zero_point);
        if (zo != 0) b.constants[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = s32_scalar(env, zo);
        return b;
    }
};

}  // namespace

const LayerBuilders& int8_layer_builders() {
    static const Int8Builders builders;
    return builders;
}

}  // namespace mnv1
