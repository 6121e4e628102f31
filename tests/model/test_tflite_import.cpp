// TFLite import of the official MobileNet v1 releases in ../shared/models, labels,
// and model discovery. Tests what the importer produces (not the inference engine),
// plus a naive reference forward pass of the float 0.25_224 model against the golden
// TFLite output, which pins down the weight layout conversion end to end.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "formats/formats.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/weights.hpp"
#include "test_support.hpp"

using namespace mnv1;
namespace fs = std::filesystem;

namespace {

std::string tflite(const std::string& name) { return test::shared_path("models/tflite/" + name + ".tflite"); }

std::vector<char> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Straightforward NCHW forward pass over the canonical layouts (test oracle only).
std::vector<float> naive_forward(const ModelWeights& w, std::vector<float> x) {
    const auto layers = layer_table(w.arch(w.native_resolution));
    int c = 3, h = w.native_resolution;
    std::size_t li = 0;
    for (const LayerSpec& l : layers) {
        if (l.kind == LayerKind::AvgPool) {
            std::vector<float> y(static_cast<std::size_t>(c), 0.0f);
            for (int ch = 0; ch < c; ++ch) {
                double s = 0;
                for (int i = 0; i < h * h; ++i) s += x[static_cast<std::size_t>(ch) * h * h + i];
                y[ch] = static_cast<float>(s / (h * h));
            }
            x = std::move(y);
            h = 1;
            continue;
        }
        if (l.kind == LayerKind::Softmax) break;
        const LayerWeights& lw = w.layers[li++];
        const int oc = l.out_c, oh = l.out_h, k = l.kernel, s = l.stride, pt = l.pad_top;
        std::vector<float> y(static_cast<std::size_t>(oc) * oh * oh);
        for (int o = 0; o < oc; ++o) {
            for (int oy = 0; oy < oh; ++oy) {
                for (int ox = 0; ox < oh; ++ox) {
                    double acc = lw.bias[o];
                    for (int ky = 0; ky < k; ++ky) {
                        for (int kx = 0; kx < k; ++kx) {
                            const int iy = oy * s + ky - pt, ix = ox * s + kx - pt;
                            if (iy < 0 || ix < 0 || iy >= h || ix >= h) continue;
                            if (l.kind == LayerKind::Depthwise) {
                                acc += double(lw.weights[(static_cast<std::size_t>(o) * k + ky) * k + kx]) *
                                       x[(static_cast<std::size_t>(o) * h + iy) * h + ix];
                            } else {
                                for (int i = 0; i < c; ++i) {
                                    acc += double(lw.weights[((static_cast<std::size_t>(o) * c + i) * k + ky) * k + kx]) *
                                           x[(static_cast<std::size_t>(i) * h + iy) * h + ix];
                                }
                            }
                        }
                    }
                    float v = static_cast<float>(acc);
                    if (l.kind != LayerKind::FullyConnected) v = std::clamp(v, 0.0f, 6.0f);
                    y[(static_cast<std::size_t>(o) * oh + oy) * oh + ox] = v;
                }
            }
        }
        x = std::move(y);
        c = oc;
        h = oh;
    }
    const float m = *std::max_element(x.begin(), x.end());
    double sum = 0;
    for (float& v : x) sum += (v = std::exp(v - m));
    for (float& v : x) v = static_cast<float>(v / sum);
    return x;
}

}  // namespace

class TestTfliteImport : public QObject {
    Q_OBJECT

private slots:
    void detectsRelease_data();
    void detectsRelease();
    void floatWeights();
    void uint8Dequantization();
    void floatForwardMatchesGolden();
    void uint8DequantizedForwardTop1();
    void labelsConventions();
    void explicitLabelsPath();
    void discoveryAndPick();
};

void TestTfliteImport::detectsRelease_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("alpha");
    QTest::addColumn<int>("resolution");
    QTest::addColumn<bool>("quantized");
    QTest::newRow("1.0_224_quant") << "mobilenet_v1_1.0_224_quant" << 1.0 << 224 << true;
    QTest::newRow("0.75_192_quant") << "mobilenet_v1_0.75_192_quant" << 0.75 << 192 << true;
    QTest::newRow("0.5_160_quant") << "mobilenet_v1_0.5_160_quant" << 0.5 << 160 << true;
    QTest::newRow("0.25_224_quant") << "mobilenet_v1_0.25_224_quant" << 0.25 << 224 << true;
    QTest::newRow("0.25_128_quant") << "mobilenet_v1_0.25_128_quant" << 0.25 << 128 << true;
    QTest::newRow("0.25_224_float") << "mobilenet_v1_0.25_224" << 0.25 << 224 << false;
}

void TestTfliteImport::detectsRelease() {
    QFETCH(QString, name);
    QFETCH(double, alpha);
    QFETCH(int, resolution);
    QFETCH(bool, quantized);
    const std::string path = tflite(name.toStdString());
    MOBILENET_REQUIRE_FILE(path);

    const auto w = load_model(path);
    QCOMPARE(w->alpha, alpha);
    QCOMPARE(w->native_resolution, resolution);
    QCOMPARE(w->num_classes, 1001);
    QCOMPARE(w->quantized, quantized);
    QVERIFY(w->activation == Activation::Relu6);
    QVERIFY(w->padding == Padding::TfSame);
    QVERIFY(w->origin == WeightsOrigin::TFLite);
    QCOMPARE(w->source, path);
    const std::string alpha_s = alpha == 1.0 ? "1.0" : QString::number(alpha).toStdString();
    QCOMPARE(w->description, "mobilenet_v1_" + alpha_s + "_" + std::to_string(resolution) +
                                 (quantized ? " (TFLite uint8)" : " (TFLite float32)"));
    QCOMPARE(w->layers.size(), std::size_t{28});
    QCOMPARE(w->layers.front().name, std::string("conv0"));
    QCOMPARE(w->layers[1].name, std::string("dw1"));
    QCOMPARE(w->layers[26].name, std::string("pw13"));
    QCOMPARE(w->layers.back().name, std::string("fc"));
    check_shapes(*w, w->arch(w->native_resolution));  // throws on any mismatch

    if (quantized) {
        QCOMPARE(w->input_mean, 128.0f);
        QCOMPARE(w->input_std, 128.0f);
        QCOMPARE(w->input_quant.scale.size(), std::size_t{1});
        QCOMPARE(w->input_quant.scale[0], 1.0f / 128.0f);
        QCOMPARE(w->input_quant.zero_point[0], std::int64_t{128});
        QCOMPARE(w->output_quant.scale[0], 1.0f / 256.0f);
        QCOMPARE(w->output_quant.zero_point[0], std::int64_t{0});
        for (const LayerWeights& l : w->layers) QVERIFY2(l.quant.has_value(), l.name.c_str());
    } else {
        QCOMPARE(w->input_mean, 127.5f);
        QCOMPARE(w->input_std, 127.5f);
        QVERIFY(w->input_quant.empty());
        for (const LayerWeights& l : w->layers) QVERIFY2(!l.quant.has_value(), l.name.c_str());
    }

    // Labels found in ../labels beside the tflite/ dir, 1001 convention.
    if (fs::exists(test::shared_path("models/labels/imagenet_labels_1001.txt"))) {
        QCOMPARE(w->labels.size(), std::size_t{1001});
        QCOMPARE(w->labels[0], std::string("background"));
        QCOMPARE(w->labels[286], std::string("Egyptian cat"));

        // Through a symbolic link in a folder without labels: found beside the file it
        // points to.
        QTemporaryDir links;
        const std::string link = (links.path() + "/model.tflite").toStdString();
        fs::create_symlink(fs::canonical(path), link);
        const auto linked = load_model(link);
        QCOMPARE(linked->labels.size(), std::size_t{1001});
        QCOMPARE(linked->labels[286], std::string("Egyptian cat"));
    }
}

void TestTfliteImport::floatWeights() {
    const std::string path = tflite("mobilenet_v1_0.25_224");
    MOBILENET_REQUIRE_FILE(path);
    const auto w = load_model(path);
    const auto& L = w->layers;
    QCOMPARE(L[0].weights.size(), std::size_t{8 * 3 * 3 * 3});
    QCOMPARE(L[0].bias.size(), std::size_t{8});
    QCOMPARE(L[1].weights.size(), std::size_t{8 * 3 * 3});   // dw1
    QCOMPARE(L[2].weights.size(), std::size_t{16 * 8});      // pw1
    QCOMPARE(L[26].weights.size(), std::size_t{256 * 256});  // pw13
    QCOMPARE(L[27].weights.size(), std::size_t{1001 * 256}); // fc
    QCOMPARE(L[27].bias.size(), std::size_t{1001});
    const auto nonzero = [](const std::vector<float>& v) {
        return std::any_of(v.begin(), v.end(), [](float f) { return f != 0.0f; });
    };
    for (const LayerWeights& l : L) {
        QVERIFY2(nonzero(l.weights), l.name.c_str());
        QVERIFY2(std::all_of(l.weights.begin(), l.weights.end(), [](float f) { return std::isfinite(f); }),
                 l.name.c_str());
    }
    QVERIFY(nonzero(L[27].bias));
}

void TestTfliteImport::uint8Dequantization() {
    const std::string path = tflite("mobilenet_v1_0.25_224_quant");
    MOBILENET_REQUIRE_FILE(path);
    const auto w = load_model(path);
    for (const LayerWeights& l : w->layers) {
        QVERIFY(l.quant);
        const QuantizedLayer& q = *l.quant;
        QCOMPARE(q.weights_q.size(), l.weights.size());
        QCOMPARE(q.bias_q.size(), l.bias.size());
        QCOMPARE(q.weights.scale.size(), std::size_t{1});
        QVERIFY(q.weights.scale[0] > 0.0f);
        QVERIFY(q.weights.zero_point[0] >= 0 && q.weights.zero_point[0] <= 255);
        QCOMPARE(q.input.scale.size(), std::size_t{1});
        QCOMPARE(q.output.scale.size(), std::size_t{1});
        // weights = scale * (q - zero_point), bias = bias_scale * bias_q
        for (std::size_t i : {std::size_t{0}, l.weights.size() / 3, l.weights.size() - 1}) {
            const float expect = q.weights.scale[0] *
                                 static_cast<float>(static_cast<int>(q.weights_q[i]) - q.weights.zero_point[0]);
            QCOMPARE(l.weights[i], expect);
        }
        for (std::size_t i : {std::size_t{0}, l.bias.size() - 1}) {
            QCOMPARE(l.bias[i], q.bias.scale[0] * static_cast<float>(q.bias_q[i]));
        }
        // TFLite convention: bias scale = input scale * weight scale, zero point 0.
        QVERIFY(std::fabs(q.bias.scale[0] - q.input.scale[0] * q.weights.scale[0]) <= 1e-6f * q.bias.scale[0] + 1e-12f);
        QCOMPARE(q.bias.zero_point[0], std::int64_t{0});
    }
    // The first layer sees the network input.
    QCOMPARE(w->layers[0].quant->input.scale[0], w->input_quant.scale[0]);
    QCOMPARE(w->layers[0].quant->input.zero_point[0], w->input_quant.zero_point[0]);
    // Layer chaining: one layer's output quantization is the next one's input.
    for (std::size_t i = 0; i + 2 < w->layers.size(); ++i) {
        QCOMPARE(w->layers[i].quant->output.scale[0], w->layers[i + 1].quant->input.scale[0]);
    }
}

void TestTfliteImport::floatForwardMatchesGolden() {
    const std::string path = tflite("mobilenet_v1_0.25_224");
    const std::string dir = test::shared_path("reference/golden/mobilenet_v1_0.25_224_float/");
    const std::string in_path = dir + "cat.input_224x224x3_float32.bin";
    const std::string out_path = dir + "cat.output_1001_float32.bin";
    MOBILENET_REQUIRE_FILE(path);
    MOBILENET_REQUIRE_FILE(in_path);
    MOBILENET_REQUIRE_FILE(out_path);
    const auto w = load_model(path);
    const std::vector<char> in = read_all(in_path), out = read_all(out_path);
    QCOMPARE(in.size(), std::size_t{224 * 224 * 3 * 4});
    QCOMPARE(out.size(), std::size_t{1001 * 4});
    std::vector<float> x(3 * 224 * 224);
    for (int y = 0; y < 224; ++y)
        for (int xx = 0; xx < 224; ++xx)
            for (int c = 0; c < 3; ++c)
                std::memcpy(&x[(static_cast<std::size_t>(c) * 224 + y) * 224 + xx],
                            in.data() + 4 * ((static_cast<std::size_t>(y) * 224 + xx) * 3 + c), 4);
    const std::vector<float> p = naive_forward(*w, x);
    float max_diff = 0;
    for (int i = 0; i < 1001; ++i) {
        float g;
        std::memcpy(&g, out.data() + 4 * i, 4);
        max_diff = std::max(max_diff, std::fabs(g - p[i]));
    }
    QVERIFY2(max_diff < 1e-4f, qPrintable(QString("max |diff| = %1").arg(max_diff)));
    QCOMPARE(static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()), 286);  // Egyptian cat
}

void TestTfliteImport::uint8DequantizedForwardTop1() {
    const std::string path = tflite("mobilenet_v1_0.25_224_quant");
    const std::string dir = test::shared_path("reference/golden/mobilenet_v1_0.25_224_quant/");
    const std::string in_path = dir + "bird.input_224x224x3_uint8.bin";
    const std::string out_path = dir + "bird.output_1001_uint8.bin";
    MOBILENET_REQUIRE_FILE(path);
    MOBILENET_REQUIRE_FILE(in_path);
    MOBILENET_REQUIRE_FILE(out_path);
    const auto w = load_model(path);
    const std::vector<char> in = read_all(in_path), out = read_all(out_path);
    QCOMPARE(in.size(), std::size_t{224 * 224 * 3});
    QCOMPARE(out.size(), std::size_t{1001});
    std::vector<float> x(3 * 224 * 224);
    for (int y = 0; y < 224; ++y)
        for (int xx = 0; xx < 224; ++xx)
            for (int c = 0; c < 3; ++c)
                x[(static_cast<std::size_t>(c) * 224 + y) * 224 + xx] =
                    (static_cast<unsigned char>(in[(static_cast<std::size_t>(y) * 224 + xx) * 3 + c]) - w->input_mean) /
                    w->input_std;
    const std::vector<float> p = naive_forward(*w, x);
    int golden_top = 0;
    for (int i = 1; i < 1001; ++i) {
        if (static_cast<unsigned char>(out[i]) > static_cast<unsigned char>(out[golden_top])) golden_top = i;
    }
    const int top = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    QCOMPARE(top, golden_top);
    QVERIFY(std::fabs(p[top] - static_cast<unsigned char>(out[golden_top]) / 256.0f) < 0.05f);
}

void TestTfliteImport::labelsConventions() {
    const std::string l1000 = test::shared_path("models/labels/imagenet_labels_1000.txt");
    const std::string l1001 = test::shared_path("models/labels/imagenet_labels_1001.txt");
    const std::string meta = test::shared_path("models/tfjs/mobilenet_v1_0.75_224/metadata.json");
    MOBILENET_REQUIRE_FILE(l1000);
    MOBILENET_REQUIRE_FILE(l1001);

    auto a = load_labels(l1000, 1001);  // background prepended
    QCOMPARE(a.size(), std::size_t{1001});
    QCOMPARE(a[0], std::string("background"));
    QCOMPARE(a[286], std::string("Egyptian cat"));
    QCOMPARE(a[1], std::string("tench, Tinca tinca"));

    auto b = load_labels(l1001, 1001);
    QCOMPARE(b, a);

    auto c = load_labels(l1001, 1000);  // background dropped
    QCOMPARE(c.size(), std::size_t{1000});
    QCOMPARE(c[285], std::string("Egyptian cat"));
    QCOMPARE(c[0], std::string("tench, Tinca tinca"));

    MOBILENET_REQUIRE_FILE(meta);
    auto d = load_labels(meta, 1000);  // TF.js metadata.json "labels" array
    QCOMPARE(d.size(), std::size_t{1000});
    QCOMPARE(d[285], std::string("Egyptian cat"));
    auto e = load_labels(meta, 1001);
    QCOMPARE(e[286], std::string("Egyptian cat"));
}

void TestTfliteImport::explicitLabelsPath() {
    const std::string path = tflite("mobilenet_v1_0.25_128_quant");
    const std::string l1000 = test::shared_path("models/labels/imagenet_labels_1000.txt");
    MOBILENET_REQUIRE_FILE(path);
    MOBILENET_REQUIRE_FILE(l1000);
    const auto w = load_model(path, l1000);
    QCOMPARE(w->labels.size(), std::size_t{1001});
    QCOMPARE(w->labels[0], std::string("background"));
    QCOMPARE(w->labels[286], std::string("Egyptian cat"));

    // A copy with no labels anywhere near it loads with no labels.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string copy = tmp.path().toStdString() + "/m.tflite";
    fs::copy_file(path, copy);
    QVERIFY(load_model(copy)->labels.empty());
    // ... and picks up a labels.txt beside it.
    {
        std::ofstream out(tmp.path().toStdString() + "/labels.txt");
        for (const std::string& l : load_labels(l1000, 1000)) out << l << "\n";
    }
    const auto w2 = load_model(copy);
    QCOMPARE(w2->labels.size(), std::size_t{1001});
    QCOMPARE(w2->labels[286], std::string("Egyptian cat"));
}

void TestTfliteImport::discoveryAndPick() {
    const std::string models_dir = test::shared_path("models");
    for (const char* n : {"mobilenet_v1_1.0_224_quant", "mobilenet_v1_0.75_192_quant", "mobilenet_v1_0.5_160_quant",
                          "mobilenet_v1_0.25_224_quant", "mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.25_224"}) {
        MOBILENET_REQUIRE_FILE(tflite(n));
    }
    std::vector<std::string> problems;
    // The same tree twice (and through a sub-dir) must not produce duplicates.
    const auto models = discover_models({models_dir, models_dir, models_dir + "/tflite"}, &problems);
    int tflite_count = 0;
    for (const ModelEntry& m : models) {
        if (m.origin != WeightsOrigin::TFLite) continue;
        ++tflite_count;
        QCOMPARE(m.num_classes, 1001);
        QVERIFY(!m.display_name.empty());
        QVERIFY(m.display_name.find("(TFLite)") != std::string::npos);
    }
    QCOMPARE(tflite_count, 6);
    for (const std::string& p : problems) {
        // Only the other formats may fail (while their loaders are missing/incomplete).
        QVERIFY2(p.find(".tflite") == std::string::npos, p.c_str());
    }
    // Sorted by alpha, resolution, float before uint8.
    for (std::size_t i = 1; i < models.size(); ++i) {
        const ModelEntry& a = models[i - 1];
        const ModelEntry& b = models[i];
        QVERIFY(a.alpha <= b.alpha);
        if (a.alpha == b.alpha) {
            QVERIFY(a.native_resolution <= b.native_resolution);
            if (a.native_resolution == b.native_resolution) QVERIFY(!a.quantized || b.quantized);
        }
    }
    const ModelEntry* p = pick_model(models, 0.25, 224);
    QVERIFY(p);
    QVERIFY(!p->quantized);
    QCOMPARE(fs::path(p->path).filename().string(), std::string("mobilenet_v1_0.25_224.tflite"));
    QCOMPARE(p->display_name, std::string("MobileNet v1 0.25-224 float (TFLite)"));

    const ModelEntry* q = pick_model(models, 1.0, 224);
    QVERIFY(q);
    QCOMPARE(fs::path(q->path).filename().string(), std::string("mobilenet_v1_1.0_224_quant.tflite"));
    QCOMPARE(q->display_name, std::string("MobileNet v1 1.0-224 uint8 (TFLite)"));
    const ModelEntry* r = pick_model(models, 0.75, 160);
    QVERIFY(r);
    QCOMPARE(r->alpha, 0.75);
    QVERIFY(pick_model(models, 0.35, 224) == nullptr);
    QVERIFY(pick_model({}, 0.25, 224) == nullptr);
}

QTEST_APPLESS_MAIN(TestTfliteImport)
#include "test_tflite_import.moc"
