// An execution of a compiled network: the buffers one forward pass reads and writes.
//
// Without keep_activations, convolutions write into two ping-pong buffers (a smaller
// working set: activations stay in cache next to the weights); the last layers'
// outputs, including the class-activation-map source, survive the pass. One scratchpad
// buffer serves every primitive (user mode; one per row part, as parts run at once), so
// forward() allocates nothing. Every step's argument map is built here once.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "engine/plan.hpp"

namespace mnv1 {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

using Clock = std::chrono::steady_clock;

// A buffer of `md` in the context's huge-page arena (zero-filled, as the arena's memory is).
memory arena_memory(HugePageArena& arena, const dnnl::engine& eng, const memory::desc& md) {
    return memory(md, eng, arena.allocate(md.get_size()));
}

memory byte_buffer(HugePageArena& arena, const dnnl::engine& eng, std::size_t bytes) {
    return arena_memory(arena, eng, memory::desc({static_cast<memory::dim>(std::max<std::size_t>(bytes, 1))}, dt::u8, tag::x));
}

// Zero-fills a buffer the context made (an unset one, e.g. no ping-pong pair, is skipped).
void zero_fill(const memory& m) {
    if (m) std::memset(m.get_data_handle(), 0, m.get_desc().get_size());
}

}  // namespace

struct ExecutionContext::State {
    HugePageArena arena;  // every buffer below (first: destroyed last)
    ContextOptions options;
    dnnl::stream strm;
    std::vector<dnnl::stream> part_streams;  // row-split networks: one per part after the first
    memory user_input, reordered_input;
    std::vector<memory> outputs;   // per layer
    std::vector<bool> retained;    // per layer: output still valid after forward()
    memory pingpong[2];
    std::vector<memory> scratchpads;  // one per part (row parts run at the same time)
    std::vector<memory> aux;       // per Impl::aux
    std::vector<std::unordered_map<int, memory>> args;  // per step
    bool profiling = false;
    std::vector<LayerProfile> profile;
};

ExecutionContext::ExecutionContext(CompiledNetworkPtr network, ContextOptions options)
    : network_(std::move(network)) {
    if (!network_) throw std::invalid_argument("no compiled network given");
    const CompiledNetwork::Impl& p = network_->impl();
    auto s = std::make_unique<State>();
    s->options = options;
    s->strm = dnnl::stream(p.eng);
    s->user_input = arena_memory(s->arena, p.eng, p.user_input);
    // Zeroed below, once: int8 conv0 without VNNI reads channels no step writes (their
    // weights are 0); they must still hold defined bytes.
    if (p.reordered_input.get_size() != 0) s->reordered_input = arena_memory(s->arena, p.eng, p.reordered_input);

    // Layer outputs: own buffers, or alternating between the two ping-pong buffers.
    const std::size_t n = p.layers.size();
    const bool share = !options.keep_activations;
    std::size_t pingpong_bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (share && p.pingpong[i]) pingpong_bytes = std::max(pingpong_bytes, p.outputs[i].get_size());
    }
    std::vector<std::size_t> scratch_bytes(static_cast<std::size_t>(p.parts), 0);
    for (const PlannedStep& st : p.steps) {
        std::size_t& b = scratch_bytes[static_cast<std::size_t>(std::max(st.part, 0))];
        b = std::max(b, st.scratchpad.get_size());
    }
    if (share) {
        for (memory& b : s->pingpong) b = byte_buffer(s->arena, p.eng, pingpong_bytes);
    }
    for (const std::size_t bytes : scratch_bytes) {
        s->scratchpads.push_back(bytes ? byte_buffer(s->arena, p.eng, bytes) : memory());
    }
    for (int i = 1; i < p.parts; ++i) s->part_streams.emplace_back(p.eng);
    s->outputs.resize(n);
    int next = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (share && p.pingpong[i]) {
            s->outputs[i] = memory(p.outputs[i], p.eng, s->pingpong[next].get_data_handle());
            next ^= 1;
        } else {
            s->outputs[i] = arena_memory(s->arena, p.eng, p.outputs[i]);
        }
    }
    for (const memory::desc& md : p.aux) s->aux.push_back(arena_memory(s->arena, p.eng, md));
    // Every buffer written once now (the arena's pages are zero already, so the input
    // starts blank and buffers some steps only read hold defined bytes): a new context's
    // first forward() does not pay for the page faults (~2.5 ms at 1.0-224) and look
    // slower than it is.
    for (const memory& m : s->pingpong) zero_fill(m);
    for (const memory& m : s->scratchpads) zero_fill(m);
    for (const memory& m : s->outputs) zero_fill(m);
    for (const memory& m : s->aux) zero_fill(m);
    zero_fill(s->user_input);
    zero_fill(s->reordered_input);

    // A layer's output survives forward() unless a later layer reuses its buffer.
    s->retained.assign(n, true);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n && s->retained[i]; ++j) {
            if (s->outputs[j].get_data_handle() == s->outputs[i].get_data_handle()) s->retained[i] = false;
        }
    }

    s->args.reserve(p.steps.size());
    for (const PlannedStep& st : p.steps) {
        std::unordered_map<int, memory> args = st.constants;
        for (const auto& [arg, ref] : st.tensors) {
            switch (ref.kind) {
                case TensorRef::Kind::UserInput: args[arg] = s->user_input; break;
                case TensorRef::Kind::ReorderedInput: args[arg] = s->reordered_input; break;
                case TensorRef::Kind::LayerOutput: args[arg] = s->outputs[static_cast<std::size_t>(ref.layer)]; break;
                case TensorRef::Kind::Aux: args[arg] = s->aux[static_cast<std::size_t>(ref.layer)]; break;
            }
            const auto v = st.views.find(arg);
            if (v != st.views.end() || ref.offset != 0) {
                const memory::desc md = v != st.views.end() ? v->second : args[arg].get_desc();
                args[arg] = memory(md, p.eng, static_cast<char*>(args[arg].get_data_handle()) + ref.offset);
            }
        }
        if (st.scratchpad.get_size() != 0) {
            const memory& buffer = s->scratchpads[static_cast<std::size_t>(std::max(st.part, 0))];
            args[DNNL_ARG_SCRATCHPAD] = memory(st.scratchpad, p.eng, buffer.get_data_handle());
        }
        s->args.push_back(std::move(args));
    }
    s->profile.reserve(p.steps.size());
    state_ = std::move(s);
}

ExecutionContext::~ExecutionContext() = default;

const ContextOptions& ExecutionContext::options() const { return state_->options; }

float* ExecutionContext::input() { return static_cast<float*>(state_->user_input.get_data_handle()); }

// One walk for both plans, a layer's steps at a time. Whole-layer steps (part -1: every
// step of a network that is not row-split; in a row-split one the input reorder, an
// unsplit first layer, pool, classifier, softmax) run with oneDNN's own threading, each
// with the thread count it was created for (PlannedStep::threads). A run of split layers
// is one OpenMP team: every thread runs its own part of a layer (single-threaded
// primitives, so nothing inside oneDNN forks or waits), then all meet at a barrier
// before the next layer reads the rows the others wrote. A smaller team than planned
// (nested parallelism, a thread limit) runs the extra parts in turn. With profiling on,
// a layer's steps are timed together, as one entry named after its main step.
void ExecutionContext::forward() {
    const CompiledNetwork::Impl& p = network_->impl();
    State& s = *state_;
    const std::lock_guard<std::mutex> lock(p.exec_mutex);
    const std::size_t n = p.steps.size();
    if (s.profiling) s.profile.clear();
    omp_set_num_threads(p.threads);
    int threads = p.threads;
    // One past the last step of the layer whose steps start at `begin`.
    auto layer_end = [&](std::size_t begin) {
        std::size_t end = begin;
        while (end < n && p.steps[end].layer == p.steps[begin].layer) ++end;
        return end;
    };
    auto record = [&](std::size_t begin, std::size_t end, Clock::time_point t0) {
        s.strm.wait();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        const PlannedStep* main = &p.steps[begin];
        const int layer = main->layer;
        for (std::size_t i = begin; i < end && layer >= 0; ++i) {
            if (p.steps[i].name == p.layers[static_cast<std::size_t>(layer)].name) main = &p.steps[i];
        }
        s.profile.push_back({layer, main->name, ms, main->impl});
    };
    for (std::size_t begin = 0; begin < n;) {
        const auto t0 = s.profiling ? Clock::now() : Clock::time_point{};  // no clock reads unless profiling
        if (p.steps[begin].part < 0) {  // a whole layer
            const std::size_t end = layer_end(begin);
            for (std::size_t i = begin; i < end; ++i) {
                const PlannedStep& st = p.steps[i];
                const int want = st.threads > 0 ? st.threads : p.threads;
                if (want != threads) omp_set_num_threads(threads = want);
                st.prim.execute(s.strm, s.args[i]);
            }
            if (s.profiling) record(begin, end, t0);
            begin = end;
            continue;
        }
        std::size_t region_end = begin;  // the run of split layers
        while (region_end < n && p.steps[region_end].part >= 0) ++region_end;
        if (threads != p.threads) omp_set_num_threads(threads = p.threads);
        // An exception must not leave the parallel region (nor skip a barrier the other
        // threads wait at): the first one is kept and rethrown after the region.
        std::exception_ptr error;
#pragma omp parallel num_threads(p.parts)
        {
            const int team = omp_get_num_threads(), me = omp_get_thread_num();
            dnnl::stream& strm = me == 0 ? s.strm : s.part_streams[static_cast<std::size_t>(me - 1)];
            for (std::size_t first = begin; first < region_end;) {
                const std::size_t end = layer_end(first);
                const auto layer_t0 = s.profiling && me == 0 ? Clock::now() : Clock::time_point{};
                for (std::size_t i = first; i < end; ++i) {
                    if (p.steps[i].part % team != me) continue;
                    try {
                        p.steps[i].prim.execute(strm, s.args[i]);
                    } catch (...) {
#pragma omp critical(mnv1_row_split_error)
                        if (!error) error = std::current_exception();
                    }
                }
#pragma omp barrier
                if (s.profiling && me == 0) record(first, end, layer_t0);
                first = end;
            }
        }
        if (error) std::rethrow_exception(error);
        begin = region_end;
    }
    s.strm.wait();
    if (threads != p.threads) omp_set_num_threads(p.threads);
}

const float* ExecutionContext::probabilities() const {
    return static_cast<const float*>(state_->outputs.back().get_data_handle());
}

void ExecutionContext::set_profiling(bool on) { state_->profiling = on; }
bool ExecutionContext::profiling() const { return state_->profiling; }
const std::vector<LayerProfile>& ExecutionContext::profile() const { return state_->profile; }

bool ExecutionContext::has_activation(int layer) const {
    return layer >= 0 && layer < static_cast<int>(state_->retained.size()) &&
           state_->retained[static_cast<std::size_t>(layer)];
}

void ExecutionContext::copy_activation(int layer, int image, std::vector<float>& hwc) const {
    const CompiledNetwork::Impl& p = network_->impl();
    if (layer < 0 || layer >= static_cast<int>(p.layers.size())) {
        throw std::out_of_range("layer index " + std::to_string(layer) + " out of range");
    }
    if (image < 0 || image >= p.cfg.batch) {
        throw std::out_of_range("image index " + std::to_string(image) + " out of range");
    }
    const auto li = static_cast<std::size_t>(layer);
    if (!state_->retained[li]) {
        throw std::logic_error("the output of layer " + p.layers[li].name +
                               " is not kept; create the context with ContextOptions::keep_activations");
    }
    const LayerSpec& l = p.layers[li];
    const memory& src = state_->outputs[li];
    const memory::dim n = p.cfg.batch;
    const memory::desc plain_md = src.get_desc().dims().size() == 2
                                      ? memory::desc({n, l.out_c}, dt::f32, tag::nc)
                                      : memory::desc({n, l.out_c, l.out_h, l.out_w}, dt::f32, tag::nhwc);
    memory plain(plain_md, p.eng);
    dnnl::stream strm = state_->strm;
    dnnl::reorder(src, plain).execute(strm, const_cast<memory&>(src), plain);
    strm.wait();
    const std::size_t per_image = static_cast<std::size_t>(l.out_c) * static_cast<std::size_t>(l.out_h) *
                                  static_cast<std::size_t>(l.out_w);
    const float* base = static_cast<const float*>(plain.get_data_handle()) + per_image * static_cast<std::size_t>(image);
    hwc.assign(base, base + per_image);
    if (const std::vector<int>& order = p.channel_order[li]; !order.empty()) {  // stored channel j is order[j]
        const std::vector<float> stored(hwc);
        const std::size_t c = order.size();
        for (std::size_t px = 0; px < stored.size() / c; ++px) {
            for (std::size_t j = 0; j < c; ++j) hwc[px * c + static_cast<std::size_t>(order[j])] = stored[px * c + j];
        }
    }
    // Quantized layers (int8) store q: give scale * (q - zero_point).
    if (const CompiledNetwork::Impl::Dequant d = p.dequant[li]; d.scale != 0) {
        const auto zp = static_cast<float>(d.zero_point);
        for (float& v : hwc) v = d.scale * (v - zp);
    }
}

}  // namespace mnv1
