// Post-training int8 of the real float models (calibrate_int8, core/src/quantize.cpp):
//  - weight quantization alone: the fp32 network on the dequantized int8 weights
//    classifies like the float model;
//  - the engine's int8 run of a calibrated model against the naive integer reference
//    (support/quantized_reference.hpp, per-channel scales) on real images;
//  - accuracy: calibrated on the shared photos, evaluated on a disjoint set (the first
//    images of imagenet-sample), int8 top-1 within a stated bound of fp32.
// Needs ../shared; in CI a missing file fails.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>

#include "mobilenet/classify.hpp"
#include "mobilenet/evaluate.hpp"
#include "mobilenet/labeled_folder.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/quantize.hpp"
#include "quantized_reference.hpp"
#include "test_support.hpp"

using namespace mnv1;
namespace q8 = mnv1::test::q8;

namespace {

const char* const kKeras = "models/keras/mobilenet_v1_0.25_224.h5";

// Images evaluated for accuracy (the first of imagenet-sample's 500): enough for a
// stable comparison, few enough for a model test on 2 shared cores.
constexpr int kEvalImages = 200;

struct Calibrated {
    std::shared_ptr<const ModelWeights> f32, int8;
};

Calibrated calibrate_keras(Runtime& rt) {
    Calibrated c;
    c.f32 = load_model(test::shared_path(kKeras));
    const auto photos = calibration_images(test::shared_path("images/photos"));
    c.int8 = calibrate_int8(rt, c.f32, photos, {.threads = 2}).weights;
    return c;
}

// The float weights of `w` replaced by their dequantized int8 form, quantization dropped.
std::shared_ptr<const ModelWeights> dequantized(const ModelWeights& w) {
    auto d = std::make_shared<ModelWeights>(w);
    for (LayerWeights& l : d->layers) {
        const QuantizedLayer& q = *l.quant;
        const std::size_t per = l.weights.size() / q.weights.scale.size();
        for (std::size_t i = 0; i < l.weights.size(); ++i) {
            l.weights[i] = q.weights.scale[i / per] * (static_cast<float>(q.weights_q[i]) - 128.0f);
        }
        l.quant.reset();
    }
    d->input_quant = {};
    d->output_quant = {};
    return d;
}

EvalResult eval_subset(Runtime& rt, const std::shared_ptr<const ModelWeights>& w, Precision p) {
    const std::string dir = test::shared_path("images/imagenet-sample");
    auto truth = scan_labeled_folder(dir, w->num_classes, w->labels).images;
    truth.resize(std::min<std::size_t>(truth.size(), kEvalImages));
    ExecutionContext ctx(rt.compile(w, {.resolution = w->native_resolution, .batch = 8, .threads = 2, .precision = p}));
    return evaluate(ctx, dir, truth, CropMode::Whole);
}

double top1_agreement(const EvalResult& a, const EvalResult& b) {
    std::map<std::string, int> top;
    for (const auto& o : a.outcomes) top[o.file] = o.top.front().index;
    int same = 0;
    for (const auto& o : b.outcomes) same += top.count(o.file) && top[o.file] == o.top.front().index;
    return b.images ? 100.0 * same / b.images : 0;
}

}  // namespace

class Calibration : public QObject {
    Q_OBJECT
    Runtime rt;
    Calibrated c;  // the Keras model and its int8 form, calibrated once
private slots:
    void initTestCase();
    void weightQuantizationAlone();
    void engineMatchesReference();
    void accuracyAgainstFp32();
};

void Calibration::initTestCase() {
    MOBILENET_REQUIRE_FILE(test::shared_path(kKeras));
    MOBILENET_REQUIRE_FILE(test::shared_path("images/photos"));
    c = calibrate_keras(rt);
    QVERIFY(c.int8 && can_run_int8(*c.int8));
}

void Calibration::weightQuantizationAlone() {
    const auto f32 = eval_subset(rt, c.f32, Precision::F32);
    const auto deq = eval_subset(rt, dequantized(*c.int8), Precision::F32);
    const double agree = top1_agreement(f32, deq);
    qInfo("weights only (fp32 on dequantized int8 weights): top-1 %.1f%% vs %.1f%%, agreement %.1f%% on %d images",
          deq.top1(), f32.top1(), agree, f32.images);
    // Measured: 82% agreement, top-1 -2 points on 200 images (dw and pw alike; conv0 or fc
    // alone: 98.5%). alpha 0.25 is that sensitive: the uint8 release (trained for int8)
    // agrees 76.4% with the float release in TFLite's own predictions.
    QVERIFY2(agree >= 75.0, "weight quantization alone changed too many top-1s");
    QVERIFY(std::fabs(deq.top1() - f32.top1()) <= 5.0);
}

void Calibration::engineMatchesReference() {
    auto ref_w = std::make_shared<ModelWeights>(*c.int8);
    ref_w->quantized = true;  // q8::forward's guard: it reads only the QuantizedLayers
    const int res = c.int8->native_resolution;
    ExecutionContext ctx(rt.compile(c.int8, {.resolution = res, .threads = 2, .precision = Precision::Int8}),
                         {.keep_activations = true});
    const std::vector<LayerSpec>& layers = ctx.network().layers();
    const int fc = static_cast<int>(layers.size()) - 2;
    const QuantizedLayer& fcq = *c.int8->layers.back().quant;
    for (const char* name : {"grace_hopper.jpg", "burger.jpg", "cat.bmp"}) {
        const cv::Mat img = load_image(test::shared_path(std::string("images/photos/") + name));
        classify(ctx, {img}, CropMode::Whole, 1);
        // The reference's input: the engine's own quantization of the same tensor.
        std::vector<std::uint8_t> in(static_cast<std::size_t>(res) * res * 3);
        for (std::size_t i = 0; i < in.size(); ++i) {
            const float q = std::nearbyint(ctx.input()[i] / c.int8->input_quant.scale[0]) + 128.0f;
            in[i] = static_cast<std::uint8_t>(std::clamp(q, 0.0f, 255.0f));
        }
        const q8::Output ref = q8::forward(*ref_w, res, in.data(), false);
        std::vector<float> logits;
        ctx.copy_activation(fc, 0, logits);
        int max_diff = 0;
        for (std::size_t i = 0; i < logits.size(); ++i) {
            const long q = std::lround(logits[i] / fcq.output.scale[0]) + fcq.output.zero_point[0];
            max_diff = std::max(max_diff, static_cast<int>(std::abs(q - static_cast<long>(ref.logits[i]))));
        }
        const int top = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        qInfo("%s: engine top-1 %d, reference top-1 %d, max logit difference %d steps", name, top, ref.top1, max_diff);
        // Measured: 0 steps (per-channel scales, zero point 128 weights: every layer maps exactly).
        QVERIFY(max_diff <= 1);
        QCOMPARE(top, ref.top1);
    }
}

void Calibration::accuracyAgainstFp32() {
    const auto f32 = eval_subset(rt, c.f32, Precision::F32);
    const auto int8 = eval_subset(rt, c.int8, Precision::Int8);
    const double agree = top1_agreement(f32, int8);
    qInfo("calibrated int8: top-1 %.1f%% (fp32 %.1f%%), top-5 %.1f%% (fp32 %.1f%%), agreement %.1f%% on %d images",
          int8.top1(), f32.top1(), int8.top5(), f32.top5(), agree, f32.images);
    // Measured on these 200 images: top-1 51.0 vs 54.0%, top-5 75.5 vs 80.0%, agreement
    // 80%; on all 500: 50.4 vs 54.2% (see README). The bound leaves room for the engine's
    // rounding, not for a broken quantization (which falls to a few percent).
    QCOMPARE(int8.images, f32.images);
    QVERIFY2(int8.top1() >= f32.top1() - 6.0, "calibrated int8 top-1 more than 6 points below fp32");
    QVERIFY2(int8.top5() >= f32.top5() - 8.0, "calibrated int8 top-5 more than 8 points below fp32");
    QVERIFY2(agree >= 72.0, "calibrated int8 agrees with fp32 on too few top-1s");
}

QTEST_GUILESS_MAIN(Calibration)
#include "test_calibration.moc"
