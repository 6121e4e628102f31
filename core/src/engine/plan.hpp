// Engine-internal: what a CompiledNetwork holds. A compiled network is a list of
// primitives ("steps") whose constant arguments (reordered weights, biases) it owns and
// whose tensor arguments (input, layer outputs, scratchpad) each ExecutionContext binds
// to its own buffers.
#pragma once

#include <dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/huge_pages.hpp"
#include "mobilenet/network.hpp"

namespace mnv1 {

// A tensor argument of a step, resolved to memory by each context.
struct TensorRef {
    enum class Kind {
        UserInput,       // the caller's NHWC f32 input
        ReorderedInput,  // the input in the first layer's layout (when it differs)
        LayerOutput,     // output of layer `layer`
        Aux,             // auxiliary buffer `layer` (index into Impl::aux) of a multi-step layer
    } kind = Kind::UserInput;
    int layer = -1;
    std::size_t offset = 0;  // bytes from the tensor's start (a view of part of it; see views)
};

struct PlannedStep {
    dnnl::primitive prim;
    int layer = -1;        // index into the layer table; -1 for the input reorder
    std::string name;
    std::string impl;      // oneDNN implementation string
    std::vector<std::pair<int, TensorRef>> tensors;          // DNNL_ARG_* -> tensor
    std::unordered_map<int, dnnl::memory> constants;         // DNNL_ARG_* -> shared, read-only
    dnnl::memory::desc scratchpad;                           // zero size: none
    std::unordered_map<int, dnnl::memory::desc> views;       // DNNL_ARG_* -> view of its tensor
    int threads = 0;       // OpenMP threads it was created for and runs with; 0: the network's
    // Row-split networks (Impl::parts > 1): the part of the layer's rows this step computes,
    // run by thread `part` of the team; -1: a whole-layer step, run outside the team with
    // oneDNN's own threading (as every step of a network that is not row-split).
    int part = -1;
};

struct CompiledNetwork::Impl {
    NetworkConfig cfg;
    ArchConfig arch;
    std::vector<LayerSpec> layers;
    std::shared_ptr<const ModelWeights> weights;
    dnnl::engine eng;
    int threads = 1;
    // > 1: the network runs row-split. Each split convolution (rows_pay in
    // compiled_network.cpp) is `parts` single-threaded primitives over consecutive ranges
    // of output rows, one per OpenMP thread, with a barrier between layers; the other
    // layers use oneDNN's threading. 1: every step uses oneDNN's threading.
    int parts = 1;

    // Holds every step's constants (weights, biases, scales: PlannedStep::constants point
    // into it). Declared before `steps` so that it is destroyed after them.
    HugePageArena constants_arena;

    dnnl::memory::desc user_input;        // NHWC f32
    dnnl::memory::desc reordered_input;   // zero size when the first layer takes user_input as is
    std::vector<dnnl::memory::desc> outputs;  // per layer: its dst desc
    // Per layer: its output may live in a shared ping-pong buffer (convolutions) when
    // the context does not keep activations.
    std::vector<bool> pingpong;
    std::vector<PlannedStep> steps;
    std::vector<std::string> impls;       // per layer
    // Per context: buffers private to a layer's extra steps (zero-filled once), e.g. the
    // int8 path's exact outlier channels.
    std::vector<dnnl::memory::desc> aux;
    // Per layer: how copy_activation turns the stored values into real ones,
    // real = scale * (stored - zero_point); scale 0: stored values are real already.
    struct Dequant {
        float scale = 0;
        std::int32_t zero_point = 0;
    };
    std::vector<Dequant> dequant;
    // Per layer: the order its output channels are stored in (ArrangedWeights); empty:
    // the network's own.
    std::vector<std::vector<int>> channel_order;
    int feature_layer = -1;
    double build_ms = 0;

    // oneDNN primitives must not run from two threads at once: every context of this
    // network holds this lock for the length of its forward().
    mutable std::mutex exec_mutex;
};

}  // namespace mnv1
