// The engine's int8 path (Precision::Int8) on small synthetic quantized networks, no
// model files needed: random float weights, quantized the two ways the engine must
// support, checked layer by layer against the naive integer reference
// (support/quantized_reference.hpp, XNNPACK's fp32 requantization):
//  - "calibrated": what post-training quantization of a float model gives (the
//    contract of core/src/engine/int8_builders.cpp): per-channel symmetric weights
//    (zero point 128 on every channel), per-channel bias scale, per-tensor uint8
//    activations, input scale 1/127.5 with zero point 128;
//  - "release-like": per-tensor weights with an off-centre zero point (100), so conv0,
//    every depthwise layer and every pointwise layer hold weights whose (w - zw) leaves
//    s8 — the released models' outlier case, exercised here on every layer. Without
//    VNNI the first layers of such a network run in an exact f32 form; with one conv0 bias
//    too large for f32 ("wide bias") they stay in the int8 forms, tested so on every CPU.
// Every layer must be bit-exact (0 differing outputs), each fed the engine's own input
// of that layer, and the chained uint8 logits equal.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

#include "mobilenet/network.hpp"
#include "quantized_reference.hpp"

using namespace mnv1;
namespace q8 = mnv1::test::q8;

namespace {

enum class Scheme { Calibrated, ReleaseLike };

constexpr double kAlpha = 0.25;
constexpr int kResolution = 64;
constexpr int kClasses = 37;

// Per-tensor uint8 parameters covering [lo, hi] (which must include 0).
QuantParams range_params(float lo, float hi) {
    QuantParams p;
    const float s = std::max(hi - lo, 1e-3f) / 255.0f;
    p.scale = {s};
    p.zero_point = {std::clamp<std::int64_t>(std::lround(-lo / s), 0, 255)};
    return p;
}

// A quantized network from random float weights: activation ranges measured with the
// engine's f32 path on one input, then every layer's weights and bias quantized.
std::shared_ptr<const ModelWeights> synthetic(Scheme scheme, std::uint64_t seed, const std::vector<std::uint8_t>& image,
                                               bool wide_bias) {
    ArchConfig arch;
    arch.alpha = kAlpha;
    arch.resolution = kResolution;
    arch.num_classes = kClasses;
    auto w = std::make_shared<ModelWeights>(*random_weights(arch, seed));
    std::mt19937 rng(static_cast<std::uint32_t>(seed));
    std::normal_distribution<float> bias(0.0f, 0.2f);
    for (LayerWeights& lw : w->layers) {
        for (float& b : lw.bias) b = bias(rng);
    }
    w->input_mean = 127.5f;
    w->input_std = 127.5f;
    w->input_quant.scale = {1.0f / 127.5f};
    w->input_quant.zero_point = {128};
    w->output_quant.scale = {1.0f / 256.0f};
    w->output_quant.zero_point = {0};

    // Activation ranges of the float network.
    Runtime rt;
    NetworkConfig f32;
    f32.resolution = kResolution;
    f32.threads = 1;
    ExecutionContext ctx(rt.compile(w, f32), {.keep_activations = true});
    for (std::size_t i = 0; i < image.size(); ++i) ctx.input()[i] = (static_cast<float>(image[i]) - 128.0f) / 127.5f;
    ctx.forward();
    const auto layers = layer_table(w->arch(kResolution));
    QuantParams in = w->input_quant;
    std::size_t wi = 0;
    for (const LayerSpec& l : layers) {
        if (!l.has_weights()) continue;
        LayerWeights& lw = w->layers[wi++];
        std::vector<float> out;
        ctx.copy_activation(l.index, 0, out);
        const auto [mn, mx] = std::minmax_element(out.begin(), out.end());
        const bool fc = l.kind == LayerKind::FullyConnected;
        QuantizedLayer q;
        q.input = in;
        q.output = fc ? range_params(std::min(*mn, 0.0f), std::max(*mx, 0.0f)) : range_params(0.0f, std::min(*mx, 6.0f));
        const std::size_t oc = static_cast<std::size_t>(l.out_c), per = lw.weights.size() / oc;
        // Weight scale: max |w| / 127 per channel (calibrated); over the layer, the
        // largest weight at 155 steps above the zero point (release-like: the channels
        // holding the largest weights leave s8 after the zero point).
        std::vector<float> max_abs(oc, 0.0f);
        for (std::size_t i = 0; i < lw.weights.size(); ++i) {
            max_abs[i / per] = std::max(max_abs[i / per], std::abs(lw.weights[i]));
        }
        if (scheme == Scheme::Calibrated) {
            for (float m : max_abs) q.weights.scale.push_back(std::max(m, 1e-6f) / 127.0f);
        } else {
            q.weights.scale = {std::max(*std::max_element(lw.weights.begin(), lw.weights.end()), 1e-6f) / 155.0f};
        }
        const int zw = scheme == Scheme::Calibrated ? 128 : 100;
        q.weights.zero_point.assign(scheme == Scheme::Calibrated ? oc : 1, zw);
        q.weights_q.resize(lw.weights.size());
        for (std::size_t i = 0; i < lw.weights.size(); ++i) {
            const float s = q8::scale_at(q.weights, static_cast<int>(i / per));
            q.weights_q[i] = static_cast<std::uint8_t>(std::clamp<long>(std::lround(lw.weights[i] / s) + zw, 0, 255));
        }
        for (std::size_t c = 0; c < oc; ++c) {
            const float bs = in.scale[0] * q8::scale_at(q.weights, static_cast<int>(c));
            q.bias.scale.push_back(bs);
            q.bias.zero_point.push_back(0);
            q.bias_q.push_back(static_cast<std::int32_t>(std::lround(lw.bias[c] / bs)));
        }
        in = q.output;  // the pool keeps its input's quantization
        lw.quant = std::move(q);
    }
    w->quantized = scheme == Scheme::ReleaseLike;
    if (wide_bias) {
        // One conv0 channel with a bias too large for f32 to carry exactly (2^24): without
        // VNNI the engine then keeps every layer in its int8 forms (exact_f32_layers in
        // int8_builders.cpp), so such a network tests those on every CPU. (The reference
        // computes that channel like any other.)
        w->layers.front().quant->bias_q.front() = 1 << 24;
    }
    return w;
}

std::vector<std::uint8_t> random_image(std::uint64_t seed) {
    std::mt19937 rng(static_cast<std::uint32_t>(seed));
    std::uniform_int_distribution<int> px(0, 255);
    std::vector<std::uint8_t> img(static_cast<std::size_t>(kResolution) * kResolution * 3);
    for (auto& v : img) v = static_cast<std::uint8_t>(px(rng));
    return img;
}

}  // namespace

class Int8Synthetic : public QObject {
    Q_OBJECT
private slots:
    void everyLayerBitExact_data();
    void everyLayerBitExact();
    void rejectsWeightsWithoutQuantization();
};

void Int8Synthetic::everyLayerBitExact_data() {
    QTest::addColumn<int>("scheme");
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("threads");  // 2 at batch 1: row parts
    QTest::addColumn<bool>("wide_bias");
    QTest::newRow("calibrated per-channel") << static_cast<int>(Scheme::Calibrated) << 1 << 2 << false;
    QTest::newRow("calibrated per-channel, 1 thread") << static_cast<int>(Scheme::Calibrated) << 1 << 1 << false;
    QTest::newRow("release-like per-tensor, outliers everywhere") << static_cast<int>(Scheme::ReleaseLike) << 1 << 2
                                                                  << true;
    QTest::newRow("release-like, batch 3") << static_cast<int>(Scheme::ReleaseLike) << 3 << 2 << true;
    // Without VNNI: conv0 to dw5 in the exact f32 form, the rest in the int8 forms.
    QTest::newRow("release-like, f32 form first") << static_cast<int>(Scheme::ReleaseLike) << 1 << 1 << false;
    QTest::newRow("release-like, f32 form first, row parts") << static_cast<int>(Scheme::ReleaseLike) << 1 << 2
                                                             << false;
}

void Int8Synthetic::everyLayerBitExact() {
    QFETCH(int, scheme);
    QFETCH(int, batch);
    QFETCH(int, threads);
    QFETCH(bool, wide_bias);
    const auto w = synthetic(static_cast<Scheme>(scheme), 11, random_image(5), wide_bias);
    NetworkConfig cfg;
    cfg.resolution = kResolution;
    cfg.batch = batch;
    cfg.threads = threads;
    cfg.precision = Precision::Int8;
    Runtime rt;
    const CompiledNetworkPtr net = rt.compile(w, cfg);
    ExecutionContext ctx(net, {.keep_activations = true});
    const auto& layers = net->layers();
    const auto lws = q8::weights_by_layer(*w, layers);
    // The outlier case must really be exercised (the mapping names it in the impl).
    int split_layers = 0;
    for (const std::string& impl : net->implementations()) split_layers += impl.find("outside s8") != std::string::npos;
    // (Without VNNI and without the wide bias: the int8 ones, dw6 to dw13.)
    const bool all_int8 = onednn_has_vnni() || wide_bias;
    if (static_cast<Scheme>(scheme) == Scheme::ReleaseLike) QVERIFY2(split_layers >= (all_int8 ? 10 : 5), "too few outlier layers");
    if (static_cast<Scheme>(scheme) == Scheme::Calibrated) QCOMPARE(split_layers, 0);
    int one_matmul = 0, recomputed = 0, in_parts = 0, f32_form = 0;  // without VNNI (pair_order.hpp); 0 with VNNI
    for (const std::string& impl : net->implementations()) {
        one_matmul += impl.find("pair sums fit 16 bits") != std::string::npos;
        recomputed += impl.find("recomputed exactly") != std::string::npos;
        in_parts += impl.find("int8 parts") != std::string::npos;
        f32_form += impl.find("exact f32") != std::string::npos;
    }
    // Without VNNI a release-like network runs conv0 to dw5 (before the first pointwise
    // layer with 64 input channels at alpha 0.25) in the exact f32 form, with row parts
    // too (its activations are small); not with the wide bias, nor calibrated (per-channel M).
    const bool f32_first = !onednn_has_vnni() && static_cast<Scheme>(scheme) == Scheme::ReleaseLike && !wide_bias;
    QCOMPARE(f32_form, f32_first ? 10 : 0);
    // Per-tensor M: every recomputation runs as int8 parts (append_exact_parts).
    if (static_cast<Scheme>(scheme) == Scheme::ReleaseLike) QCOMPARE(in_parts, recomputed);
    qInfo("%d pointwise layers / classifier run once in a pair-safe order, %d of them with outputs recomputed (%d in "
          "int8 parts)", one_matmul, recomputed, in_parts);

    std::vector<std::vector<std::uint8_t>> images;
    const std::size_t per_image = static_cast<std::size_t>(kResolution) * kResolution * 3;
    for (int b = 0; b < batch; ++b) {
        images.push_back(random_image(100 + static_cast<std::uint64_t>(b)));
        for (std::size_t i = 0; i < per_image; ++i) {
            // x = sx * (q - 128), which the engine's input reorder turns back into q - 128.
            ctx.input()[static_cast<std::size_t>(b) * per_image + i] =
                (static_cast<float>(images.back()[i]) - 128.0f) * w->input_quant.scale[0];
        }
    }
    ctx.forward();
    QStringList failures;
    for (int b = 0; b < batch; ++b) {
        std::vector<std::uint8_t> prev = images[static_cast<std::size_t>(b)];
        for (std::size_t li = 0; li + 1 < layers.size(); ++li) {
            const LayerSpec& l = layers[li];
            const QuantParams& oq = l.kind == LayerKind::AvgPool ? lws[li + 1]->quant->input : lws[li]->quant->output;
            std::vector<float> real;
            ctx.copy_activation(l.index, b, real);
            std::vector<std::uint8_t> got(real.size());
            for (std::size_t i = 0; i < real.size(); ++i) {
                got[i] = static_cast<std::uint8_t>(std::clamp(
                    std::lround(real[i] / oq.scale[0] + static_cast<float>(oq.zero_point[0])), 0L, 255L));
            }
            const auto ref = q8::run_layer(*w, l, lws[li], prev);
            QCOMPARE(got.size(), ref.size());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < ref.size(); ++i) differ += got[i] != ref[i];
            if (differ) failures << QString("image %1 %2: %3/%4").arg(b).arg(l.name.c_str()).arg(differ).arg(ref.size());
            prev = got;
        }
        // Chained: the whole reference against the whole engine, logits and top-1.
        const q8::Output chain = q8::forward(*w, kResolution, images[static_cast<std::size_t>(b)].data(), false);
        QVERIFY2(prev == chain.logits, qPrintable(QString("image %1: chained logits differ").arg(b)));
        // The reference's top-1 holds the largest (uint8-rounded) probability.
        const float* p = ctx.probabilities() + static_cast<std::size_t>(b) * kClasses;
        QCOMPARE(p[chain.top1], *std::max_element(p, p + kClasses));
    }
    qInfo("%d layers with weights outside s8 after the zero point, all exact", split_layers);
    QVERIFY2(failures.isEmpty(), qPrintable("outputs differ from the reference: " + failures.join("; ")));
}

void Int8Synthetic::rejectsWeightsWithoutQuantization() {
    ArchConfig arch;
    arch.alpha = kAlpha;
    arch.resolution = kResolution;
    NetworkConfig cfg;
    cfg.resolution = kResolution;
    cfg.precision = Precision::Int8;
    Runtime rt;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(random_weights(arch), cfg));
    // One layer without quantization is enough to refuse.
    auto w = std::make_shared<ModelWeights>(*synthetic(Scheme::Calibrated, 3, random_image(4), false));
    w->layers[5].quant.reset();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, cfg));
}

QTEST_APPLESS_MAIN(Int8Synthetic)
#include "test_int8_synthetic.moc"
