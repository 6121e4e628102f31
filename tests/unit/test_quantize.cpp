// Post-training int8 (mobilenet/quantize.hpp) on small synthetic networks: the
// quantization arithmetic (per-channel weight scales, zero points, int32 bias,
// activation ranges and their chaining), calibration ranges against an independent
// fp32 run, the int8 engine on a calibrated network against fp32, the precision
// setting's parsing, and choose_precision's bookkeeping (no timing asserts).
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "mobilenet/classify.hpp"
#include "mobilenet/errors.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/quantize.hpp"
#include "mobilenet/sweep.hpp"

using namespace mnv1;

namespace {

std::shared_ptr<const ModelWeights> tiny_weights(Activation act = Activation::Relu6) {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 64;
    arch.num_classes = 10;
    auto w = std::make_shared<ModelWeights>(*random_weights(arch, 11));
    w->activation = act;
    // Nonzero biases, so the int32 bias path is exercised.
    std::mt19937 rng(5);
    std::normal_distribution<float> n(0.0f, 0.1f);
    for (LayerWeights& l : w->layers)
        for (float& b : l.bias) b = n(rng);
    return w;
}

// Writes `count` deterministic smooth colour images (72 x 80 px) into dir; returns the paths.
std::vector<std::string> write_images(const QString& dir, int count) {
    std::vector<std::string> paths;
    for (int k = 0; k < count; ++k) {
        cv::Mat img(72, 80, CV_8UC3);
        for (int y = 0; y < img.rows; ++y)
            for (int x = 0; x < img.cols; ++x)
                img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x * 3 + k * 40) % 256),
                                                    static_cast<uchar>((y * 5 + k * 17) % 256),
                                                    static_cast<uchar>(((x + y) * 2 + k * 60) % 256));
        paths.push_back((dir + QStringLiteral("/img%1.png").arg(k)).toStdString());
        if (!cv::imwrite(paths.back(), img)) throw std::runtime_error("cannot write " + paths.back());
    }
    return paths;
}

}  // namespace

class TestQuantize : public QObject {
    Q_OBJECT

private slots:
    void parsesPrecisionChoice() {
        QCOMPARE(parse_precision_choice("fp32"), std::optional(PrecisionChoice::F32));
        QCOMPARE(parse_precision_choice("f32"), std::optional(PrecisionChoice::F32));
        QCOMPARE(parse_precision_choice("int8"), std::optional(PrecisionChoice::Int8));
        QCOMPARE(parse_precision_choice("auto"), std::optional(PrecisionChoice::Auto));
        for (const char* bad : {"", "FP32", "int16", "uint8", "auto "}) QVERIFY(!parse_precision_choice(bad));
        for (auto c : {PrecisionChoice::F32, PrecisionChoice::Int8, PrecisionChoice::Auto})
            QCOMPARE(parse_precision_choice(to_string(c)), std::optional(c));
    }

    void activationRanges() {
        // A ReLU6 output: [0, min(hi, 6)], zero point 0.
        QuantParams q = activation_quant(-0.1f, 7.3f, Activation::Relu6, true);
        QCOMPARE(q.scale.size(), std::size_t(1));
        QCOMPARE(q.scale[0], 6.0f / 255.0f);
        QCOMPARE(q.zero_point[0], std::int64_t(0));
        q = activation_quant(0.0f, 2.55f, Activation::Relu6, true);
        QCOMPARE(q.scale[0], 2.55f / 255.0f);
        // ReLU keeps its calibrated top.
        q = activation_quant(0.0f, 9.0f, Activation::Relu, true);
        QCOMPARE(q.scale[0], 9.0f / 255.0f);
        // Logits (no activation): asymmetric, integer zero point, a real 0 exact.
        q = activation_quant(-4.0f, 12.0f, Activation::Relu6, false);
        QCOMPARE(q.scale[0], 16.0f / 255.0f);
        QCOMPARE(q.zero_point[0], std::int64_t(64));  // round(4 / (16/255)) = round(63.75)
        // A range that does not hold 0 is widened to hold it.
        q = activation_quant(2.0f, 5.0f, Activation::Relu6, false);
        QCOMPARE(q.scale[0], 5.0f / 255.0f);
        QCOMPARE(q.zero_point[0], std::int64_t(0));
        q = activation_quant(-5.0f, -1.0f, Activation::Relu6, false);
        QCOMPARE(q.zero_point[0], std::int64_t(255));
        // A constant-zero tensor still gets a usable scale.
        q = activation_quant(0.0f, 0.0f, Activation::Relu6, true);
        QVERIFY(q.scale[0] > 0);
        QCOMPARE(q.zero_point[0], std::int64_t(0));
    }

    void layerWeightsPerChannel() {
        LayerWeights w;
        w.name = "pw1";
        w.weights = {0.5f, -1.0f, 0.25f, 0.0f, 0.0f, 0.0f, 0.02f, 0.012f, -0.005f};  // 3 channels x 3
        w.bias = {0.3f, -0.2f, 0.0f};
        const QuantParams in{{0.02f}, {128}}, out{{0.05f}, {3}};
        const QuantizedLayer q = quantize_layer(w, 3, in, out);
        QCOMPARE(q.input.scale, in.scale);
        QCOMPARE(q.output.zero_point, out.zero_point);
        QCOMPARE(q.weights.scale.size(), std::size_t(3));
        QCOMPARE(q.weights.zero_point, std::vector<std::int64_t>{128});
        QCOMPARE(q.weights.scale[0], 1.0f / 127.0f);
        QCOMPARE(q.weights.scale[2], 0.02f / 127.0f);
        // Channel 0: 0.5 * 127 = 63.5 -> 64, -1 -> -127, 0.25 * 127 = 31.75 -> 32; stored + 128.
        QCOMPARE(q.weights_q[0], std::uint8_t(192));
        QCOMPARE(q.weights_q[1], std::uint8_t(1));
        QCOMPARE(q.weights_q[2], std::uint8_t(160));
        // Channel 1 is all zero: stored as the zero point.
        for (int i = 3; i < 6; ++i) QCOMPARE(q.weights_q[static_cast<std::size_t>(i)], std::uint8_t(128));
        // Channel 2: its own scale keeps its small weights (0.02 -> 127, 0.012 -> 76.2 -> 76).
        QCOMPARE(q.weights_q[6], std::uint8_t(255));
        QCOMPARE(q.weights_q[7], std::uint8_t(204));
        // Bias: int32 at scale s_in * s_w[c].
        QCOMPARE(q.bias.zero_point, std::vector<std::int64_t>{0});
        QCOMPARE(q.bias.scale[0], 0.02f / 127.0f);
        QCOMPARE(q.bias_q[0], std::int32_t(1905));   // 0.3 / (0.02 / 127)
        QCOMPARE(q.bias_q[1], std::int32_t(-1270));  // -0.2 / (0.02 / 127)
        QCOMPARE(q.bias_q[2], std::int32_t(0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, quantize_layer(w, 2, in, out));
    }

    // A dead channel of a trained model: weights ~1e-9, bias -3. At s_w = max|w| / 127 the
    // bias is ~-5e12 steps, far beyond int32 (it used to saturate at INT32_MIN, and the
    // int32 accumulator then overflowed: UBSan in the integer reference). The weight scale
    // widens until the bias fits with room for the products; the bias stays exact.
    void hugeBiasOnTinyWeightsWidensTheScale() {
        LayerWeights w;
        w.name = "pw5";
        w.weights = {1e-9f, -2e-9f, 0.5f, 0.25f};  // 2 channels x 2
        w.bias = {-3.0f, 0.1f};
        const QuantParams in{{0.0235f}, {0}}, out{{0.05f}, {0}};
        const QuantizedLayer q = quantize_layer(w, 2, in, out);
        QVERIFY(std::abs(q.bias_q[0]) <= (1 << 30));
        QVERIFY(q.bias_q[0] < 0);
        const double bias0 = static_cast<double>(q.bias_q[0]) * static_cast<double>(q.bias.scale[0]);
        QVERIFY2(std::abs(bias0 - (-3.0)) < 1e-6, std::to_string(bias0).c_str());
        QVERIFY(q.weights.scale[0] > 2e-9f / 127.0f);
        // The normal channel is untouched.
        QCOMPARE(q.weights.scale[1], 0.5f / 127.0f);
        QCOMPARE(q.bias_q[1], static_cast<std::int32_t>(std::lround(0.1 / (0.0235 * (0.5 / 127.0)))));
    }

    void dequantizedWeightsWithinHalfStep() {
        const auto w = tiny_weights();
        const auto q = calibrate_int8(*std::make_unique<Runtime>(), w, {}).weights;
        for (std::size_t li = 0; li < w->layers.size(); ++li) {
            const LayerWeights& f = w->layers[li];
            const QuantizedLayer& ql = *q->layers[li].quant;
            QCOMPARE(q->layers[li].weights, f.weights);  // float weights kept: fp32 runs stay the float model
            const std::size_t per = f.weights.size() / ql.weights.scale.size();
            for (std::size_t i = 0; i < f.weights.size(); ++i) {
                const float s = ql.weights.scale[i / per];
                const float deq = s * (static_cast<float>(ql.weights_q[i]) - 128.0f);
                QVERIFY2(std::fabs(deq - f.weights[i]) <= 0.5001f * s, f.name.c_str());
                QVERIFY(ql.weights_q[i] >= 1);  // symmetric: -127..127, never -128
            }
        }
    }

    void calibrationRangesMatchAnFp32Run() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto images = write_images(dir.path(), 5);
        const auto w = tiny_weights();
        Runtime rt;
        int progress_calls = 0, last_done = 0;
        const CalibratedModel cm = calibrate_int8(rt, w, images, {.batch = 2, .threads = 1},
                                                  [&](const CalibrationProgress& p) {
                                                      ++progress_calls;
                                                      QCOMPARE(p.total, 5);
                                                      last_done = p.done;
                                                  });
        QCOMPARE(cm.images, 5);
        QVERIFY(!cm.synthetic);
        QVERIFY(cm.skipped.empty());
        QCOMPARE(progress_calls, 5);
        QCOMPARE(last_done, 5);
        QVERIFY(can_run_int8(*cm.weights));
        QVERIFY(!can_run_int8(*w));
        const ModelWeights& q = *cm.weights;
        QCOMPARE(q.input_quant.scale[0], 1.0f / 127.5f);
        QCOMPARE(q.input_quant.zero_point[0], std::int64_t(128));
        QCOMPARE(q.output_quant.scale[0], 1.0f / 256.0f);

        // The independent fp32 run: one image at a time, every layer's output kept.
        ExecutionContext ctx(rt.compile(w, {.resolution = 64, .threads = 1}), {.keep_activations = true});
        const auto& table = ctx.network().layers();
        std::vector<float> lo(q.layers.size(), 1e30f), hi(q.layers.size(), -1e30f), act;
        for (const auto& path : images) {
            classify(ctx, {load_image(path)}, CropMode::Whole, 1);
            for (std::size_t li = 0; li < q.layers.size(); ++li) {
                const auto spec = std::find_if(table.begin(), table.end(),
                                               [&](const LayerSpec& s) { return s.name == q.layers[li].name; });
                ctx.copy_activation(spec->index, 0, act);
                for (float v : act) lo[li] = std::min(lo[li], v), hi[li] = std::max(hi[li], v);
            }
        }
        for (std::size_t li = 0; li < q.layers.size(); ++li) {
            const QuantizedLayer& ql = *q.layers[li].quant;
            const bool fc = q.layers[li].name == "fc";
            // Chaining: each layer reads what the previous one wrote (the pool keeps it).
            const QuantParams& expected_in = li == 0 ? q.input_quant : q.layers[li - 1].quant->output;
            QCOMPARE(ql.input.scale, expected_in.scale);
            QCOMPARE(ql.input.zero_point, expected_in.zero_point);
            const float top = fc ? std::max(hi[li], 0.0f) : std::min(hi[li], 6.0f);
            const float bottom = fc ? std::min(lo[li], 0.0f) : 0.0f;
            QVERIFY2(std::fabs(ql.output.scale[0] - (top - bottom) / 255.0f) <= 1e-4f * (top - bottom) + 1e-9f,
                     q.layers[li].name.c_str());
            if (!fc) QCOMPARE(ql.output.zero_point[0], std::int64_t(0));
            else QCOMPARE(ql.output.zero_point[0], static_cast<std::int64_t>(std::round(-bottom / ql.output.scale[0])));
        }
    }

    void int8RunFollowsFp32() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto images = write_images(dir.path(), 4);
        const auto w = tiny_weights();
        Runtime rt;
        const auto q = calibrate_int8(rt, w, images, {.threads = 1}).weights;
        ExecutionContext f32(rt.compile(w, {.resolution = 64, .threads = 1}), {.keep_activations = true});
        ExecutionContext i8(rt.compile(q, {.resolution = 64, .threads = 1, .precision = Precision::Int8}),
                            {.keep_activations = true});
        const int fc = static_cast<int>(f32.network().layers().size()) - 2;
        std::vector<float> a, b;
        for (const auto& path : images) {
            const cv::Mat img = load_image(path);
            classify(f32, {img}, CropMode::Whole, 1);
            classify(i8, {img}, CropMode::Whole, 1);
            f32.copy_activation(fc, 0, a);
            i8.copy_activation(fc, 0, b);  // the dequantized logits
            const auto [mn, mx] = std::minmax_element(a.begin(), a.end());
            const float range = *mx - *mn;
            double err = 0;
            for (std::size_t i = 0; i < a.size(); ++i) err = std::max(err, static_cast<double>(std::fabs(a[i] - b[i])));
            qInfo("%s: max logit error %.4f of a range %.4f", path.c_str(), err, range);
            QVERIFY(err < 0.05 * range);  // measured 1.0-1.4% of the range
        }
    }

    void syntheticCalibrationIsLabelled() {
        Runtime rt;
        const CalibratedModel cm = calibrate_int8(rt, tiny_weights(), {}, {.synthetic_images = 3});
        QVERIFY(cm.synthetic);
        QCOMPARE(cm.images, 3);
        QVERIFY(cm.weights->description.find("synthetic") != std::string::npos);
    }

    void rejectsWhatItCannotCalibrate() {
        Runtime rt;
        const auto w = tiny_weights();
        const auto q = calibrate_int8(rt, w, {}, {.synthetic_images = 1}).weights;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, calibrate_int8(rt, q, {}));  // already quantized
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, calibrate_int8(rt, nullptr, {}));
        QTemporaryDir dir;
        const std::string missing = (dir.path() + "/missing.jpg").toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, calibrate_int8(rt, w, {missing}));
        // Nothing readable: the folder is named, with how many files and the first reason.
        try {
            calibrate_int8(rt, w, {missing, (dir.path() + "/also-missing.png").toStdString()});
            QFAIL("no image could be read, yet it calibrated");
        } catch (const Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.rfind(dir.path().toStdString() + ": none of its 2 images could be read (", 0) == 0, e.what());
            QVERIFY2(what.find("missing.jpg") != std::string::npos && what.find("; …)") != std::string::npos, e.what());
        }
        // One bad file among good ones is listed, not fatal.
        auto images = write_images(dir.path(), 2);
        images.insert(images.begin(), missing);
        const CalibratedModel cm = calibrate_int8(rt, w, images, {.threads = 1});
        QCOMPARE(cm.images, 2);
        QCOMPARE(cm.skipped.size(), std::size_t(1));
        QVERIFY(cm.skipped[0].find("missing.jpg") != std::string::npos);
        // Cancelled before the first image: no weights.
        CancelToken cancel;
        cancel.cancel();
        const CalibratedModel none = calibrate_int8(rt, w, images, {}, {}, &cancel);
        QVERIFY(none.cancelled);
        QVERIFY(!none.weights);
    }

    void choosePrecisionBookkeeping() {
        Runtime rt;
        const auto w = tiny_weights();
        const NetworkConfig cfg{.resolution = 64, .threads = 1};
        const PrecisionDecision none = choose_precision(rt, w, nullptr, cfg);
        QCOMPARE(none.precision, Precision::F32);
        QVERIFY(!none.measured);
        QVERIFY(!none.reason.empty());
        const auto q = calibrate_int8(rt, w, {}, {.synthetic_images = 2}).weights;
        const PrecisionDecision d = choose_precision(rt, w, q, cfg);
        QVERIFY(d.measured);
        QVERIFY(!d.from_cache);
        QVERIFY(d.f32_ms > 0 && d.int8_ms > 0);
        QCOMPARE(d.precision, d.int8_ms < d.f32_ms ? Precision::Int8 : Precision::F32);  // the faster one measured
        const PrecisionDecision again = choose_precision(rt, w, q, cfg);
        QVERIFY(again.from_cache);
        QCOMPARE(again.precision, d.precision);
        QCOMPARE(again.f32_ms, d.f32_ms);
        // Another config is measured anew.
        QVERIFY(!choose_precision(rt, w, q, {.resolution = 96, .threads = 1}).from_cache);
    }

    // Precision is a sweep dimension: one point per precision, each cached under its own key.
    void sweepPrecisionsAreCachedApart() {
        QTemporaryDir cache;
        QVERIFY(cache.isValid());
        SweepConfig config;
        config.alphas = {0.35};  // no release of this α: int8 times synthetic-calibrated random weights
        config.resolutions = {64};
        config.precisions = {Precision::F32, Precision::Int8};
        config.timing = {.warmup_runs = 1, .runs = 3};
        config.cache_dir = cache.path().toStdString();
        const auto first = run_sweep(config);
        QCOMPARE(first.size(), std::size_t(2));
        QCOMPARE(first[0].precision, Precision::F32);
        QCOMPARE(first[1].precision, Precision::Int8);
        QVERIFY(!first[0].from_cache && !first[1].from_cache);
        const auto again = run_sweep(config);
        QVERIFY(again[0].from_cache && again[1].from_cache);
        QCOMPARE(again[0].latency.median_ms, first[0].latency.median_ms);
        QCOMPARE(again[1].latency.median_ms, first[1].latency.median_ms);
        config.precisions = {Precision::Int8};
        const auto int8_only = run_sweep(config);
        QCOMPARE(int8_only.size(), std::size_t(1));
        QVERIFY(int8_only[0].from_cache);
        QCOMPARE(int8_only[0].latency.median_ms, first[1].latency.median_ms);
        config.precisions = {};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_sweep(config));
    }
};

QTEST_GUILESS_MAIN(TestQuantize)
#include "test_quantize.moc"
