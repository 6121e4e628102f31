// Runtime: the oneDNN engine once, compiled networks cached per (weights, config).
#include <dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <list>
#include <mutex>
#include <stdexcept>

#include "engine/compiler.hpp"

namespace mnv1 {

struct Runtime::Impl {
    struct Entry {
        std::shared_ptr<const ModelWeights> weights;
        NetworkConfig cfg;
        CompiledNetworkPtr net;
    };
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    std::size_t max_cached;
    mutable std::mutex mutex;  // guards entries
    std::list<Entry> entries;  // most recently used first

    explicit Impl(std::size_t cap) : max_cached(std::max<std::size_t>(cap, 1)) {}

    std::list<Entry>::const_iterator find(const ModelWeights* w, const NetworkConfig& cfg) const {
        return std::find_if(entries.begin(), entries.end(),
                            [&](const Entry& e) { return e.weights.get() == w && e.cfg == cfg; });
    }
};

Runtime::Runtime(std::size_t max_cached) : impl_(std::make_unique<Impl>(max_cached)) {}
Runtime::~Runtime() = default;

CompiledNetworkPtr Runtime::compile(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg) {
    if (!weights) throw std::invalid_argument("no weights given");
    if (cfg.batch < 1 || cfg.batch > 1024) {
        throw std::invalid_argument("batch must be in [1, 1024], got " + std::to_string(cfg.batch));
    }
    if (cfg.threads < 0 || cfg.threads > 1024) {
        throw std::invalid_argument("threads must be in [0, 1024], got " + std::to_string(cfg.threads));
    }
    const std::lock_guard<std::mutex> lock(impl_->mutex);
    if (auto it = impl_->find(weights.get(), cfg); it != impl_->entries.end()) {
        impl_->entries.splice(impl_->entries.begin(), impl_->entries, it);
        return impl_->entries.front().net;
    }
    CompiledNetworkPtr net;
    try {
        net = compile_network(impl_->eng, weights, cfg, cfg.threads > 0 ? cfg.threads : hardware_threads());
    } catch (const dnnl::error& e) {
        throw std::runtime_error(std::string("oneDNN could not build the network: ") + e.what());
    }
    impl_->entries.push_front({weights, cfg, net});
    while (impl_->entries.size() > impl_->max_cached) impl_->entries.pop_back();
    return net;
}

bool Runtime::is_cached(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg) const {
    const std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->find(weights.get(), cfg) != impl_->entries.end();
}

std::size_t Runtime::cache_size() const {
    const std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->entries.size();
}

void Runtime::clear_cache() {
    const std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->entries.clear();
}

std::size_t Runtime::evict(const std::shared_ptr<const ModelWeights>& weights) {
    const std::lock_guard<std::mutex> lock(impl_->mutex);
    const std::size_t before = impl_->entries.size();
    impl_->entries.remove_if([&](const Impl::Entry& e) { return e.weights == weights; });
    return before - impl_->entries.size();
}

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

bool onednn_has_vnni() {
    switch (dnnl::get_effective_cpu_isa()) {
        case dnnl::cpu_isa::avx2_vnni:
        case dnnl::cpu_isa::avx512_core_vnni:
        case dnnl::cpu_isa::avx512_core_bf16:
        case dnnl::cpu_isa::avx512_core_amx: return true;
        default: return false;
    }
}

int hardware_threads() { return std::max(1, omp_get_num_procs()); }

}  // namespace mnv1
