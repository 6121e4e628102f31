// "Measure again" end to end: the Classify page's latency summary shows the recent passes
// (median with p10–p90, the threads and why), and its button (or Tools → Measure Latency
// Again) runs a fresh timing on the worker whose answer comes back through the controller,
// stale answers dropped. Real model, automatic threads (the default policy).
#include <QtTest>

#include <QAction>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>

#include <cmath>
#include <memory>

#include "app/studio_options.hpp"
#include "controller/inference_controller.hpp"
#include "main_window.hpp"
#include "pages/classify_page.hpp"
#include "test_support.hpp"
#include "widgets/latency_summary.hpp"
#include "widgets/results_view.hpp"

namespace {

constexpr int kTimeoutMs = 90000;

std::string photo(const std::string& name) { return mnv1::test::shared_path("images/photos/" + name); }

void check_measurement(const studio::LatencyMeasurement& m) {
    QCOMPARE(m.passes, studio::kLatencyMeasurePasses);
    QVERIFY(std::isfinite(m.medianMs) && std::isfinite(m.p10Ms) && std::isfinite(m.p90Ms));
    QVERIFY(m.p10Ms > 0);
    QVERIFY(m.p10Ms <= m.medianMs);
    QVERIFY(m.medianMs <= m.p90Ms);
    QVERIFY(m.threadsUsed.contains(QStringLiteral("thread")));
    QVERIFY(m.policy.contains(QStringLiteral("OpenMP wait")));
}

}  // namespace

class TestLatencyMeasure : public QObject {
    Q_OBJECT

private:
    QTemporaryDir settings_dir_;

    std::unique_ptr<studio::MainWindow> make_window() {
        studio::StudioOptions opts;
        opts.settings_file = settings_dir_.filePath(QStringLiteral("%1.ini").arg(QTest::currentTestFunction()));
        opts.threads = 0;  // automatic: the default threading policy
        opts.open_paths = {QString::fromStdString(photo("burger.jpg"))};
        auto w = std::make_unique<studio::MainWindow>(opts);
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
        // Configured and the photo classified once.
        if (!QTest::qWaitFor([&] { return !w->classify_page()->results_view()->predictions().empty(); }, kTimeoutMs)) {
            return nullptr;
        }
        return w;
    }

private slots:
    void initTestCase() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("models/tflite/mobilenet_v1_1.0_224_quant.tflite"));
        MOBILENET_REQUIRE_FILE(photo("burger.jpg"));
        QVERIFY(settings_dir_.isValid());
        qputenv("MOBILENET_MODELS", QByteArray::fromStdString(mnv1::test::shared_path("models")));
    }

    void recentPassesShowMedianAndSpread() {
        auto w = make_window();
        QVERIFY(w);
        studio::LatencySummary* summary = w->classify_page()->latency_summary();
        QVERIFY(summary->recent_passes() >= 1);
        QVERIFY(summary->toolTip().contains(QStringLiteral("Threads:")));
        // Fewer than three passes: the times themselves and where a median comes from.
        if (summary->recent_passes() < studio::LatencySummary::kSpreadPasses) {
            QVERIFY2(summary->recent_text().contains(QStringLiteral("so far · Measure again for a median")),
                     qPrintable(summary->recent_text()));
            QVERIFY(!summary->recent_text().contains(QStringLiteral("p10–p90")));
        }
        while (summary->recent_passes() < studio::LatencySummary::kSpreadPasses) summary->add_pass(7.0, 2, "test");
        QVERIFY2(summary->recent_text().contains(QStringLiteral("p10–p90")), qPrintable(summary->recent_text()));
        QVERIFY(summary->recent_text().contains(QStringLiteral("(last %1 passes)").arg(summary->recent_passes())));

        studio::LatencySummary alone;
        alone.add_pass(10.9, 2, "test");
        QCOMPARE(alone.recent_text(), QStringLiteral("Latency 10.9 ms (1 pass so far · Measure again for a median)"));
        alone.add_pass(6.2, 2, "test");
        QCOMPARE(alone.recent_text(), QStringLiteral("Latency 10.9 ms, 6.20 ms (2 passes so far · Measure again for a median)"));
        alone.add_pass(6.4, 2, "test");
        QVERIFY2(alone.recent_text().startsWith(QStringLiteral("Latency median 6.40 ms")), qPrintable(alone.recent_text()));
    }

    void measureAgainButtonEndToEnd() {
        auto w = make_window();
        QVERIFY(w);
        studio::LatencySummary* summary = w->classify_page()->latency_summary();
        QSignalSpy measured(w->controller(), &studio::InferenceController::latencyMeasured);
        QTest::mouseClick(summary->measure_button(), Qt::LeftButton);
        QVERIFY(!summary->measure_button()->isEnabled());  // waits for the answer
        QVERIFY(measured.wait(kTimeoutMs));
        const auto m = measured.first().first().value<studio::LatencyMeasurement>();
        check_measurement(m);
        QCOMPARE(m.generation, w->controller()->generation());
        QTRY_VERIFY_WITH_TIMEOUT(summary->measure_button()->isEnabled(), kTimeoutMs);
        QVERIFY2(summary->measured_text().contains(QStringLiteral("Measured again")), qPrintable(summary->measured_text()));
        QVERIFY(summary->measured_text().contains(QStringLiteral("50 passes")));
    }

    void menuActionAndStaleAnswersDropped() {
        auto w = make_window();
        QVERIFY(w);
        QAction* action = nullptr;
        for (QAction* a : w->findChildren<QAction*>()) {
            if (a->text().remove('&') == QStringLiteral("Measure Latency Again")) action = a;
        }
        QVERIFY(action);
        QSignalSpy measured(w->controller(), &studio::InferenceController::latencyMeasured);
        // Two requests back to back: the first one's answer is stale when it arrives.
        action->trigger();
        action->trigger();
        QVERIFY(measured.wait(kTimeoutMs));
        QTest::qWait(1000);  // the first answer, had it got through, would be here by now
        QCOMPARE(measured.count(), 1);
        check_measurement(measured.first().first().value<studio::LatencyMeasurement>());
    }
};

QTEST_MAIN(TestLatencyMeasure)
#include "test_latency_measure.moc"
