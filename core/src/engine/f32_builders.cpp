// f32 layer builders: every convolution is created with format_tag::any so oneDNN picks
// its preferred (blocked) layouts, the trained weights are reordered into those layouts
// once, BN is already folded into the weights, the bias rides along and ReLU6/ReLU is a
// post-op; depthwise is a grouped convolution. Every primitive uses a user-mode
// scratchpad, so nothing is allocated behind our back during forward().
#include <cstring>
#include <functional>
#include <stdexcept>

#include "engine/kernel_choice.hpp"
#include "engine/layer_builders.hpp"

namespace mnv1 {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::primitive_attr make_attr(const dnnl::post_ops* ops = nullptr) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (ops) attr.set_post_ops(*ops);
    return attr;
}

memory::dims conv_weight_dims(const LayerSpec& l) {
    if (l.kind == LayerKind::Depthwise) return {l.in_c, 1, 1, l.kernel, l.kernel};
    return {l.out_c, l.in_c, l.kernel, l.kernel};
}

// Weights reordered once from the canonical plain layout into the layout the primitive
// chose. The source wraps the ModelWeights' vector; oneDNN only reads it, so dropping
// const is safe.
memory reordered(const BuildEnv& env, const memory::desc& user_md, const memory::desc& prim_md,
                 const std::vector<float>& data) {
    memory user(user_md, env.eng, const_cast<float*>(data.data()));
    memory out(prim_md, env.eng);
    dnnl::reorder(user, out).execute(env.strm, user, out);
    return out;
}

memory bias_memory(const BuildEnv& env, const memory::desc& md, const std::vector<float>& bias) {
    memory m(md, env.eng);
    std::memcpy(m.get_data_handle(), bias.data(), bias.size() * sizeof(float));
    return m;
}

// A pooled {N, C, 1, 1} tensor seen as the matrix [N, C] over the same bytes: channel c
// of image i sits at i * (N stride) + c both in nhwc and in a channel-blocked layout
// (nChw8c, nChw16c) at 1x1, where the padding of C, if any, only widens the N stride.
memory::desc as_matrix(const memory::desc& pooled) {
    const dnnl_memory_desc_t& d = pooled.data;
    const dnnl_blocking_desc_t& b = d.format_desc.blocking;
    const bool one_by_one = d.ndims == 4 && d.dims[2] == 1 && d.dims[3] == 1;
    const bool channel_inner = d.format_kind == dnnl_blocked &&
                               ((b.inner_nblks == 0 && b.strides[1] == 1) ||
                                (b.inner_nblks == 1 && b.inner_idxs[0] == 1 && b.strides[1] == b.inner_blks[0]));
    if (!one_by_one || !channel_inner) {
        throw std::logic_error("classifier: the pool's output layout cannot be read as [N, C]");
    }
    return memory::desc({d.dims[0], d.dims[1]}, pooled.data_type(), memory::dims{b.strides[0], 1});
}

class F32Builders final : public LayerBuilders {
public:
    dt input_type(const BuildEnv&) const override { return dt::f32; }

    BuiltLayer convolution(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                           const memory::desc& src) const override {
        const memory::dim n = env.cfg.batch;
        const memory::desc w_any(conv_weight_dims(l), dt::f32, tag::any);
        const memory::desc b_md({l.out_c}, dt::f32, tag::x);
        const memory::desc dst_any({n, l.out_c, l.out_h, l.out_w}, dt::f32,
                                   env.plain_activations ? tag::nhwc : tag::any);
        dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                             dnnl::algorithm::convolution_direct, src, w_any, b_md, dst_any,
                                             {l.stride, l.stride}, {l.pad_top, l.pad_left},
                                             {l.pad_bottom, l.pad_right});
        dnnl::post_ops ops;
        if (env.weights.activation == Activation::Relu6) {
            ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 6.0f);
        } else {
            ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        }
        using ConvPd = dnnl::convolution_forward::primitive_desc;
        const dnnl::primitive_attr attr = make_attr(&ops);
        const std::function<BuiltLayer(const ConvPd&)> build = [&](const ConvPd& chosen) {
            BuiltLayer b = built_layer(chosen, dnnl::convolution_forward(chosen));
            const memory::desc w_user(conv_weight_dims(l), dt::f32,
                                      l.kind == LayerKind::Depthwise ? tag::goihw : tag::oihw);
            b.constants[DNNL_ARG_WEIGHTS] = reordered(env, w_user, chosen.weights_desc(), w.weights);
            b.constants[DNNL_ARG_BIAS] = bias_memory(env, chosen.bias_desc(), w.bias);
            return b;
        };
        // Depthwise: oneDNN's first pick is not always its fastest kernel (kernel_choice.hpp).
        return l.kind == LayerKind::Depthwise ? fastest_implementation(env, desc, attr, build)
                                              : build(ConvPd(desc, attr, env.eng));
    }

    BuiltLayer pooling(const BuildEnv& env, const LayerSpec& l, const memory::desc& src) const override {
        // The output in the input's layout: oneDNN 2.6's jit pooling needs both alike and
        // falls back to `ref:any` otherwise (nChw8c -> nhwc: 1.26 ms instead of ~0.02 at
        // 1.0-224 on AVX2). At 1x1 the classifier still reads it as a matrix (below).
        const memory::desc dst_md({env.cfg.batch, l.out_c, 1, 1}, dt::f32, tag::any);
        dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::pooling_avg_exclude_padding, src, dst_md, {1, 1},
                                         {l.in_h, l.in_w}, {0, 0}, {0, 0});
        dnnl::pooling_forward::primitive_desc pd(desc, make_attr(), env.eng);
        return built_layer(pd, dnnl::pooling_forward(pd));
    }

    // A matmul [N, C] x [C, classes] on the pool's {N, C, 1, 1} output. At batch 1 this
    // is a GEMV bound by reading the weights; oneDNN 2.6's inner product runs it through
    // x64:gemm:jit, its matmul through brg:avx512_core with the weights in a blocked layout,
    // measured 0.17 -> 0.13 ms at 0.75-224 on one thread (1.0: 0.17 -> 0.14).
    BuiltLayer classifier(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                          const memory::desc& src) const override {
        const memory::dim n = env.cfg.batch;
        const memory::desc src2d = as_matrix(src);
        dnnl::matmul::desc desc(src2d, memory::desc({l.in_c, l.out_c}, dt::f32, tag::any),
                                memory::desc({1, l.out_c}, dt::f32, tag::ab),
                                memory::desc({n, l.out_c}, dt::f32, tag::ab));
        dnnl::matmul::primitive_desc pd(desc, make_attr(), env.eng);
        BuiltLayer b = built_layer(pd, dnnl::matmul(pd));
        b.src = src;
        b.views[DNNL_ARG_SRC] = src2d;
        // The weights are [classes][C] (oi); as the matmul's [C, classes] that is layout ba.
        b.constants[DNNL_ARG_WEIGHTS] =
            reordered(env, memory::desc({l.in_c, l.out_c}, dt::f32, tag::ba), pd.weights_desc(), w.weights);
        b.constants[DNNL_ARG_BIAS] = bias_memory(env, pd.bias_desc(), w.bias);
        return b;
    }

    BuiltLayer softmax(const BuildEnv& env, const LayerSpec&, const memory::desc& src) const override {
        dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, src, 1);
        dnnl::softmax_forward::primitive_desc pd(desc, make_attr(), env.eng);
        return built_layer(pd, dnnl::softmax_forward(pd));
    }
};

}  // namespace

const LayerBuilders& f32_layer_builders() {
    static const F32Builders builders;
    return builders;
}

}  // namespace mnv1
