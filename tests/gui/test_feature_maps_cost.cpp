// What the Feature maps view costs live classification, measured through two real
// InferenceWorkers (each on its own thread, the same model and configuration): one whose
// feature view was never opened, one whose view was opened (several layers extracted) and
// closed (released). Their classification latencies (forward pass of the same photo) are
// taken in interleaved rounds, so both see the same machine load, and printed with the
// extraction time per layer request. Labelled bench: it reports, it does not judge timings;
// it fails only when the workers do (or the released worker still holds an extractor).
#include <QtTest>

#include <QThread>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "mobilenet/image_io.hpp"
#include "test_support.hpp"
#include "worker/inference_worker.hpp"
#include "worker/latest_frame_slot.hpp"

namespace {

constexpr int kTimeoutMs = 120000;
constexpr int kRounds = 50, kPerRound = 1;  // 50 classifications per worker, alternating
constexpr const char* kPhoto = "images/photos/grace_hopper.jpg";

// The workers live on their own threads: signals are recorded through queued connections
// (QueuedSpy), never by a QSignalSpy appending on the worker's thread.
template <typename Spy>
bool wait_for(Spy& spy) { return spy.wait_for(1, kTimeoutMs); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Worker {
    QThread thread;
    studio::InferenceWorker* w = nullptr;
    quint64 request = 0;

    Worker() {
        w = new studio::InferenceWorker(std::make_shared<studio::LatestFrameSlot>());
        w->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, w, &QObject::deleteLater);
        thread.start();
    }
    ~Worker() {
        thread.quit();
        thread.wait();
    }
    template <typename F>
    void post(F&& f) {
        QMetaObject::invokeMethod(w, std::forward<F>(f), Qt::QueuedConnection);
    }
    // Forward-pass latency of one classification of `bgr`, ms; < 0 on failure.
    double classify(const cv::Mat& bgr) {
        mnv1::test::QueuedSpy<studio::ClassifyResult> done(w, &studio::InferenceWorker::imageClassified);
        studio::ClassifyRequest r;
        r.generation = 1;
        r.requestId = ++request;
        r.imageId = 1;
        r.bgr = bgr;
        post([w = w, r] { w->classify_image(r); });
        if (!wait_for(done)) return -1;
        return std::get<0>(done.first()).latencyMs;
    }
};

}  // namespace

class TestFeatureMapsCost : public QObject {
    Q_OBJECT

private slots:
    void classificationLatencyWithViewClosed() {
        const std::string models = mnv1::test::shared_path("models/tflite");
        MOBILENET_REQUIRE_FILE(models + "/mobilenet_v1_1.0_224_quant.tflite");
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path(kPhoto));
        const cv::Mat photo = mnv1::load_image(mnv1::test::shared_path(kPhoto));

        Worker never, opened;
        for (Worker* k : {&never, &opened}) {
            mnv1::test::QueuedSpy<studio::ModelCatalog> found(k->w, &studio::InferenceWorker::modelsDiscovered);
            const QStringList dirs{QString::fromStdString(models)};
            k->post([w = k->w, dirs] { w->discover_models(dirs); });
            QVERIFY(wait_for(found));
            mnv1::test::QueuedSpy<studio::ModelStatus> configured(k->w, &studio::InferenceWorker::configured);
            studio::ModelRequest m;
            m.generation = 1;
            m.alpha = 1.0;
            m.resolution = 224;
            m.threads = 1;
            k->post([w = k->w, m] { w->configure(m); });
            QVERIFY(wait_for(configured));
            QVERIFY(std::get<0>(configured.first()).ok);
            QVERIFY(k->classify(photo) >= 0);  // warm-up
        }

        // Open the view on one worker: conv0 (runs the forward pass), then other layers
        // (copies from the kept activations), then close it.
        std::printf("extraction per layer request (1.0-224, 1 thread):\n");
        quint64 id = 0;
        // The last two: new images (another buffer), so the forward pass runs again, warm.
        const std::vector<std::pair<int, cv::Mat>> requests = {
            {0, photo}, {1, photo}, {2, photo}, {5, photo}, {6, photo}, {11, photo}, {12, photo}, {26, photo},
            {0, photo}, {5, photo.clone()}, {26, photo.clone()}};
        for (const auto& [layer, image] : requests) {
            mnv1::test::QueuedSpy<studio::FeatureMapResult> ready(opened.w, &studio::InferenceWorker::featureMapsReady);
            mnv1::test::QueuedSpy<quint64, QString> failed(opened.w, &studio::InferenceWorker::requestFailed);
            studio::FeatureMapRequest r;
            r.generation = 1;
            r.requestId = ++id;
            r.imageId = 1;
            r.bgr = image;
            r.layer = layer;
            opened.post([w = opened.w, r] { w->extract_feature_maps(r); });
            QVERIFY(QTest::qWaitFor([&] { return ready.count() + failed.count() > 0; }, kTimeoutMs));
            QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(std::get<1>(failed.first())));
            const studio::FeatureMapResult res = std::get<0>(ready.first());
            QCOMPARE(res.layer.index, layer);
            std::printf("  %-6s %4d x %3d x %4d  %7.2f ms%s\n", res.layer.name.c_str(), res.layer.out_h, res.layer.out_w,
                        res.layer.out_c, res.extractMs,
                        res.ranForward ? qPrintable(QString("  (preprocess + forward pass %1 ms)").arg(res.forwardMs, 0, 'f', 2)) : "");
        }
        QVERIFY(opened.w->holds_feature_maps());
        mnv1::test::QueuedSpy<> released(opened.w, &studio::InferenceWorker::featureMapsReleased);
        opened.post([w = opened.w] { w->release_feature_maps(); });
        QVERIFY(wait_for(released));
        QVERIFY(!opened.w->holds_feature_maps());
        QVERIFY(!never.w->holds_feature_maps());

        std::vector<double> a, b;
        for (int round = 0; round < kRounds; ++round) {
            // Alternate which goes first, so neither always follows the other.
            Worker* first = round % 2 ? &opened : &never;
            Worker* second = round % 2 ? &never : &opened;
            for (Worker* k : {first, second}) {
                for (int i = 0; i < kPerRound; ++i) {
                    const double ms = k->classify(photo);
                    QVERIFY(ms >= 0);
                    (k == &never ? a : b).push_back(ms);
                }
            }
        }
        std::printf("classification latency, median of %d (alternating, %d at a time):\n"
                    "  view never opened:      %.3f ms (min %.3f)\n"
                    "  view opened and closed: %.3f ms (min %.3f)\n",
                    kRounds * kPerRound, kPerRound, median(a), *std::min_element(a.begin(), a.end()), median(b),
                    *std::min_element(b.begin(), b.end()));
        std::fflush(stdout);
    }
};

QTEST_GUILESS_MAIN(TestFeatureMapsCost)
#include "test_feature_maps_cost.moc"
