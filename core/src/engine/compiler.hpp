// Engine-internal: turning (weights, config) into a CompiledNetwork.
#pragma once

#include <dnnl.hpp>

#include <memory>

#include "engine/plan.hpp"

namespace mnv1 {

// Builds every primitive and reorders the weights once, then runs one warm-up pass (JIT
// code paged in, OpenMP team up) so the first latency a user sees is the steady-state
// one. `threads` is the resolved OpenMP thread count. Throws std::invalid_argument for
// a bad alpha / resolution, std::runtime_error when the weights do not fit, dnnl::error
// when oneDNN fails.
CompiledNetworkPtr compile_network(const dnnl::engine& eng, const std::shared_ptr<const ModelWeights>& weights,
                                   const NetworkConfig& cfg, int threads);

}  // namespace mnv1
