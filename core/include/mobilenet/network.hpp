// The oneDNN forward pass of MobileNet v1, split the way ncnn splits Net/Extractor and
// llama.cpp model/context:
//
//  - CompiledNetwork: what one (weights, NetworkConfig) compiles to — primitives and
//    the weights reordered into their layouts. Immutable once built; shared through
//    CompiledNetworkPtr by every context that runs it.
//  - ExecutionContext: the state of running it — input, activations, scratchpad,
//    profile. Cheap to create (a few buffer allocations); make one per use (live
//    classification, a feature-map view, a sweep) so they never disturb each other.
//  - Runtime: the oneDNN engine (created once) and an LRU cache of compiled networks.
//    Its handles keep what they point to alive: eviction only drops the cache's own
//    reference.
//
// Threading:
//  - Runtime: every member may be called from any thread (the cache is locked; a
//    build runs under that lock, so two threads never build the same network twice).
//  - CompiledNetwork: const and thread-safe to share.
//  - ExecutionContext: one thread at a time. Contexts of the same CompiledNetwork may
//    live on different threads: forward() serializes them on the compiled network's
//    lock, so one primitive never runs from two threads at once (oneDNN's rule).
//  - The OpenMP thread count is set for the calling thread on every forward().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mobilenet/arch.hpp"
#include "mobilenet/weights.hpp"

namespace mnv1 {

// Numeric precision a network is compiled for. Each precision has its own set of layer
// builders in the engine (core/src/engine/); adding one is adding a builder set.
//  - F32: any weights.
//  - Int8: quantized weights: every layer must carry a QuantizedLayer (the released
//    uint8 TFLite models, or float models calibrated to the same form: per-tensor or
//    per-channel weight scales and zero points, per-tensor uint8 activations) and the
//    input zero point must be 128. The model's own scales and zero points are
//    requantized between layers as TFLite (with XNNPACK) does, bit for bit; see
//    core/src/engine/int8_builders.cpp. Compiling other weights at Int8 throws
//    std::invalid_argument. The input is still the f32 tensor of input(), quantized with
//    the model's input scale; activations between layers are uint8 (copy_activation
//    gives their real values scale * (q - zero_point)); probabilities() stay f32 but,
//    when the model quantizes its output (the releases: 1/256), hold exactly the
//    model's uint8 output q * scale, so equal ones are ordered by class index by
//    top_k, as TFLite orders them.
enum class Precision { F32, Int8 };
const char* to_string(Precision p);

// Everything that selects a distinct set of primitives. The weights are the other
// half of a compiled network's identity (see Runtime::compile).
struct NetworkConfig {
    int resolution = 224;   // input side in pixels, [32, 1024]
    int batch = 1;          // images per forward pass, [1, 1024]
    int threads = 0;        // OpenMP threads for this network; 0 = all cores
    Precision precision = Precision::F32;
    // How several threads share a batch-1 pass. true: each thread runs its own range of
    // rows of each layer with single-threaded primitives, one barrier per layer (weight-
    // heavy 7x7 pointwise layers and the classifier excepted); false: oneDNN's threading
    // inside every primitive, as at batch > 1. Both compute the same outputs.
    bool row_split = true;
    bool operator==(const NetworkConfig&) const = default;
};

// One timed step of a profiled forward pass (a layer, or a reorder between layers).
struct LayerProfile {
    int layer = -1;         // index into CompiledNetwork::layers(); -1 for the input reorder
    std::string name;       // "conv0", "dw1", ..., "input reorder"
    double ms = 0;          // wall time of this step, milliseconds
    std::string impl;       // oneDNN implementation, e.g. "jit:avx512_core"
};

class CompiledNetwork {
public:
    ~CompiledNetwork();
    CompiledNetwork(const CompiledNetwork&) = delete;
    CompiledNetwork& operator=(const CompiledNetwork&) = delete;

    const NetworkConfig& config() const;
    const ArchConfig& arch() const;
    const std::vector<LayerSpec>& layers() const;     // the cost table this network runs
    const ModelWeights& weights() const;
    const std::shared_ptr<const ModelWeights>& weights_ptr() const;
    bool pretrained() const { return weights().origin != WeightsOrigin::Random; }
    int num_classes() const { return arch().num_classes; }
    int threads() const;                               // resolved OpenMP thread count (>= 1)
    int row_parts() const;  // threads sharing each split layer by rows; 1: not row-split
    // Floats in one input tensor: batch x resolution x resolution x 3.
    std::size_t input_floats() const;

    // oneDNN implementation chosen for each layer (parallel to layers(); "" for none).
    const std::vector<std::string>& implementations() const;
    // Milliseconds spent compiling (primitive creation + weight reorders + one warm-up pass).
    double build_ms() const;
    // Index of the last convolution before the pool (the class-activation-map source).
    int feature_layer() const;

    // Engine-internal (core/src/engine/plan.hpp): the plan contexts execute.
    struct Impl;
    explicit CompiledNetwork(std::unique_ptr<Impl> impl);
    const Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

using CompiledNetworkPtr = std::shared_ptr<const CompiledNetwork>;

struct ContextOptions {
    // Keep every layer's output after forward() (feature-map views). Off: convolutions
    // share two ping-pong buffers, a smaller working set and faster; only the last
    // layers' outputs (including the class-activation-map source) stay readable.
    bool keep_activations = false;
};

class ExecutionContext {
public:
    // Allocates the buffers of one execution of `network` (which it keeps alive).
    // Throws std::invalid_argument for a null network.
    explicit ExecutionContext(CompiledNetworkPtr network, ContextOptions options = {});
    ~ExecutionContext();
    ExecutionContext(const ExecutionContext&) = delete;
    ExecutionContext& operator=(const ExecutionContext&) = delete;

    const CompiledNetwork& network() const { return *network_; }
    const CompiledNetworkPtr& network_ptr() const { return network_; }
    const ContextOptions& options() const;

    // Input tensor: batch x resolution x resolution x 3 floats, NHWC, already scaled
    // to the model's range; all zeros in a new context. Owned by the context; valid for
    // its lifetime.
    float* input();
    std::size_t input_floats() const { return network_->input_floats(); }

    // Runs the whole network on input(). No primitive creation, allocation or file
    // access happens here. With profiling on, each step is timed separately (slower).
    void forward();

    // batch x num_classes probabilities of the last forward(). Owned by the context.
    const float* probabilities() const;

    void set_profiling(bool on);
    bool profiling() const;
    // Per-step timings of the last forward() run with profiling on.
    const std::vector<LayerProfile>& profile() const;

    // The output of layer `layer` (index into layers()) for image `image` of the last
    // forward(), copied out as height x width x channels floats: real values, also for
    // an Int8 network (its uint8 q dequantized: scale * (q - zero_point)). Not for the
    // hot path.
    // Throws std::out_of_range for a bad index and std::logic_error when that output
    // was not kept (see ContextOptions::keep_activations).
    void copy_activation(int layer, int image, std::vector<float>& hwc) const;
    bool has_activation(int layer) const;

private:
    struct State;
    CompiledNetworkPtr network_;
    std::unique_ptr<State> state_;
};

// Owns the oneDNN engine (created once) and a cache of compiled networks.
class Runtime {
public:
    // max_cached: compiled networks the cache keeps; the least recently used one is
    // dropped past it (handles held elsewhere stay valid).
    explicit Runtime(std::size_t max_cached = 16);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // The compiled network for these weights and config: built on first use, then
    // cached, so returning to a configuration seen before is instant. Throws
    // std::invalid_argument for a bad config (resolution, batch, threads) and
    // std::runtime_error when the weights do not fit the architecture or oneDNN fails.
    CompiledNetworkPtr compile(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg);
    bool is_cached(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg) const;
    std::size_t cache_size() const;
    void clear_cache();
    // Drops every cached network compiled from `weights` (a one-off use, e.g. a large
    // counterfactual timed once); handles held elsewhere stay valid. Returns how many.
    std::size_t evict(const std::shared_ptr<const ModelWeights>& weights);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Facts about the oneDNN in use, for About boxes and benchmark headers.
std::string onednn_version();   // e.g. "2.6.3"
std::string onednn_cpu_isa();   // ISA oneDNN dispatches to, e.g. "avx512_core_vnni"
// Whether that ISA has VNNI (u8 x s8 products summed straight into 32 bits). Without it
// oneDNN 2.6's int8 convolutions and matmuls sum pairs of products in 16 bits with
// saturation; the int8 engine then maps the layers differently to stay exact.
bool onednn_has_vnni();
int hardware_threads();

}  // namespace mnv1
