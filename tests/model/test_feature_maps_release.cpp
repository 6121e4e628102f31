// FeatureMapExtractor with released weights on a real photo: the activations of conv0, a
// depthwise, a pointwise and the last pointwise layer equal the naive reference network's
// (tests/support/reference_net.hpp) within the engine's per-layer tolerance, and the
// extractor's top-1 is the classification path's. Needs ../shared; in CI a missing file fails.
#include <QtTest>

#include "mobilenet/classify.hpp"
#include "mobilenet/feature_maps.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"
#include "reference_net.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cmath>

using namespace mnv1;

namespace {
}

class TestFeatureMapsRelease : public QObject {
    Q_OBJECT

private slots:
    void realPhotoMatchesReference() {
        const std::string model = test::shared_path("models/tflite/mobilenet_v1_0.25_224.tflite");
        const std::string photo = test::shared_path("images/photos/grace_hopper.jpg");
        MOBILENET_REQUIRE_FILE(model);
        MOBILENET_REQUIRE_FILE(photo);
        const auto weights = load_model(model);
        Runtime rt;
        NetworkConfig cfg;
        cfg.resolution = 224;
        cfg.threads = 2;
        const CompiledNetworkPtr net = rt.compile(weights, cfg);
        FeatureMapExtractor fx(net);
        const cv::Mat bgr = load_image(photo);
        const Classification c = fx.run(bgr, CropMode::Central);

        ExecutionContext live(net);
        const Classification expected = classify(live, {bgr}, CropMode::Central).front();
        QCOMPARE(c.top.front().index, expected.top.front().index);

        const FeatureMap input = fx.input();
        QVERIFY(std::equal(input.hwc.begin(), input.hwc.end(), live.input()));
        const test::ReferenceOutput ref = test::reference_forward(*weights, 224, 1, input.hwc.data());
        const auto& layers = net->layers();
        for (int li : {0, 1, 2, 11, net->feature_layer()}) {  // conv0, dw1, pw1, dw6, pw13
            const FeatureMap m = fx.activation(li);
            const std::vector<double>& r = ref.activations[static_cast<std::size_t>(li)][0];
            QCOMPARE(m.hwc.size(), r.size());
            const test::ActivationDiff d = test::compare_activation(m.hwc, r);
            const char* name = layers[static_cast<std::size_t>(li)].name.c_str();
            QVERIFY2(d.max_ref > 0, name);
            QVERIFY2(d.within_tolerance(),
                     qPrintable(QString("%1: max diff %2, max |ref| %3").arg(name).arg(d.max_diff).arg(d.max_ref)));
        }
    }
};

QTEST_APPLESS_MAIN(TestFeatureMapsRelease)
#include "test_feature_maps_release.moc"
