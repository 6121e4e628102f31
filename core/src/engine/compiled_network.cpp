// Compiling a network: walk the layer table, let the precision's builder set make one
// primitive per layer, and record which tensors each step reads and writes. The result
// is immutable; contexts bind their own buffers to it.
#include "engine/compiler.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <stdexcept>

#include "engine/layer_builders.hpp"

namespace mnv1 {

using dnnl::memory;
using tag = memory::format_tag;

const char* to_string(Precision p) {
    switch (p) {
        case Precision::F32: return "f32";
        case Precision::Int8: return "int8";
    }
    return "?";
}

const LayerBuilders& layer_builders(Precision precision) {
    switch (precision) {
        case Precision::F32: return f32_layer_builders();
        case Precision::Int8: return int8_layer_builders();
    }
    throw std::invalid_argument("no layer builders for this precision");
}

namespace {

using Clock = std::chrono::steady_clock;

// Copies every step's constants into the network's huge-page arena (huge_pages.hpp) and
// points the steps at the copies; the buffers oneDNN allocated are freed with the last
// reference. Memory several steps share (row parts' weights) stays one copy.
void move_constants_to_arena(CompiledNetwork::Impl& p) {
    std::unordered_map<void*, std::size_t> bytes;  // buffer -> the most any step reads of it
    for (const PlannedStep& st : p.steps) {
        for (const auto& [arg, m] : st.constants) {
            std::size_t& b = bytes[m.get_data_handle()];
            b = std::max(b, m.get_desc().get_size());
        }
    }
    std::unordered_map<void*, void*> moved;
    for (PlannedStep& st : p.steps) {
        for (auto& [arg, m] : st.constants) {
            void* old = m.get_data_handle();
            auto it = moved.find(old);
            if (it == moved.end()) {
                const std::size_t size = bytes.at(old);
                void* copy = p.constants_arena.allocate(size);
                std::memcpy(copy, old, size);
                it = moved.emplace(old, copy).first;
            }
            m = memory(m.get_desc(), p.eng, it->second);
        }
    }
}

// How many row parts a network runs in: one per thread at batch 1 (larger batches keep
// oneDNN's own threading, which has the batch to share out).
//
// Why rows: with oneDNN's threading every primitive forks its team, splits its own work
// its own way and joins, so a thread reads rows another thread wrote a layer before, and
// the small layers hardly scale: at 0.5-224 on a 2-core AMD EPYC (avx512) the 2-thread
// profile had dw1 0.048 -> 0.086 ms and pw1 0.084 -> 0.111 ms against 1 thread, the pass
// 1.75 ms against 1.89 ms. Running the depthwise layers alone on one thread was worse
// (2.1 ms). Split by rows, each thread keeps its rows from layer to layer, and nothing
// forks inside a layer. One interleaved run of scripts/bench-vs-ort.sh (3 rounds, 2
// threads, all 16 alpha x resolution pairs, rows against `--parallel primitives` in the
// same rounds): fp32 rows / primitives geomean 0.921 (0.76-1.07); fp32 / ORT geomean
// 0.833, worst 0.984; int8 / ORT int8 geomean 0.768, worst 0.890. The run before it that
// day, primitives only: fp32 / ORT 0.896, worst 1.056; int8 / ORT int8 0.917, worst 1.013.
int split_parts(const NetworkConfig& cfg, int threads) {
    return cfg.row_split && cfg.batch == 1 && threads > 1 ? threads : 1;
}

// Whether splitting a layer's rows pays: each part reads all of the weights, so a
// pointwise layer whose weights far outweigh its activations (the 7x7 layers at large
// alpha: 2-4 MB of weights against 0.3-0.4 MB of pixels) runs better on oneDNN's
// own threading, which splits the output channels and so the weights. A depthwise
// layer goes with the pointwise layer after it, so the split runs stay long.
bool rows_pay(const std::vector<LayerSpec>& layers, std::size_t i) {
    const LayerSpec& l = layers[i];
    if (l.kind == LayerKind::Depthwise && i + 1 < layers.size()) return rows_pay(layers, i + 1);
    if (l.kind != LayerKind::Pointwise) return true;
    const std::int64_t pixels = std::int64_t{l.in_h} * l.in_w * l.in_c + std::int64_t{l.out_h} * l.out_w * l.out_c;
    return 2 * pixels >= l.params;  // 14x14x512 (2 x 0.2 M pixels, 0.26 M weights): rows, measured
}

// Part `part` of `parts` of a layer's output rows, and the input rows it reads: the
// layer's spec restricted to them, with the padding that falls inside the part.
struct RowPart {
    LayerSpec spec;
    int out_pixel = 0, in_pixel = 0;  // first output / input pixel of the part (row-major)
};

RowPart row_part(const LayerSpec& l, int part, int parts) {
    RowPart r;
    r.spec = l;
    if (l.kernel == 1 && l.stride == 1) {
        // A 1x1 convolution is a matmul over pixels: split the pixels themselves (a part
        // is a one-row image of its pixels), so 7x7 divides as evenly as 112x112.
        const int pixels = l.out_h * l.out_w;
        r.out_pixel = r.in_pixel = pixels * part / parts;
        const int count = pixels * (part + 1) / parts - r.out_pixel;
        r.spec.in_h = r.spec.out_h = 1;
        r.spec.in_w = r.spec.out_w = count;
        r.spec.pad_top = r.spec.pad_bottom = r.spec.pad_left = r.spec.pad_right = 0;
        return r;
    }
    const int out_first = l.out_h * part / parts, out_end = l.out_h * (part + 1) / parts;
    const int lo = out_first * l.stride - l.pad_top;                // first input row the taps reach
    const int hi = (out_end - 1) * l.stride - l.pad_top + l.kernel;  // one past the last
    const int in_first = std::max(lo, 0);
    r.out_pixel = out_first * l.out_w;
    r.in_pixel = in_first * l.in_w;
    r.spec.out_h = out_end - out_first;
    r.spec.in_h = std::min(hi, l.in_h) - in_first;
    r.spec.pad_top = in_first - lo;
    r.spec.pad_bottom = hi - std::min(hi, l.in_h);
    return r;
}

// The nhwc desc of a part of a batch-1 nhwc tensor [1, C, rows, width], and the bytes
// of one pixel.
memory::desc part_of(const memory::desc& whole, int rows, int width) {
    return memory::desc({1, whole.dims()[1], rows, width}, whole.data_type(), tag::nhwc);
}
std::size_t pixel_bytes(const memory::desc& whole) {
    const memory::dims d = whole.dims();
    return whole.get_size() / static_cast<std::size_t>(d[2] * d[3]);
}

// Appends one built layer (its main primitive and extra steps, in order) to the plan.
// src_ref / dst_ref: the tensors the layer reads and writes, at the byte offset of the
// part it computes; the extra steps' own offsets are relative to that.
void add_layer_steps(CompiledNetwork::Impl& p, const LayerSpec& l, BuiltLayer b, const TensorRef& src_ref,
                     const TensorRef& dst_ref, int part) {
    const int aux_base = static_cast<int>(p.aux.size());
    p.aux.insert(p.aux.end(), b.aux.begin(), b.aux.end());
    auto bind = [&](PlannedStep& st, int arg, const BuiltLayer::StepTensor& t) {
        TensorRef ref = src_ref;
        if (t.kind == BuiltLayer::StepTensor::Kind::LayerOutput) ref = dst_ref;
        if (t.kind == BuiltLayer::StepTensor::Kind::Aux) ref = {TensorRef::Kind::Aux, aux_base + t.aux};
        ref.offset += t.offset;
        st.tensors.emplace_back(arg, ref);
        if (t.view.get_size() != 0) st.views[arg] = t.view;
    };
    auto plan_extra = [&](BuiltLayer::Step& e) {
        PlannedStep st{std::move(e.prim), l.index, e.name, e.impl, {}, std::move(e.constants), e.scratchpad, {},
                       e.threads, part};
        for (const auto& [arg, t] : e.tensors) bind(st, arg, t);
        p.steps.push_back(std::move(st));
    };
    for (BuiltLayer::Step& e : b.extra) {
        if (e.before_main) plan_extra(e);
    }
    std::unordered_map<int, memory::desc> views = std::move(b.views);
    if (part >= 0) {  // the part's own descs of the bytes it reads and writes
        views.try_emplace(DNNL_ARG_SRC, b.src);
        views.try_emplace(DNNL_ARG_DST, b.dst);
    }
    PlannedStep main{std::move(b.prim), l.index, l.name, b.impl, {{DNNL_ARG_SRC, src_ref}, {DNNL_ARG_DST, dst_ref}},
                     std::move(b.constants), b.scratchpad, std::move(views), 0, part};
    for (const auto& [arg, t] : b.main_tensors) {  // may replace its source or destination
        std::erase_if(main.tensors, [arg = arg](const auto& e) { return e.first == arg; });
        bind(main, arg, t);
    }
    p.steps.push_back(std::move(main));
    for (BuiltLayer::Step& e : b.extra) {
        if (!e.before_main) plan_extra(e);
    }
}

std::unique_ptr<CompiledNetwork::Impl> plan(const dnnl::engine& eng, const std::shared_ptr<const ModelWeights>& weights,
                                            const NetworkConfig& cfg, int threads) {
    auto p = std::make_unique<CompiledNetwork::Impl>();
    p->cfg = cfg;
    p->arch = weights->arch(cfg.resolution);
    p->layers = layer_table(p->arch);  // validates alpha / resolution
    check_shapes(*weights, p->arch);
    p->weights = weights;
    p->eng = eng;
    p->threads = threads;
    omp_set_num_threads(threads);

    const LayerBuilders& builders = layer_builders(cfg.precision);
    // What the builders compile (p->weights stays the model as loaded: what callers see).
    const ArrangedWeights arranged = builders.arrange(weights, p->layers);
    const ModelWeights& built_weights = *arranged.weights;
    p->channel_order = arranged.channel_order;
    p->channel_order.resize(p->layers.size());
    dnnl::stream strm(eng);  // for the one-time weight reorders
    BuildEnv env{eng, strm, cfg, built_weights};
    const memory::dim n = cfg.batch;
    const memory::dims input_dims = {n, 3, cfg.resolution, cfg.resolution};
    p->user_input = memory::desc(input_dims, memory::data_type::f32, tag::nhwc);
    p->outputs.assign(p->layers.size(), memory::desc());
    p->pingpong.assign(p->layers.size(), false);
    p->impls.assign(p->layers.size(), "");
    p->dequant.assign(p->layers.size(), {});

    // Row split: at batch 1 with several threads, each convolution becomes one
    // single-threaded primitive per thread over its own range of output rows.
    p->parts = split_parts(cfg, threads);
    env.plain_activations = p->parts > 1;

    std::size_t wi = 0;  // index into weights->layers
    for (const LayerSpec& l : p->layers) {
        const auto li = static_cast<std::size_t>(l.index);
        const bool first = li == 0;
        const bool conv = l.kind == LayerKind::ConvFull || l.kind == LayerKind::Depthwise ||
                          l.kind == LayerKind::Pointwise;
        // Split this layer? Its rows must go round, and the first layer must be able to read
        // the user's nhwc input in place (input type f32: the fp32 network, and int8's conv0
        // in its exact f32 form, which quantizes its own rows; otherwise int8 quantizes the
        // input in a whole-tensor reorder).
        const int parts = conv && rows_pay(p->layers, li) && l.out_h >= p->parts &&
                                  (!first || builders.input_type(env) == memory::data_type::f32)
                              ? p->parts
                              : 1;
        if (parts > 1) {
            const memory::desc whole_src = first ? p->user_input : p->outputs[li - 1];
            const LayerWeights& w = built_weights.layers[wi++];
            std::unordered_map<int, dnnl::memory> shared;  // constants of part 0, reused when equal
            const SingleThreaded single;  // a part runs alone on its thread
            for (int part = 0; part < parts; ++part) {
                const RowPart rp = row_part(l, part, parts);
                const memory::desc src = part_of(whole_src, rp.spec.in_h, rp.spec.in_w);
                BuiltLayer b = builders.convolution(env, rp.spec, w, src);
                if (b.src != src || b.input_view.get_size() != 0) {
                    throw std::logic_error(l.name + ": a row part chose its own input layout");
                }
                // The Layers table says the kernel ran as parts: "brgconv_1x1:avx512_core [2 row parts]".
                b.impl += " [" + std::to_string(parts) + (l.kernel == 1 && l.stride == 1 ? " pixel" : " row") + " parts]";
                for (auto& [arg, m] : b.constants) {
                    if (part == 0) {
                        shared[arg] = m;
                    } else if (shared.count(arg) && shared[arg].get_desc() == m.get_desc() &&
                               std::memcmp(shared[arg].get_data_handle(), m.get_data_handle(),
                                           m.get_desc().get_size()) == 0) {
                        m = shared[arg];
                    }
                }
                const std::size_t in_offset = pixel_bytes(whole_src) * static_cast<std::size_t>(rp.in_pixel);
                if (part == 0) {
                    p->outputs[li] = memory::desc({1, l.out_c, l.out_h, l.out_w}, b.dst.data_type(), tag::nhwc);
                    p->impls[li] = b.impl;
                    p->dequant[li] = {b.dequant_scale, b.dequant_zero_point};
                    p->pingpong[li] = true;
                    p->feature_layer = l.index;
                }
                const std::size_t out_offset = pixel_bytes(p->outputs[li]) * static_cast<std::size_t>(rp.out_pixel);
                TensorRef src_ref = first ? TensorRef{TensorRef::Kind::UserInput, -1}
                                          : TensorRef{TensorRef::Kind::LayerOutput, l.index - 1};
                src_ref.offset = in_offset;
                TensorRef dst_ref{TensorRef::Kind::LayerOutput, l.index};
                dst_ref.offset = out_offset;
                add_layer_steps(*p, l, std::move(b), src_ref, dst_ref, part);
            }
            continue;
        }

        const memory::desc src = first ? memory::desc(input_dims, builders.input_type(env), tag::any) : p->outputs[li - 1];
        BuiltLayer b;
        switch (l.kind) {
            case LayerKind::ConvFull:
            case LayerKind::Depthwise:
            case LayerKind::Pointwise:
                b = builders.convolution(env, l, built_weights.layers[wi++], src);
                p->pingpong[li] = true;
                p->feature_layer = l.index;
                break;
            case LayerKind::AvgPool: b = builders.pooling(env, l, src); break;
            case LayerKind::FullyConnected: b = builders.classifier(env, l, built_weights.layers[wi++], src); break;
            case LayerKind::Softmax: b = builders.softmax(env, l, src); break;
        }

        TensorRef src_ref{TensorRef::Kind::LayerOutput, l.index - 1};
        if (first) {
            // The first layer decides the input layout; reorder the user's NHWC tensor
            // into it when they differ.
            src_ref = {TensorRef::Kind::UserInput, -1};
            if (b.src != p->user_input) {
                p->reordered_input = b.src;
                // The reorder fills all of the layer's input, or the part input_view names,
                // or the layer's own aux buffer input_aux.
                const bool to_aux = b.input_aux >= 0;
                const bool part = !to_aux && b.input_view.get_size() != 0;
                const memory::desc to = to_aux ? b.aux.at(static_cast<std::size_t>(b.input_aux))
                                        : part ? b.input_view
                                               : b.src;
                const TensorRef target = to_aux ? TensorRef{TensorRef::Kind::Aux, static_cast<int>(p->aux.size()) +
                                                                                      b.input_aux}
                                                : TensorRef{TensorRef::Kind::ReorderedInput, -1};
                dnnl::reorder::primitive_desc rpd(eng, p->user_input, eng, to, builders.input_reorder_attr(env));
                std::unordered_map<int, memory::desc> views;
                if (part) views[DNNL_ARG_TO] = to;
                p->steps.push_back({dnnl::reorder(rpd), -1, "input reorder", rpd.impl_info_str(),
                                    {{DNNL_ARG_FROM, {TensorRef::Kind::UserInput, -1}}, {DNNL_ARG_TO, target}},
                                    {}, memory::desc(), std::move(views)});
                src_ref = {TensorRef::Kind::ReorderedInput, -1};
            }
        }
        p->outputs[li] = b.dst;
        p->impls[li] = b.impl;
        p->dequant[li] = {b.dequant_scale, b.dequant_zero_point};
        add_layer_steps(*p, l, std::move(b), src_ref, {TensorRef::Kind::LayerOutput, l.index}, -1);
    }
    strm.wait();  // weight reorders done
    move_constants_to_arena(*p);
    return p;
}

}  // namespace

CompiledNetworkPtr compile_network(const dnnl::engine& eng, const std::shared_ptr<const ModelWeights>& weights,
                                   const NetworkConfig& cfg, int threads) {
    const auto t0 = Clock::now();
    auto impl = plan(eng, weights, cfg, threads);
    CompiledNetwork::Impl* built = impl.get();  // the network below is not const yet
    auto net = std::make_shared<CompiledNetwork>(std::move(impl));
    {
        ExecutionContext warm_up(net);  // its input starts blank
        warm_up.forward();
    }
    built->build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return net;
}

CompiledNetwork::CompiledNetwork(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledNetwork::~CompiledNetwork() = default;

const NetworkConfig& CompiledNetwork::config() const { return impl_->cfg; }
const ArchConfig& CompiledNetwork::arch() const { return impl_->arch; }
const std::vector<LayerSpec>& CompiledNetwork::layers() const { return impl_->layers; }
const ModelWeights& CompiledNetwork::weights() const { return *impl_->weights; }
const std::shared_ptr<const ModelWeights>& CompiledNetwork::weights_ptr() const { return impl_->weights; }
int CompiledNetwork::threads() const { return impl_->threads; }
int CompiledNetwork::row_parts() const { return impl_->parts; }
const std::vector<std::string>& CompiledNetwork::implementations() const { return impl_->impls; }
double CompiledNetwork::build_ms() const { return impl_->build_ms; }
int CompiledNetwork::feature_layer() const { return impl_->feature_layer; }

std::size_t CompiledNetwork::input_floats() const {
    return static_cast<std::size_t>(impl_->cfg.batch) * static_cast<std::size_t>(impl_->cfg.resolution) *
           static_cast<std::size_t>(impl_->cfg.resolution) * 3;
}

}  // namespace mnv1
