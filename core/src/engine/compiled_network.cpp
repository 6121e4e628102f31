// Compiling a network: walk the layer table, let the precision's builder set make one
// primitive per layer, and record which tensors each step reads and writes. The result
// is immutable; contexts bind their own buffers to it.
#include "engine/compiler.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
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
    dnnl::stream strm(eng);  // for the one-time weight reorders
    const BuildEnv env{eng, strm, cfg, *weights};
    const memory::dim n = cfg.batch;
    const memory::dims input_dims = {n, 3, cfg.resolution, cfg.resolution};
    p->user_input = memory::desc(input_dims, memory::data_type::f32, tag::nhwc);
    p->outputs.assign(p->layers.size(), memory::desc());
    p->pingpong.assign(p->layers.size(), false);
    p->impls.assign(p->layers.size(), "");
    p->dequant.assign(p->layers.size(), {});

    std::size_t wi = 0;  // index into weights->layers
    for (const LayerSpec& l : p->layers) {
        const auto li = static_cast<std::size_t>(l.index);
        const bool first = li == 0;
        const memory::desc src = first ? memory::desc(input_dims, builders.input_type(), tag::any) : p->outputs[li - 1];
        BuiltLayer b;
        switch (l.kind) {
            case LayerKind::ConvFull:
            case LayerKind::Depthwise:
            case LayerKind::Pointwise:
                b = builders.convolution(env, l, weights->layers[wi++], src);
                p->pingpong[li] = true;
                p->feature_layer = l.index;
                break;
            case LayerKind::AvgPool: b = builders.pooling(env, l, src); break;
            case LayerKind::FullyConnected: b = builders.classifier(env, l, weights->layers[wi++], src); break;
            case LayerKind::Softmax: b = builders.softmax(env, l, src); break;
        }

        TensorRef src_ref{TensorRef::Kind::LayerOutput, l.index - 1};
        if (first) {
            // The first layer decides the input layout; reorder the user's NHWC tensor
            // into it when they differ.
            src_ref = {TensorRef::Kind::UserInput, -1};
            if (b.src != p->user_input) {
                p->reordered_input = b.src;
                // The reorder fills all of the layer's input, or the part input_view names.
                const bool part = b.input_view.get_size() != 0;
                const memory::desc to = part ? b.input_view : b.src;
                dnnl::reorder::primitive_desc rpd(eng, p->user_input, eng, to, builders.input_reorder_attr(env));
                std::unordered_map<int, memory::desc> views;
                if (part) views[DNNL_ARG_TO] = to;
                p->steps.push_back({dnnl::reorder(rpd), -1, "input reorder", rpd.impl_info_str(),
                                    {{DNNL_ARG_FROM, {TensorRef::Kind::UserInput, -1}},
                                     {DNNL_ARG_TO, {TensorRef::Kind::ReorderedInput, -1}}},
                                    {}, memory::desc(), std::move(views)});
                src_ref = {TensorRef::Kind::ReorderedInput, -1};
            }
        }
        p->outputs[li] = b.dst;
        p->impls[li] = b.impl;
        p->dequant[li] = {b.dequant_scale, b.dequant_zero_point};
        // A layer's further steps (BuiltLayer::extra), with its tensors resolved.
        const int aux_base = static_cast<int>(p->aux.size());
        p->aux.insert(p->aux.end(), b.aux.begin(), b.aux.end());
        auto plan_extra = [&](BuiltLayer::Step& e) {
            PlannedStep st{std::move(e.prim), l.index, e.name, e.impl, {}, std::move(e.constants), e.scratchpad, {},
                           e.threads};
            for (const auto& [arg, t] : e.tensors) {
                TensorRef ref = src_ref;
                if (t.kind == BuiltLayer::StepTensor::Kind::LayerOutput) ref = {TensorRef::Kind::LayerOutput, l.index};
                if (t.kind == BuiltLayer::StepTensor::Kind::Aux) ref = {TensorRef::Kind::Aux, aux_base + t.aux};
                ref.offset = t.offset;
                st.tensors.emplace_back(arg, ref);
                if (t.view.get_size() != 0) st.views[arg] = t.view;
            }
            p->steps.push_back(std::move(st));
        };
        for (BuiltLayer::Step& e : b.extra) {
            if (e.before_main) plan_extra(e);
        }
        p->steps.push_back({std::move(b.prim), l.index, l.name, b.impl,
                            {{DNNL_ARG_SRC, src_ref}, {DNNL_ARG_DST, {TensorRef::Kind::LayerOutput, l.index}}},
                            std::move(b.constants), b.scratchpad, std::move(b.views)});
        for (BuiltLayer::Step& e : b.extra) {
            if (!e.before_main) plan_extra(e);
        }
    }
    strm.wait();  // weight reorders done
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
        ExecutionContext warm_up(net);
        std::fill(warm_up.input(), warm_up.input() + warm_up.input_floats(), 0.0f);
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
const std::vector<std::string>& CompiledNetwork::implementations() const { return impl_->impls; }
double CompiledNetwork::build_ms() const { return impl_->build_ms; }
int CompiledNetwork::feature_layer() const { return impl_->feature_layer; }

std::size_t CompiledNetwork::input_floats() const {
    return static_cast<std::size_t>(impl_->cfg.batch) * static_cast<std::size_t>(impl_->cfg.resolution) *
           static_cast<std::size_t>(impl_->cfg.resolution) * 3;
}

}  // namespace mnv1
