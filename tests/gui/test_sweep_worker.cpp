// The sweep worker and controller on a real (small) sweep: points stream as queued
// signals on the GUI thread, progress arrives, Cancel stops it, and the page charts the
// streamed points. Needs the core's run_sweep (links once it lands).
#include <QtTest>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>

#include "charts/tradeoff_chart.hpp"
#include "controller/sweep_controller.hpp"
#include "pages/tradeoff_page.hpp"

using namespace studio;

class TestSweepWorker : public QObject {
    Q_OBJECT
private slots:
    void streamsPoints();
    void cancels();
};

namespace {

mnv1::SweepConfig small_grid(const QTemporaryDir& cache) {
    mnv1::SweepConfig c;
    c.alphas = {0.25, 0.5};
    c.resolutions = {128, 96};
    c.threads = 1;
    c.timing = {.warmup_runs = 1, .runs = 3};
    c.cache_dir = cache.filePath("sweep").toStdString();
    return c;
}

}  // namespace

void TestSweepWorker::streamsPoints() {
    QTemporaryDir cache;
    SweepController sweeps(nullptr);
    TradeoffPage page;
    page.set_sweep_controller(&sweeps);
    QSignalSpy points(&sweeps, &SweepController::pointFinished);
    QSignalSpy progress(&sweeps, &SweepController::progressed);
    QSignalSpy finished(&sweeps, &SweepController::finished);
    QThread* gui = QThread::currentThread();
    bool on_gui_thread = true;
    connect(&sweeps, &SweepController::pointFinished, this,
            [&](const mnv1::SweepPoint&) { on_gui_thread = on_gui_thread && QThread::currentThread() == gui; });
    QVERIFY(sweeps.start(small_grid(cache)));
    QVERIFY(sweeps.running());
    QVERIFY(!sweeps.start(small_grid(cache)));  // one at a time
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.at(0).at(0).toInt(), 4);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QCOMPARE(points.count(), 4);
    QVERIFY(progress.count() >= 1);
    QVERIFY(on_gui_thread);
    QVERIFY(!sweeps.running());
    // Random weights: latency and cost only, so only the latency chart has them.
    QCOMPARE(int(page.chart(ChartKind::LatencyVsMacs)->shown_rows().size()), 4);
    QVERIFY(page.chart(ChartKind::LatencyVsMacs)->fit());
}

void TestSweepWorker::cancels() {
    QTemporaryDir cache;
    SweepController sweeps(nullptr);
    QSignalSpy finished(&sweeps, &SweepController::finished);
    mnv1::SweepConfig c = small_grid(cache);
    c.alphas = {1.0, 0.75, 0.5, 0.25};
    c.resolutions = {224, 192, 160, 128};
    c.timing = {.warmup_runs = 5, .runs = 200};
    QVERIFY(sweeps.start(c));
    sweeps.cancel();
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QVERIFY(finished.at(0).at(0).toInt() < 16);
}

QTEST_MAIN(TestSweepWorker)
#include "test_sweep_worker.moc"
