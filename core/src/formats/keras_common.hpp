// Internal: what the Keras HDF5 and TF.js layers-model importers share. Both formats
// carry the same Keras layer config (model_config JSON); only where the weight
// arrays live differs. This module walks that config along its data path (Keras
// layers, batch norms, ReLUs, zero padding), hands the convolutions it finds to the
// shared MobileNet v1 matcher (topology.hpp: alpha, padding convention, activation),
// and turns the Keras arrays (HWIO kernels, unfolded batch norm) into the canonical
// ModelWeights layout.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "mobilenet/arch.hpp"
#include "mobilenet/weights.hpp"
#include "topology.hpp"

namespace mnv1::detail::keras {

using Shape = std::vector<std::int64_t>;

std::string shape_string(const Shape& shape);  // "[3, 3, 3, 8]"

// Batch normalization that directly follows a convolution (folded into it).
struct BatchNormSpec {
    std::string layer;      // Keras layer name, e.g. "conv1_bn"
    double epsilon = 1e-3;
    bool scale = true;      // has gamma
    bool center = true;     // has beta
};

enum class ConvType { Conv, Depthwise, Dense };

// One weighted layer of the network, as found in the Keras graph.
struct ConvSpec {
    std::string layer;      // Keras layer name ("conv1", "conv_dw_1", "conv_preds")
    std::string name;       // canonical name: conv0, dw1, pw1, ..., dw13, pw13, fc
    ConvType type = ConvType::Conv;
    int kernel = 1;
    int stride = 1;
    int in_c = 0;
    int out_c = 0;
    bool use_bias = false;
    std::optional<BatchNormSpec> bn;

    // Shape of the Keras kernel variable: Conv [k][k][in][out], Depthwise [k][k][C][1],
    // Dense [in][out].
    Shape keras_kernel_shape() const;
    const char* kernel_var() const { return type == ConvType::Depthwise ? "depthwise_kernel" : "kernel"; }
};

// A Keras model config recognized as MobileNet v1.
struct GraphSpec {
    std::string model_name;       // Keras model name ("mobilenet_0.25_224"), may be empty
    Topology topology;            // resolution from the input layer's batch shape; alpha, ...
    std::vector<ConvSpec> convs;  // 28 entries, network order
};

// Walks `model_config` ({"class_name": "Functional"|"Model"|"Sequential", "config": ...})
// by connectivity (inbound_nodes). Throws ModelError(path, ...) when the graph is not a
// MobileNet v1 this project can run.
GraphSpec parse_model_config(const nlohmann::json& model_config, const std::string& path);

// Returns the float32 values of variable `var` ("kernel", "depthwise_kernel", "bias",
// "gamma", "beta", "moving_mean", "moving_variance") of Keras layer `layer`, in the
// stored (Keras) order. Must check the stored shape equals `shape` before reading and
// throw ModelError otherwise.
using WeightReader =
    std::function<std::vector<float>(const std::string& layer, const std::string& var, const Shape& shape)>;

// Reads every variable through `read` (refusing non-finite values), folds batch norm, converts to the canonical
// layouts and fills `out` (arch fields and layers; origin/source/labels are the
// caller's). Throws ModelError(path, ...).
void build_weights(const GraphSpec& graph, const WeightReader& read, const std::string& path,
                   ModelWeights& out);

// Runs mnv1::check_shapes, turning its failure into ModelError(path, ...), and
// check_finite_weights.
void final_check(const ModelWeights& w, const std::string& path);

// --- pure helpers (exposed for tests) -------------------------------------------------

// Keras Conv2D kernel [kh][kw][in][out] -> oihw [out][in][kh][kw].
std::vector<float> hwio_to_oihw(const std::vector<float>& src, int kh, int kw, int in_c, int out_c);
// Keras DepthwiseConv2D kernel [kh][kw][C][1] -> goihw [C][1][1][kh][kw].
std::vector<float> hwc1_to_c11hw(const std::vector<float>& src, int kh, int kw, int channels);
// Dense kernel [in][out] -> [out][in][1][1].
std::vector<float> io_to_oi(const std::vector<float>& src, int in_c, int out_c);

// Folds batch norm into weights laid out with the output channel outermost
// (oihw or goihw): scale = gamma / sqrt(var + eps); w *= scale; b = beta + (b - mean) * scale.
// Empty gamma means 1, empty beta means 0; `bias` holds the conv bias (zeros if none).
void fold_batch_norm(std::vector<float>& weights, std::vector<float>& bias, const std::vector<float>& gamma,
                     const std::vector<float>& beta, const std::vector<float>& mean,
                     const std::vector<float>& variance, double epsilon);

// "mobilenet_v1_<alpha>_<res>"
std::string canonical_model_name(double alpha, int resolution);

// "conv1/kernel:0" -> "conv1/kernel"
std::string strip_tensor_suffix(const std::string& name);

}  // namespace mnv1::detail::keras
