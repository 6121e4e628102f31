// Post-training int8 for float models, and precision as a user setting.
//
//  - calibrate_int8: a float model (Keras, TF.js, TFLite float, random weights) gets a
//    QuantizedLayer on every layer, in the form the uint8 releases have, so the int8
//    engine runs it: per-channel symmetric int8 weights, per-tensor asymmetric uint8
//    activations whose ranges come from running the fp32 network on calibration images.
//  - PrecisionChoice: what the user asks for (fp32, int8, auto); choose_precision
//    resolves auto by timing both precisions for that configuration.
//
// Threading: calibrate_int8 and choose_precision run on the calling thread and use the
// given Runtime (thread-safe); their callbacks are called on that thread. The
// CancelToken may be set from any thread. The other functions are pure.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mobilenet/cancel.hpp"
#include "mobilenet/classify.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/weights.hpp"

namespace mnv1 {

struct CalibrationOptions {
    int max_images = 100;    // at most this many of the given images are used (the first ones)
    int batch = 8;           // images per fp32 forward pass
    int resolution = 0;      // 0: the weights' native resolution
    int threads = 0;         // OpenMP threads; 0 = all cores
    CropMode crop = CropMode::Whole;  // preprocessing, as classify/evaluate
    int synthetic_images = 8;  // used when `images` is empty (deterministic; see CalibratedModel::synthetic)
};

struct CalibrationProgress {
    int done = 0, total = 0;  // images
};

struct CalibratedModel {
    // The float weights (unchanged, so fp32 runs stay the float model) plus a
    // QuantizedLayer on every layer and input_quant/output_quant. nullptr when cancelled.
    std::shared_ptr<const ModelWeights> weights;
    int images = 0;                    // images the activation ranges came from
    bool synthetic = false;            // no images given: ranges from deterministic synthetic images
                                       // (good for latency only, not for accuracy)
    std::vector<std::string> skipped;  // files that could not be read ("path: reason")
    bool cancelled = false;
};

// Post-training static quantization: per-channel symmetric int8 weights, per-tensor
// asymmetric uint8 activations from the ranges seen on `images` (image file paths, run
// in fp32 with the preprocessing classify() uses). Weights that already carry
// quantization (uint8 releases) are rejected with std::invalid_argument. Throws
// mnv1::Error when every image fails to load (the reasons listed).
CalibratedModel calibrate_int8(Runtime& runtime, std::shared_ptr<const ModelWeights> float_weights,
                               const std::vector<std::string>& images, const CalibrationOptions& options = {},
                               const std::function<void(const CalibrationProgress&)>& progress = {},
                               const CancelToken* cancel = nullptr);

// Image files of a folder for calibration (jpg, png, ... in it and its subfolders),
// sorted; throws mnv1::Error naming the folder when it cannot be read.
std::vector<std::string> calibration_images(const std::string& dir);

// The building blocks of calibrate_int8 (pure; exposed for tests and tools):
// The uint8 quantization of an activation range [lo, hi]: widened to hold 0, a fused
// ReLU/ReLU6 output clamped to [0, hi] / [0, min(hi, 6)]; scale (hi - lo) / 255, integer
// zero point.
QuantParams activation_quant(float lo, float hi, Activation act, bool relu_fused);
// One layer: per-channel symmetric weights (stored q + 128, zero point 128), int32 bias
// at scale s_in * s_w[c]. out_c: output channels (depthwise: channels). Throws
// std::invalid_argument when the element counts do not fit out_c.
QuantizedLayer quantize_layer(const LayerWeights& w, int out_c, const QuantParams& input, const QuantParams& output);
// The whole model from one output range (lo, hi) per weighted layer (ModelWeights::layers
// order; the classifier's is the logits' range). `how` is appended to the description.
std::shared_ptr<const ModelWeights> quantize_with_ranges(const ModelWeights& float_weights,
                                                         const std::vector<std::pair<float, float>>& ranges,
                                                         const std::string& how);

// Every layer carries quantization (a uint8 release, or calibrate_int8's result).
bool can_run_int8(const ModelWeights& w);

// The user's precision setting.
enum class PrecisionChoice { F32, Int8, Auto };
const char* to_string(PrecisionChoice choice);                           // "fp32", "int8", "auto"
std::optional<PrecisionChoice> parse_precision_choice(std::string_view text);  // "fp32"|"f32"|"int8"|"auto"

struct PrecisionDecision {
    Precision precision = Precision::F32;
    double f32_ms = 0, int8_ms = 0;   // medians per forward pass (when measured)
    bool measured = false;            // false: decided without timing (see reason)
    bool from_cache = false;          // the answer of an earlier call for the same weights and config
    std::string reason;               // one line, e.g. "int8 1.9x faster (1.32 vs 2.51 ms)"
};

// Auto: times both precisions for this config (cfg.precision is ignored), interleaved
// rounds of short runs, medians; remembers the answer per (weights, config) in memory
// for the life of the process. f32 runs `float_weights`, int8 runs `int8_weights`
// (the same object when it carries quantization). A null int8_weights, or one that
// cannot run int8, gives F32 unmeasured. A cancelled call returns F32 unmeasured.
PrecisionDecision choose_precision(Runtime& runtime, const std::shared_ptr<const ModelWeights>& float_weights,
                                   const std::shared_ptr<const ModelWeights>& int8_weights, NetworkConfig cfg,
                                   const CancelToken* cancel = nullptr);

// What the user's choice comes to for one configuration, in one place for the CLI, the
// app and the benchmark: fp32 gives F32 and int8 gives Int8, both unmeasured; auto is
// choose_precision. `int8_weights` is the model's int8 form (null: none). Returns nullopt
// for int8 without an int8 form: the caller says how to get one (its words differ: a
// command-line flag, a menu item). Auto without one gives F32 unmeasured, with the reason.
std::optional<PrecisionDecision> resolve_precision(Runtime& runtime, PrecisionChoice choice,
                                                   const std::shared_ptr<const ModelWeights>& float_weights,
                                                   const std::shared_ptr<const ModelWeights>& int8_weights,
                                                   NetworkConfig cfg, const CancelToken* cancel = nullptr);

}  // namespace mnv1
