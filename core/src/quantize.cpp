// Post-training static int8 quantization of float models, and the precision setting.
//
// The quantized form mirrors the uint8 TFLite releases (what the int8 engine and the
// naive reference in tests/support/quantized_reference.hpp read), with per-channel
// weights as TFLite's post-training quantizer makes them:
//  - weights: per output channel symmetric, s = max|w| / 127, q = clamp(round(w / s),
//    -127, 127), stored as q + 128 with zero point 128 (the u8 storage of QuantizedLayer);
//  - bias: int32, scale s_in * s_w[c], zero point 0 (s_w[c] widened where the bias would
//    not fit int32 otherwise);
//  - activations: per tensor asymmetric uint8 from the calibration range [lo, hi]
//    widened to hold 0 (so a real 0, e.g. padding, is exact), scale (hi - lo) / 255,
//    integer zero point; a ReLU6 layer's hi is at most 6;
//  - each layer's input is the previous layer's output (the pool keeps its input's
//    quantization, so the classifier reads pw13's); conv0 reads the network input
//    x = (pixel - 127.5) / 127.5 as scale 1/127.5, zero point 128;
//  - the classifier's output (the logits) gets its own calibrated range; the softmax
//    output is quantized like the releases' (scale 1/256, zero point 0).
#include "mobilenet/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <tuple>

#include "image_set.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/errors.hpp"

namespace mnv1 {
namespace {

struct Range {
    float lo = std::numeric_limits<float>::infinity();
    float hi = -std::numeric_limits<float>::infinity();
    void add(float v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool seen() const { return lo <= hi; }
};

}  // namespace

QuantParams activation_quant(float lo, float hi, Activation act, bool relu_fused) {
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    if (relu_fused) {
        lo = 0.0f;
        if (act == Activation::Relu6) hi = std::min(hi, 6.0f);
    }
    float scale = (hi - lo) / 255.0f;
    if (!(scale > 0.0f)) scale = 1.0f / 255.0f;  // a constant-zero tensor: any scale is exact
    const auto zp = static_cast<std::int64_t>(std::clamp(std::round(-lo / scale), 0.0f, 255.0f));
    return QuantParams{{scale}, {zp}};
}

QuantizedLayer quantize_layer(const LayerWeights& w, int out_c, const QuantParams& input, const QuantParams& output) {
    if (out_c <= 0 || w.weights.size() % static_cast<std::size_t>(out_c) != 0 ||
        w.bias.size() != static_cast<std::size_t>(out_c)) {
        throw std::invalid_argument("quantize_layer: layer " + w.name + " does not have " + std::to_string(out_c) +
                                    " output channels");
    }
    QuantizedLayer q;
    q.input = input;
    q.output = output;
    const std::size_t per = w.weights.size() / static_cast<std::size_t>(out_c);
    q.weights.scale.resize(static_cast<std::size_t>(out_c));
    q.weights.zero_point = {128};
    q.bias.scale.resize(static_cast<std::size_t>(out_c));
    q.bias.zero_point = {0};
    q.weights_q.resize(w.weights.size());
    q.bias_q.resize(static_cast<std::size_t>(out_c));
    const double s_in = input.scale.at(0);
    for (std::size_t c = 0; c < static_cast<std::size_t>(out_c); ++c) {
        float max_abs = 0;
        for (std::size_t i = c * per; i < (c + 1) * per; ++i) max_abs = std::max(max_abs, std::fabs(w.weights[i]));
        // An all-zero channel: any scale represents it.
        float s_w = max_abs > 0 ? max_abs / 127.0f : 1.0f / 127.0f;
        // A large bias on a channel of tiny weights (a dead channel of a trained model)
        // would not fit int32 at s_in * s_w and saturate: widen the weight scale until it
        // fits with room for the accumulated products (|acc| < 2^26 at 1024 inputs x 9 taps),
        // as TFLite's quantizer does; those weights lose precision the bias swamps anyway.
        constexpr double kBiasLimit = 1 << 30;
        const double bias_needs = std::fabs(static_cast<double>(w.bias[c])) / (s_in * kBiasLimit);
        if (static_cast<double>(s_w) < bias_needs) s_w = static_cast<float>(bias_needs * (1 + 1e-6));
        q.weights.scale[c] = s_w;
        for (std::size_t i = c * per; i < (c + 1) * per; ++i) {
            const float v = std::clamp(std::round(w.weights[i] / s_w), -127.0f, 127.0f);
            q.weights_q[i] = static_cast<std::uint8_t>(static_cast<int>(v) + 128);
        }
        const double s_b = s_in * static_cast<double>(s_w);
        q.bias.scale[c] = static_cast<float>(s_b);
        const double b = std::round(static_cast<double>(w.bias[c]) / s_b);
        q.bias_q[c] = static_cast<std::int32_t>(std::clamp(b, -2147483648.0, 2147483647.0));
    }
    return q;
}

QuantParams calibrated_input_quant() { return QuantParams{{1.0f / 127.5f}, {128}}; }
QuantParams calibrated_output_quant() { return QuantParams{{1.0f / 256.0f}, {0}}; }

std::shared_ptr<const ModelWeights> quantize_with_ranges(const ModelWeights& float_weights,
                                                         const std::vector<std::pair<float, float>>& ranges,
                                                         const std::string& how) {
    if (ranges.size() != float_weights.layers.size()) {
        throw std::invalid_argument("quantize_with_ranges: one range per weighted layer expected");
    }
    const std::vector<LayerSpec> table = layer_table(float_weights.arch(float_weights.native_resolution));
    auto w = std::make_shared<ModelWeights>(float_weights);
    w->input_quant = calibrated_input_quant();
    w->output_quant = calibrated_output_quant();
    QuantParams input = w->input_quant;
    for (std::size_t i = 0; i < w->layers.size(); ++i) {
        LayerWeights& lw = w->layers[i];
        const auto spec = std::find_if(table.begin(), table.end(), [&](const LayerSpec& s) { return s.name == lw.name; });
        if (spec == table.end()) throw std::invalid_argument("quantize_with_ranges: unknown layer " + lw.name);
        const bool fused = spec->kind != LayerKind::FullyConnected;
        const QuantParams output = activation_quant(ranges[i].first, ranges[i].second, w->activation, fused);
        lw.quant = quantize_layer(lw, spec->out_c, input, output);
        input = output;  // the next layer reads this one's output (the pool keeps it)
    }
    if (!how.empty()) w->description += " (int8 " + how + ")";
    return w;
}

namespace {

// Deterministic smooth synthetic BGR images (gradients plus blobs) for calibrating
// random weights when no images are given: ranges good enough for latency points.
cv::Mat synthetic_image(int index, int side) {
    std::mt19937 rng(static_cast<std::uint32_t>(1234 + index));
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    cv::Mat img(side, side, CV_8UC3);
    const float fx = 1 + 4 * u(rng), fy = 1 + 4 * u(rng), ph = 6.283f * u(rng);
    for (int y = 0; y < side; ++y) {
        auto* row = img.ptr<cv::Vec3b>(y);
        for (int x = 0; x < side; ++x) {
            const float a = std::sin(fx * static_cast<float>(x) / static_cast<float>(side) * 6.283f + ph);
            const float b = std::cos(fy * static_cast<float>(y) / static_cast<float>(side) * 6.283f);
            for (int ch = 0; ch < 3; ++ch) {
                const float v = 127.5f + 127.5f * (ch == 0 ? a : ch == 1 ? b : a * b);
                row[x][ch] = static_cast<unsigned char>(std::clamp(v, 0.0f, 255.0f));
            }
        }
    }
    return img;
}

}  // namespace

std::vector<std::string> calibration_images(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& f : detail::list_image_files(dir)) out.push_back((std::filesystem::path(dir) / f.file).string());
    return out;
}

CalibratedModel calibrate_int8(Runtime& runtime, std::shared_ptr<const ModelWeights> float_weights,
                               const std::vector<std::string>& images, const CalibrationOptions& options,
                               const std::function<void(const CalibrationProgress&)>& progress,
                               const CancelToken* cancel) {
    if (!float_weights) throw std::invalid_argument("calibrate_int8: no weights");
    const ModelWeights& fw = *float_weights;
    if (std::any_of(fw.layers.begin(), fw.layers.end(), [](const LayerWeights& l) { return l.quant.has_value(); })) {
        throw std::invalid_argument("calibrate_int8: " + fw.description + " is already quantized");
    }
    if (fw.standard_conv) throw std::invalid_argument("calibrate_int8: the standard-convolution counterfactual has no int8 path");
    if (options.max_images < 1 || options.batch < 1) {
        throw std::invalid_argument("calibrate_int8: max_images and batch must be >= 1");
    }
    NetworkConfig cfg;
    cfg.resolution = options.resolution > 0 ? options.resolution : fw.native_resolution;
    cfg.threads = options.threads;
    cfg.precision = Precision::F32;

    CalibratedModel result;
    result.synthetic = images.empty();
    const int total = result.synthetic ? std::max(1, options.synthetic_images)
                                       : std::min<int>(options.max_images, static_cast<int>(images.size()));
    cfg.batch = std::min(options.batch, total);
    ExecutionContext ctx(runtime.compile(float_weights, cfg), ContextOptions{.keep_activations = true});
    const std::vector<LayerSpec>& table = ctx.network().layers();

    // Network layer index of each weighted layer (ModelWeights::layers order).
    std::vector<int> layer_index;
    for (const LayerWeights& lw : fw.layers) {
        const auto it = std::find_if(table.begin(), table.end(), [&](const LayerSpec& s) { return s.name == lw.name; });
        if (it == table.end()) throw std::invalid_argument("calibrate_int8: unknown layer " + lw.name);
        layer_index.push_back(it->index);
    }
    std::vector<Range> ranges(fw.layers.size());
    std::vector<float> act;
    std::vector<cv::Mat> pending;
    int done = 0;
    auto flush = [&] {
        if (pending.empty()) return;
        classify(ctx, pending, options.crop, 1);  // preprocess + forward, exactly as classify/evaluate
        for (std::size_t l = 0; l < layer_index.size(); ++l) {
            for (std::size_t i = 0; i < pending.size(); ++i) {
                ctx.copy_activation(layer_index[l], static_cast<int>(i), act);
                for (const float v : act) ranges[l].add(v);
            }
        }
        result.images += static_cast<int>(pending.size());
        pending.clear();
    };
    const std::size_t batch = static_cast<std::size_t>(cfg.batch);
    const std::size_t candidates = result.synthetic ? static_cast<std::size_t>(total) : images.size();
    for (std::size_t n = 0; n < candidates && result.images + static_cast<int>(pending.size()) < total; ++n) {
        if (cancel && cancel->cancelled.load()) {
            result.cancelled = true;
            return result;
        }
        if (result.synthetic) {
            pending.push_back(synthetic_image(static_cast<int>(n), cfg.resolution));
        } else {
            try {
                pending.push_back(load_image(images[n]));
            } catch (const ImageError& e) {
                result.skipped.push_back(e.what());
                continue;
            }
        }
        if (pending.size() == batch) flush();
        done = result.images;
        if (progress) progress(CalibrationProgress{done + static_cast<int>(pending.size()), total});
    }
    flush();
    if (result.images == 0) {
        // Named by the folder (the files' parent), with how many files and the first
        // reason: the rest of result.skipped cannot travel with the throw.
        const std::string where =
            images.empty() ? std::string("calibration") : std::filesystem::path(images.front()).parent_path().string();
        std::string why = "none of its " + std::to_string(images.size()) +
                          (images.size() == 1 ? " image" : " images") + " could be read";
        if (!result.skipped.empty()) why += " (" + result.skipped.front() + (result.skipped.size() > 1 ? "; …)" : ")");
        throw Error(where, why);
    }
    std::vector<std::pair<float, float>> lohi;
    for (const Range& r : ranges) lohi.emplace_back(r.seen() ? r.lo : 0.0f, r.seen() ? r.hi : 0.0f);
    const std::string how = result.synthetic
                                ? "calibrated on " + std::to_string(result.images) + " synthetic images, latency only"
                                : "calibrated on " + std::to_string(result.images) + " images";
    result.weights = quantize_with_ranges(fw, lohi, how);
    return result;
}

bool can_run_int8(const ModelWeights& w) {
    return !w.standard_conv && !w.layers.empty() && !w.input_quant.empty() &&
           std::all_of(w.layers.begin(), w.layers.end(), [](const LayerWeights& l) { return l.quant.has_value(); });
}

const char* to_string(PrecisionChoice choice) {
    switch (choice) {
        case PrecisionChoice::F32: return "fp32";
        case PrecisionChoice::Int8: return "int8";
        case PrecisionChoice::Auto: return "auto";
    }
    return "?";
}

std::optional<PrecisionChoice> parse_precision_choice(std::string_view text) {
    if (text == "fp32" || text == "f32") return PrecisionChoice::F32;
    if (text == "int8") return PrecisionChoice::Int8;
    if (text == "auto") return PrecisionChoice::Auto;
    return std::nullopt;
}

namespace {

struct DecisionKey {
    const ModelWeights* f32 = nullptr;
    const ModelWeights* int8 = nullptr;
    int resolution = 0, batch = 0, threads = 0;
    bool row_split = true;  // the two ways of threading time differently
    auto tie() const { return std::tie(f32, int8, resolution, batch, threads, row_split); }
    bool operator<(const DecisionKey& o) const { return tie() < o.tie(); }
};
struct CachedDecision {
    std::weak_ptr<const ModelWeights> f32, int8;  // a freed pointer reused by new weights is not a hit
    PrecisionDecision decision;
};
std::mutex g_decisions_mutex;
std::map<DecisionKey, CachedDecision> g_decisions;

}  // namespace

PrecisionDecision choose_precision(Runtime& runtime, const std::shared_ptr<const ModelWeights>& float_weights,
                                   const std::shared_ptr<const ModelWeights>& int8_weights, NetworkConfig cfg,
                                   const CancelToken* cancel) {
    if (!float_weights) throw std::invalid_argument("choose_precision: no weights");
    PrecisionDecision d;
    if (!int8_weights || !can_run_int8(*int8_weights)) {
        d.reason = "fp32: no int8 weights (a uint8 model or a calibrated one) for this model";
        return d;
    }
    const DecisionKey key{float_weights.get(), int8_weights.get(), cfg.resolution, cfg.batch, cfg.threads,
                          cfg.row_split};
    {
        std::lock_guard lock(g_decisions_mutex);
        const auto it = g_decisions.find(key);
        if (it != g_decisions.end()) {
            if (it->second.f32.lock() == float_weights && it->second.int8.lock() == int8_weights) {
                PrecisionDecision cached = it->second.decision;
                cached.from_cache = true;
                return cached;
            }
            g_decisions.erase(it);
        }
    }
    NetworkConfig f32_cfg = cfg, int8_cfg = cfg;
    f32_cfg.precision = Precision::F32;
    int8_cfg.precision = Precision::Int8;
    ExecutionContext f32_ctx(runtime.compile(float_weights, f32_cfg));
    ExecutionContext int8_ctx(runtime.compile(int8_weights, int8_cfg));
    // A fixed mid-grey-ish input: timing does not depend on the values.
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (std::size_t i = 0; i < f32_ctx.input_floats(); ++i) f32_ctx.input()[i] = int8_ctx.input()[i] = u(rng);

    // Short interleaved rounds (f32, int8, f32, int8, ...) so both see the same machine
    // state; the decision compares the medians of the per-round medians.
    const std::atomic<bool> never{false};
    const std::atomic<bool>& stop = cancel ? cancel->cancelled : never;
    auto round = [&](ExecutionContext& ctx, int runs) -> std::optional<double> {
        const auto s = benchmark_forward(ctx, BenchmarkOptions{.warmup_runs = 1, .runs = runs}, stop);
        if (!s) return std::nullopt;
        return s->median_ms;
    };
    const auto probe = round(f32_ctx, 3);
    if (!probe || !round(int8_ctx, 3)) {
        d.reason = "fp32: cancelled before measuring";
        return d;
    }
    // About 25 ms of passes per round, 3..30 passes.
    const int runs = std::clamp(static_cast<int>(25.0 / std::max(*probe, 0.05)), 3, 30);
    constexpr int kRounds = 7;
    std::vector<double> f32_ms, int8_ms;
    for (int r = 0; r < kRounds; ++r) {
        const auto a = round(f32_ctx, runs);
        const auto b = round(int8_ctx, runs);
        if (!a || !b) {
            d.reason = "fp32: cancelled before measuring";
            return d;
        }
        f32_ms.push_back(*a);
        int8_ms.push_back(*b);
    }
    d.f32_ms = percentile(f32_ms, 0.5);
    d.int8_ms = percentile(int8_ms, 0.5);
    d.measured = true;
    d.precision = d.int8_ms < d.f32_ms ? Precision::Int8 : Precision::F32;
    char buf[160];
    if (d.precision == Precision::Int8) {
        std::snprintf(buf, sizeof buf, "int8: %.2fx faster than fp32 (%.3f vs %.3f ms, medians)", d.f32_ms / d.int8_ms,
                      d.int8_ms, d.f32_ms);
    } else {
        std::snprintf(buf, sizeof buf, "fp32: int8 is not faster here (%.3f vs %.3f ms, medians)", d.int8_ms, d.f32_ms);
    }
    d.reason = buf;
    std::lock_guard lock(g_decisions_mutex);
    g_decisions[key] = CachedDecision{float_weights, int8_weights, d};
    return d;
}

std::optional<PrecisionDecision> resolve_precision(Runtime& runtime, PrecisionChoice choice,
                                                   const std::shared_ptr<const ModelWeights>& float_weights,
                                                   const std::shared_ptr<const ModelWeights>& int8_weights,
                                                   NetworkConfig cfg, const CancelToken* cancel) {
    const bool has_int8 = int8_weights && can_run_int8(*int8_weights);
    PrecisionDecision d;
    switch (choice) {
        case PrecisionChoice::F32:
            d.reason = "fp32: chosen";
            return d;
        case PrecisionChoice::Int8:
            if (!has_int8) return std::nullopt;
            d.precision = Precision::Int8;
            d.reason = "int8: chosen";
            return d;
        case PrecisionChoice::Auto:
            break;
    }
    return choose_precision(runtime, float_weights, int8_weights, std::move(cfg), cancel);
}

}  // namespace mnv1
