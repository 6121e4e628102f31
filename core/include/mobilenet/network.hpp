// The oneDNN forward pass of MobileNet v1.
//
// Threading: a Runtime and every Network it hands out belong to ONE thread at a
// time (the inference worker): oneDNN primitives must never run from two threads
// at once, and the OpenMP thread count is set per calling thread. Different
// Runtimes on different threads are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mobilenet/arch.hpp"
#include "mobilenet/weights.hpp"

namespace mnv1 {

enum class Precision { F32 };
const char* to_string(Precision p);

// Everything that selects a distinct set of primitives. The weights are the other
// half of a Network's identity (see Runtime::network).
struct NetworkConfig {
    int resolution = 224;   // input side in pixels, [32, 1024]
    int batch = 1;          // images per forward pass, >= 1
    int threads = 0;        // OpenMP threads for this network; 0 = all cores
    Precision precision = Precision::F32;
    // Keep every layer's output after forward() (feature-map views). Off: layers share
    // two ping-pong buffers, a smaller working set and faster; only the last layers'
    // outputs (including the class-activation-map source) stay readable.
    bool keep_activations = false;
    bool operator==(const NetworkConfig&) const = default;
};

// One timed step of a profiled forward pass (a layer, or a reorder between layers).
struct LayerProfile {
    int layer = -1;         // index into Network::layers(); -1 for the input reorder
    std::string name;       // "conv0", "dw1", ..., "input reorder"
    double ms = 0;          // wall time of this step, milliseconds
    std::string impl;       // oneDNN implementation, e.g. "jit:avx512_core"
};

class Network {
public:
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    const NetworkConfig& config() const;
    const ArchConfig& arch() const;
    const std::vector<LayerSpec>& layers() const;     // the cost table this network runs
    const ModelWeights& weights() const;
    const std::shared_ptr<const ModelWeights>& weights_ptr() const;
    bool pretrained() const { return weights().origin != WeightsOrigin::Random; }
    int num_classes() const { return arch().num_classes; }

    // Input tensor: batch x resolution x resolution x 3 floats, NHWC, already scaled
    // to the model's range. Owned by the network; valid for its lifetime.
    float* input();
    std::size_t input_floats() const;

    // Runs the whole network on input(). No primitive creation, allocation or file
    // access happens here. With profiling on, each step is timed separately (slower).
    void forward();

    // batch x num_classes probabilities of the last forward(). Owned by the network.
    const float* probabilities() const;

    void set_profiling(bool on);
    bool profiling() const;
    // Per-step timings of the last forward() run with profiling on.
    const std::vector<LayerProfile>& profile() const;
    // oneDNN implementation chosen for each layer (parallel to layers(); "" for none).
    const std::vector<std::string>& implementations() const;
    // Milliseconds spent building this network (primitive creation + weight reorders).
    double build_ms() const;

    // The output of layer `layer` (index into layers()) for image `image` of the last
    // forward(), copied out as height x width x channels floats. Not for the hot path.
    // Throws std::logic_error when that output was not kept (see keep_activations).
    void copy_activation(int layer, int image, std::vector<float>& hwc) const;
    bool has_activation(int layer) const;
    // Index of the last convolution before the pool (the class-activation-map source).
    int feature_layer() const;

private:
    friend class Runtime;
    struct Impl;
    explicit Network(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Owns the oneDNN engine and stream (created once) and a cache of built networks.
class Runtime {
public:
    // max_cached: networks kept alive; the least recently used one is dropped past it.
    explicit Runtime(std::size_t max_cached = 16);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // The network for these weights and config: built on first use, then cached, so
    // returning to a configuration seen before is instant. The reference stays valid
    // until the entry is evicted or clear_cache() is called. Throws
    // std::invalid_argument for a bad config (resolution, batch, threads) and
    // std::runtime_error when the weights do not fit the architecture.
    Network& network(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg);
    bool is_cached(const std::shared_ptr<const ModelWeights>& weights, const NetworkConfig& cfg) const;
    std::size_t cache_size() const;
    void clear_cache();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Facts about the oneDNN in use, for About boxes and benchmark headers.
std::string onednn_version();   // e.g. "2.6.3"
std::string onednn_cpu_isa();   // ISA oneDNN dispatches to, e.g. "avx512_core_vnni"
int hardware_threads();

}  // namespace mnv1
