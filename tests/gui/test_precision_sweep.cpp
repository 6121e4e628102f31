// Precision as a dimension of the trade-offs and of evaluation, offscreen, on the real
// shared models and images: a sweep with fp32 and int8 checked produces points of both
// precisions, charted as two kinds of series (own shape, own legend entry); an int8
// evaluation measures fp32 on the same images and shows both and the change.
#include <QtTest>

#include <QGuiApplication>
#include <QScreen>

#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextStream>

#include <QScatterSeries>

#include <fstream>
#include <memory>
#include <set>

#include "charts/tradeoff_chart.hpp"
#include "controller/evaluation_controller.hpp"
#include "controller/inference_controller.hpp"
#include "controller/sweep_controller.hpp"
#include "main_window.hpp"
#include "models/tradeoff_model.hpp"
#include "pages/evaluation_page.hpp"
#include "pages/tradeoff_page.hpp"
#include "screen_shots.hpp"
#include "test_support.hpp"
#include "widgets/sweep_dialog.hpp"

namespace {

using mnv1::test::save_screen;

constexpr int kTimeoutMs = 180000;

}  // namespace

class TestPrecisionSweep : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite"));
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("images/imagenet-sample/ground_truth.csv"));
    }

    void dialogHasPrecisionDimension() {
        studio::SweepDialog dialog;
        QCOMPARE(dialog.config().precisions, std::vector<mnv1::Precision>{mnv1::Precision::F32});
        dialog.set_precisions(true, true);
        dialog.set_calibration_dir(QStringLiteral("/some/images"));
        const mnv1::SweepConfig both = dialog.config();
        QCOMPARE(both.precisions, (std::vector<mnv1::Precision>{mnv1::Precision::F32, mnv1::Precision::Int8}));
        QCOMPARE(both.calibration_dir, std::string("/some/images"));
        dialog.set_precisions(false, false);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, dialog.config());

        // The last sweep's grid is offered again, field for field.
        mnv1::SweepConfig last;
        last.alphas = {1.0, 0.5};
        last.resolutions = {224, 128};
        last.threads = 2;
        last.precisions = {mnv1::Precision::Int8};
        last.calibration_dir = "/calib";
        last.images_dir = "/labelled";
        studio::SweepDialog again;
        again.set_config(last);
        const mnv1::SweepConfig offered = again.config();
        QCOMPARE(offered.alphas, last.alphas);
        QCOMPARE(offered.resolutions, last.resolutions);
        QCOMPARE(offered.threads, 2);
        QCOMPARE(offered.precisions, last.precisions);
        QCOMPARE(offered.calibration_dir, last.calibration_dir);
        QCOMPARE(offered.images_dir, last.images_dir);

        // And it is kept across sessions with the page's state.
        studio::TradeoffPage page;
        const QByteArray state = R"({"sweep":{"alphas":[1,0.5],"resolutions":[224,128],"threads":2,"fp32":false,)"
                                 R"("int8":true,"calibration_dir":"/calib","images_dir":"/labelled"}})";
        page.restore_state(state);
        const QByteArray saved = page.saved_state();
        QVERIFY2(saved.contains(R"("images_dir":"/labelled")") && saved.contains(R"("resolutions":[224,128])") &&
                     saved.contains(R"("int8":true)"),
                 saved.constData());
    }

    void sweepProducesPointsOfBothPrecisions() {
        QTemporaryDir cache;
        studio::SweepController sweeps(nullptr);
        studio::TradeoffPage page;
        page.set_sweep_controller(&sweeps);
        page.resize(1200, 800);
        mnv1::SweepConfig c;
        c.alphas = {0.25, 0.5};
        c.resolutions = {128};
        c.precisions = {mnv1::Precision::F32, mnv1::Precision::Int8};
        c.threads = 1;
        c.timing = {.warmup_runs = 1, .runs = 5};
        c.cache_dir = cache.filePath("sweep").toStdString();
        c.models = mnv1::discover_models({mnv1::test::shared_path("models")});
        QSignalSpy points(&sweeps, &studio::SweepController::pointFinished);
        QSignalSpy finished(&sweeps, &studio::SweepController::finished);
        QVERIFY(sweeps.start(c));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.first().at(1).toBool(), false);
        QCOMPARE(points.count(), 4);
        std::set<std::pair<double, mnv1::Precision>> seen;
        for (const QList<QVariant>& args : points) {
            const auto p = args.first().value<mnv1::SweepPoint>();
            seen.insert({p.alpha, p.precision});
            QVERIFY(p.latency.median_ms > 0);
            // α 0.25 and 0.5 both have uint8 releases: int8 runs them, not a calibration.
            if (p.precision == mnv1::Precision::Int8) QVERIFY(!p.calibrated);
        }
        QCOMPARE(int(seen.size()), 4);

        // One series per precision (and α), told apart by shape, named by precision.
        const studio::TradeoffChart* chart = page.chart(studio::ChartKind::LatencyVsMacs);
        QCOMPARE(int(chart->shown_rows().size()), 4);
        std::set<int> shapes_f32, shapes_int8;
        int named_int8 = 0, named_f32 = 0;
        for (QXYSeries* s : chart->point_series()) {
            if (s->property("layer").toInt() != int(studio::PointLayer::Measured)) continue;
            const auto* scatter = qobject_cast<QScatterSeries*>(s);
            QVERIFY(scatter);
            if (s->name().contains(QStringLiteral("int8"))) {
                ++named_int8;
                shapes_int8.insert(scatter->markerShape());
            } else if (s->name().contains(QStringLiteral("fp32"))) {
                ++named_f32;
                shapes_f32.insert(scatter->markerShape());
            }
        }
        QCOMPARE(named_int8, 2);
        QCOMPARE(named_f32, 2);
        QCOMPARE(int(shapes_int8.size()), 1);
        QCOMPARE(int(shapes_f32.size()), 1);
        QVERIFY(*shapes_int8.begin() != *shapes_f32.begin());
        // Exported points say their precision.
        QVERIFY(chart->csv().contains(QStringLiteral(",int8,")));
        QVERIFY(chart->csv().contains(QStringLiteral(",fp32,")));
        if (!qEnvironmentVariable("MOBILENET_SHOTS_DIR").isEmpty()) {
            page.setGeometry(QGuiApplication::primaryScreen()->availableGeometry());
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            save_screen("precision_tradeoffs");
            studio::SweepDialog dialog;
            dialog.set_precisions(true, true);
            dialog.show();
            save_screen("precision_sweep_dialog");
        }
    }

    void int8EvaluationShowsChangeAgainstFp32() {
        // 24 labelled images: a small folder with its own ground truth.
        QTemporaryDir images;
        const std::string sample = mnv1::test::shared_path("images/imagenet-sample/");
        std::ifstream in(sample + "ground_truth.csv");
        QFile out(images.filePath("ground_truth.csv"));
        QVERIFY(out.open(QIODevice::WriteOnly));
        std::string line;
        std::getline(in, line);
        out.write((line + "\n").c_str());
        for (int i = 0; i < 24 && std::getline(in, line); ++i) {
            const std::string file = line.substr(0, line.find(','));
            QVERIFY(QFile::copy(QString::fromStdString(sample + file), images.filePath(QString::fromStdString(file))));
            out.write((line + "\n").c_str());
        }
        out.close();

        QTemporaryDir settings;
        qputenv("MOBILENET_MODELS", QByteArray::fromStdString(mnv1::test::shared_path("models")));
        studio::StudioOptions opts;
        opts.settings_file = settings.filePath("s.ini");
        opts.alpha = 0.25;
        opts.resolution = 128;
        opts.threads = 2;
        studio::MainWindow w(opts);
        if (!qEnvironmentVariable("MOBILENET_SHOTS_DIR").isEmpty()) w.setGeometry(QGuiApplication::primaryScreen()->availableGeometry());
        w.show();
        QVERIFY(QTest::qWaitFor([&] { return w.controller()->model_status() && w.controller()->model_status()->ok; }, kTimeoutMs));
        w.controller()->set_precision(mnv1::PrecisionChoice::Int8);
        QVERIFY(QTest::qWaitFor([&] {
            const auto& s = w.controller()->model_status();
            return s && s->request.generation == w.controller()->generation();
        }, kTimeoutMs));
        QVERIFY2(w.controller()->model_status()->ok, qPrintable(w.controller()->model_status()->error));
        QCOMPARE(w.controller()->model_status()->precision, QStringLiteral("int8"));

        QSignalSpy finished(w.evaluation_controller(), &studio::EvaluationController::finished);
        QSignalSpy summaries(w.evaluation_controller(), &studio::EvaluationController::evaluationFinished);
        w.evaluation_page()->evaluate_folder(images.path());
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs));
        const auto report = finished.first().first().value<studio::EvaluationReport>();
        QCOMPARE(report.result.images, 24);
        QVERIFY(report.fp32Baseline);
        QCOMPARE(report.fp32Baseline->images, 24);
        QCOMPARE(report.summary.precision, QStringLiteral("int8"));
        QCOMPARE(*report.summary.fp32Top1, report.fp32Baseline->top1());
        const auto& change = w.evaluation_page()->precision_change();
        QVERIFY(change);
        QCOMPARE(change->top1, report.result.top1() - report.fp32Baseline->top1());
        QVERIFY(change->agreement > 50);  // the release's own quantization: nearly always the same class
        const QString text = w.evaluation_page()->accuracy_label()->text();
        QVERIFY2(text.contains(QStringLiteral("fp32")) && text.contains(QStringLiteral("Δ")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("int8 · released uint8")));
        qInfo("0.25-128 on 24 images: int8 top-1 %.1f %% / top-5 %.1f %%, fp32 %.1f %% / %.1f %%, top-1 agreement %.1f %%",
              report.result.top1(), report.result.top5(), report.fp32Baseline->top1(), report.fp32Baseline->top5(),
              change->agreement);

        save_screen("precision_evaluation");
        // Both precisions become accuracy points on the trade-off charts.
        QCOMPARE(summaries.count(), 1);
        std::set<QString> precisions;
        for (const studio::TradeoffPoint& p : w.tradeoff_page()->model()->points()) {
            if (p.layer == studio::PointLayer::Measured) precisions.insert(p.precision);
        }
        QCOMPARE(precisions, (std::set<QString>{QStringLiteral("f32"), QStringLiteral("int8")}));
    }
};

QTEST_MAIN(TestPrecisionSweep)
#include "test_precision_sweep.moc"
