#include "engine/kernel_choice.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_map>

namespace mnv1 {

namespace {

dnnl::memory zeroed(const BuildEnv& env, const dnnl::memory::desc& md) {
    dnnl::memory m(md, env.eng);
    if (md.get_size() > 0) std::memset(m.get_data_handle(), 0, md.get_size());
    return m;
}

}  // namespace

double time_main_primitive(const BuildEnv& env, const BuiltLayer& b) {
    if (!b.main_tensors.empty()) return -1;
    for (const auto& [arg, view] : b.views) {
        if (arg != DNNL_ARG_SRC) return -1;
    }
    std::unordered_map<int, dnnl::memory> args = b.constants;
    const auto src_view = b.views.find(DNNL_ARG_SRC);
    args.emplace(DNNL_ARG_SRC, zeroed(env, src_view != b.views.end() ? src_view->second : b.src));
    args.emplace(DNNL_ARG_DST, zeroed(env, b.dst));
    if (b.scratchpad.get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, zeroed(env, b.scratchpad));

    // Depthwise layers take 10-200 us: 7 timed runs keep the choice well under a
    // millisecond per layer and its median steady against a stray interruption.
    constexpr int kRuns = 7;
    b.prim.execute(env.strm, args);  // warm-up: caches, page faults of the new buffers
    env.strm.wait();
    std::vector<double> us;
    us.reserve(kRuns);
    for (int i = 0; i < kRuns; ++i) {
        const auto start = std::chrono::steady_clock::now();
        b.prim.execute(env.strm, args);
        env.strm.wait();
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(us.begin(), us.begin() + kRuns / 2, us.end());
    return us[kRuns / 2];
}

}  // namespace mnv1
