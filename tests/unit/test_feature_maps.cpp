// FeatureMapExtractor against the naive reference network (tests/support/reference_net.hpp):
// the activations it returns for conv0, a depthwise, a pointwise and the last pointwise
// layer, and the input tensor, on random weights; the filter helpers against the canonical
// weight layouts; value ranges; and that extraction leaves another context of the same
// network alone.
#include <QtTest>

#include <opencv2/core.hpp>

#include "mobilenet/classify.hpp"
#include "mobilenet/feature_maps.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/weights.hpp"
#include "reference_net.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

using namespace mnv1;

namespace {

// The tolerance test_network_reference uses per layer: max |a - a_ref| <= tol * max(1, max |a_ref|).

cv::Mat random_photo(int width, int height, int seed) {
    cv::Mat bgr(height, width, CV_8UC3);
    cv::RNG rng(static_cast<std::uint64_t>(seed));
    rng.fill(bgr, cv::RNG::UNIFORM, 0, 256);
    return bgr;
}

int layer_named(const std::vector<LayerSpec>& layers, const std::string& name) {
    for (const LayerSpec& l : layers)
        if (l.name == name) return l.index;
    return -1;
}

}  // namespace

class TestFeatureMaps : public QObject {
    Q_OBJECT

private slots:
    void activationsMatchReference_data();
    void activationsMatchReference();
    void filterHelpersReadCanonicalLayouts();
    void valueRanges();
    void errors();
    void ownContextLeavesClassificationAlone();
};

void TestFeatureMaps::activationsMatchReference_data() {
    QTest::addColumn<double>("alpha");
    QTest::addColumn<int>("resolution");
    QTest::addColumn<int>("crop");
    QTest::newRow("0.25-64 whole") << 0.25 << 64 << int(CropMode::Whole);
    QTest::newRow("0.5-96 central") << 0.5 << 96 << int(CropMode::Central);
}

void TestFeatureMaps::activationsMatchReference() {
    QFETCH(double, alpha);
    QFETCH(int, resolution);
    QFETCH(int, crop);
    ArchConfig arch;
    arch.alpha = alpha;
    arch.resolution = resolution;
    arch.num_classes = 1001;
    const auto weights = random_weights(arch, 77);
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = resolution;
    cfg.threads = 1;
    FeatureMapExtractor fx(rt.compile(weights, cfg));
    QVERIFY(!fx.has_run());

    const cv::Mat photo = random_photo(150, 110, resolution);
    const CropMode mode = static_cast<CropMode>(crop);
    const Classification c = fx.run(photo, mode);
    QVERIFY(fx.has_run());
    QCOMPARE(c.crop.width, crop_rect(150, 110, mode).width);

    // The input tensor is exactly what the classification path's preprocess makes.
    const std::size_t in_floats = static_cast<std::size_t>(resolution) * resolution * 3;
    std::vector<float> expected_input(in_floats);
    preprocess(photo, mode, resolution, weights->input_mean, weights->input_std, expected_input.data());
    const FeatureMap input = fx.input();
    QCOMPARE(input.layer, -1);
    QCOMPARE(input.height, resolution);
    QCOMPARE(input.width, resolution);
    QCOMPARE(input.channels, 3);
    QVERIFY(input.hwc == expected_input);

    const test::ReferenceOutput ref = test::reference_forward(*weights, resolution, 1, expected_input.data());
    const std::vector<LayerSpec>& layers = fx.network().layers();
    const int last_pw = fx.network().feature_layer();
    QCOMPARE(QString::fromStdString(layers[static_cast<std::size_t>(last_pw)].name), QStringLiteral("pw13"));
    for (int li : {layer_named(layers, "conv0"), layer_named(layers, "dw1"), layer_named(layers, "pw1"),
                   layer_named(layers, "dw6"), layer_named(layers, "pw9"), last_pw}) {
        QVERIFY(li >= 0);
        const LayerSpec& l = layers[static_cast<std::size_t>(li)];
        const FeatureMap m = fx.activation(li);
        QCOMPARE(m.layer, li);
        QCOMPARE(m.height, l.out_h);
        QCOMPARE(m.width, l.out_w);
        QCOMPARE(m.channels, l.out_c);
        const std::vector<double>& r = ref.activations[static_cast<std::size_t>(li)][0];
        QCOMPARE(m.hwc.size(), r.size());
        const test::ActivationDiff d = test::compare_activation(m.hwc, r);
        QVERIFY2(d.max_ref > 0, l.name.c_str());  // a layer of zeros would prove nothing
        QVERIFY2(d.within_tolerance(),
                 qPrintable(QString("%1: max diff %2, max |ref| %3").arg(l.name.c_str()).arg(d.max_diff).arg(d.max_ref)));
        // at(y, x, c) addresses HWC.
        QCOMPARE(m.at(l.out_h - 1, 0, l.out_c - 1),
                 m.hwc[(static_cast<std::size_t>(l.out_h - 1) * l.out_w) * l.out_c + l.out_c - 1]);
    }
}

void TestFeatureMaps::filterHelpersReadCanonicalLayouts() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 64;
    const auto w = random_weights(arch, 5);
    const std::vector<LayerSpec> layers = layer_table(arch);
    const LayerSpec& dw3 = layers[static_cast<std::size_t>(layer_named(layers, "dw3"))];
    const LayerSpec& pw3 = layers[static_cast<std::size_t>(layer_named(layers, "pw3"))];
    const LayerWeights* dww = nullptr;
    const LayerWeights* pww = nullptr;
    for (const LayerWeights& l : w->layers) {
        if (l.name == "dw3") dww = &l;
        if (l.name == "pw3") pww = &l;
    }
    QVERIFY(dww && pww);

    const FilterBank dw = depthwise_filters(*w, dw3);
    QCOMPARE(dw.count, dw3.out_c);
    QCOMPARE(dw.rows, 3);
    QCOMPARE(dw.cols, 3);
    for (int c = 0; c < dw.count; ++c)
        for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx)
                QCOMPARE(dw.at(c, ky, kx), dww->weights[(static_cast<std::size_t>(c) * 3 + ky) * 3 + kx]);

    const FilterBank pw = pointwise_weights(*w, pw3);
    QCOMPARE(pw.count, 1);
    QCOMPARE(pw.rows, pw3.out_c);
    QCOMPARE(pw.cols, pw3.in_c);
    for (int n = 0; n < pw.rows; n += 7)
        for (int m = 0; m < pw.cols; ++m)
            QCOMPARE(pw.at(0, n, m), pww->weights[static_cast<std::size_t>(n) * pw3.in_c + m]);
    // Not all zero (random He init): the comparison above means something.
    QVERIFY(value_range(pw.values).max > value_range(pw.values).min);

    const FilterBank conv0 = full_conv_filters(*w, layers[0]);
    QCOMPARE(conv0.count, layers[0].out_c * 3);
    QCOMPARE(conv0.rows, 3);
    for (int o = 0; o < layers[0].out_c; ++o)
        for (int i = 0; i < 3; ++i)
            for (int ky = 0; ky < 3; ++ky)
                for (int kx = 0; kx < 3; ++kx)
                    QCOMPARE(conv0.at(o * 3 + i, ky, kx),
                             w->layers[0].weights[((static_cast<std::size_t>(o) * 3 + i) * 3 + ky) * 3 + kx]);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, full_conv_filters(*w, dw3));

    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, depthwise_filters(*w, pw3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pointwise_weights(*w, dw3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pointwise_weights(*w, layers[0]));  // conv0
    ModelWeights missing = *w;
    missing.layers.erase(missing.layers.begin() + layer_named(layers, "dw3"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, depthwise_filters(missing, dw3));
}

void TestFeatureMaps::valueRanges() {
    FeatureMap m;
    m.height = 2;
    m.width = 2;
    m.channels = 3;
    // pixel p, channel c = (c + 1) * (p - 1)
    for (int p = 0; p < 4; ++p)
        for (int c = 0; c < 3; ++c) m.hwc.push_back(static_cast<float>((c + 1) * (p - 1)));
    const std::vector<ValueRange> r = channel_ranges(m);
    QCOMPARE(r.size(), std::size_t{3});
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(r[static_cast<std::size_t>(c)].min, static_cast<float>(-(c + 1)));
        QCOMPARE(r[static_cast<std::size_t>(c)].max, static_cast<float>(2 * (c + 1)));
    }
    const ValueRange all = value_range(m.hwc);
    QCOMPARE(all.min, -3.0f);
    QCOMPARE(all.max, 6.0f);
    QCOMPARE(value_range({}).max, 0.0f);
    QVERIFY(channel_ranges(FeatureMap{}).empty());
}

void TestFeatureMaps::errors() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FeatureMapExtractor(nullptr));
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 32;
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 32;
    cfg.threads = 1;
    FeatureMapExtractor fx(rt.compile(random_weights(arch, 1), cfg));
    QVERIFY_THROWS_EXCEPTION(std::logic_error, fx.activation(0));
    QVERIFY_THROWS_EXCEPTION(std::logic_error, fx.input());
    fx.run(random_photo(40, 40, 1), CropMode::Whole);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, fx.activation(-1));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, fx.activation(static_cast<int>(fx.network().layers().size())));
}

void TestFeatureMaps::ownContextLeavesClassificationAlone() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 64;
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 64;
    cfg.threads = 1;
    const CompiledNetworkPtr net = rt.compile(random_weights(arch, 3), cfg);
    ExecutionContext live(net);
    const cv::Mat a = random_photo(80, 80, 10), b = random_photo(80, 80, 11);
    classify(live, {a});
    const std::vector<float> probs(live.probabilities(), live.probabilities() + net->num_classes());
    const std::vector<float> input(live.input(), live.input() + live.input_floats());

    FeatureMapExtractor fx(net);
    fx.run(b, CropMode::Whole);
    QVERIFY(std::equal(probs.begin(), probs.end(), live.probabilities()));
    QVERIFY(std::equal(input.begin(), input.end(), live.input()));
    // And it did run on b, not on a.
    QVERIFY(fx.input().hwc != input);
}

QTEST_APPLESS_MAIN(TestFeatureMaps)
#include "test_feature_maps.moc"
