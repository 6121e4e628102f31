// Engine-internal: how each kind of layer becomes a oneDNN primitive, one builder set
// per Precision. The compiler (compiled_network.cpp) walks the layer table and asks the
// set chosen by NetworkConfig::precision for each layer; a new precision is a new set.
#pragma once

#include <dnnl.hpp>
#include <omp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mobilenet/network.hpp"

namespace mnv1 {

// What a builder needs: the engine, a stream for the one-time weight reorders, the
// configuration and the weights being compiled.
struct BuildEnv {
    const dnnl::engine& eng;
    dnnl::stream& strm;
    const NetworkConfig& cfg;
    const ModelWeights& weights;
    // Every activation a convolution writes is plain nhwc (no blocked layouts), so that a
    // range of rows is one contiguous block: what row-split execution needs.
    bool plain_activations = false;
};

// One layer as built: the primitive, its tensor layouts, and the constant arguments
// (weights and bias in the primitive's own layout) it owns from now on.
struct BuiltLayer {
    dnnl::primitive prim;
    dnnl::memory::desc src, dst, scratchpad;
    std::string impl;
    std::unordered_map<int, dnnl::memory> constants;
    // DNNL_ARG_SRC / DNNL_ARG_DST -> how this primitive sees that tensor when it differs
    // from src / dst (same bytes, e.g. a matmul's 2-D view of an nhwc activation).
    std::unordered_map<int, dnnl::memory::desc> views;

    // A layer may need more than one primitive (the int8 path's exact outlier channels).
    // Further steps, each with the tensors it reads and writes: the layer's input or
    // output, or one of `aux` (buffers of these descs, one set per context), optionally
    // a view at a byte offset. Run in order, before or after the main primitive.
    struct StepTensor {
        enum class Kind { LayerInput, LayerOutput, Aux } kind = Kind::LayerInput;
        int aux = -1;                  // Aux: index into `aux`
        std::size_t offset = 0;        // bytes from the tensor's start
        dnnl::memory::desc view;       // the primitive's desc of those bytes (zero size: the tensor's)
    };
    struct Step {
        dnnl::primitive prim;
        std::string name, impl;
        bool before_main = false;
        std::vector<std::pair<int, StepTensor>> tensors;  // DNNL_ARG_* -> tensor
        std::unordered_map<int, dnnl::memory> constants;
        dnnl::memory::desc scratchpad;
        // OpenMP threads the primitive was created for (and must run with); 0: the
        // network's. Tiny steps are created single-threaded: a team costs more than it saves.
        int threads = 0;
    };
    std::vector<Step> extra;
    std::vector<dnnl::memory::desc> aux;
    // Further tensors the main primitive reads beside its source and destination, e.g. a
    // binary post-op's second source in an `aux` buffer (DNNL_ARG_* -> tensor). An entry
    // for DNNL_ARG_SRC or DNNL_ARG_DST replaces the layer's input or output there (the
    // int8 path's f32 layers: a reorder from an aux buffer into the output).
    std::vector<std::pair<int, StepTensor>> main_tensors;
    // First layer only: the part of `src` the input reorder writes (zero size: all of
    // it); the rest is filled by the layer's own before-main steps.
    dnnl::memory::desc input_view;
    // First layer only, >= 0: the input reorder writes `aux[input_aux]` instead (oneDNN
    // 2.6's reorder drops a zero point into a strided view); a before-main step then
    // spreads it into `src`.
    int input_aux = -1;
    // How copy_activation reads the output: real = scale * (stored - zero_point);
    // scale 0: the stored values are real (f32 layers).
    float dequant_scale = 0;
    std::int32_t dequant_zero_point = 0;
};

// The weights a builder set compiles, and the order each layer's output channels are
// stored in when the set reorders them (int8 without VNNI: see int8_builders.cpp).
struct ArrangedWeights {
    std::shared_ptr<const ModelWeights> weights;
    // Per layer index: channel_order[layer][j] is the channel stored at position j;
    // empty (or no entry): the network's own order. copy_activation undoes it.
    std::vector<std::vector<int>> channel_order;
};

// A layer whose main primitive is `prim`, made from `pd`: its tensor layouts, its scratchpad
// and the kernel's name, followed by " [mapping]" when a mapping is given (the int8 builders
// say there how they map TFLite's arithmetic onto the kernel).
template <class PrimitiveDesc>
BuiltLayer built_layer(const PrimitiveDesc& pd, dnnl::primitive prim, const std::string& mapping = {}) {
    BuiltLayer b;
    b.prim = std::move(prim);
    b.src = pd.src_desc();
    b.dst = pd.dst_desc();
    b.scratchpad = pd.scratchpad_desc();
    b.impl = pd.impl_info_str();
    if (!mapping.empty()) b.impl += " [" + mapping + "]";
    return b;
}

class LayerBuilders {
public:
    virtual ~LayerBuilders() = default;
    // Called once per compile, before the layers are built; default: the weights as given.
    virtual ArrangedWeights arrange(const std::shared_ptr<const ModelWeights>& weights,
                                    const std::vector<LayerSpec>& /*layers*/) const {
        return {weights, {}};
    }
    // Data type the first layer reads (the user's f32 input is reordered into it). f32: it
    // reads the user's nhwc input as it is, so a row part can read just its rows.
    virtual dnnl::memory::data_type input_type(const BuildEnv& env) const = 0;
    // Attributes of that reorder (e.g. the input's quantization scale); default: none.
    virtual dnnl::primitive_attr input_reorder_attr(const BuildEnv&) const { return {}; }
    // ConvFull / Depthwise / Pointwise. `src` is the previous layer's dst, or for the
    // first layer a format_tag::any desc of input_type() that the primitive settles.
    virtual BuiltLayer convolution(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                                   const dnnl::memory::desc& src) const = 0;
    virtual BuiltLayer pooling(const BuildEnv& env, const LayerSpec& l, const dnnl::memory::desc& src) const = 0;
    virtual BuiltLayer classifier(const BuildEnv& env, const LayerSpec& l, const LayerWeights& w,
                                  const dnnl::memory::desc& src) const = 0;
    // Must produce f32 probabilities, batch x classes (format nc).
    virtual BuiltLayer softmax(const BuildEnv& env, const LayerSpec& l, const dnnl::memory::desc& src) const = 0;
};

// Primitives created while this lives are made for one OpenMP thread (oneDNN reads the
// thread count when a primitive is created; it must run with the same count): a tiny
// step (Step::threads = 1) or a row part, which runs alone on its thread.
class SingleThreaded {
public:
    SingleThreaded() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
    ~SingleThreaded() { omp_set_num_threads(saved_); }
    SingleThreaded(const SingleThreaded&) = delete;
    SingleThreaded& operator=(const SingleThreaded&) = delete;

private:
    int saved_;
};

// The builder set for a precision (static lifetime); dispatches to the sets below.
const LayerBuilders& layer_builders(Precision precision);
const LayerBuilders& f32_layer_builders();   // f32_builders.cpp
const LayerBuilders& int8_layer_builders();  // int8_builders.cpp

}  // namespace mnv1
