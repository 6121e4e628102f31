// int8 layer builders: quantized MobileNet v1 models (the released uint8 TFLite models,
// or float models calibrated to the same form) on oneDNN 2.6 int8 primitives, with their
// own scales and zero points, requantized between layers as TFLite does — bit-exact.
//
// TFLite's arithmetic for every convolution (the naive version is
// tests/support/quantized_reference.hpp):
//     acc = bias_q + sum (x - zx) * (w - zw)                 int32
//     q   = clamp(round(M * acc) + zo, lo, hi),  M = sx * sw / so
// The shared references were made with XNNPACK's requantization: M formed in float,
// float(acc) * M rounded half to even. oneDNN's int8 convolution / matmul does exactly
// that: u8 or s8 src, s8 weights, s32 accumulation, the s32 bias added to the
// accumulator, per-channel f32 output scales (M), post-ops, the dst zero point, then
// round-to-nearest-even and saturation to u8.
//
// The mapping:
//  - Activations between layers are u8 nhwc holding TFLite's own q (src zero point zx,
//    dst zero point zo, passed as run-time s32 zero points when nonzero). nhwc
//    throughout, so a pointwise layer can see its input as a [N*H*W, C] matrix.
//    copy_activation gives the real values s * (q - z) (CompiledNetwork::Impl::dequant).
//  - The input: the user's f32 tensor x = sx * (q - zx) is reordered to s8 with scale
//    1 / sx (the model's own input scale), which gives q - zx exactly; conv0 reads that
//    as s8 with no zero point. This needs zx = 128 (q - zx then fits s8): every release
//    and every calibrated model.
//  - ReLU6 / ReLU is a clip post-op. oneDNN adds the dst zero point after the post-ops,
//    so the bounds are TFLite's [lo, hi] shifted by -zo.
//  - Weights are u8 with zero point zw; oneDNN 2.6 convolutions take no weight zero
//    point and weights must be s8:
//      * pointwise and the classifier: a matmul. When every (w - zw) fits s8 (always for
//        calibrated models: zw = 128) the weights are (w - zw); otherwise s8 weights
//        (w - 128) with weight zero point (zw - 128), so oneDNN computes
//        sum (x - zx)(w - zw) itself (one row sum per output pixel). Exact.
//      * conv0 and depthwise: s8 weights A = clamp(w - zw, -128, 127). In the releases
//        nearly every such layer has 1-8 channels where 1-7 taps hold a (w - zw) outside
//        s8 (up to +-255): the "outliers". Their remainder B = (w - zw) - A (|B| <= 128)
//        is computed exactly and summed in the int32 accumulator, before the one
//        requantization, so the layer stays bit-exact:
//          - conv0: the input gets one more channel per input channel holding an outlier
//            tap (a copy of it, made by a small reorder before conv0), and B sits in the
//            weights of that copy. VNNI pads conv0's 3 input channels to 4 anyway, so
//            one copy (every release) costs nothing in the convolution.
//          - depthwise: the main primitive runs all channels with A (the outlier
//            channels' outputs are then wrong); three small steps redo only those:
//            a reorder copies each outlier channel twice into a dense [N, 2k, H, W]
//            buffer (a stride-0 view), a regular convolution (2k -> k channels, ic 2j
//            holding A and ic 2j+1 holding B of channel j) computes them exactly with
//            the layer's own bias, scales, clip and zero points, and a reorder writes
//            them back into the layer's output. Channels in arithmetic progression
//            share one copy and one write-back reorder.
//        Measured alternatives (INT8_NOTES.md): rescaling the outlier channel's weights
//        (inexact, 93.6-98% top-1 agreement with TFLite), a second full depthwise with
//        B and f32 output added as a binary post-op (+45-50% on the layer: the binary
//        post-op and per-channel multiply slow the depthwise kernel), B's share as a
//        per-pixel broadcast post-op (oneDNN falls back to its reference kernel).
//  - The average pool is oneDNN's u8 average with an eltwise linear post-op adding
//    1 / (4 n): TFLite rounds half up ((sum + n/2) / n), oneDNN half to even; the nudge
//    moves exact ties up and nothing else (other averages are >= 1 / (2n) from a half).
//    The pool's output keeps its input's quantization, as in TFLite.
//  - CPUs without VNNI (AVX2, AVX-512 before Cascade Lake; onednn_has_vnni()): oneDNN
//    2.6 sums u8 x s8 products pairwise in 16 bits with saturation (vpmaddubsw: 255 x 127
//    x 2 > 32767) in its int8 matmuls and non-depthwise convolutions, and runs an s8-source
//    convolution on weights it halves and rounds ("scale adjust 0.5"). Mapped as above,
//    conv0 differed on 43% of its outputs, pointwise layers on up to 3%, top-1 agreement
//    with TFLite fell to 23-96% (measured on AVX2). So there, still bit-exact:
//      * pointwise and the classifier: oneDNN's int8 1x1 convolution (faster there than
//        its matmul) on A = clamp(w - zw), its input channels stored in an order where
//        no pair of adjacent channels can saturate (pair_order.hpp, arrange(): the
//        channels' producer and the depthwise layer or pool between take the same order;
//        copy_activation undoes it). The few outputs with a weight outside s8 (1-5 per
//        pointwise layer, stored last; 16-81 classes) are recomputed exactly by a small
//        int8 1x1 convolution on their weights split into parts of at most 64 in
//        magnitude, whose f32 part sums a second, f32 one adds and requantizes
//        (append_exact_parts; a small matmul, append_exact_outputs, where M is per
//        channel). Every release's layers run so;
//      * a layer with many outliers (calibrated per-channel weights): a matmul, one in a
//        pair-safe order where there is one, else weights d = 2h + l (h 7-bit, l one
//        bit), two matmuls and a binary add (seven_bit_matmul);
//      * conv0: u8 input q with zero point 128 (no halving), every input channel beside
//        one whose weights are 0, so a pair sum holds one product;
//      * the depthwise outlier step: A and B two input channels apart, in separate pairs.
//    The depthwise kernel itself widens to 32 bits before multiplying: exact as it is.
//      * in the releases (per-tensor M) the first layers (conv0 up to the depthwise layer
//        before the first pointwise layer with 64 input channels: four at alpha 1.0; with
//        row parts only while a layer's f32 output is at most 3 MB: conv0 and dw1 at
//        1.0-224) run in an exact f32 form (exact_f32_convolution): the same integer sums,
//        below 2^24, on oneDNN's f32 kernels, which are faster there than its int8 ones.
//        Then conv0's u8 form above serves calibrated models (per-channel M) and a model
//        whose conv0 f32 cannot carry exactly (exact_in_f32).
//  - The classifier writes f32: the dequantized uint8 logits so * (q - zo), made by
//    post-ops round -> clip to [-zo, 255 - zo] -> linear(so); the f32 softmax follows,
//    then (when the model quantizes its output, as the releases do: 1/256) two reorders
//    round the probabilities to the model's uint8 output and back, so probabilities()
//    are TFLite's (and equal ones are ordered by class index, as TFLite orders them).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <omp.h>

#include "engine/kernel_choice.hpp"
#include "engine/layer_builders.hpp"
#include "engine/pair_order.hpp"

namespace mnv1 {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using Step = BuiltLayer::Step;
using StepTensor = BuiltLayer::StepTensor;

float scale_at(const QuantParams& p, std::size_t c) { return p.scale.size() == 1 ? p.scale[0] : p.scale[c]; }
std::int32_t zero_point_at(const QuantParams& p, std::size_t c) {
    return static_cast<std::int32_t>(p.zero_point.size() == 1 ? p.zero_point[0] : p.zero_point[c]);
}

const QuantizedLayer& quant_of(const LayerWeights& w) {
    if (!w.quant) {
        throw std::invalid_argument("int8 precision needs quantization parameters on every layer (a uint8 model, "
                                    "or a calibrated one); layer " + w.name + " has none");
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
Range activation_range(const QuantParams& out, Activation act) {
    Range r;
    const float s = out.scale[0];
    const auto zo = static_cast<std::int32_t>(out.zero_point[0]);
    auto quantize = [&](float f) { return zo + static_cast<std::int32_t>(std::round(f / s)); };
    r.lo = std::max(0, quantize(0.0f));
    if (act == Activation::Relu6) r.hi = std::min(255, quantize(6.0f));
    return r;
}

// Pointwise / classifier weights as s8, in the canonical layout, and the weight zero
// point the matmul must apply.
struct MatmulWeights {
    std::vector<std::int8_t> data;
    std::int32_t zero_point = 0;
    std::string mapping;
};

MatmulWeights matmul_weights(const QuantizedLayer& q, const std::string& name, int out_c) {
    MatmulWeights r;
    const std::size_t per = q.weights_q.size() / static_cast<std::size_t>(out_c);
    r.data.resize(q.weights_q.size());
    bool fits = true;
    for (std::size_t i = 0; i < q.weights_q.size(); ++i) {
        const std::int32_t d = static_cast<std::int32_t>(q.weights_q[i]) - zero_point_at(q.weights, i / per);
        fits = fits && d >= -128 && d <= 127;
        r.data[i] = static_cast<std::int8_t>(std::clamp(d, -128, 127));
    }
    if (fits) {
        r.mapping = "s8 w-zw";
        return r;
    }
    if (q.weights.zero_point.size() != 1) {
        throw std::invalid_argument("int8: layer " + name + " has per-channel weight zero points and weights " +
                                    "that do not fit s8 after them (oneDNN's matmul takes one weight zero point)");
    }
    for (std::size_t i = 0; i < q.weights_q.size(); ++i) {
        r.data[i] = static_cast<std::int8_t>(static_cast<std::int32_t>(q.weights_q[i]) - 128);
    }
    r.zero_point = zero_point_at(q.weights, 0) - 128;
    r.mapping = "s8 w-128, wei zp";
    return r;
}

// conv0 / depthwise weights: A = clamp(w - zw) as s8 in the canonical layout, and the
// taps where w - zw did not fit, with their remainder B = (w - zw) - A.
struct SplitWeights {
    std::vector<std::int8_t> a;
    struct Outlier {
        int oc = 0, ic = 0;  // ic: 0 for depthwise
        int tap = 0;         // kh * kernel + kw
        std::int32_t rest = 0;
    };
    std::vector<Outlier> outliers;
};

SplitWeights split_weights(const QuantizedLayer& q, const LayerSpec& l) {
    SplitWeights r;
    const std::size_t per = q.weights_q.size() / static_cast<std::size_t>(l.out_c);
    const std::size_t taps = static_cast<std::size_t>(l.kernel) * static_cast<std::size_t>(l.kernel);
    r.a.resize(q.weights_q.size());
    for (std::size_t i = 0; i < q.weights_q.size(); ++i) {
        const std::int32_t d = static_cast<std::int32_t>(q.weights_q[i]) - zero_point_at(q.weights, i / per);
        const std::int32_t a = std::clamp(d, -128, 127);
        r.a[i] = static_cast<std::int8_t>(a);
        if (a != d) {
            r.outliers.push_back({static_cast<int>(i / per), static_cast<int>((i % per) / taps),
                                  static_cast<int>(i % taps), d - a});
        }
    }
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

// The run-time s32 zero points of one primitive: those that are not 0 are declared in
// its attributes (before the primitive descriptor) and bound among its constant arguments.
struct ZeroPoints {
    std::int32_t src = 0, weights = 0, dst = 0;
    void declare(dnnl::primitive_attr& attr) const {
        for (const auto& [arg, z] : entries()) {
            if (z != 0) attr.set_zero_points(arg, 0, {DNNL_RUNTIME_S32_VAL});
        }
    }
    void bind(const BuildEnv& env, std::unordered_map<int, memory>& constants) const {
        for (const auto& [arg, z] : entries()) {
            if (z != 0) constants[DNNL_ARG_ATTR_ZERO_POINTS | arg] = s32_scalar(env, z);
        }
    }

private:
    std::array<std::pair<int, std::int32_t>, 3> entries() const {
        return {{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}}};
    }
};

memory f32_vector(const BuildEnv& env, const memory::desc& md, const std::vector<float>& v) {
    memory m(md, env.eng);
    std::memcpy(m.get_data_handle(), v.data(), v.size() * sizeof(float));
    return m;
}

// Weights reordered once from the canonical plain layout (as s8) into the primitive's
// layout (which may carry oneDNN's own compensation for s8 sources); f32 for the exact
// f32 form.
template <class T>
memory reordered(const BuildEnv& env, const memory::desc& user_md, const memory::desc& prim_md,
                 const std::vector<T>& data) {
    memory user(user_md, env.eng, const_cast<T*>(data.data()));
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

// One M for every output channel (per-tensor weight scales)?
bool all_equal(const std::vector<float>& v) {
    return std::all_of(v.begin(), v.end(), [&](float x) { return x == v[0]; });
}

void set_scales(dnnl::primitive_attr& attr, const std::vector<float>& scales) {
    if (all_equal(scales)) {
        attr.set_output_scales(0, {scales[0]});
    } else {
        attr.set_output_scales(1 << 1, scales);  // per output channel (dim 1 of dst)
    }
}

// An nhwc-ordered view with explicit strides (elements): dims {N, C, H, W}.
memory::desc strided(const memory::dims& dims, dt type, const memory::dims& strides) {
    return memory::desc(dims, type, strides);
}

// The clip to the activation range (applied before the dst zero point zo is added), unless
// it is all of u8 (ReLU6 outputs of scale 6/255, zero point 0: most release layers) and
// the destination is u8, whose saturation gives the same outputs: the kernels run 1-7%
// faster without it (14x14x512 depthwise 88 against 95 us, 56x56x128 -> 128 pointwise
// 614 against 629; AMD EPYC AVX2, 1 thread).
dnnl::post_ops range_clip(const Range& r, std::int32_t zo, dt dst_type) {
    dnnl::post_ops ops;
    if (r.lo > 0 || r.hi < 255 || dst_type != dt::u8) {
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(r.lo - zo),
                           static_cast<float>(r.hi - zo));
    }
    return ops;
}

// A primitive built as a layer (its constants and scratchpad) run as one of a layer's steps.
Step step_of(BuiltLayer built, const std::string& name) {
    Step step;
    step.prim = std::move(built.prim);
    step.name = name;
    step.impl = std::move(built.impl);
    step.constants = std::move(built.constants);
    step.scratchpad = built.scratchpad;
    return step;
}

// One int8 convolution (u8 dst, requantized as TFLite): src, canonical weights
// (oihw or goihw), per-channel bias / scales, the layer's geometry.
struct ConvSpec {
    memory::desc src, dst;
    memory::dims weight_dims;
    tag weight_tag = tag::oihw;
    const std::vector<std::int8_t>* weights = nullptr;
    std::vector<std::int32_t> bias;
    std::vector<float> scales;
    std::int32_t zx = 0, zo = 0;
    Range range;
    // Post-ops when they are not the clip to `range` (the classifier's f32 logits).
    std::optional<dnnl::post_ops> ops;
    // Geometry when it is not the layer's own (empty: the layer's).
    memory::dims strides, pad_l, pad_r;
    // Time oneDNN's implementations of the same instruction set and keep the fastest
    // (kernel_choice.hpp): a depthwise layer's main convolution.
    bool fastest = false;
};

BuiltLayer int8_convolution(const BuildEnv& env, const LayerSpec& l, const ConvSpec& c, const std::string& mapping) {
    const memory::dim out_c = c.dst.dims()[1];
    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                         c.src, memory::desc(c.weight_dims, dt::s8, tag::any),
                                         memory::desc({out_c}, dt::s32, tag::x), c.dst,
                                         c.strides.empty() ? memory::dims{l.stride, l.stride} : c.strides,
                                         c.pad_l.empty() ? memory::dims{l.pad_top, l.pad_left} : c.pad_l,
                                         c.pad_r.empty() ? memory::dims{l.pad_bottom, l.pad_right} : c.pad_r);
    dnnl::primitive_attr attr = base_attr();
    set_scales(attr, c.scales);
    attr.set_post_ops(c.ops ? *c.ops : range_clip(c.range, c.zo, c.dst.data_type()));
    const ZeroPoints zp{.src = c.zx, .dst = c.zo};
    zp.declare(attr);
    using ConvPd = dnnl::convolution_forward::primitive_desc;
    const std::function<BuiltLayer(const ConvPd&)> build = [&](const ConvPd& chosen) {
        BuiltLayer b = built_layer(chosen, dnnl::convolution_forward(chosen), mapping);
        b.constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc(c.weight_dims, dt::s8, c.weight_tag), chosen.weights_desc(), *c.weights);
        b.constants[DNNL_ARG_BIAS] = s32_vector(env, chosen.bias_desc(), c.bias);
        zp.bind(env, b.constants);
        return b;
    };
    return c.fastest ? fastest_implementation(env, desc, attr, build) : build(ConvPd(desc, attr, env.eng));
}

memory::dim floor_div(memory::dim a, memory::dim b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

StepTensor tensor(StepTensor::Kind kind, std::size_t offset, const memory::desc& view, int aux = -1) {
    StepTensor t;
    t.kind = kind;
    t.aux = aux;
    t.offset = offset;
    t.view = view;
    return t;
}

Step reorder_step(const BuildEnv& env, const std::string& name, const StepTensor& from, const StepTensor& to,
                  bool before_main = false, const dnnl::primitive_attr& attr = {}) {
    dnnl::reorder::primitive_desc pd(env.eng, from.view, env.eng, to.view, attr);
    Step s;
    s.prim = dnnl::reorder(pd);
    s.name = name;
    s.impl = pd.impl_info_str();
    s.before_main = before_main;
    s.threads = omp_get_max_threads();
    s.tensors = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return s;
}

// Channels (sorted) split into runs in arithmetic progression, so one strided view
// covers each run: first index into the channel list, count, channel step. oneDNN
// accepts a view only when the run fits inside a pixel (step * count <= channels).
struct Run {
    std::size_t first = 0, count = 1;
    memory::dim step = 1;
};
std::vector<Run> progressions(const std::vector<int>& channels, int pixel) {
    std::vector<Run> runs;
    for (std::size_t i = 0; i < channels.size();) {
        Run r{i, 1, 1};
        if (i + 1 < channels.size() && 2 * (channels[i + 1] - channels[i]) <= pixel) {
            r.step = channels[i + 1] - channels[i];
            while (i + r.count < channels.size() && channels[i + r.count] - channels[i + r.count - 1] == r.step &&
                   r.step * static_cast<memory::dim>(r.count + 1) <= pixel) {
                ++r.count;
            }
        }
        runs.push_back(r);
        i += r.count;
    }
    return runs;
}

// The per-output blocks (of `per` elements) of the outputs `columns`, in that order.
template <class T>
std::vector<T> blocks_of(const std::vector<T>& v, const std::vector<int>& columns, std::size_t per) {
    std::vector<T> r;
    r.reserve(columns.size() * per);
    for (const int c : columns) {
        const auto from = v.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(c) * per);
        r.insert(r.end(), from, from + static_cast<std::ptrdiff_t>(per));
    }
    return r;
}
// Channel orders (arrange, below): a layer's output channels placed as `order` says
// (position j holds channel order[j]): the per-output-channel blocks of its weights and
// everything per output channel.
template <class T>
std::vector<T> blocks_in_order(const std::vector<T>& v, const std::vector<int>& order) {
    if (v.size() % order.size() != 0) throw std::logic_error("int8: channel order of the wrong size");
    return blocks_of(v, order, v.size() / order.size());
}
void params_in_order(QuantParams& p, const std::vector<int>& order) {
    if (p.scale.size() > 1) p.scale = blocks_in_order(p.scale, order);
    if (p.zero_point.size() > 1) p.zero_point = blocks_in_order(p.zero_point, order);
}
void outputs_in_order(LayerWeights& w, const std::vector<int>& order) {
    w.weights = blocks_in_order(w.weights, order);
    w.bias = blocks_in_order(w.bias, order);
    QuantizedLayer& q = *w.quant;
    q.weights_q = blocks_in_order(q.weights_q, order);
    q.bias_q = blocks_in_order(q.bias_q, order);
    params_in_order(q.weights, order);
    params_in_order(q.bias, order);
}
// A 1x1 layer's input channels ([out][in] weights): each row in `order`.
template <class T>
void rows_in_order(std::vector<T>& v, const std::vector<int>& order) {
    const std::size_t k = order.size();
    std::vector<T> row(k);
    for (std::size_t r = 0; r < v.size() / k; ++r) {
        T* base = v.data() + r * k;
        for (std::size_t j = 0; j < k; ++j) row[j] = base[order[j]];
        std::copy(row.begin(), row.end(), base);
    }
}

// Without VNNI a pointwise layer or the classifier runs as oneDNN's int8 1x1 convolution
// (jit_uni_int8_1x1: faster there than its int8 matmul, gemm:jit, measured on AVX2: 549
// against ~1000 us at 112x112x32x64, 26 against 132 us for the 1.0 classifier), which
// takes no weight zero point: its weights are A = clamp(w - zw) as for conv0, and the
// outputs with a weight outside s8 (1-5 per pointwise layer, stored last through the
// next layer's channel order; 16-81 scattered classes of the classifiers' 1001) are
// recomputed exactly after it. Worth it while those are few.
struct AsConvolution {
    std::vector<std::int8_t> a;  // [out][in]
    std::vector<int> outlier_outputs;  // ascending
};
std::optional<AsConvolution> as_convolution(const QuantizedLayer& q, const LayerSpec& l) {
    if (onednn_has_vnni() || (l.kind != LayerKind::Pointwise && l.kind != LayerKind::FullyConnected)) {
        return std::nullopt;
    }
    SplitWeights split = split_weights(q, l);
    std::set<int> outputs;
    for (const auto& o : split.outliers) outputs.insert(o.oc);
    if (8 * outputs.size() > static_cast<std::size_t>(l.out_c)) return std::nullopt;
    return AsConvolution{std::move(split.a), std::vector<int>(outputs.begin(), outputs.end())};
}

// The outputs a pointwise layer or the classifier must recompute exactly without VNNI:
// those whose adjacent input-channel pairs may saturate, and (run as a convolution) those
// with a weight outside s8. `weights`: what its main primitive multiplies by.
std::vector<int> inexact_outputs(const std::vector<std::int8_t>& weights, const LayerSpec& l,
                                 const std::vector<int>& outlier_outputs) {
    std::vector<int> r = saturating_outputs(weights, l.in_c, l.out_c);
    r.insert(r.end(), outlier_outputs.begin(), outlier_outputs.end());
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
    return r;
}

// `order` with the pairs (positions 2i, 2i + 1) that hold a channel of `last` moved to
// the end, each pair kept whole so its sums stay as they were (odd counts: unchanged).
std::vector<int> with_last(const std::vector<int>& order, const std::vector<int>& last) {
    if (last.empty() || order.size() % 2 != 0) return order;
    const std::set<int> moved(last.begin(), last.end());
    std::vector<int> front, back;
    for (std::size_t i = 0; i < order.size(); i += 2) {
        std::vector<int>& to = moved.count(order[i]) || moved.count(order[i + 1]) ? back : front;
        to.push_back(order[i]);
        to.push_back(order[i + 1]);
    }
    front.insert(front.end(), back.begin(), back.end());
    return front;
}

// Without VNNI the first layers run in an exact f32 form instead (exact_f32_convolution).
// There oneDNN's int8 kernels lose to its f32 ones on the first layers: the u8 depthwise
// kernel widens to 32 bits before it multiplies (dw1 0.65 against 0.28 ms f32 at 1.0-224,
// 1 thread, AMD EPYC AVX2), conv0 needs a zero channel beside every input channel (0.84
// against 0.36 ms), and a pointwise layer with few input channels does not fill the int8
// 1x1 kernel (pw1, 32 -> 64: 0.99 against 0.70 ms; pw2, 64 -> 128: equal; pw3, 128 -> 128:
// 1.05 against 1.21). So the form runs from conv0 to the depthwise layer before the first
// pointwise layer with at least this many input channels. (128 until the recomputed
// outputs ran as int8 parts and the full-range clip went; then pw2 in int8 took 0.38
// against 0.55 ms in the form, dw2 0.18 against 0.11 with its reorder to u8, and the
// per-layer sums, 1 thread, 2 runs each, with 64 against 128: 1.0-224 8.49 / 8.47 against
// 8.64 / 8.62 ms, 0.75-192 3.99 / 3.97 against 4.26 / 4.21, 0.5-160 1.41 / 1.41 against
// 1.46 / 1.44, 0.25-128 and 0.25-224 equal; 32 was no better, 16 worse at small alpha.)
constexpr int kInt8PointwiseFromChannels = 64;
// ... and with plain nhwc activations (row parts, at 2 threads) only while a layer's f32
// output stays within this size: there oneDNN's f32 kernels lose their blocked layouts
// (the f32 depthwise kernel ~2x slower on nhwc) and two threads share the memory
// bandwidth the 4-byte activations need. Measured on 2 threads (AMD EPYC, AVX2, 5
// interleaved rounds, medians): 1.0-224, whose pw1 writes 3.2 MB, ran 6.96 ms with only
// conv0 and dw1 in the form against 7.92 with conv0 to dw3; at 0.75-224 (2.4 MB) the
// whole form was faster (4.78 against 5.51 ms), at 1.0-192 (2.4 MB) as fast (5.53 against
// 5.41), and at small alpha faster (0.25-224 in two grids: int8 / ORT int8 0.63 against 0.68).
constexpr std::int64_t kF32FormBytesWithRowParts = std::int64_t{3} << 20;

// Every partial sum of the layer's f32 form is an integer of magnitude at most
// |bias| + max|x - zx| * sum |w - zw| per output channel: exact in f32 below 2^24, in any
// order of summation (so whichever kernel oneDNN picks).
bool exact_in_f32(const QuantizedLayer& q, const LayerSpec& l) {
    const std::int32_t zx = zero_point_at(q.input, 0);
    const std::int64_t max_x = std::max(zx, 255 - zx);
    const std::size_t per = q.weights_q.size() / static_cast<std::size_t>(l.out_c);
    for (std::size_t c = 0; c < static_cast<std::size_t>(l.out_c); ++c) {
        std::int64_t bound = std::abs(static_cast<std::int64_t>(q.bias_q.at(c)));
        for (std::size_t i = c * per; i < (c + 1) * per; ++i) {
            bound += max_x * std::abs(static_cast<std::int64_t>(q.weights_q[i]) - zero_point_at(q.weights, c));
        }
        if (bound >= (std::int64_t{1} << 24)) return false;
    }
    return true;
}

// How many layers from conv0 on run in the exact f32 form (0: none; always 0 with VNNI).
int exact_f32_layers(const BuildEnv& env) {
    if (onednn_has_vnni()) return 0;
    const ModelWeights& weights = env.weights;
    const std::vector<LayerSpec> layers = layer_table(weights.arch(env.cfg.resolution));
    int count = 0;
    std::size_t wi = 0;
    for (const LayerSpec& l : layers) {
        const bool conv = l.kind == LayerKind::ConvFull || l.kind == LayerKind::Depthwise ||
                          l.kind == LayerKind::Pointwise;
        if (!conv || (l.kind == LayerKind::Pointwise && l.in_c >= kInt8PointwiseFromChannels)) break;
        const std::int64_t f32_bytes = std::int64_t{4} * env.cfg.batch * l.out_c * l.out_h * l.out_w;
        if (env.plain_activations && f32_bytes > kF32FormBytesWithRowParts) break;
        if (wi >= weights.layers.size()) break;
        const QuantizedLayer& q = quant_of(weights.layers[wi++]);
        // Per-tensor M only: with per-channel weight scales (calibrated models) M would be a
        // binary multiply post-op (oneDNN 2.6's f32 convolutions take no per-channel output
        // scales), which made the form slower than those models' int8 layers (their w - zw
        // fit s8: no outlier steps). TF.js 0.75 calibrated, 1 thread: pw1 0.73 against
        // 0.31-0.35 ms, dw1 0.30 against 0.18-0.22, pw3 0.82 against 0.40-0.45.
        if (!all_equal(output_scales(q, l.out_c)) || !exact_in_f32(q, l)) break;
        count = l.index + 1;
    }
    return count;
}

class Int8Builders final : public LayerBuilders {
public:
    // Without VNNI, a pointwise layer (1x1 convolution or matmul) or the classifier runs
    // once when its adjacent input channels' pair sums fit 16 bits (pair_order.hpp), else
    // (in part or whole) as two matmuls (seven_bit_steps). Its input channels can be
    // stored in any order: the layers from the one that makes them (conv0 or a pointwise
    // layer: its output channels) through the depthwise layer or pool between take the
    // same order. So each such layer gets the pair-safe order pair_order finds for the
    // weights its main primitive uses. Outputs that stay inexact (a channel that fits
    // beside no other; a weight outside s8 in the convolution) are few: the next layer's
    // order puts them last (moving whole pairs), and the layer recomputes just those
    // (append_exact_outputs). The order is the only change to the network: every layer
    // stays bit-exact, and copy_activation gives channels in the model's order.
    ArrangedWeights arrange(const std::shared_ptr<const ModelWeights>& weights,
                            const std::vector<LayerSpec>& layers) const override {
        if (onednn_has_vnni()) return {weights, {}};
        for (const LayerWeights& w : weights->layers) quant_of(w);  // throws for a layer without
        // (Every pointwise layer gets its order, also those the exact f32 form will run: they
        // do not need it, but they take it harmlessly, and which they are depends on the
        // threading, decided later.)
        std::vector<int> index(layers.size(), -1);  // layer -> weights->layers
        int next = 0;
        for (const LayerSpec& l : layers) {
            if (l.has_weights()) index[static_cast<std::size_t>(l.index)] = next++;
        }
        std::shared_ptr<ModelWeights> copy;  // made at the first change
        std::vector<std::vector<int>> channel_order(layers.size());
        // Per matmul layer: its outputs it recomputes (inexact_outputs), to be stored last.
        std::vector<std::vector<int>> store_last(layers.size());
        for (const LayerSpec& l : layers) {
            if (l.kind != LayerKind::Pointwise && l.kind != LayerKind::FullyConnected) continue;
            const ModelWeights& now = copy ? *copy : *weights;
            const auto wi = static_cast<std::size_t>(index[static_cast<std::size_t>(l.index)]);
            const QuantizedLayer& q = quant_of(now.layers.at(wi));
            // What the layer's main primitive will multiply by (see one_by_one()).
            std::optional<AsConvolution> conv = as_convolution(q, l);
            std::vector<std::int8_t> main_weights = conv ? conv->a : matmul_weights(q, l.name, l.out_c).data;
            const std::vector<int> outliers = conv ? conv->outlier_outputs : std::vector<int>{};
            std::vector<int> order(static_cast<std::size_t>(l.in_c));
            std::iota(order.begin(), order.end(), 0);
            if (!pair_sums_fit_16_bits(main_weights, l.in_c, l.out_c)) {
                if (const std::optional<PairOrder> found = pair_order(main_weights, l.in_c, l.out_c)) order = found->order;
            }
            int producer = l.index - 1;  // the layer that makes this one's input channels
            while (producer > 0 && (layers[static_cast<std::size_t>(producer)].kind == LayerKind::Depthwise ||
                                    layers[static_cast<std::size_t>(producer)].kind == LayerKind::AvgPool)) {
                --producer;
            }
            order = with_last(order, store_last[static_cast<std::size_t>(producer)]);
            if (!std::is_sorted(order.begin(), order.end())) {
                if (!copy) copy = std::make_shared<ModelWeights>(*weights);
                LayerWeights& consumer = copy->layers[wi];
                rows_in_order(consumer.weights, order);
                rows_in_order(consumer.quant->weights_q, order);
                rows_in_order(main_weights, order);
                for (int p = l.index - 1; p >= producer; --p) {
                    channel_order[static_cast<std::size_t>(p)] = order;
                    if (layers[static_cast<std::size_t>(p)].kind == LayerKind::AvgPool) continue;
                    outputs_in_order(copy->layers[static_cast<std::size_t>(index[static_cast<std::size_t>(p)])], order);
                }
            }
            // Worth recomputing apart only when few (they and their pairs' partners go last).
            std::vector<int> bad = inexact_outputs(main_weights, l, outliers);
            if (4 * bad.size() <= static_cast<std::size_t>(l.out_c)) store_last[static_cast<std::size_t>(l.index)] = std::move(bad);
        }
        if (!copy) return {weights, {}};
        return {copy, std::move(channel_order)};
    }

    // conv0's input: s8 q - 128 where the CPU has VNNI. Without VNNI oneDNN 2.6 runs an
    // s8-source convolution on halved weights (its "scale adjust 0.5", rounded: 43% of
    // conv0's outputs off by up to 14 steps, measured on AVX2), so there the input is
    // TFLite's own u8 q with zero point 128, which it computes unhalved.
    // conv0 in the exact f32 form reads the user's f32 input and quantizes it itself.
    dt input_type(const BuildEnv& env) const override {
        if (exact_f32_layers(env) > 0) return dt::f32;
        return onednn_has_vnni() ? dt::s8 : dt::u8;
    }

    dnnl::primitive_attr input_reorder_attr(const BuildEnv& env) const override {
        dnnl::primitive_attr attr;
        attr.set_output_scales(0, {input_multiplier(env)});  // x / sx = q - 128, exactly
        if (input_type(env) == dt::u8) attr.set_zero_points(DNNL_ARG_DST, 0, {128});  // q itself
        return attr;
    }

    BuiltLayer convolution(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                           const memory::desc& src) const override {
        const QuantizedLayer& q = quant_of(w);
        const int f32_layers = exact_f32_layers(env);
        if (l.index < f32_layers) return exact_f32_convolution(env, l, q, src, l.index + 1 == f32_layers);
        BuiltLayer b;
        if (l.kind == LayerKind::Pointwise) {
            b = pointwise(env, l, w, q, src);
        } else if (l.kind == LayerKind::Depthwise) {
            b = depthwise(env, l, q, src);
        } else {
            b = first_convolution(env, l, q);
        }
        b.dequant_scale = q.output.scale[0];
        b.dequant_zero_point = zero_point_at(q.output, 0);
        return b;
    }

    BuiltLayer pooling(const BuildEnv& env, const LayerSpec& l, const memory::desc& src) const override {
        const memory::desc dst_md({env.cfg.batch, l.out_c, 1, 1}, dt::u8, tag::nhwc);
        dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::pooling_avg_exclude_padding, src, dst_md, {1, 1},
                                         {l.in_h, l.in_w}, {0, 0}, {0, 0});
        // Round half up as TFLite: + 1 / (4n) before oneDNN's round-half-even (see top).
        const float n = static_cast<float>(l.in_h * l.in_w);
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f, 0.25f / n);
        dnnl::primitive_attr attr = base_attr();
        attr.set_post_ops(ops);
        dnnl::pooling_forward::primitive_desc pd(desc, attr, env.eng);
        BuiltLayer b = built_layer(pd, dnnl::pooling_forward(pd), "ties half up");
        // The pool keeps its input's quantization: the classifier's input.
        const QuantizedLayer& fc = quant_of(env.weights.layers.back());
        b.dequant_scale = fc.input.scale[0];
        b.dequant_zero_point = zero_point_at(fc.input, 0);
        return b;
    }

    BuiltLayer classifier(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                          const memory::desc& src) const override {
        const QuantizedLayer& q = quant_of(w);
        const std::int32_t zo = zero_point_at(q.output, 0);
        // M * acc -> round -> + zo and saturate (as a clip of the unshifted value) -> so * (q - zo).
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_round, 0.0f, 0.0f);
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(-zo), static_cast<float>(255 - zo));
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, q.output.scale[0], 0.0f);
        const memory::desc logits({env.cfg.batch, l.out_c}, dt::f32, tag::ab);
        if (std::optional<BuiltLayer> conv =
                one_by_one(env, l, q, src, memory::desc({env.cfg.batch, l.out_c, 1, 1}, dt::f32, tag::nhwc), ops, 0)) {
            conv->views[DNNL_ARG_DST] = conv->dst;  // {N, classes, 1, 1}: the logits' bytes
            conv->dst = logits;
            return std::move(*conv);  // f32 real logits: no dequantization
        }
        BuiltLayer b = quantized_matmul(env, l, q, env.cfg.batch, logits, ops, 0);
        b.src = src;  // the pool's {N, C, 1, 1}, seen as [N, C]
        return b;  // f32 real logits: no dequantization
    }

    BuiltLayer softmax(const BuildEnv& env, const LayerSpec& l, const memory::desc& src) const override {
        dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, src, 1);
        dnnl::softmax_forward::primitive_desc pd(desc, base_attr(), env.eng);
        BuiltLayer b = built_layer(pd, dnnl::softmax_forward(pd), "");
        const QuantParams& out = env.weights.output_quant;
        if (out.empty()) return b;
        // The model's uint8 output: q = round(p / s) + z, saturated, then p = s * (q - z).
        const std::int32_t z = zero_point_at(out, 0);
        const memory::desc q_md({env.cfg.batch, l.out_c}, dt::u8, tag::ab);
        b.aux = {q_md};
        const SingleThreaded one;
        dnnl::primitive_attr to_q, from_q;
        to_q.set_output_scales(0, {1.0f / out.scale[0]});
        from_q.set_output_scales(0, {out.scale[0]});
        if (z != 0) {
            to_q.set_zero_points(DNNL_ARG_DST, 0, {z});
            from_q.set_zero_points(DNNL_ARG_SRC, 0, {z});
        }
        b.extra.push_back(reorder_step(env, l.name + " to uint8", tensor(StepTensor::Kind::LayerOutput, 0, b.dst),
                                       tensor(StepTensor::Kind::Aux, 0, q_md, 0), false, to_q));
        b.extra.push_back(reorder_step(env, l.name + " from uint8", tensor(StepTensor::Kind::Aux, 0, q_md, 0),
                                       tensor(StepTensor::Kind::LayerOutput, 0, b.dst), false, from_q));
        b.impl += " [uint8 output, as the model]";
        return b;
    }

private:
    // 1 / sx, what the user's f32 input is multiplied by before rounding to q - 128.
    static float input_multiplier(const BuildEnv& env) {
        const QuantParams& in = env.weights.input_quant;
        if (in.empty() || in.zero_point[0] != 128) {
            throw std::invalid_argument("int8 precision needs a quantized model whose input zero point is 128");
        }
        return 1.0f / in.scale[0];
    }

    // A layer of the exact f32 form (exact_f32_layers): the same arithmetic as the int8
    // kernels, carried in f32. In: x - zx as f32 (0 where the convolution pads, as TFLite's
    // padding with zx gives); weights w - zw and the s32 bias as f32 (exact: small
    // integers). Every sum is an integer below 2^24 (exact_in_f32), so the accumulator is
    // TFLite's int32 one; then float(acc) * M (an eltwise linear: M is per tensor),
    // rounded half to even and clipped, as XNNPACK requantizes.
    // Out: q - zo as f32, the next layer's x - zx; the last layer of the form writes q as
    // u8 nhwc for the int8 layers (its convolution writes f32 q - zo into a buffer, and the
    // layer's main primitive is a reorder of that into its output, adding zo).
    // conv0 reads the user's f32 input itself (input_type()), so a row part quantizes just
    // its rows: x * (1 / sx), rounded and saturated to s8 as TFLite quantizes, gives
    // q - 128 in f32 (below), and the convolution reads that.
    BuiltLayer exact_f32_convolution(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                     const memory::desc& given_src, bool last) const {
        const memory::dim n = env.cfg.batch;
        const bool first = l.index == 0;
        const bool dw = l.kind == LayerKind::Depthwise;
        const tag plain_or_any = env.plain_activations ? tag::nhwc : tag::any;
        // (conv0's src is its own aux buffer: any layout, but with an nhwc dst oneDNN 2.6
        // then picks `ref:any`, 200x slower: nhwc too when the activations are.)
        const memory::desc conv0_src({n, l.in_c, l.in_h, l.in_w}, dt::f32, plain_or_any);
        const memory::dims w_dims = dw ? memory::dims{l.in_c, 1, 1, l.kernel, l.kernel}
                                       : memory::dims{l.out_c, l.in_c, l.kernel, l.kernel};
        const memory::desc dst_any({n, l.out_c, l.out_h, l.out_w}, dt::f32, plain_or_any);
        dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             first ? conv0_src : given_src, memory::desc(w_dims, dt::f32, tag::any),
                                             memory::desc({l.out_c}, dt::f32, tag::x), dst_any, {l.stride, l.stride},
                                             {l.pad_top, l.pad_left}, {l.pad_bottom, l.pad_right});
        const std::int32_t zo = zero_point_at(q.output, 0);
        const Range range = activation_range(q.output, env.weights.activation);
        const float m = output_scales(q, l.out_c)[0];  // per tensor (exact_f32_layers)
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, m, 0.0f);
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_round, 0.0f, 0.0f);
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(range.lo - zo),
                           static_cast<float>(range.hi - zo));
        dnnl::primitive_attr attr = base_attr();
        attr.set_post_ops(ops);
        dnnl::convolution_forward::primitive_desc pd(desc, attr, env.eng);

        std::vector<float> weights(q.weights_q.size()), bias(q.bias_q.begin(), q.bias_q.end());
        const std::size_t per = weights.size() / static_cast<std::size_t>(l.out_c);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            weights[i] = static_cast<float>(static_cast<std::int32_t>(q.weights_q[i]) - zero_point_at(q.weights, i / per));
        }
        std::unordered_map<int, memory> constants;
        constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc(w_dims, dt::f32, dw ? tag::goihw : tag::oihw), pd.weights_desc(), weights);
        constants[DNNL_ARG_BIAS] = f32_vector(env, pd.bias_desc(), bias);
        const std::string mapping = std::string("exact f32: w-zw, integer sums below 2^24, XNNPACK rounding") +
                                    (last ? ", u8 out" : "") + " (no VNNI)";

        BuiltLayer b;
        std::vector<Step> before;  // run in order before the main primitive
        // What the convolution reads: the layer's input, or (conv0) the f32 q - 128 in an aux buffer.
        StepTensor conv_src = tensor(StepTensor::Kind::LayerInput, 0, pd.src_desc());
        if (first) {
            // q - 128 = saturate(round(x / sx)) in f32: a binary multiply by the scalar 1 / sx
            // with post-ops round (half to even, as the u8 conversion it replaces) and clip
            // to s8, after a reorder into the convolution's layout where that differs
            // (nchw at 1 thread). Elementwise, so on flat views of the dense buffers (on
            // nhwc with its 3 channels oneDNN's binary kernel took 0.4 ms a row part; one
            // that transposes runs `ref:any`). 1.0-224, 1 thread, under ONEDNN_VERBOSE: 51 +
            // 21 us against ~124 for the reorder to s8 and back to f32 it replaces.
            const memory::desc user({n, l.in_c, l.in_h, l.in_w}, dt::f32, tag::nhwc);
            const int f_aux = static_cast<int>(b.aux.size());
            b.aux.push_back(pd.src_desc());
            conv_src = tensor(StepTensor::Kind::Aux, 0, pd.src_desc(), f_aux);
            const memory::desc flat({1, static_cast<memory::dim>(pd.src_desc().get_size() / sizeof(float))}, dt::f32,
                                    tag::ab);
            StepTensor scaled_from = tensor(StepTensor::Kind::LayerInput, 0, flat);
            if (pd.src_desc() != user) {
                before.push_back(reorder_step(env, l.name + " input to its layout",
                                              tensor(StepTensor::Kind::LayerInput, 0, user), conv_src, true));
                scaled_from = tensor(StepTensor::Kind::Aux, 0, flat, f_aux);
            }
            dnnl::post_ops quantize;
            quantize.append_eltwise(1.0f, dnnl::algorithm::eltwise_round, 0.0f, 0.0f);
            quantize.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, -128.0f, 127.0f);
            dnnl::primitive_attr attr = base_attr();
            attr.set_post_ops(quantize);
            const memory::desc scalar({1, 1}, dt::f32, tag::ab);
            dnnl::binary::primitive_desc bpd(dnnl::binary::desc(dnnl::algorithm::binary_mul, flat, scalar, flat), attr,
                                             env.eng);
            Step q;
            q.prim = dnnl::binary(bpd);
            q.name = l.name + " input quantized";
            q.impl = bpd.impl_info_str();
            q.before_main = true;
            q.constants[DNNL_ARG_SRC_1] = f32_vector(env, scalar, {input_multiplier(env)});
            q.scratchpad = bpd.scratchpad_desc();
            q.tensors = {{DNNL_ARG_SRC_0, scaled_from}, {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, flat, f_aux)}};
            before.push_back(std::move(q));
        }
        if (!last) {
            b.prim = dnnl::convolution_forward(pd);
            b.dst = pd.dst_desc();
            b.scratchpad = pd.scratchpad_desc();
            b.impl = std::string(pd.impl_info_str()) + " [" + mapping + "]";
            b.constants = std::move(constants);
            if (first) b.main_tensors = {{DNNL_ARG_SRC, conv_src}};
        } else {
            // The convolution writes f32 q - zo into an aux buffer; the layer's main primitive
            // (a reorder) makes it u8 q, adding zo. (With a second eltwise linear adding zo
            // after the first, * M, oneDNN 2.6's f32 depthwise kernel wrote about 1/16 of the
            // right outputs, zo being 0: so the zero point is the reorder's.)
            const int out_aux = static_cast<int>(b.aux.size());
            b.aux.push_back(pd.dst_desc());
            Step conv;
            conv.prim = dnnl::convolution_forward(pd);
            conv.name = l.name + " f32";
            conv.impl = pd.impl_info_str();
            conv.before_main = true;
            conv.constants = std::move(constants);
            conv.scratchpad = pd.scratchpad_desc();
            conv.tensors = {{DNNL_ARG_SRC, conv_src}, {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, pd.dst_desc(), out_aux)}};
            before.push_back(std::move(conv));
            const memory::desc u8_out({n, l.out_c, l.out_h, l.out_w}, dt::u8, tag::nhwc);
            dnnl::primitive_attr plus_zo;
            if (zo != 0) plus_zo.set_zero_points(DNNL_ARG_DST, 0, {zo});
            dnnl::reorder::primitive_desc rpd(env.eng, pd.dst_desc(), env.eng, u8_out, plus_zo);
            b.prim = dnnl::reorder(rpd);
            b.dst = u8_out;
            b.impl = std::string(pd.impl_info_str()) + " [" + mapping + "], then " + rpd.impl_info_str();
            b.main_tensors = {{DNNL_ARG_FROM, tensor(StepTensor::Kind::Aux, 0, pd.dst_desc(), out_aux)}};
        }
        b.src = first ? memory::desc({n, l.in_c, l.in_h, l.in_w}, dt::f32, tag::nhwc) : pd.src_desc();
        b.extra = std::move(before);
        b.dequant_scale = q.output.scale[0];
        b.dequant_zero_point = last ? zo : 0;
        return b;
    }

    // [rows, in_c] u8 x [in_c, out_c] s8 + s32 bias -> dst2d, with the layer's requantization
    // scales, then `ops`, and the zero points that are not 0 (src, weights, and the output's
    // `zo` when dst2d is u8). Sets the source view; the caller sets b.src (and b.dst).
    static BuiltLayer quantized_matmul(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                       memory::dim rows, const memory::desc& dst2d, const dnnl::post_ops& ops,
                                       std::int32_t zo) {
        const std::int32_t zx = zero_point_at(q.input, 0);
        const MatmulWeights s8 = matmul_weights(q, l.name, l.out_c);
        std::string mapping = s8.mapping;
        std::vector<int> recompute;  // without VNNI: outputs whose pairs may saturate
        if (!onednn_has_vnni()) {
            recompute = inexact_outputs(s8.data, l, {});
            if (recompute.empty()) {
                mapping += ", pair sums fit 16 bits (no VNNI)";
            } else if (2 * recompute.front() >= l.out_c) {  // arrange() put them last
                mapping += ", pair sums fit 16 bits (no VNNI)" + recomputed(recompute);
            } else {
                return seven_bit_matmul(env, l, q, rows, dst2d, ops, zo, s8);
            }
        }
        const memory::desc src2d({rows, l.in_c}, dt::u8, tag::ab);
        const memory::desc b_md({1, l.out_c}, dt::s32, tag::ab);
        dnnl::matmul::desc desc(src2d, memory::desc({l.in_c, l.out_c}, dt::s8, tag::any), b_md, dst2d);
        dnnl::primitive_attr attr = base_attr();
        set_scales(attr, output_scales(q, l.out_c));
        attr.set_post_ops(ops);
        const ZeroPoints zp{.src = zx, .weights = s8.zero_point, .dst = zo};
        zp.declare(attr);
        dnnl::matmul::primitive_desc pd(desc, attr, env.eng);
        BuiltLayer b = built_layer(pd, dnnl::matmul(pd), mapping);
        b.views[DNNL_ARG_SRC] = src2d;
        b.constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc({l.in_c, l.out_c}, dt::s8, tag::ba), pd.weights_desc(), s8.data);
        b.constants[DNNL_ARG_BIAS] = s32_vector(env, pd.bias_desc(), q.bias_q);
        zp.bind(env, b.constants);
        if (!recompute.empty()) append_exact_outputs(env, l, q, rows, dst2d.data_type(), ops, zo, s8, recompute, b);
        return b;
    }

    // A pointwise layer or the classifier as a 1x1 int8 convolution without VNNI
    // (as_convolution), its inexact outputs recomputed; nothing when it does not qualify
    // or (pointwise) arrange() could not put those outputs last. `ops`: the layer's
    // post-ops; `zo`: the dst zero point (0 for the classifier's f32 logits).
    static std::optional<BuiltLayer> one_by_one(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                                const memory::desc& src, const memory::desc& dst,
                                                const dnnl::post_ops& ops, std::int32_t zo) {
        const std::optional<AsConvolution> conv = as_convolution(q, l);
        if (!conv) return std::nullopt;
        const std::vector<int> inexact = inexact_outputs(conv->a, l, conv->outlier_outputs);
        if (l.kind == LayerKind::FullyConnected) {
            // The classes keep their order: scattered outputs, one tiny copy per run of them.
            if (4 * inexact.size() > static_cast<std::size_t>(l.out_c)) return std::nullopt;
        } else if (!inexact.empty() && 2 * inexact.front() < l.out_c) {
            return std::nullopt;
        }
        ConvSpec c;
        c.src = src;
        c.dst = dst;
        c.weight_dims = {l.out_c, l.in_c, 1, 1};
        c.weights = &conv->a;
        c.bias = q.bias_q;
        c.scales = output_scales(q, l.out_c);
        c.zx = zero_point_at(q.input, 0);
        c.zo = zo;
        c.ops = ops;
        const std::optional<ExactParts> parts = inexact.empty() ? std::nullopt : exact_parts(q, l, inexact);
        std::string mapping = "s8 w-zw, pair sums fit 16 bits (no VNNI)";
        if (!inexact.empty()) mapping += recomputed(inexact);
        if (parts) mapping += " in " + std::to_string(parts->bias.size()) + " int8 parts";
        BuiltLayer b = int8_convolution(env, l, c, mapping);
        if (parts) {
            append_exact_parts(env, l, q, src, inexact, *parts, b);
        } else if (!inexact.empty()) {
            const memory::dim rows = env.cfg.batch * l.out_h * l.out_w;
            append_exact_outputs(env, l, q, rows, dst.data_type(), ops, zo, matmul_weights(q, l.name, l.out_c),
                                 inexact, b);
        }
        return b;
    }

    // The outputs `columns` of a pointwise layer or the classifier run as a 1x1 convolution
    // (one_by_one), recomputed exactly without a matmul: oneDNN 2.6's int8 matmul runs a
    // few columns as gemm:jit, which packs the whole input first (21 us at 14x14x512 -> 1,
    // 86 us at 56x56x128 -> 1, against 9 and 38 us for a 1x1 convolution with 2 outputs;
    // AMD EPYC AVX2, 1 thread). Each column's weights d = w - zw are split into parts of at
    // most 64 in magnitude (ceil(max |d| / 64) of them), so any pair of u8 x s8 products
    // fits 16 bits (2 x 255 x 64 < 2^15) in any channel order:
    //   "exact parts":  int8 1x1 convolution, one output per part, f32 out: the integer
    //                   part sums sum (x - zx) p (+ the bias on a column's first part);
    //   "exact sum":    f32 1x1 convolution adding each column's parts (weights 1), then
    //                   * M, round half to even, clip: q - zo, as the f32 form's layers do;
    //   a reorder into u8 q (adding zo), or for the classifier into so * (q - zo), then a
    //   copy per run of adjacent columns into the layer's output, as append_exact_outputs.
    // Exact while every sum stays below 2^24 (then f32 holds the integers exactly, and
    // float(acc) * M is rounded once, as in XNNPACK). exact_parts() makes the parts, or
    // nothing when a column fails that bound or the columns' M differ (per-channel weight
    // scales, which this form's * M cannot carry): then append_exact_outputs serves.
    struct ExactParts {
        std::vector<std::int8_t> weights;  // [part][in_c]
        std::vector<std::int32_t> bias;    // a column's bias on its first part
        std::vector<int> column;           // per part: its index into the columns
        float m = 0;                       // the columns' M
    };
    static std::optional<ExactParts> exact_parts(const QuantizedLayer& q, const LayerSpec& l,
                                                 const std::vector<int>& columns) {
        const std::vector<float> scales = blocks_of(output_scales(q, l.out_c), columns, 1);
        if (!all_equal(scales)) return std::nullopt;
        ExactParts r;
        r.m = scales[0];
        const auto in_c = static_cast<std::size_t>(l.in_c);
        for (std::size_t k = 0; k < columns.size(); ++k) {
            const auto c = static_cast<std::size_t>(columns[k]);
            const std::int32_t zw = zero_point_at(q.weights, c);
            std::vector<std::int32_t> d(in_c);
            std::int64_t bound = std::abs(static_cast<std::int64_t>(q.bias_q.at(c)));
            std::int32_t largest = 0;
            for (std::size_t i = 0; i < in_c; ++i) {
                d[i] = static_cast<std::int32_t>(q.weights_q[c * in_c + i]) - zw;
                bound += 255 * std::abs(static_cast<std::int64_t>(d[i]));
                largest = std::max(largest, std::abs(d[i]));
            }
            if (bound >= (std::int64_t{1} << 24)) return std::nullopt;
            const int count = std::max(1, (largest + 63) / 64);
            for (int j = 0; j < count; ++j) {
                for (std::size_t i = 0; i < in_c; ++i) {
                    const std::int32_t p = std::clamp(d[i], -64, 64);
                    r.weights.push_back(static_cast<std::int8_t>(p));
                    d[i] -= p;
                }
                r.bias.push_back(j == 0 ? q.bias_q.at(c) : 0);
                r.column.push_back(static_cast<int>(k));
            }
        }
        return r;
    }
    static void append_exact_parts(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                   const memory::desc& src, const std::vector<int>& columns, const ExactParts& parts,
                                   BuiltLayer& b) {
        const memory::dim n = env.cfg.batch, h = l.out_h, w = l.out_w;
        const auto count = static_cast<memory::dim>(parts.bias.size());
        const auto width = static_cast<memory::dim>(columns.size());
        const memory::desc part_sums({n, count, h, w}, dt::f32, tag::nhwc);
        const memory::desc exact({n, width, h, w}, dt::f32, tag::nhwc);
        const int sums_aux = static_cast<int>(b.aux.size());
        b.aux.push_back(part_sums);
        const int exact_aux = static_cast<int>(b.aux.size());
        b.aux.push_back(exact);

        ConvSpec c;
        c.src = src;
        c.dst = part_sums;
        c.weight_dims = {count, l.in_c, 1, 1};
        c.weights = &parts.weights;
        c.bias = parts.bias;
        c.scales = {1.0f};
        c.zx = zero_point_at(q.input, 0);
        c.ops = dnnl::post_ops();  // the sums as they are
        Step step_parts = step_of(int8_convolution(env, l, c, ""), l.name + " exact parts");
        step_parts.tensors = {{DNNL_ARG_SRC, tensor(StepTensor::Kind::LayerInput, 0, src)},
                              {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, part_sums, sums_aux)}};
        b.extra.push_back(std::move(step_parts));

        const bool logits = l.kind == LayerKind::FullyConnected;  // f32 so * (q - zo), else u8 q
        const std::int32_t zo = zero_point_at(q.output, 0);
        const Range r = logits ? Range{} : activation_range(q.output, env.weights.activation);
        const SingleThreaded one;  // the rest is tiny
        {
            dnnl::post_ops ops;
            ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, parts.m, 0.0f);
            ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_round, 0.0f, 0.0f);
            ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(r.lo - zo),
                               static_cast<float>(r.hi - zo));
            dnnl::primitive_attr attr = base_attr();
            attr.set_post_ops(ops);
            const memory::dims sum_dims = {width, count, 1, 1};
            dnnl::convolution_forward::primitive_desc pd(
                dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                dnnl::algorithm::convolution_direct, part_sums,
                                                memory::desc(sum_dims, dt::f32, tag::any), exact, {1, 1}, {0, 0},
                                                {0, 0}),
                attr, env.eng);
            std::vector<float> ones(static_cast<std::size_t>(width * count), 0.0f);
            for (std::size_t p = 0; p < parts.column.size(); ++p) {
                ones[static_cast<std::size_t>(parts.column[p]) * parts.column.size() + p] = 1.0f;
            }
            Step sum;
            sum.prim = dnnl::convolution_forward(pd);
            sum.name = l.name + " exact sum";
            sum.impl = pd.impl_info_str();
            sum.threads = 1;
            sum.constants[DNNL_ARG_WEIGHTS] =
                reordered(env, memory::desc(sum_dims, dt::f32, tag::oihw), pd.weights_desc(), ones);
            sum.scratchpad = pd.scratchpad_desc();
            sum.tensors = {{DNNL_ARG_SRC, tensor(StepTensor::Kind::Aux, 0, part_sums, sums_aux)},
                           {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, exact, exact_aux)}};
            b.extra.push_back(std::move(sum));
        }
        // Into the output's type (dense: oneDNN 2.6's reorder drops a zero point into a
        // strided view), then copied over the columns.
        const dt out_t = logits ? dt::f32 : dt::u8;
        const memory::desc dense({n * h * w, width}, out_t, tag::ab);
        const int dense_aux = static_cast<int>(b.aux.size());
        b.aux.push_back(dense);
        dnnl::primitive_attr requantized;
        if (logits) {
            requantized.set_output_scales(0, {q.output.scale[0]});
        } else if (zo != 0) {
            requantized.set_zero_points(DNNL_ARG_DST, 0, {zo});
        }
        b.extra.push_back(reorder_step(env, l.name + " exact outputs",
                                       tensor(StepTensor::Kind::Aux, 0, memory::desc({n * h * w, width}, dt::f32, tag::ab), exact_aux),
                                       tensor(StepTensor::Kind::Aux, 0, dense, dense_aux), false, requantized));
        copy_columns(env, l, columns, dense, dense_aux, b);
    }

    // A copy per run of adjacent `columns` from the dense [rows, columns] aux buffer into
    // the layer's output (strided [rows, out_c]).
    static void copy_columns(const BuildEnv& env, const LayerSpec& l, const std::vector<int>& columns,
                             const memory::desc& dense, int aux, BuiltLayer& b) {
        const memory::dim rows = dense.dims()[0], width = dense.dims()[1];
        const dt type = dense.data_type();
        const std::size_t elem = memory::data_type_size(type);
        const SingleThreaded one;  // the copies are tiny (a classifier's: a few floats)
        for (std::size_t i = 0; i < columns.size();) {
            std::size_t run = 1;
            while (i + run < columns.size() && columns[i + run] == columns[i] + static_cast<int>(run)) ++run;
            const auto n = static_cast<memory::dim>(run);
            b.extra.push_back(reorder_step(
                env, l.name + " exact outputs", tensor(StepTensor::Kind::Aux, i * elem, memory::desc({rows, n}, type, memory::dims{width, 1}), aux),
                tensor(StepTensor::Kind::LayerOutput, static_cast<std::size_t>(columns[i]) * elem,
                       memory::desc({rows, n}, type, memory::dims{l.out_c, 1}))));
            i += run;
        }
    }

    static std::string recomputed(const std::vector<int>& columns) {
        return ", " + std::to_string(columns.size()) + (columns.size() == 1 ? " output" : " outputs") +
               " recomputed exactly";
    }

    // The main primitive's outputs `columns` (ascending) may be wrong (a saturated pair, an
    // outlier weight): steps after it compute them again, exactly, into a dense buffer (a
    // strided destination sends oneDNN 2.6's matmul to its reference kernel, 100x slower),
    // and a reorder per run of adjacent columns copies that over them.
    static void append_exact_outputs(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                     memory::dim rows, dt dst_type, const dnnl::post_ops& ops, std::int32_t zo,
                                     const MatmulWeights& s8, const std::vector<int>& columns, BuiltLayer& b) {
        const memory::desc src2d({rows, l.in_c}, dt::u8, tag::ab);
        const auto width = static_cast<memory::dim>(columns.size());
        const memory::desc dense({rows, width}, dst_type, tag::ab);
        const std::vector<std::int8_t> tail = blocks_of(s8.data, columns, static_cast<std::size_t>(l.in_c));
        const int out = static_cast<int>(b.aux.size());
        b.aux.push_back(dense);
        if (pair_sums_fit_16_bits(tail, l.in_c, static_cast<int>(width))) {
            // Their matmul weights (w - 128 and the weight zero point) fit as they are: one matmul.
            const memory::desc b_md({1, width}, dt::s32, tag::ab);
            dnnl::primitive_attr attr = base_attr();
            set_scales(attr, blocks_of(output_scales(q, l.out_c), columns, 1));
            attr.set_post_ops(ops);
            const ZeroPoints zp{.src = zero_point_at(q.input, 0), .weights = s8.zero_point, .dst = zo};
            zp.declare(attr);
            dnnl::matmul::primitive_desc pd(
                dnnl::matmul::desc(src2d, memory::desc({l.in_c, width}, dt::s8, tag::any), b_md, dense), attr, env.eng);
            Step step;
            step.prim = dnnl::matmul(pd);
            step.name = l.name + " exact outputs";
            step.impl = pd.impl_info_str();
            step.constants[DNNL_ARG_WEIGHTS] =
                reordered(env, memory::desc({l.in_c, width}, dt::s8, tag::ba), pd.weights_desc(), tail);
            step.constants[DNNL_ARG_BIAS] = s32_vector(env, pd.bias_desc(), blocks_of(q.bias_q, columns, 1));
            zp.bind(env, step.constants);
            step.scratchpad = pd.scratchpad_desc();
            step.tensors = {{DNNL_ARG_SRC, tensor(StepTensor::Kind::LayerInput, 0, src2d)},
                            {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, dense, out)}};
            b.extra.push_back(std::move(step));
        } else {
            SevenBit exact = seven_bit_steps(env, l, q, rows, ops, zo, s8, columns, dense);
            const int low = static_cast<int>(b.aux.size());
            b.aux.push_back(exact.low_md);
            exact.low.tensors = {{DNNL_ARG_SRC, tensor(StepTensor::Kind::LayerInput, 0, src2d)},
                                 {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, exact.low_md, low)}};
            exact.main.tensors = {
                {DNNL_ARG_SRC, tensor(StepTensor::Kind::LayerInput, 0, src2d)},
                {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, dense, out)},
                {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, tensor(StepTensor::Kind::Aux, 0, exact.low_md, low)}};
            b.extra.push_back(std::move(exact.low));
            b.extra.push_back(std::move(exact.main));
        }
        copy_columns(env, l, columns, dense, out, b);
    }

    // The same matmul on a CPU without VNNI, where a pair of u8 x s8 products is summed in
    // 16 bits with saturation (255 x 127 x 2 > 32767), for the outputs `columns`. The s8
    // weights d = 2h + l, with h = floor(d / 2) in [-64, 63] (a pair then sums to at most
    // 255 x 126) and l in {0, 1}:
    //   step "low bits":  acc_l = sum (x - zx)(l - zwp)  -> s32 aux     (weight zero point here)
    //   main:             2 * (sum (x - zx) h + bias / 2) + acc_l      (output scale 2, f32 bias,
    //                     a binary add of the aux), then * M (a binary multiply), then
    //                     `ops` and zo as before.
    // Every sum before * M is an integer, exact in f32 below 2^24 (as the one-matmul form
    // assumes too), so float(acc) * M is rounded once, as XNNPACK does: bit-exact. Costs two
    // matmuls instead of one (the binary add +25% on the main one; measured on AVX2): the
    // whole layer only where arrange() found no pair-safe channel order for most outputs.
    // The steps' tensors are the caller's to bind (the main one's post-op source 0 is the aux).
    struct SevenBit {
        Step low, main;
        memory::desc low_md;  // the s32 aux buffer between them
        memory::desc main_src, main_dst, main_scratchpad;
    };
    static SevenBit seven_bit_steps(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                    memory::dim rows, const dnnl::post_ops& ops, std::int32_t zo,
                                    const MatmulWeights& s8, const std::vector<int>& columns,
                                    const memory::desc& dst) {
        const std::int32_t zx = zero_point_at(q.input, 0);
        const auto width = static_cast<memory::dim>(columns.size());
        const std::vector<std::int8_t> d8 = blocks_of(s8.data, columns, static_cast<std::size_t>(l.in_c));
        std::vector<std::int8_t> hi(d8.size()), lo(d8.size());
        for (std::size_t i = 0; i < hi.size(); ++i) {
            const int d = d8[i];
            const int h = (d - (d & 1)) / 2;  // floor(d / 2), also for odd negative d
            hi[i] = static_cast<std::int8_t>(h);
            lo[i] = static_cast<std::int8_t>(d - 2 * h);
        }
        const memory::desc src2d({rows, l.in_c}, dt::u8, tag::ab);
        const memory::desc w_any({l.in_c, width}, dt::s8, tag::any), w_user({l.in_c, width}, dt::s8, tag::ba);
        SevenBit r;
        r.low_md = memory::desc({rows, width}, dt::s32, tag::ab);

        // The low bits, with the weight zero point.
        dnnl::primitive_attr low_attr = base_attr();
        const ZeroPoints low_zp{.src = zx, .weights = s8.zero_point};
        low_zp.declare(low_attr);
        dnnl::matmul::primitive_desc low_pd(dnnl::matmul::desc(src2d, w_any, r.low_md), low_attr, env.eng);
        r.low.prim = dnnl::matmul(low_pd);
        r.low.name = l.name + " low bits";
        r.low.impl = low_pd.impl_info_str();
        r.low.constants[DNNL_ARG_WEIGHTS] = reordered(env, w_user, low_pd.weights_desc(), lo);
        low_zp.bind(env, r.low.constants);
        r.low.scratchpad = low_pd.scratchpad_desc();

        // The high bits, the sum and the requantization.
        // M as a binary multiply (a scalar when it is per tensor), not an eltwise linear:
        // oneDNN 2.6's gemm post-processing then ran the classifier's later linear (* so)
        // with M's factor (measured: every logit 0).
        std::vector<float> m = blocks_of(output_scales(q, l.out_c), columns, 1);
        if (all_equal(m)) m.resize(1);
        const memory::desc m_md({1, static_cast<memory::dim>(m.size())}, dt::f32, tag::ab);
        dnnl::post_ops all;
        all.append_binary(dnnl::algorithm::binary_add, r.low_md);
        all.append_binary(dnnl::algorithm::binary_mul, m_md);
        for (int i = 0; i < ops.len(); ++i) {  // the caller's: eltwise only
            float scale = 0, alpha = 0, beta = 0;
            dnnl::algorithm alg{};
            ops.get_params_eltwise(i, scale, alg, alpha, beta);
            all.append_eltwise(scale, alg, alpha, beta);
        }
        dnnl::primitive_attr attr = base_attr();
        attr.set_output_scales(0, {2.0f});
        attr.set_post_ops(all);
        const ZeroPoints zp{.src = zx, .dst = zo};
        zp.declare(attr);
        const memory::desc b_md({1, width}, dt::f32, tag::ab);
        dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src2d, w_any, b_md, dst), attr, env.eng);
        r.main.prim = dnnl::matmul(pd);
        r.main.name = l.name + " 2h + l";
        r.main.impl = pd.impl_info_str();
        r.main.constants[DNNL_ARG_WEIGHTS] = reordered(env, w_user, pd.weights_desc(), hi);
        std::vector<float> half_bias;
        for (const int c : columns) half_bias.push_back(0.5f * static_cast<float>(q.bias_q[static_cast<std::size_t>(c)]));
        r.main.constants[DNNL_ARG_BIAS] = f32_vector(env, pd.bias_desc(), half_bias);
        r.main.constants[DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1] = f32_vector(env, m_md, m);
        zp.bind(env, r.main.constants);
        r.main.scratchpad = pd.scratchpad_desc();
        r.main_src = pd.src_desc();
        r.main_dst = pd.dst_desc();
        return r;
    }

    // The whole layer in the seven-bit form: its main matmul the layer's, the low bits before it.
    static BuiltLayer seven_bit_matmul(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                       memory::dim rows, const memory::desc& dst2d, const dnnl::post_ops& ops,
                                       std::int32_t zo, const MatmulWeights& s8) {
        std::vector<int> all(static_cast<std::size_t>(l.out_c));
        std::iota(all.begin(), all.end(), 0);
        SevenBit sb = seven_bit_steps(env, l, q, rows, ops, zo, s8, all, dst2d);
        BuiltLayer b;
        b.prim = std::move(sb.main.prim);
        b.src = sb.main_src;
        b.dst = sb.main_dst;
        b.scratchpad = sb.main.scratchpad;
        b.impl = sb.main.impl + " [" + s8.mapping + ", 2h + l in 2 matmuls (no VNNI)]";
        b.constants = std::move(sb.main.constants);
        b.views[DNNL_ARG_SRC] = sb.main_src;
        b.aux = {sb.low_md};
        b.main_tensors = {{DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, tensor(StepTensor::Kind::Aux, 0, sb.low_md, 0)}};
        sb.low.before_main = true;
        sb.low.tensors = {{DNNL_ARG_SRC, tensor(StepTensor::Kind::LayerInput, 0, sb.main_src)},
                          {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, sb.low_md, 0)}};
        b.extra.push_back(std::move(sb.low));
        return b;
    }

    // A 1x1 convolution as a matmul [N*H*W, in_c] x [in_c, out_c] on the nhwc tensors.
    static BuiltLayer pointwise(const BuildEnv& env, const LayerSpec& l, const LayerWeights&, const QuantizedLayer& q,
                                const memory::desc& src) {
        const memory::dim rows = env.cfg.batch * l.out_h * l.out_w;
        const std::int32_t zo = zero_point_at(q.output, 0);
        const Range r = activation_range(q.output, env.weights.activation);
        const dnnl::post_ops ops = range_clip(r, zo, dt::u8);
        const memory::desc dst2d({rows, l.out_c}, dt::u8, tag::ab);
        const memory::desc dst({env.cfg.batch, l.out_c, l.out_h, l.out_w}, dt::u8, tag::nhwc);
        if (std::optional<BuiltLayer> conv = one_by_one(env, l, q, src, dst, ops, zo)) return std::move(*conv);
        BuiltLayer b = quantized_matmul(env, l, q, rows, dst2d, ops, zo);
        b.src = src;
        b.dst = dst;
        b.views[DNNL_ARG_DST] = dst2d;
        return b;
    }

    // conv0 on the s8 input q - 128 (no zero point), or on u8 q with zero point 128
    // (input_type(): no VNNI). Input channels holding an outlier tap are copied into extra
    // input channels whose weights are the remainders B. Without VNNI every channel is
    // followed by one whose weights are 0 (`slot` 2), so each 16-bit pair sum holds one
    // product, |q * w| <= 255 x 128 < 2^15: exact, for twice conv0's input channels.
    BuiltLayer first_convolution(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q) const {
        const memory::dim n = env.cfg.batch;
        const dt in_t = input_type(env);
        const bool pairs = in_t == dt::u8;
        const std::size_t slot = pairs ? 2 : 1;
        const SplitWeights split = split_weights(q, l);
        std::set<int> copied_set;
        for (const auto& o : split.outliers) copied_set.insert(o.ic);
        const std::vector<int> copied(copied_set.begin(), copied_set.end());
        const int channels = l.in_c + static_cast<int>(copied.size());  // the input's and the copies
        const int in_c = channels * static_cast<int>(slot);
        const std::size_t taps = static_cast<std::size_t>(l.kernel) * static_cast<std::size_t>(l.kernel);
        std::vector<std::int8_t> weights(static_cast<std::size_t>(l.out_c) * static_cast<std::size_t>(in_c) * taps, 0);
        auto weight = [&](std::size_t oc, std::size_t channel, std::size_t tap) -> std::int8_t& {
            return weights[(oc * static_cast<std::size_t>(in_c) + channel * slot) * taps + tap];
        };
        for (std::size_t oc = 0; oc < static_cast<std::size_t>(l.out_c); ++oc) {
            for (std::size_t ic = 0; ic < static_cast<std::size_t>(l.in_c); ++ic) {
                for (std::size_t t = 0; t < taps; ++t) weight(oc, ic, t) = split.a[(oc * static_cast<std::size_t>(l.in_c) + ic) * taps + t];
            }
        }
        for (const auto& o : split.outliers) {
            const auto extra_ic = static_cast<std::size_t>(
                l.in_c + (std::lower_bound(copied.begin(), copied.end(), o.ic) - copied.begin()));
            weight(static_cast<std::size_t>(o.oc), extra_ic, static_cast<std::size_t>(o.tap)) =
                static_cast<std::int8_t>(o.rest);
        }
        ConvSpec c;
        c.src = memory::desc({n, in_c, l.in_h, l.in_w}, in_t, tag::nhwc);
        c.dst = memory::desc({n, l.out_c, l.out_h, l.out_w}, dt::u8, tag::nhwc);
        c.weight_dims = {l.out_c, in_c, l.kernel, l.kernel};
        c.weight_tag = tag::oihw;
        c.weights = &weights;
        c.bias = q.bias_q;
        c.scales = output_scales(q, l.out_c);
        c.zx = pairs ? 128 : 0;
        c.zo = zero_point_at(q.output, 0);
        c.range = activation_range(q.output, env.weights.activation);
        std::string mapping = "s8 w-zw";
        if (!copied.empty()) {
            mapping += ", " + std::to_string(split.outliers.size()) + " weights outside s8 exact via " +
                       std::to_string(copied.size()) + " copied input channel(s)";
        }
        if (pairs) mapping += ", u8 input, every channel beside a zero one (no VNNI)";
        BuiltLayer b = int8_convolution(env, l, c, mapping);
        if (copied.empty() && !pairs) return b;
        // The input reorder fills channels [0, l.in_c) (every slot-th one); small reorders
        // copy the outlier taps' input channels into the next ones. With slots the reorder
        // (which must add the zero point 128) writes a dense buffer, spread by a u8 copy.
        const auto sl = static_cast<memory::dim>(slot);
        const memory::dims px_strides = {in_c * l.in_h * l.in_w, sl, in_c * l.in_w, in_c};
        b.input_view = strided({n, l.in_c, l.in_h, l.in_w}, in_t, px_strides);
        const memory::desc one = strided({n, 1, l.in_h, l.in_w}, in_t, px_strides);
        const SingleThreaded single;
        if (pairs) {
            const memory::desc dense({n, l.in_c, l.in_h, l.in_w}, in_t, tag::nhwc);
            b.aux = {dense};
            b.input_aux = 0;
            b.extra.push_back(reorder_step(env, l.name + " input spread", tensor(StepTensor::Kind::Aux, 0, dense, 0),
                                           tensor(StepTensor::Kind::LayerInput, 0, b.input_view), true));
            b.input_view = memory::desc();
        }
        for (std::size_t i = 0; i < copied.size(); ++i) {
            b.extra.push_back(reorder_step(
                env, l.name + " input copy",
                tensor(StepTensor::Kind::LayerInput, static_cast<std::size_t>(copied[i]) * slot, one),
                tensor(StepTensor::Kind::LayerInput, (static_cast<std::size_t>(l.in_c) + i) * slot, one), true));
        }
        return b;
    }

    // Depthwise: the main primitive with A on every channel, then the outlier channels
    // redone exactly (copy twice -> 2k -> k convolution -> write back; see top).
    static BuiltLayer depthwise(const BuildEnv& env, const LayerSpec& l, const QuantizedLayer& q,
                                const memory::desc& src) {
        const memory::dim n = env.cfg.batch;
        const SplitWeights split = split_weights(q, l);
        const std::int32_t zx = zero_point_at(q.input, 0);
        ConvSpec c;
        c.src = src;
        c.dst = memory::desc({n, l.out_c, l.out_h, l.out_w}, dt::u8, tag::nhwc);
        c.weight_dims = {l.in_c, 1, 1, l.kernel, l.kernel};
        c.weight_tag = tag::goihw;
        c.weights = &split.a;
        c.bias = q.bias_q;
        c.scales = output_scales(q, l.out_c);
        c.zx = zx;
        c.zo = zero_point_at(q.output, 0);
        c.range = activation_range(q.output, env.weights.activation);
        c.fastest = true;
        std::set<int> channel_set;
        for (const auto& o : split.outliers) channel_set.insert(o.oc);
        const std::vector<int> channels(channel_set.begin(), channel_set.end());
        std::string mapping = "s8 w-zw";
        if (channels.empty()) return int8_convolution(env, l, c, mapping);

        const std::vector<Run> runs = progressions(channels, l.in_c);
        mapping += ", " + std::to_string(channels.size()) + "/" + std::to_string(l.out_c) + " channels with " +
                   std::to_string(split.outliers.size()) + " weights outside s8 exact in " +
                   std::to_string(2 * runs.size() + 1) + " more steps" +
                   (onednn_has_vnni() ? "" : ", A and B in separate pair sums (no VNNI)");
        BuiltLayer b = int8_convolution(env, l, c, mapping);

        // The outlier channels alone: input copied twice [N, 2k, H, W], output [N, k, Ho, Wo].
        // Small work: every step is made for one thread (a team costs more than it saves).
        const SingleThreaded single;
        const auto k = static_cast<memory::dim>(channels.size());
        const memory::dim C = l.in_c, H = l.in_h, W = l.in_w, Ho = l.out_h, Wo = l.out_w, s = l.stride;
        // Each outlier channel's input goes to `slots` channels: A and B read two of them.
        // Without VNNI they are 4, A and B two apart, so that no 16-bit pair sum holds both
        // (x * (A + B) overflows; x * A alone and x * B alone do not).
        const memory::dim slots = onednn_has_vnni() ? 2 : 4;
        const memory::desc twice({n, slots * k, H, W}, dt::u8, tag::nhwc);
        const memory::desc fixed({n, k, Ho, Wo}, dt::u8, tag::nhwc);
        b.aux = {twice, fixed};
        for (const Run& r : runs) {
            const auto m = static_cast<memory::dim>(r.count);
            const memory::dims dims = {n, m, slots, H, W};
            const memory::desc from = strided(dims, dt::u8, {H * W * C, r.step, 0, W * C, C});  // each channel `slots` times
            const memory::desc to = strided(dims, dt::u8, {H * W * slots * k, slots, 1, W * slots * k, slots * k});
            b.extra.push_back(reorder_step(
                env, l.name + " outlier channels in",
                tensor(StepTensor::Kind::LayerInput, static_cast<std::size_t>(channels[r.first]), from),
                tensor(StepTensor::Kind::Aux, static_cast<std::size_t>(slots) * r.first, to, 0)));
        }
        // The 2k -> k convolution (ic 2j: A of channel j, ic 2j + 1: B) on "super-pixels":
        // g output pixels of a row side by side as channels. The bytes are the same
        // (nhwc [N, H, W, 2k] is [N, H, W / G, G * 2k] with G = stride * g), and one
        // output super-pixel makes g * k outputs: with k outputs per pixel oneDNN's int8
        // kernel would leave most of its 16 output lanes empty (2.5-3x slower at 112x112,
        // measured). Horizontally the convolution then has stride 1 and a kernel of the
        // super-pixels the taps reach; vertically the layer's own geometry.
        memory::dim g = 1;
        for (const memory::dim cand : {16, 8, 4, 2}) {
            if (cand * k <= 16 && Wo % cand == 0 && W == s * Wo) {
                g = cand;
                break;
            }
        }
        const memory::dim G = s * g, kernel = l.kernel, pl = l.pad_left;
        memory::dim lo = 0, hi = 0;  // super-pixel offsets the taps reach
        for (memory::dim o = 0; o < g; ++o) {
            for (memory::dim kw = 0; kw < kernel; ++kw) {
                lo = std::min(lo, floor_div(s * o + kw - pl, G));
                hi = std::max(hi, floor_div(s * o + kw - pl, G));
            }
        }
        const memory::dim KW = hi - lo + 1;
        const auto taps = static_cast<std::size_t>(kernel * kernel);
        std::vector<std::int8_t> rest(static_cast<std::size_t>(k) * taps, 0);  // B per channel
        for (const auto& o : split.outliers) {
            const auto j = static_cast<std::size_t>(std::lower_bound(channels.begin(), channels.end(), o.oc) -
                                                    channels.begin());
            rest[j * taps + static_cast<std::size_t>(o.tap)] = static_cast<std::int8_t>(o.rest);
        }
        const memory::dim oc = g * k, ic = G * slots * k;
        std::vector<std::int8_t> weights(static_cast<std::size_t>(oc * ic * kernel * KW), 0);
        ConvSpec f;
        for (memory::dim o = 0; o < g; ++o) {
            for (memory::dim j = 0; j < k; ++j) {
                const auto ch = static_cast<std::size_t>(channels[static_cast<std::size_t>(j)]);
                const memory::dim out = o * k + j;
                f.bias.push_back(q.bias_q[ch]);
                f.scales.push_back(c.scales[ch]);
                for (memory::dim kh = 0; kh < kernel; ++kh) {
                    for (memory::dim kw = 0; kw < kernel; ++kw) {
                        const memory::dim x = s * o + kw - pl, off = floor_div(x, G);
                        const memory::dim in = (x - off * G) * slots * k + slots * j;
                        const auto at = [&](memory::dim i) {
                            return static_cast<std::size_t>(((out * ic + i) * kernel + kh) * KW + (off - lo));
                        };
                        const std::size_t tap = static_cast<std::size_t>(kh * kernel + kw);
                        weights[at(in)] = split.a[ch * taps + tap];
                        weights[at(in + slots / 2)] = rest[static_cast<std::size_t>(j) * taps + tap];
                    }
                }
            }
        }
        f.src = memory::desc({n, ic, H, W / G}, dt::u8, tag::nhwc);
        f.dst = memory::desc({n, oc, Ho, Wo / g}, dt::u8, tag::nhwc);
        f.weight_dims = {oc, ic, kernel, KW};
        f.weight_tag = tag::oihw;
        f.weights = &weights;
        f.zx = zx;
        f.zo = c.zo;
        f.range = c.range;
        f.strides = {s, 1};
        f.pad_l = {l.pad_top, -lo};
        f.pad_r = {l.pad_bottom, KW - 1 + lo};
        Step step = step_of(int8_convolution(env, l, f, ""), l.name + " outlier channels");
        step.tensors = {{DNNL_ARG_SRC, tensor(StepTensor::Kind::Aux, 0, f.src, 0)},
                        {DNNL_ARG_DST, tensor(StepTensor::Kind::Aux, 0, f.dst, 1)}};
        step.threads = 1;
        b.extra.push_back(step);
        for (const Run& r : runs) {
            const auto m = static_cast<memory::dim>(r.count);
            const memory::dims dims = {n, m, Ho, Wo};
            b.extra.push_back(reorder_step(
                env, l.name + " outlier channels out",
                tensor(StepTensor::Kind::Aux, r.first, strided(dims, dt::u8, {Ho * Wo * k, 1, Wo * k, k}), 1),
                tensor(StepTensor::Kind::LayerOutput, static_cast<std::size_t>(channels[r.first]),
                       strided(dims, dt::u8, {Ho * Wo * C, r.step, Wo * C, C}))));
        }
        return b;
    }
};

}  // namespace

const LayerBuilders& int8_layer_builders() {
    static const Int8Builders builders;
    return builders;
}

}  // namespace mnv1
