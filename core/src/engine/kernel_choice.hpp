// Engine-internal: choosing between the implementations oneDNN offers for one primitive by
// timing them when the network is built.
//
// oneDNN takes the first implementation in its own list, and that is not always the fastest
// on the CPU at hand. Measured on an AMD EPYC (Zen 4: avx512_core_vnni, 512-bit operations
// split in two), 1 thread, nhwc: for depthwise layers its first pick, brdgmm_dw, took 118 us
// at 112x112x32 (f32) where jit_dw took 75 (int8 without zero points: 142 against 112), and
// 15-35% more at the other shapes of MobileNet v1 but the last; whole networks at 1 thread
// ran 7-10% faster at 0.25-128 and 0.5-192 with jit_dw. Whether that holds on Intel
// CPUs, for which oneDNN's order was tuned, is not known here: hence a measurement,
// not a fixed preference.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/layer_builders.hpp"

namespace mnv1 {

// Median wall time of `b.prim` in microseconds over a few runs after one warm-up, with its
// constants bound and zero-filled scratch buffers for its source, destination and scratchpad.
// Returns a negative value when the layer needs tensors beyond those (main_tensors, views
// other than the source's). Build time only, on the building thread (never concurrently
// with another use of `b.prim`).
double time_main_primitive(const BuildEnv& env, const BuiltLayer& b);

// The implementations worth timing for an operation: the first one oneDNN lists and the
// next, when it has the same instruction set (the text after the first ':' in
// impl_info_str, e.g. avx512_core). oneDNN lists the specialised kernels first and the
// general ones after: for a depthwise layer the third of the same instruction set is its
// general direct convolution (jit:avx512_core, ~20x slower; timing it cost 5-8 ms per
// layer), and lower instruction sets and the reference kernels come last.
// Each primitive_desc is made from `desc` afresh: copies of one share its implementation
// iterator, and next_impl() on one would move the others' too. The iterator reads `desc`
// while it is used, so `desc` must outlive this call (not the results).
template <class PrimitiveDesc, class OpDesc>
std::vector<PrimitiveDesc> implementations_to_time(const OpDesc& desc, const dnnl::primitive_attr& attr,
                                                   const dnnl::engine& eng) {
    const auto isa_of = [](const std::string& impl) {
        const auto colon = impl.find(':');
        return colon == std::string::npos ? std::string() : impl.substr(colon + 1);
    };
    std::vector<PrimitiveDesc> found{PrimitiveDesc(desc, attr, eng)};
    const std::string isa = isa_of(found.front().impl_info_str());
    PrimitiveDesc next(desc, attr, eng);
    if (!isa.empty() && next.next_impl() && isa_of(next.impl_info_str()) == isa) found.push_back(next);
    return found;
}

// Builds the layer with each of implementations_to_time(desc, attr) and keeps the faster by
// time_main_primitive: oneDNN's first pick unless the other is at least 5% faster, so that
// noise does not flip the choice between builds. With one candidate nothing is timed.
template <class PrimitiveDesc, class OpDesc>
BuiltLayer fastest_implementation(const BuildEnv& env, const OpDesc& desc, const dnnl::primitive_attr& attr,
                                  const std::function<BuiltLayer(const PrimitiveDesc&)>& build) {
    const std::vector<PrimitiveDesc> candidates = implementations_to_time<PrimitiveDesc>(desc, attr, env.eng);
    BuiltLayer first = build(candidates.front());
    if (candidates.size() == 1) return first;
    const double first_us = time_main_primitive(env, first);
    if (first_us < 0) return first;
    BuiltLayer second = build(candidates[1]);
    const double second_us = time_main_primitive(env, second);
    return second_us >= 0 && second_us < 0.95 * first_us ? second : first;
}

}  // namespace mnv1
