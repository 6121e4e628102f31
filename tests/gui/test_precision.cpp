// Precision switching in the studio window, offscreen, on the real shared models and
// photos: fp32 → int8 → auto with a uint8 release (re-compiles, classifies, says what runs),
// int8 with a float model before calibration (says why and how, no silent fallback), then
// calibration on a small folder (on the worker, with progress) and int8 running it.
#include <QtTest>

#include <QGuiApplication>
#include <QScreen>

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <algorithm>
#include <memory>

#include "app/action_manager.hpp"
#include "controller/inference_controller.hpp"
#include "main_window.hpp"
#include "pages/calibration_dialog.hpp"
#include "pages/classify_page.hpp"
#include "pages/precision_panel.hpp"
#include "screen_shots.hpp"
#include "test_support.hpp"
#include "widgets/results_view.hpp"

namespace {

using mnv1::test::save_screen;

constexpr int kTimeoutMs = 120000;

std::string photo(const std::string& name) { return mnv1::test::shared_path("images/photos/" + name); }

QString top1(const studio::MainWindow& w) {
    const auto& top = w.classify_page()->results_view()->predictions();
    return top.empty() ? QString() : QString::fromStdString(top.front().label);
}

// oneDNN names its integer kernels after the data type or the VNNI instructions they use
// ("jit_int8:...", "brg:avx512_core_vnni", "jit_uni_x8s8s32x..."); its f32 kernels never.
bool is_int8_kernel(const std::string& impl) {
    return impl.find("int8") != std::string::npos || impl.find("vnni") != std::string::npos ||
           impl.find("x8s8") != std::string::npos || impl.find("u8s8") != std::string::npos;
}

int int8_kernels(const studio::ModelStatus& s) {
    return static_cast<int>(std::count_if(s.implementations.begin(), s.implementations.end(), is_int8_kernel));
}

}  // namespace

class TestPrecision : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    std::unique_ptr<studio::MainWindow> make_window(studio::StudioOptions opts) {
        opts.settings_file = dir_.filePath(QStringLiteral("%1.ini").arg(QTest::currentTestFunction()));
        QFile::remove(opts.settings_file);
        opts.threads = 2;
        auto w = std::make_unique<studio::MainWindow>(opts);
        if (!qEnvironmentVariable("MOBILENET_SHOTS_DIR").isEmpty()) w->setGeometry(QGuiApplication::primaryScreen()->availableGeometry());
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
        return w;
    }

    QString settings_file() const { return dir_.filePath(QStringLiteral("%1.ini").arg(QTest::currentTestFunction())); }

    // Waits for the worker's answer to the newest configuration (ok or not).
    static const studio::ModelStatus* wait_status(const studio::MainWindow& w) {
        const studio::InferenceController* c = w.controller();
        const bool done = QTest::qWaitFor(
            [&] { return c->model_status() && c->requested() && c->model_status()->request.generation == c->requested()->generation; },
            kTimeoutMs);
        return done ? &*c->model_status() : nullptr;
    }

    static void choose(studio::MainWindow& w, mnv1::PrecisionChoice c) {
        auto* panel = w.findChild<studio::PrecisionPanel*>();
        panel->selector()->setCurrentIndex(panel->selector()->findData(static_cast<int>(c)));  // as the user does
    }

private slots:
    void initTestCase() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("models/tflite/mobilenet_v1_1.0_224_quant.tflite"));
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("models/keras/mobilenet_v1_0.25_224.h5"));
        MOBILENET_REQUIRE_FILE(photo("grace_hopper.jpg"));
        QVERIFY(dir_.isValid());
        qputenv("MOBILENET_MODELS", QByteArray::fromStdString(mnv1::test::shared_path("models")));
    }

    void switchesPrecisionWithUint8Release() {
        studio::StudioOptions opts;
        opts.alpha = 1.0;
        opts.resolution = 224;
        opts.open_paths = {QString::fromStdString(photo("grace_hopper.jpg"))};
        auto w = make_window(opts);
        QVERIFY(w);
        auto* panel = w->findChild<studio::PrecisionPanel*>();
        QVERIFY(panel);
        QVERIFY(panel->isVisible());  // in the Tune dock, beside α, ρ and threads
        QCOMPARE(panel->choice(), mnv1::PrecisionChoice::F32);

        // fp32: the dequantized release.
        const studio::ModelStatus* s = wait_status(*w);
        QVERIFY(s && s->ok);
        QCOMPARE(s->precision, QStringLiteral("f32"));
        QCOMPARE(s->precisionDetail, QStringLiteral("fp32"));
        QCOMPARE(s->int8Source, QStringLiteral("released uint8"));  // int8 is available
        QCOMPARE(int8_kernels(*s), 0);
        QVERIFY(QTest::qWaitFor([&] { return !top1(*w).isEmpty(); }, kTimeoutMs));
        const QString fp32_top1 = top1(*w);
        QVERIFY(panel->running_text().contains(QStringLiteral("fp32")));

        // int8: the release's own quantization, compiled anew and classifying the photo again.
        QSignalSpy classified(w->controller(), &studio::InferenceController::imageClassified);
        choose(*w, mnv1::PrecisionChoice::Int8);
        QCOMPARE(w->controller()->precision(), mnv1::PrecisionChoice::Int8);
        s = wait_status(*w);
        QVERIFY(s && s->ok);
        QCOMPARE(s->precision, QStringLiteral("int8"));
        QCOMPARE(s->precisionDetail, QStringLiteral("int8 · released uint8"));
        QVERIFY2(int8_kernels(*s) > 0, s->implementations.front().c_str());
        QVERIFY(QTest::qWaitFor([&] { return classified.count() >= 1; }, kTimeoutMs));
        QCOMPARE(top1(*w), fp32_top1);
        QVERIFY(panel->running_text().contains(QStringLiteral("int8 · released uint8")));
        save_screen("precision_int8_release");
        QVERIFY(QTest::qWaitFor([&] {
            return w->classify_page()->findChild<QLabel*>(QStringLiteral("modelLabel"))->text().contains(
                QStringLiteral("compute int8 · released uint8"));
        }, kTimeoutMs));
        // One setting: the Tools → Precision action follows, and the choice is saved.
        QVERIFY(w->action_manager()->precision_action(mnv1::PrecisionChoice::Int8)->isChecked());
        QCOMPARE(QSettings(settings_file(), QSettings::IniFormat).value("tuning/precision").toString(),
                 QStringLiteral("int8"));

        // auto: both timed for this configuration, the choice and its times shown.
        classified.clear();
        w->action_manager()->precision_action(mnv1::PrecisionChoice::Auto)->trigger();  // the menu way
        QCOMPARE(panel->choice(), mnv1::PrecisionChoice::Auto);
        s = wait_status(*w);
        QVERIFY(s && s->ok);
        QVERIFY2(s->autoDecision.startsWith(QStringLiteral("auto → %1").arg(s->precision == "int8" ? "int8" : "fp32")),
                 qPrintable(s->autoDecision));
        QVERIFY2(s->autoDecision.contains(QStringLiteral("ms vs")), qPrintable(s->autoDecision));
        QCOMPARE(int8_kernels(*s) > 0, s->precision == QStringLiteral("int8"));
        QVERIFY(panel->running_text().contains(s->autoDecision.toHtmlEscaped()));
        QVERIFY(QTest::qWaitFor([&] { return classified.count() >= 1; }, kTimeoutMs));
        QCOMPARE(top1(*w), fp32_top1);
        save_screen("precision_auto");
        qInfo("fp32 top-1 '%s'; %s", qPrintable(fp32_top1), qPrintable(s->autoDecision));
    }

    // Random weights (α 0.4 has no release) predict nothing: int8 runs them on ranges from
    // synthetic images, for the latency, as the CLI's bench does; nothing to calibrate first.
    void randomWeightsRunInt8OnASyntheticCalibration() {
        studio::StudioOptions opts;
        opts.alpha = 0.4;
        opts.resolution = 128;
        auto w = make_window(opts);
        QVERIFY(w);
        const studio::ModelStatus* s = wait_status(*w);
        QVERIFY(s && s->ok && !s->pretrained);
        choose(*w, mnv1::PrecisionChoice::Int8);
        s = wait_status(*w);
        QVERIFY(s && s->ok);
        QVERIFY(!s->int8_fallback());
        QCOMPARE(s->precision, QStringLiteral("int8"));
        QCOMPARE(s->precisionDetail, QStringLiteral("int8 · synthetic calibration (latency only)"));
        QVERIFY2(int8_kernels(*s) > 0, s->implementations.front().c_str());
        auto* panel = w->findChild<studio::PrecisionPanel*>();
        QVERIFY2(panel->running_text().contains(QStringLiteral("synthetic calibration")), qPrintable(panel->running_text()));
    }

    void floatModelNeedsCalibrationForInt8() {
        const QString keras = QString::fromStdString(mnv1::test::shared_path("models/keras/mobilenet_v1_0.25_224.h5"));
        studio::StudioOptions opts;
        opts.alpha = 0.25;
        opts.resolution = 224;
        opts.open_paths = {QString::fromStdString(photo("grace_hopper.jpg"))};
        auto w = make_window(opts);
        QVERIFY(w);
        auto* panel = w->findChild<studio::PrecisionPanel*>();
        // Not pinned, fp32 runs the float weights, and int8 would load the α's uint8 release:
        // the panel says so instead of asking for a calibration.
        const studio::ModelStatus* first = wait_status(*w);
        QVERIFY(first && first->ok && first->floatWeights);
        QVERIFY2(first->int8Release.contains(QStringLiteral("0.25-224 uint8")), qPrintable(first->int8Release));
        QVERIFY2(panel->running_text().contains(QStringLiteral("int8 runs the uint8 release")) &&
                     !panel->running_text().contains(QStringLiteral("needs calibration")),
                 qPrintable(panel->running_text()));
        const auto& models = w->controller()->model_catalog()->models;
        const auto entry = std::find_if(models.begin(), models.end(), [&](const mnv1::ModelEntry& m) {
            return QFileInfo(QString::fromStdString(m.path)).fileName() == QFileInfo(keras).fileName();
        });
        QVERIFY(entry != models.end());
        w->controller()->pin_model(QString::fromStdString(entry->path));
        const studio::ModelStatus* s = wait_status(*w);
        QVERIFY(s && s->ok);
        QVERIFY(s->floatWeights);
        QVERIFY(s->int8Source.isEmpty());
        QVERIFY(s->int8Release.isEmpty());  // pinned: int8 means these weights
        QVERIFY2(panel->running_text().contains(QStringLiteral("int8 needs calibration")), qPrintable(panel->running_text()));
        QVERIFY(w->action_manager()->calibrate_int8()->isEnabled());

        // int8 before calibration: fp32 keeps running (a restart with int8 saved must not
        // leave the window without a network), and the reason and the way out are said.
        QSignalSpy reclassified(w->controller(), &studio::InferenceController::imageClassified);
        choose(*w, mnv1::PrecisionChoice::Int8);
        s = wait_status(*w);
        QVERIFY(s && s->ok);
        QVERIFY(s->int8_fallback());
        QCOMPARE(s->precision, QStringLiteral("f32"));
        QCOMPARE(s->precisionDetail, QStringLiteral("fp32 (int8 not available)"));
        QVERIFY(panel->running_text().contains(QStringLiteral("Running: <b>fp32</b>")));
        QVERIFY(panel->running_text().contains(QStringLiteral("int8 not available")));
        QVERIFY(panel->running_text().contains(QStringLiteral("Calibrate int8")));
        QVERIFY(QTest::qWaitFor([&] { return reclassified.count() >= 1; }, kTimeoutMs));  // the photo, at fp32
        QVERIFY(!top1(*w).isEmpty());
        save_screen("precision_int8_float_uncalibrated");
        // auto does not pretend either: fp32, saying why.
        choose(*w, mnv1::PrecisionChoice::Auto);
        s = wait_status(*w);
        QVERIFY(s && s->ok);
        QCOMPARE(s->precision, QStringLiteral("f32"));
        QVERIFY2(s->autoDecision.contains(QStringLiteral("not calibrated")), qPrintable(s->autoDecision));

        // Calibrate on a small folder (a subfolder too: it is searched recursively).
        QTemporaryDir images;
        QVERIFY(QDir(images.path()).mkpath(QStringLiteral("more")));
        const QStringList files{"grace_hopper.jpg", "cat_720p.jpg", "burger.jpg", "parrot.jpg", "more/orange.jpg",
                                "more/sparrow.png"};
        for (const QString& f : files) {
            QVERIFY(QFile::copy(QString::fromStdString(photo(QFileInfo(f).fileName().toStdString())), images.filePath(f)));
        }
        choose(*w, mnv1::PrecisionChoice::F32);
        QVERIFY(wait_status(*w));
        studio::CalibrationDialog* dialog = panel->show_calibration_dialog();
        QVERIFY(dialog->isVisible());
        // A failed calibration (an empty folder) says why and leaves the dialog as wide as it
        // was: its buttons stay where the user's pointer is.
        {
            QTemporaryDir empty;
            const int width = dialog->width();
            QSignalSpy failed(w->controller(), &studio::InferenceController::calibrationFinished);
            dialog->set_folder(empty.path());
            QVERIFY(dialog->start());
            QVERIFY(failed.wait(kTimeoutMs));
            QVERIFY2(dialog->message().contains(QStringLiteral("no images")), qPrintable(dialog->message()));
            QCoreApplication::processEvents();
            QVERIFY2(dialog->width() >= width, qPrintable(QStringLiteral("%1 -> %2").arg(width).arg(dialog->width())));
            QVERIFY(wait_status(*w));  // the fp32 network is still the one configured
        }
        dialog->set_folder(images.path());
        QSignalSpy progress(w->controller(), &studio::InferenceController::calibrationProgress);
        QSignalSpy finished(w->controller(), &studio::InferenceController::calibrationFinished);
        QVERIFY(dialog->start());
        QVERIFY(w->controller()->calibrating());
        QVERIFY(!dialog->start());  // one at a time
        QVERIFY(finished.wait(kTimeoutMs));
        // The controller re-applied the configuration as the result arrived: what follows is int8's.
        QSignalSpy classified(w->controller(), &studio::InferenceController::imageClassified);
        const auto result = finished.first().first().value<studio::CalibrationResult>();
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.images, int(files.size()));
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toInt(), int(files.size()));
        QVERIFY(dialog->message().contains(QStringLiteral("calibrated on 6 images")));
        QVERIFY(dialog->message().contains(QStringLiteral("Few images")));  // 6 of the suggested 100
        save_screen("precision_calibration_dialog");
        QCOMPARE(QSettings(settings_file(), QSettings::IniFormat).value("paths/calibrationDir").toString(),
                 images.path());

        // Calibrating asked for int8: it now runs the calibrated network and classifies.
        QCOMPARE(w->controller()->precision(), mnv1::PrecisionChoice::Int8);
        s = wait_status(*w);
        QVERIFY2(s && s->ok, s ? qPrintable(s->error) : "no status");
        QCOMPARE(s->precision, QStringLiteral("int8"));
        QCOMPARE(s->precisionDetail, QStringLiteral("int8 · calibrated on 6 images"));
        QVERIFY(int8_kernels(*s) > 0);
        QVERIFY(QTest::qWaitFor([&] { return classified.count() >= 1; }, kTimeoutMs));
        QCOMPARE(w->classify_page()->results_view()->predictions().size(), std::size_t{5});
        QVERIFY(panel->running_text().contains(QStringLiteral("calibrated on 6 images")));
        dialog->close();
        save_screen("precision_int8_calibrated");
        qInfo("Keras 0.25-224 int8 (calibrated on 6 images) top-1 on grace_hopper: '%s'", qPrintable(top1(*w)));
    }
};

QTEST_MAIN(TestPrecision)
#include "test_precision.moc"
