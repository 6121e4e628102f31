// oneDNN forward pass: a network is a list of primitives built once and run in a loop.
//
// Build (per weights x NetworkConfig): every convolution is created with
// format_tag::any so oneDNN picks its preferred (blocked) layouts; the trained
// weights are reordered into those layouts once; BN is already folded into the
// weights, the bias rides along and ReLU6/ReLU is a post-op; depthwise is a grouped
// convolution. Convolutions write into two ping-pong buffers (the last ones, including
// the class-activation-map source, survive the pass); with keep_activations every
// layer writes its own buffer for feature-map views. One user-mode scratchpad serves
// all primitives, so forward() allocates nothing.
#include "mobilenet/network.hpp"

#include <dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <list>
#include <stdexcept>
#include <unordered_map>

namespace mnv1 {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

const char* to_string(Precision) { return "f32"; }

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int resolve_threads(int threads) { return threads > 0 ? threads : hardware_threads(); }

// One primitive with its arguments; `layer` indexes the cost table (-1: input reorder).
struct Step {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
    int layer = -1;
    std::string name;
    std::string impl;
};

memory::dims conv_weight_dims(const LayerSpec& l) {
    if (l.kind == LayerKind::Depthwise) return {l.in_c, 1, 1, l.kernel, l.kernel};
    return {l.out_c, l.in_c, l.kernel, l.kernel};
}

// Plain (user) memory wrapping a float vector the ModelWeights owns. oneDNN only
// reads it (reorder source), so dropping const is safe.
memory wrap_const(const memory::desc& md, const dnnl::engine& eng, const std::vector<float>& data) {
    return memory(md, eng, const_cast<float*>(data.data()));
}

}  // namespace

struct Network::Impl {
    NetworkConfig cfg;
    ArchConfig arch;
    std::vector<LayerSpec> layers;
    std::shared_ptr<const ModelWeights> weights;
    dnnl::engine eng;
    dnnl::stream strm;
    int threads = 1;

    memory input;                 // user input, NHWC f32
    std::vector<memory> outputs;  // per layer (parallel to `layers`)
    std::vector<bool> retained;   // per layer: output still valid after forward()
    std::vector<Step> steps;
    std::vector<std::string> impls;
    int feature_layer = -1;

    // Without keep_activations, convolutions write into two ping-pong buffers (a
    // smaller working set: activations stay in cache next to the weights). Memory
    // objects are created without a handle and bound once the sizes are known.
    struct Binding {
        memory mem;
        int buffer;  // 0/1: ping-pong activation buffer, 2: shared scratchpad
    };
    std::vector<Binding> bindings;
    std::size_t buffer_bytes[3] = {0, 0, 0};
    memory buffers[3];
    int next_pingpong = 0;

    bool profiling = false;
    std::vector<LayerProfile> profile;
    double build_ms = 0;

    void build();

    // Every primitive uses the network's one scratchpad (user mode): nothing is
    // allocated behind our back during forward().
    static dnnl::primitive_attr make_attr(const dnnl::post_ops* ops = nullptr) {
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        if (ops) attr.set_post_ops(*ops);
        return attr;
    }

    memory bound_later(const memory::desc& md, int buffer) {
        memory m(md, eng, DNNL_MEMORY_NONE);
        bindings.push_back({m, buffer});
        buffer_bytes[buffer] = std::max(buffer_bytes[buffer], md.get_size());
        return m;
    }

    // Records layer `l` as a step: allocates (or binds) its output and scratchpad.
    void add_step(const dnnl::primitive_desc_base& pd, dnnl::primitive prim, const LayerSpec& l,
                  std::unordered_map<int, memory> args, bool pingpong) {
        const memory::desc dst_md = pd.dst_desc(0);
        memory dst = pingpong ? bound_later(dst_md, next_pingpong) : memory(dst_md, eng);
        if (pingpong) next_pingpong ^= 1;
        args[DNNL_ARG_DST] = dst;
        if (pd.scratchpad_desc().get_size() != 0) args[DNNL_ARG_SCRATCHPAD] = bound_later(pd.scratchpad_desc(), 2);
        const auto idx = static_cast<std::size_t>(l.index);
        impls[idx] = pd.impl_info_str();
        outputs[idx] = dst;
        steps.push_back({std::move(prim), std::move(args), l.index, l.name, impls[idx]});
    }

    // Weights reordered once from the canonical plain layout into the layout the
    // primitive chose (format_tag::any).
    memory reordered_weights(const memory::desc& user_md, const memory::desc& prim_md,
                             const std::vector<float>& data) {
        memory user = wrap_const(user_md, eng, data);
        memory out(prim_md, eng);
        dnnl::reorder(user, out).execute(strm, user, out);
        return out;
    }
    memory bias_memory(const memory::desc& md, const std::vector<float>& bias) {
        memory m(md, eng);
        std::memcpy(m.get_data_handle(), bias.data(), bias.size() * sizeof(float));
        return m;
    }

    void add_conv(const LayerSpec& l, const LayerWeights& w, const memory::desc& src_md,
                  const memory* src_mem);
};

void Network::Impl::add_conv(const LayerSpec& l, const LayerWeights& w, const memory::desc& src_md,
                             const memory* src_mem) {
    const memory::dim n = cfg.batch;
    const memory::desc w_any(conv_weight_dims(l), dt::f32, tag::any);
    const memory::desc b_md({l.out_c}, dt::f32, tag::x);
    const memory::desc dst_any({n, l.out_c, l.out_h, l.out_w}, dt::f32, tag::any);
    const memory::dims strides = {l.stride, l.stride};
    const memory::dims pad_l = {l.pad_top, l.pad_left};
    const memory::dims pad_r = {l.pad_bottom, l.pad_right};

    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::convolution_direct, src_md, w_any, b_md,
                                         dst_any, strides, pad_l, pad_r);
    dnnl::post_ops ops;
    if (weights->activation == Activation::Relu6) {
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 6.0f);
    } else {
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    }
    dnnl::convolution_forward::primitive_desc pd(desc, make_attr(&ops), eng);

    // The first convolution also decides the input layout; reorder the user's NHWC
    // tensor into it when they differ.
    memory src;
    if (src_mem) {
        src = *src_mem;
    } else if (pd.src_desc() == input.get_desc()) {
        src = input;
    } else {
        src = memory(pd.src_desc(), eng);
        dnnl::reorder::primitive_desc rpd(eng, input.get_desc(), eng, pd.src_desc());
        steps.push_back({dnnl::reorder(rpd), {{DNNL_ARG_FROM, input}, {DNNL_ARG_TO, src}}, -1,
                         "input reorder", rpd.impl_info_str()});
    }

    const memory::desc w_user(conv_weight_dims(l), dt::f32,
                              l.kind == LayerKind::Depthwise ? tag::goihw : tag::oihw);
    add_step(pd, dnnl::convolution_forward(pd), l,
             {{DNNL_ARG_SRC, src},
              {DNNL_ARG_WEIGHTS, reordered_weights(w_user, pd.weights_desc(), w.weights)},
              {DNNL_ARG_BIAS, bias_memory(pd.bias_desc(), w.bias)}},
             !cfg.keep_activations);
}

void Network::Impl::build() {
    const auto t0 = Clock::now();
    omp_set_num_threads(threads);
    const memory::dim n = cfg.batch;
    input = memory({{n, 3, cfg.resolution, cfg.resolution}, dt::f32, tag::nhwc}, eng);
    outputs.assign(layers.size(), memory());
    impls.assign(layers.size(), "");

    std::size_t wi = 0;  // index into weights->layers
    const memory* prev = nullptr;
    for (const LayerSpec& l : layers) {
        switch (l.kind) {
            case LayerKind::ConvFull:
            case LayerKind::Depthwise:
            case LayerKind::Pointwise: {
                const memory::desc src_md =
                    prev ? prev->get_desc()
                         : memory::desc({n, 3, cfg.resolution, cfg.resolution}, dt::f32, tag::any);
                add_conv(l, weights->layers[wi++], src_md, prev);
                feature_layer = l.index;
                break;
            }
            case LayerKind::AvgPool: {
                const memory::desc dst_any({n, l.out_c, 1, 1}, dt::f32, tag::any);
                dnnl::pooling_forward::desc desc(
                    dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_avg_exclude_padding,
                    prev->get_desc(), dst_any, {1, 1}, {l.in_h, l.in_w}, {0, 0}, {0, 0});
                dnnl::pooling_forward::primitive_desc pd(desc, make_attr(), eng);
                add_step(pd, dnnl::pooling_forward(pd), l, {{DNNL_ARG_SRC, *prev}}, false);
                break;
            }
            case LayerKind::FullyConnected: {
                const LayerWeights& w = weights->layers[wi++];
                const memory::dims wdims = {l.out_c, l.in_c, 1, 1};
                dnnl::inner_product_forward::desc desc(
                    dnnl::prop_kind::forward_inference, prev->get_desc(),
                    memory::desc(wdims, dt::f32, tag::any), memory::desc({l.out_c}, dt::f32, tag::x),
                    memory::desc({n, l.out_c}, dt::f32, tag::nc));
                dnnl::inner_product_forward::primitive_desc pd(desc, make_attr(), eng);
                const memory::desc w_user(wdims, dt::f32, tag::oihw);
                add_step(pd, dnnl::inner_product_forward(pd), l,
                         {{DNNL_ARG_SRC, *prev},
                          {DNNL_ARG_WEIGHTS, reordered_weights(w_user, pd.weights_desc(), w.weights)},
                          {DNNL_ARG_BIAS, bias_memory(pd.bias_desc(), w.bias)}},
                         false);
                break;
            }
            case LayerKind::Softmax: {
                dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, prev->get_desc(), 1);
                dnnl::softmax_forward::primitive_desc pd(desc, make_attr(), eng);
                add_step(pd, dnnl::softmax_forward(pd), l, {{DNNL_ARG_SRC, *prev}}, false);
                break;
            }
        }
        prev = &outputs[static_cast<std::size_t>(l.index)];
    }

    // Bind the ping-pong buffers and the scratchpad now that their sizes are known.
    for (int b = 0; b < 3; ++b) {
        if (buffer_bytes[b] == 0) continue;
        buffers[b] = memory(memory::desc({static_cast<memory::dim>(buffer_bytes[b])}, dt::u8, tag::x), eng);
    }
    for (const Binding& bnd : bindings) bnd.mem.set_data_handle(buffers[bnd.buffer].get_data_handle());
    // A layer's output survives forward() unless a later layer reuses its buffer.
    retained.assign(layers.size(), true);
    for (std::size_t i = 0; i < layers.size(); ++i) {
        for (std::size_t j = i + 1; j < layers.size() && retained[i]; ++j) {
            if (outputs[j] && outputs[i] &&
                outputs[j].get_data_handle() == outputs[i].get_data_handle()) {
                retained[i] = false;
            }
        }
    }

    strm.wait();  // weight reorders done
    // One warm-up pass (JIT code paged in, caches and OpenMP team up), so the first
    // latency a user sees is the steady-state one.
    std::memset(input.get_data_handle(), 0, input.get_desc().get_size());
    for (Step& s : steps) s.prim.execute(strm, s.args);
    strm.wait();
    profile.reserve(steps.size());
    build_ms = ms_since(t0);
}

Network::Network(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Network::~Network() = default;

const NetworkConfig& Network::config() const { return impl_->cfg; }
const ArchConfig& Network::arch() const { return impl_->arch; }
const std::vector<LayerSpec>& Network::layers() const { return impl_->layers; }
const ModelWeights& Network::weights() const { return *impl_->weights; }
const std::shared_ptr<const ModelWeights>& Network::weights_ptr() const { return impl_->weights; }

float* Network::input() { return static_cast<float*>(impl_->input.get_data_handle()); }

std::size_t Network::input_floats() const {
    return static_cast<std::size_t>(impl_->cfg.batch) * static_cast<std::size_t>(impl_->cfg.resolution) *
           static_cast<std::size_t>(impl_->cfg.resolution) * 3;
}

void Network::forward() {
    Impl& m = *impl_;
    omp_set_num_threads(m.threads);
    if (!m.profiling) {
        for (Step& s : m.steps) s.prim.execute(m.strm, s.args);
        m.strm.wait();
        return;
    }
    m.profile.clear();
    for (Step& s : m.steps) {
        const auto t0 = Clock::now();
        s.prim.execute(m.strm, s.args);
        m.strm.wait();
        m.profile.push_back({s.layer, s.name, ms_since(t0), s.impl});
    }
}

const float* Network::probabilities() const {
    return static_cast<const float*>(impl_->outputs.back().get_data_handle());
}

void Network::set_profiling(bool on) { impl_->profiling = on; }
bool Network::profiling() const { return impl_->profiling; }
const std::vector<LayerProfile>& Network::profile() const { return impl_->profile; }
const std::vector<std::string>& Network::implementations() const { return impl_->impls; }
double Network::build_ms() const { return impl_->build_ms; }
int Network::feature_layer() const { return impl_->feature_layer; }

bool Network::has_activation(int layer) const {
    return layer >= 0 && layer < static_cast<int>(impl_->retained.size()) &&
           impl_->retained[static_cast<std::size_t>(layer)];
}

void Network::copy_activation(int layer, int image, std::vector<float>& hwc) const {
    const Impl& m = *impl_;
    if (layer < 0 || layer >= static_cast<int>(m.layers.size())) {
        throw std::out_of_range("layer index " + std::to_string(layer) + " out of range");
    }
    if (image < 0 || image >= m.cfg.batch) {
        throw std::out_of_range("image index " + std::to_string(image) + " out of range");
    }
    if (!m.retained[static_cast<std::size_t>(layer)]) {
        throw std::logic_error("the output of layer " + m.layers[static_cast<std::size_t>(layer)].name +
                               " is not kept; build with NetworkConfig::keep_activations");
    }
    const LayerSpec& l = m.layers[static_cast<std::size_t>(layer)];
    const memory& src = m.outputs[static_cast<std::size_t>(layer)];
    const memory::dim n = m.cfg.batch;
    const memory::desc plain_md = src.get_desc().dims().size() == 2
                                      ? memory::desc({n, l.out_c}, dt::f32, tag::nc)
                                      : memory::desc({n, l.out_c, l.out_h, l.out_w}, dt::f32, tag::nhwc);
    memory plain(plain_md, m.eng);
    dnnl::stream strm = m.strm;
    dnnl::reorder(src, plain).execute(strm, const_cast<memory&>(src), plain);
    strm.wait();
    const std::size_t per_image = static_cast<std::size_t>(l.out_c) * static_cast<std::size_t>(l.out_h) *
                                  static_cast<std::size_t>(l.out_w);
    const float* base = static_cast<const float*>(plain.get_data_handle()) +
                        per_image * static_cast<std::size_t>(image);
    hwc.assign(base, base + per_image);
}

// ---------------------------------------------------------------------------
// Runtime: engine + stream once, networks cached per (weights, config).

struct Runtime::Impl {
    struct Entry {
        std::shared_ptr<const ModelWeights> weights;
        NetworkConfig cfg;
        std::unique_ptr<Network> net;
    };
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm{eng};
    std::size_t max_cached;
    std::list<Entry> entries;  // most recently used first

    explicit Impl(std::size_t cap) : max_cached(std::max<std::size_t>(cap, 1)) {}

    std::list<Entry>::iterator find(const ModelWeights* w, const NetworkConfig& cfg) {
        return std::find_if(entries.begin(), entries.end(), [&](const Entry& e) {
            return e.weights.get() == w && e.cfg == cfg;
        });
    }
};

Runtime::Runtime(std::size_t max_cached) : impl_(std::make_unique<Impl>(max_cached)) {}
Runtime::~Runtime() = default;

Network& Runtime::network(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg) {
    if (!weights) throw std::invalid_argument("no weights given");
    if (cfg.batch < 1 || cfg.batch > 1024) {
        throw std::invalid_argument("batch must be in [1, 1024], got " + std::to_string(cfg.batch));
    }
    if (cfg.threads < 0 || cfg.threads > 1024) {
        throw std::invalid_argument("threads must be in [0, 1024], got " + std::to_string(cfg.threads));
    }
    auto it = impl_->find(weights.get(), cfg);
    if (it != impl_->entries.end()) {
        impl_->entries.splice(impl_->entries.begin(), impl_->entries, it);
        return *impl_->entries.front().net;
    }

    auto m = std::make_unique<Network::Impl>();
    m->cfg = cfg;
    m->arch = weights->arch(cfg.resolution);
    m->layers = layer_table(m->arch);  // validates alpha / resolution
    check_shapes(*weights, m->arch);
    m->weights = weights;
    m->eng = impl_->eng;
    m->strm = impl_->strm;
    m->threads = resolve_threads(cfg.threads);
    try {
        m->build();
    } catch (const dnnl::error& e) {
        throw std::runtime_error(std::string("oneDNN could not build the network: ") + e.what());
    }

    impl_->entries.push_front({weights, cfg, std::unique_ptr<Network>(new Network(std::move(m)))});
    while (impl_->entries.size() > impl_->max_cached) impl_->entries.pop_back();
    return *impl_->entries.front().net;
}

bool Runtime::is_cached(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg) const {
    return impl_->find(weights.get(), cfg) != impl_->entries.end();
}

std::size_t Runtime::cache_size() const { return impl_->entries.size(); }
void Runtime::clear_cache() { impl_->entries.clear(); }

std::string onednn_version() {
    const dnnl_version_t* v = dnnl_version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

std::string onednn_cpu_isa() {
    switch (dnnl::get_effective_cpu_isa()) {
        case dnnl::cpu_isa::sse41: return "sse41";
        case dnnl::cpu_isa::avx: return "avx";
        case dnnl::cpu_isa::avx2: return "avx2";
        case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
        case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
        case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
        case dnnl::cpu_isa::avx512_core: return "avx512_core";
        case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
        case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
        case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
        default: return "all";
    }
}

int hardware_threads() { return std::max(1, omp_get_num_procs()); }

}  // namespace mnv1
