// The InferenceWorker on its own thread, driven the way the main window drives it:
// stale configurations and images are skipped, live frames are "newest wins" with a
// bounded number of results in flight, random weights give latency but no predictions.
// The worker's signals are recorded with mnv1::test::QueuedSpy (delivered on this thread), not
// QSignalSpy (which appends on the worker's thread while the test reads: a race TSan reports).
#include <QtTest>

#include <QThread>

#include <memory>

#include "worker/inference_worker.hpp"
#include "worker/latest_frame_slot.hpp"
#include "mobilenet/classify.hpp"
#include "test_support.hpp"

namespace {

constexpr int kTimeoutMs = 90000;

studio::ModelRequest request(quint64 generation, double alpha, int resolution) {
    studio::ModelRequest r;
    r.generation = generation;
    r.alpha = alpha;
    r.resolution = resolution;
    r.threads = 2;
    return r;
}

}  // namespace

class TestInferenceWorker : public QObject {
    Q_OBJECT

private:
    QThread thread_;
    std::shared_ptr<studio::LatestFrameSlot> slot_ = std::make_shared<studio::LatestFrameSlot>();
    studio::InferenceWorker* worker_ = nullptr;
    cv::Mat burger_;

    template <typename F>
    void post(F&& f) {
        QMetaObject::invokeMethod(worker_, std::forward<F>(f), Qt::QueuedConnection);
    }

private slots:
    void initTestCase() {
        const std::string models = mnv1::test::shared_path("models");
        MOBILENET_REQUIRE_FILE(models + "/tflite/mobilenet_v1_1.0_224_quant.tflite");
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("images/photos/burger.jpg"));
        burger_ = mnv1::load_image(mnv1::test::shared_path("images/photos/burger.jpg"));
        worker_ = new studio::InferenceWorker(slot_);
        worker_->moveToThread(&thread_);
        connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
        thread_.start();
        mnv1::test::QueuedSpy<studio::ModelCatalog> found(worker_, &studio::InferenceWorker::modelsDiscovered);
        const QStringList dirs{QString::fromStdString(models)};
        post([w = worker_, dirs] { w->discover_models(dirs); });
        QVERIFY(found.wait_for(1, kTimeoutMs));
        const auto& catalog = std::get<0>(found.first());
        QVERIFY(catalog.models.size() >= 1);
    }

    void cleanupTestCase() {
        thread_.quit();
        thread_.wait();
    }

    void staleConfigurationsAreSkipped() {
        mnv1::test::QueuedSpy<studio::ModelStatus> configured(worker_, &studio::InferenceWorker::configured);
        // The GUI announces generation 12 before posting it: 10 and 11, still queued, are stale.
        worker_->supersede_before(12);
        post([w = worker_] { w->configure(request(10, 0.5, 160)); });
        post([w = worker_] { w->configure(request(11, 0.75, 192)); });
        post([w = worker_] { w->configure(request(12, 1.0, 224)); });
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 1, kTimeoutMs);
        QTest::qWait(200);
        QCOMPARE(configured.count(), 1);
        const auto status = std::get<0>(configured.first());
        QCOMPARE(status.request.generation, quint64{12});
        QVERIFY(status.ok);
        QVERIFY(status.pretrained);
        QVERIFY(status.latencyMs > 0);
    }

    void staleImageRequestsAreSkipped() {
        mnv1::test::QueuedSpy<studio::ClassifyResult> classified(worker_, &studio::InferenceWorker::imageClassified);
        worker_->supersede_images_before(22);
        for (quint64 id : {20, 21, 22}) {
            studio::ClassifyRequest req;
            req.generation = 12;
            req.requestId = id;
            req.imageId = id;
            req.bgr = burger_;
            post([w = worker_, req] { w->classify_image(req); });
        }
        QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, kTimeoutMs);
        QTest::qWait(200);
        QCOMPARE(classified.count(), 1);
        const auto r = std::get<0>(classified.first());
        QCOMPARE(r.requestId, quint64{22});
        QCOMPARE(r.generation, quint64{12});
        QCOMPARE(r.top.size(), std::size_t{5});
        QCOMPARE(QString::fromStdString(r.top.front().label), QStringLiteral("cheeseburger"));
        QCOMPARE(r.cams.size(), r.top.size());
        QCOMPARE(r.cams.front().rows, 7);  // 224 / 32
        // A request for an older configuration than the one in effect is skipped too.
        studio::ClassifyRequest old;
        old.generation = 11;
        old.requestId = 23;
        old.bgr = burger_;
        post([w = worker_, old] { w->classify_image(old); });
        QTest::qWait(300);
        QCOMPARE(classified.count(), 1);
    }

    void framesAreNewestWinsWithBoundedResultsInFlight() {
        mnv1::test::QueuedSpy<studio::ClassifyResult> frames(worker_, &studio::InferenceWorker::frameClassified);
        // Nobody acknowledges results: the worker must stop after kMaxFramesInFlight.
        for (int i = 0; i < 20; ++i) {
            studio::Frame f;
            f.bgr = burger_;
            f.session = 7;
            f.index = static_cast<quint64>(i);
            if (slot_->put(std::move(f))) post([w = worker_] { w->process_latest_frame(); });
            QTest::qWait(15);
        }
        QTRY_COMPARE_WITH_TIMEOUT(frames.count(), studio::InferenceWorker::kMaxFramesInFlight, kTimeoutMs);
        QTest::qWait(300);
        QCOMPARE(frames.count(), studio::InferenceWorker::kMaxFramesInFlight);
        QVERIFY(slot_->has_frame());  // the newest frame waits in the slot, nothing queued
        // Acknowledging lets the waiting (newest) frame through.
        for (int i = 0; i < frames.count(); ++i) worker_->frame_result_consumed();
        QTRY_COMPARE_WITH_TIMEOUT(frames.count(), studio::InferenceWorker::kMaxFramesInFlight + 1, kTimeoutMs);
        const auto last = std::get<0>(frames.at(frames.count() - 1));
        QCOMPARE(last.frameIndex, quint64{19});
        QCOMPARE(last.sourceSession, quint64{7});
        QVERIFY(last.fromFrame);
        QVERIFY(!last.frameImage.isNull());
        QVERIFY(!slot_->has_frame());
        worker_->frame_result_consumed();
    }

    void randomWeightsGiveLatencyButNoPredictions() {
        mnv1::test::QueuedSpy<studio::ModelStatus> configured(worker_, &studio::InferenceWorker::configured);
        mnv1::test::QueuedSpy<studio::ClassifyResult> classified(worker_, &studio::InferenceWorker::imageClassified);
        worker_->supersede_before(30);
        post([w = worker_] { w->configure(request(30, 0.35, 128)); });
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 1, kTimeoutMs);
        const auto status = std::get<0>(configured.first());
        QVERIFY(status.ok);
        QVERIFY(!status.pretrained);
        QVERIFY(status.latencyMs > 0);
        studio::ClassifyRequest req;
        req.generation = 30;
        req.requestId = 31;
        req.bgr = burger_;
        worker_->supersede_images_before(31);
        post([w = worker_, req] { w->classify_image(req); });
        QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, kTimeoutMs);
        const auto r = std::get<0>(classified.first());
        QVERIFY(!r.pretrained);
        QVERIFY(r.top.empty());
        QVERIFY(r.cams.empty());
        QVERIFY(r.latencyMs > 0);
    }
};

QTEST_MAIN(TestInferenceWorker)
#include "test_inference_worker.moc"
