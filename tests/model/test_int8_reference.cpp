// The naive integer reference of TFLite's uint8 arithmetic (support/quantized_reference.hpp)
// checked on its own: the fixed-point helpers against exact arithmetic, then whole
// released uint8 models against the TFLite interpreter's golden output tensors and its
// top-1 on the shared images. This is what the int8 engine is measured against.
// Needs ../shared; in CI a missing file fails.
#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>

#include "mobilenet/classify.hpp"
#include "mobilenet/evaluate.hpp"
#include "mobilenet/image_io.hpp"
#include "mobilenet/model_io.hpp"
#include "quantized_reference.hpp"
#include "test_support.hpp"
#include "uint8_releases.hpp"

using namespace mnv1;
namespace q8 = mnv1::test::q8;

namespace {

using test::kUint8Releases;
using test::read_u8;
using Release = test::Uint8Release;
const auto& kReleases = kUint8Releases;

// The quantized input TFLite saw: decode, RGB, bilinear resize of the whole image,
// raw bytes (preprocess gives (q - mean) / std with mean = std = 128, exactly).
std::vector<std::uint8_t> quantized_input(const std::string& path, const ModelWeights& w, int res) {
    std::vector<float> f(static_cast<std::size_t>(res) * res * 3);
    preprocess(load_image(path), CropMode::Whole, res, w.input_mean, w.input_std, f.data());
    std::vector<std::uint8_t> q(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
        q[i] = static_cast<std::uint8_t>(std::clamp(std::lround(f[i] * w.input_std + w.input_mean), 0L, 255L));
    }
    return q;
}

// Images of one model's reference CSV: (image, TFLite top-1), imagenet-sample first.
std::vector<std::pair<std::string, int>> tflite_top1(const std::string& csv) {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    std::vector<std::pair<std::string, int>> sample, photos;
    while (std::getline(in, line)) {
        const auto f = csv_fields(line);
        if (f.size() < 2) continue;
        (f[0].rfind("imagenet-sample/", 0) == 0 ? sample : photos).emplace_back(f[0], std::stoi(f[1]));
    }
    sample.insert(sample.end(), photos.begin(), photos.end());
    return sample;
}

}  // namespace

class Int8Reference : public QObject {
    Q_OBJECT
private slots:
    void fixedPointMatchesExactArithmetic();
    void activationRange();
    void goldenTensors_data();
    void goldenTensors();
    void tfliteTop1_data();
    void tfliteTop1();
};

void Int8Reference::fixedPointMatchesExactArithmetic() {
    // QuantizeMultiplier: mantissa in [2^30, 2^31), value = m * 2^(shift - 31).
    const q8::Multiplier half = q8::quantize_multiplier(0.5);
    QCOMPARE(half.m, std::int32_t{1} << 30);
    QCOMPARE(half.shift, 0);
    const q8::Multiplier small = q8::quantize_multiplier(0.0009765625);  // 2^-10
    QCOMPARE(small.m, std::int32_t{1} << 30);
    QCOMPARE(small.shift, -9);
    // Ties: the doubling high multiply rounds half up, the rounding shift half away
    // from zero.
    QCOMPARE(q8::multiply_by_quantized_multiplier(5, half), 3);
    QCOMPARE(q8::rounding_divide_by_pot(-5, 1), -3);
    QCOMPARE(q8::rounding_divide_by_pot(5, 1), 3);
    QCOMPARE(q8::rounding_divide_by_pot(-6, 2), -2);
    // Random accumulators and multipliers in the ranges of these models: within half a
    // step of the exact product, plus half a step of the high multiply seen through the
    // right shift (the two roundings compound).
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::int32_t> acc(-2000000, 2000000);
    std::uniform_real_distribution<double> lg(-16.0, -1.0);
    for (int i = 0; i < 20000; ++i) {
        const double real = std::exp2(lg(rng));
        const std::int32_t x = acc(rng);
        const q8::Multiplier m = q8::quantize_multiplier(real);
        const double exact = static_cast<double>(x) * static_cast<double>(m.m) * std::exp2(m.shift - 31);
        const std::int32_t got = q8::multiply_by_quantized_multiplier(x, m);
        const double tol = 0.5 + 0.5 * std::exp2(std::min(m.shift, 0)) + 1e-9;
        QVERIFY2(std::abs(static_cast<double>(got) - exact) <= tol,
                 qPrintable(QString("x %1 real %2: got %3, exact %4").arg(x).arg(real).arg(got).arg(exact)));
        QVERIFY(std::abs(static_cast<double>(m.m) * std::exp2(m.shift - 31) - real) <= real * 1e-9);
    }
}

void Int8Reference::activationRange() {
    QuantParams out;
    out.scale = {6.0f / 255.0f};
    out.zero_point = {0};
    QCOMPARE(q8::activation_range(out, Activation::Relu6, true).lo, 0);
    QCOMPARE(q8::activation_range(out, Activation::Relu6, true).hi, 255);
    out.scale = {0.02f};
    out.zero_point = {10};
    QCOMPARE(q8::activation_range(out, Activation::Relu6, true).lo, 10);
    QCOMPARE(q8::activation_range(out, Activation::Relu6, true).hi, 255);  // 10 + 300 saturates
    out.scale = {0.05f};
    QCOMPARE(q8::activation_range(out, Activation::Relu6, true).hi, 130);
    QCOMPARE(q8::activation_range(out, Activation::Relu, true).hi, 255);
    QCOMPARE(q8::activation_range(out, Activation::Relu6, false).lo, 0);
}

void Int8Reference::goldenTensors_data() {
    QTest::addColumn<int>("release");
    for (int i = 0; i < static_cast<int>(std::size(kReleases)); ++i) QTest::newRow(kReleases[i].key) << i;
}

void Int8Reference::goldenTensors() {
    QFETCH(int, release);
    const Release& r = kReleases[release];
    const std::string model = test::shared_path(std::string("models/tflite/") + r.file);
    const std::string dir = test::shared_path(std::string("reference/golden/") + r.key);
    MOBILENET_REQUIRE_FILE(model);
    MOBILENET_REQUIRE_FILE(dir);
    const auto w = load_model(model);
    const int res = w->native_resolution;
    // The uint8 average pool keeps its input's quantization: check the model agrees.
    const auto layers = layer_table(w->arch(res));
    const auto lws = q8::weights_by_layer(*w, layers);
    const std::size_t fc = layers.size() - 2, last_conv = layers.size() - 4;
    QCOMPARE(lws[fc]->quant->input.scale[0], lws[last_conv]->quant->output.scale[0]);
    QCOMPARE(lws[fc]->quant->input.zero_point[0], lws[last_conv]->quant->output.zero_point[0]);

    const std::string size = std::to_string(res) + "x" + std::to_string(res) + "x3";
    int images = 0, same_top1 = 0, worst = 0, worst_fixed = 0;
    for (const char* name : {"bird", "burger", "cat", "grace_hopper", "n01443537_goldfish", "n02510455_giant_panda"}) {
        const auto input = read_u8(dir + "/" + name + ".input_" + size + "_uint8.bin");
        const auto golden = read_u8(dir + "/" + name + ".output_1001_uint8.bin");
        QCOMPARE(input.size(), static_cast<std::size_t>(res) * res * 3);
        QCOMPARE(golden.size(), std::size_t{1001});
        // TFLite's uint8 softmax output is q / 256; ours is a double softmax of the same
        // uint8 logits, so this bounds logits and softmax together.
        auto max_diff = [&](const q8::Output& o) {
            int diff = 0;
            for (std::size_t i = 0; i < golden.size(); ++i) {
                const long q = std::min(255L, std::lround(o.probabilities[i] * 256.0));
                diff = std::max(diff, static_cast<int>(std::abs(q - static_cast<long>(golden[i]))));
            }
            return diff;
        };
        const q8::Output out = q8::forward(*w, res, input.data(), false, q8::Rounding::Fp32);
        worst = std::max(worst, max_diff(out));
        worst_fixed = std::max(worst_fixed, max_diff(q8::forward(*w, res, input.data(), false, q8::Rounding::FixedPoint)));
        const auto g_top = static_cast<int>(std::max_element(golden.begin(), golden.end()) - golden.begin());
        // A tie in TFLite's uint8 probabilities is a tie: accept any of the tied classes.
        same_top1 += golden[static_cast<std::size_t>(out.top1)] == golden[static_cast<std::size_t>(g_top)];
        ++images;
    }
    qInfo("%s: %d golden tensors, max |dq| %d steps of 1/256 with fp32 requantization (%d with TFLite's fixed "
          "point), top-1 same on %d",
          r.key, images, worst, worst_fixed, same_top1);
    QCOMPARE(images, 6);
    // Bit for bit: the reference run used XNNPACK's fp32 requantization.
    QVERIFY2(worst == 0, qPrintable(QString("max |dq| %1 > 0").arg(worst)));
    QCOMPARE(same_top1, 6);
}

void Int8Reference::tfliteTop1_data() { goldenTensors_data(); }

void Int8Reference::tfliteTop1() {
    QFETCH(int, release);
    const Release& r = kReleases[release];
    const std::string model = test::shared_path(std::string("models/tflite/") + r.file);
    const std::string csv = test::shared_path(std::string("reference/tflite_predictions/") + r.key + ".csv");
    MOBILENET_REQUIRE_FILE(model);
    MOBILENET_REQUIRE_FILE(csv);
    const auto w = load_model(model);
    const int res = w->native_resolution;
    const auto refs = tflite_top1(csv);
    QVERIFY(refs.size() >= 500);
    // The reference is plain loops (about 1 GMAC/s): a budget of multiply-adds per model,
    // at least 12 images; MOBILENET_Q8_IMAGES=N overrides (N = 0: every image).
    std::int64_t macs = 0;
    for (const LayerSpec& l : layer_table(w->arch(res))) macs += l.macs;
    std::size_t n = static_cast<std::size_t>(std::clamp<std::int64_t>(6'000'000'000LL / macs, 12, 500));
    if (const char* env = std::getenv("MOBILENET_Q8_IMAGES"); env && *env) {
        n = std::strtoul(env, nullptr, 10);
        if (n == 0) n = refs.size();
    }
    n = std::min(n, refs.size());
    int agree = 0, tie_agree = 0;
    QStringList differ;
    for (std::size_t i = 0; i < n; ++i) {
        const auto input = quantized_input(test::shared_path("images/" + refs[i].first), *w, res);
        const q8::Output out = q8::forward(*w, res, input.data(), false, q8::Rounding::Fp32);
        const int want = refs[i].second;
        agree += out.top1 == want;
        // Equal uint8 logits are equal probabilities: TFLite's order among them is its own.
        const bool tie = out.logits[static_cast<std::size_t>(want)] == out.logits[static_cast<std::size_t>(out.top1)];
        tie_agree += tie;
        if (!tie) differ << QString("%1: %2 vs TFLite %3").arg(refs[i].first.c_str()).arg(out.top1).arg(want);
    }
    qInfo("%s: top-1 agreement with TFLite on %zu images: %d exact, %d counting uint8-logit ties", r.key, n, agree,
          tie_agree);
    QVERIFY2(differ.isEmpty(), qPrintable(differ.join("; ")));
}

QTEST_APPLESS_MAIN(Int8Reference)
#include "test_int8_reference.moc"
