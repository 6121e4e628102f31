// The polish a user notices (issue 11): numbers on the command line and in the settings
// file are checked alike; one activation-map switch with a legend and a remembered
// opacity; the ρ slider marks the resolutions weights were released at for the α shown,
// and a badge says when weights run away from it; letting go of a pinned model is said;
// an empty models folder gets a notice that says where the app looked and offers a fix;
// dragging over the window highlights it; F1 opens the lesson; "1 thread".
#include <QtTest>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QDirIterator>
#include <QDragEnterEvent>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolBar>

#include <algorithm>
#include <cmath>

#include "app/action_manager.hpp"
#include "app/settings_manager.hpp"
#include "app/studio_options.hpp"
#include "common/display_format.hpp"
#include "controller/inference_controller.hpp"
#include "lesson/lesson_dialog.hpp"
#include "main_window.hpp"
#include "pages/classify_page.hpp"
#include "screen_shots.hpp"
#include "test_support.hpp"
#include "widgets/activation_map_controls.hpp"
#include "widgets/image_view.hpp"
#include "widgets/marked_slider.hpp"
#include "widgets/native_resolution_badge.hpp"
#include "widgets/notice_bar.hpp"
#include "widgets/results_view.hpp"
#include "widgets/tuning_panel.hpp"
#include "worker/inference_worker.hpp"

namespace {

constexpr int kTimeoutMs = 60000;

QStringList emphasized(const studio::MarkedSlider& s) {
    QStringList out;
    for (const auto& m : s.marks()) {
        if (m.emphasized) out << m.text;
    }
    out.sort();
    return out;
}

QStringList mark_texts(const studio::MarkedSlider& s) {
    QStringList out;
    for (const auto& m : s.marks()) out << m.text;
    return out;
}

mnv1::ModelEntry model(double alpha, int resolution) {
    mnv1::ModelEntry m;
    m.alpha = alpha;
    m.native_resolution = resolution;
    m.path = "/models/" + studio::config_name(alpha, resolution).toStdString() + ".tflite";
    m.display_name = studio::config_name(alpha, resolution).toStdString();
    return m;
}

}  // namespace

class TestPolish : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    // A window over `models_dir` only ($MOBILENET_MODELS unset, the user data dir a test one).
    std::unique_ptr<studio::MainWindow> make_window(const QString& models_dir, const QString& settings_name) {
        studio::StudioOptions opts;
        opts.models_dir = models_dir;
        opts.settings_file = tmp_.filePath(settings_name);
        opts.threads = 1;
        auto w = std::make_unique<studio::MainWindow>(opts);
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
        if (!QTest::qWaitFor([&] { return w->controller()->model_status().has_value(); }, kTimeoutMs)) return nullptr;
        return w;
    }

    QString empty_dir(const QString& name) {
        const QString d = tmp_.filePath(name);
        QDir().mkpath(d);
        return d;
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QStandardPaths::setTestModeEnabled(true);  // the user data dir: a test one, without models
        qunsetenv("MOBILENET_MODELS");
        studio::InferenceWorker::register_metatypes();
    }

    // ---- Command line and settings: every number is checked the same way ----------------

    void commandLineRefusesBadNumbers() {
        const QString app = QStringLiteral("mobilenet-studio");
        const struct {
            QStringList args;
            QString option;
        } bad[] = {
            {{"--alpha", "nan"}, "--alpha nan"},       {{"--alpha", "NaN"}, "--alpha NaN"},
            {{"--alpha", "inf"}, "--alpha inf"},       {{"--alpha=-inf"}, "--alpha -inf"},
            {{"--alpha", "-0.5"}, "--alpha -0.5"},     {{"--alpha", "0"}, "--alpha 0"},
            {{"--alpha", "2"}, "--alpha 2"},           {{"--alpha", "0.5x"}, "--alpha 0.5x"},
            {{"-a", "1e308"}, "--alpha 1e308"},        {{"--resolution", "nan"}, "--resolution nan"},
            {{"--resolution", "100"}, "--resolution 100"}, {{"--resolution", "4096"}, "--resolution 4096"},
            {{"--resolution", "224.5"}, "--resolution 224.5"}, {{"--threads", "-1"}, "--threads -1"},
            {{"--threads", "inf"}, "--threads inf"},   {{"--threads", "1.5"}, "--threads 1.5"},
            {{"--threads", "99999"}, "--threads 99999"}, {{"--camera", "-1"}, "--camera -1"},
            {{"--camera", "64"}, "--camera 64"},       {{"--camera", "nan"}, "--camera nan"},
        };
        for (const auto& b : bad) {
            const studio::StudioCommandLine cmd = studio::parse_studio_command_line(QStringList{app} + b.args);
            QVERIFY2(!cmd.error.isEmpty(), qPrintable(b.args.join(' ')));
            QVERIFY2(cmd.error.startsWith(b.option), qPrintable(cmd.error));
            QVERIFY2(!cmd.error.contains('\n'), qPrintable(cmd.error));  // one line
            QVERIFY(!cmd.options.alpha || std::isfinite(*cmd.options.alpha));
        }
        const studio::StudioCommandLine ok = studio::parse_studio_command_line(
            {app, "--alpha", "0.75", "--resolution", "160", "--threads", "0", "--camera", "2", "photo.jpg"});
        QVERIFY2(ok.error.isEmpty(), qPrintable(ok.error));
        QCOMPARE(*ok.options.alpha, 0.75);
        QCOMPARE(*ok.options.resolution, 160);
        QCOMPARE(*ok.options.threads, 0);
        QCOMPARE(*ok.options.camera, 2);
        QCOMPARE(ok.options.open_paths, QStringList{"photo.jpg"});
        QVERIFY(studio::parse_studio_command_line({app, "--help"}).help);
        QVERIFY(!studio::parse_studio_command_line({app, "--no-such-option"}).error.isEmpty());
    }

    void settingsFileNumbersAreChecked() {
        // A settings file edited by hand (or written by a build that accepted --alpha nan).
        const QString file = tmp_.filePath("tampered.ini");
        {
            QSettings s(file, QSettings::IniFormat);
            s.setValue("tuning/alpha", "nan");
            s.setValue("tuning/resolution", 100000);
            s.setValue("tuning/threads", -4);
            s.setValue("view/activationOpacity", "inf");
        }
        studio::SettingsManager settings(file);
        QCOMPARE(settings.alpha(), 1.0);
        QCOMPARE(settings.resolution(), 224);
        QCOMPARE(settings.threads(), 0);
        QCOMPARE(settings.activation_opacity(), 1.0);
        settings.set_activation_opacity(std::nan(""));
        QCOMPARE(settings.activation_opacity(), 1.0);
        studio::TuningPanel panel;
        panel.set_alpha(0.5);
        panel.set_alpha(std::nan(""));  // ignored, not a slider position
        QCOMPARE(panel.alpha(), 0.5);
    }

    void threadCountsSayThread() {
        QCOMPARE(studio::format_threads(1), QStringLiteral("1 thread"));
        QCOMPARE(studio::format_threads(2), QStringLiteral("2 threads"));
        QCOMPARE(studio::format_threads(0), QStringLiteral("0 threads"));
        // No "thread(s)" or "… threads" with a bare count left in the GUI's sources, and no
        // "…." (an ellipsis then a full stop).
        QDirIterator it(QStringLiteral(MOBILENET_SOURCE_DIR "/ui"), {"*.cpp", "*.hpp"}, QDir::Files,
                        QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            ++files;
            QVERIFY2(!text.contains(QStringLiteral("thread(s)")), qPrintable(f.fileName()));
            QVERIFY2(!text.contains(QStringLiteral("%1 threads\")")) || f.fileName().endsWith("display_format.cpp"),
                     qPrintable(f.fileName()));
            QVERIFY2(!text.contains(QStringLiteral("…."), Qt::CaseSensitive), qPrintable(f.fileName()));
        }
        QVERIFY(files > 50);
    }

    void longLabelsKeepTheirFirstName() {
        const QFontMetrics fm(QApplication::font());
        const QString label = QStringLiteral("red fox, Vulpes vulpes");
        const int whole = fm.horizontalAdvance(QStringLiteral("2. ") + label);
        QCOMPARE(studio::fit_prediction_label(fm, 2, label, whole + 1), QStringLiteral("2. red fox, Vulpes vulpes"));
        // Too narrow for the synonyms: the first name whole, not "2. red fox, Vulp…".
        QCOMPARE(studio::fit_prediction_label(fm, 2, label, fm.horizontalAdvance(QStringLiteral("2. red fox, Vul"))),
                 QStringLiteral("2. red fox"));
        // Narrower still: elided.
        QVERIFY(studio::fit_prediction_label(fm, 2, label, fm.horizontalAdvance(QStringLiteral("2. red"))).endsWith(QChar(0x2026)));
    }

    // ---- The ρ slider and the native-resolution badge -----------------------------------

    // A mark's label is a click target: "1.0" sets 1.0, not one page step towards it.
    void clickingAMarkLabelSetsItsValue() {
        studio::MarkedSlider s(1, 28);
        s.set_marks({{5, QStringLiteral("0.25"), true}, {20, QStringLiteral("1.0"), true}});
        s.resize(300, s.sizeHint().height());
        s.slider()->setValue(5);
        s.show();
        QVERIFY(QTest::qWaitForWindowExposed(&s));
        QTRY_VERIFY(s.mark_label_x(20) > 0);  // drawn
        const int label_y = s.slider()->geometry().bottom() + s.fontMetrics().height() / 2 + 3;
        QTest::mouseClick(&s, Qt::LeftButton, Qt::NoModifier, QPoint(s.mark_label_x(20), label_y));
        QCOMPARE(s.slider()->value(), 20);
        QTest::mouseClick(&s, Qt::LeftButton, Qt::NoModifier, QPoint(s.mark_label_x(5), label_y));
        QCOMPARE(s.slider()->value(), 5);
        QTest::mouseClick(&s, Qt::LeftButton, Qt::NoModifier, QPoint(s.width() / 2, label_y));  // between labels
        QCOMPARE(s.slider()->value(), 5);
    }

    void resolutionMarksFollowTheWeightsOfTheAlpha() {
        studio::TuningPanel panel;
        QVERIFY(emphasized(*panel.resolution_marks()).isEmpty());  // no models: nothing highlighted
        // The α slider's ends are labelled.
        QVERIFY(mark_texts(*panel.alpha_marks()).contains("0.1"));
        QVERIFY(mark_texts(*panel.alpha_marks()).contains("1.4"));

        panel.set_available_models({model(0.25, 128), model(0.25, 224), model(0.5, 160), model(0.5, 160)}, {"/models"});
        panel.set_alpha(0.25);
        QCOMPARE(emphasized(*panel.resolution_marks()), (QStringList{"128", "224"}));
        panel.set_alpha(0.5);
        QCOMPARE(emphasized(*panel.resolution_marks()), QStringList{"160"});
        QCOMPARE(panel.native_resolutions_for(0.5), QList<int>{160});
        panel.set_alpha(0.75);
        QVERIFY(emphasized(*panel.resolution_marks()).isEmpty());
        QVERIFY(mark_texts(*panel.resolution_marks()).contains("192"));  // published marks stay, plain
        QCOMPARE(emphasized(*panel.alpha_marks()), (QStringList{"0.25", "0.5"}));

        // Another catalog, other marks.
        panel.set_available_models({model(0.75, 192)}, {"/models"});
        QCOMPARE(emphasized(*panel.resolution_marks()), QStringList{"192"});
        panel.set_alpha(0.25);
        QVERIFY(emphasized(*panel.resolution_marks()).isEmpty());

        // A pinned model: only its resolution is highlighted for its α (the others of that α
        // do not run while it is pinned); other α values and letting go show them all again.
        panel.set_available_models({model(0.25, 128), model(0.25, 224), model(0.5, 160)}, {"/models"});
        panel.set_pinned_model(QStringLiteral("/models/0.25-224.tflite"));
        QCOMPARE(emphasized(*panel.resolution_marks()), QStringList{"224"});
        QCOMPARE(panel.native_resolutions_for(0.25), QList<int>{224});
        QCOMPARE(panel.native_resolutions_for(0.5), QList<int>{160});
        panel.set_pinned_model(QString());
        QCOMPARE(emphasized(*panel.resolution_marks()), (QStringList{"128", "224"}));
    }

    void badgeShowsWeightsAwayFromTheirResolution() {
        studio::TuningPanel panel;
        studio::NativeResolutionBadge* badge = panel.native_resolution_badge();
        panel.set_model_in_use(true, 224, 160);
        QVERIFY(badge->off_native());
        QVERIFY(!badge->isHidden());
        QVERIFY(badge->text().contains("160"));
        QVERIFY(badge->text().contains("224"));
        panel.set_model_in_use(true, 224, 224);
        QVERIFY(badge->isHidden());
        panel.set_model_in_use(false, 0, 160);  // random weights: nothing "native"
        QVERIFY(badge->isHidden());

        // The panel itself says when this α has no trained weights.
        panel.set_pretrained_alphas({0.25, 0.5, 0.75, 1.0}, {});
        panel.set_alpha(0.4);
        panel.set_model_in_use(false, 0, 160);
        QVERIFY2(panel.pretrained_text().endsWith(QStringLiteral("α 0.4 runs on random weights: cost and latency only.")),
                 qPrintable(panel.pretrained_text()));
        panel.set_alpha(0.5);
        panel.set_model_in_use(true, 224, 224);
        QCOMPARE(panel.pretrained_text(), QStringLiteral("Pretrained weights for α 0.25, 0.5, 0.75, 1.0 (highlighted)."));
    }

    // ---- Pinned model and missing models (real catalog) ---------------------------------

    void movingAlphaOffAPinnedModelSaysSo() {
        const std::string quant = mnv1::test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite");
        MOBILENET_REQUIRE_FILE(quant);
        studio::InferenceController c;
        QSignalSpy catalogs(&c, &studio::InferenceController::catalogChanged);
        c.set_tuning({0.25, 128, 1, mnv1::CropMode::Whole});
        c.discover_models({QString::fromStdString(mnv1::test::shared_path("models"))});
        QTRY_COMPARE_WITH_TIMEOUT(catalogs.count(), 1, kTimeoutMs);
        const auto& models = c.model_catalog()->models;
        const auto it = std::find_if(models.begin(), models.end(), [](const mnv1::ModelEntry& m) {
            return std::fabs(m.alpha - 0.25) < 1e-6;
        });
        QVERIFY(it != models.end());
        c.pin_model(QString::fromStdString(it->path));
        QCOMPARE(c.pinned_model(), QString::fromStdString(it->path));

        QSignalSpy info(&c, &studio::InferenceController::infoRaised);
        c.tune({0.25, 160, 1, mnv1::CropMode::Whole});  // same α: the pin stays, nothing said
        QCOMPARE(c.pinned_model(), QString::fromStdString(it->path));
        QCOMPARE(info.count(), 0);
        c.tune({0.5, 160, 1, mnv1::CropMode::Whole});
        QVERIFY(c.pinned_model().isEmpty());
        QCOMPARE(info.count(), 1);
        const QString text = info.at(0).at(0).toString();
        QVERIFY2(text.contains(QString::fromStdString(it->display_name)) && text.contains("automatically"), qPrintable(text));
    }

    void chosenFolderWithoutModelsIsReported() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite"));
        const QString empty = empty_dir("chosen-empty");
        studio::InferenceController c;
        QSignalSpy warnings(&c, &studio::InferenceController::warningRaised);
        QSignalSpy missing(&c, &studio::InferenceController::modelsMissing);
        QSignalSpy catalogs(&c, &studio::InferenceController::catalogChanged);
        c.set_tuning({0.25, 128, 1, mnv1::CropMode::Whole});
        // The folder the user named holds no model, other folders do: the named one is reported.
        c.discover_models({empty, QString::fromStdString(mnv1::test::shared_path("models"))}, {empty});
        QTRY_COMPARE_WITH_TIMEOUT(catalogs.count(), 1, kTimeoutMs);
        QCOMPARE(missing.count(), 0);  // the catalog is not empty
        QTRY_VERIFY_WITH_TIMEOUT(!warnings.isEmpty(), kTimeoutMs);
        const QString text = warnings.at(0).at(0).toString();
        QVERIFY2(text.contains(empty) && text.contains("no MobileNet model"), qPrintable(text));
    }

    // A folder of symbolic links to model files holds models (they live elsewhere).
    void chosenFolderOfLinksHoldsModels() {
        const std::string model = mnv1::test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite");
        MOBILENET_REQUIRE_FILE(model);
        const QString links = empty_dir("chosen-links");
        QVERIFY(QFile::link(QString::fromStdString(model), links + "/mobilenet_v1_0.25_128_quant.tflite"));
        studio::InferenceController c;
        QSignalSpy warnings(&c, &studio::InferenceController::warningRaised);
        QSignalSpy catalogs(&c, &studio::InferenceController::catalogChanged);
        c.set_tuning({0.25, 128, 1, mnv1::CropMode::Whole});
        c.discover_models({links}, {links});
        QTRY_COMPARE_WITH_TIMEOUT(catalogs.count(), 1, kTimeoutMs);
        QCOMPARE(c.model_catalog()->models.size(), std::size_t{1});
        QTRY_VERIFY_WITH_TIMEOUT(c.model_status() && c.model_status()->ok, kTimeoutMs);
        for (const QList<QVariant>& w : warnings) QVERIFY2(!w.at(0).toString().contains("no MobileNet model"), qPrintable(w.at(0).toString()));
    }

    void emptyModelsFolderNoticeSaysWhereAndOffersAFix() {
        const QString empty = empty_dir("no-models");
        auto w = make_window(empty, "empty.ini");
        QVERIFY(w);
        studio::NoticeBar* notice = w->classify_page()->notice_bar();
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible() && notice->text().contains("No pretrained"), kTimeoutMs);
        QVERIFY2(notice->text().contains(QDir::toNativeSeparators(empty)), qPrintable(notice->text()));
        QVERIFY(notice->text().contains("Models Folder…"));
        QVERIFY(!notice->text().contains("…."));
        QVERIFY(notice->actions_offered().contains(w->action_manager()->models_dir()));
        QCOMPARE(notice->kind(), studio::NoticeBar::Kind::Warning);
        mnv1::test::save_screen("polish-no-models-notice");
    }

    // ---- Activation map: one switch, legend, opacity ------------------------------------

    void oneActivationSwitchWithLegendAndRememberedOpacity() {
        const QString empty = empty_dir("no-models-cam");
        auto w = make_window(empty, "cam.ini");
        QVERIFY(w);
        QAction* action = w->action_manager()->show_activation();
        studio::ActivationMapControls* controls = w->classify_page()->activation_controls();
        QCOMPARE(controls->action(), action);
        QCheckBox* box = controls->check_box();
        // Exactly one check box and one checkable action about the map in the window.
        int boxes = 0;
        for (QCheckBox* b : w->findChildren<QCheckBox*>()) boxes += b->text().contains("activation map", Qt::CaseInsensitive);
        QCOMPARE(boxes, 1);
        int toggles = 0;
        for (QAction* a : w->findChildren<QAction*>()) {
            toggles += a->isCheckable() && a->text().remove('&').contains("Activation Map", Qt::CaseInsensitive);
        }
        QCOMPARE(toggles, 1);
        for (QToolBar* tb : w->findChildren<QToolBar*>()) QVERIFY(!tb->actions().contains(action));

        studio::ImageView* view = w->classify_page()->image_view();
        action->setChecked(false);
        QVERIFY(!box->isChecked());
        QVERIFY(!view->activation_visible());
        box->setChecked(true);
        QVERIFY(action->isChecked());
        QVERIFY(view->activation_visible());
        QApplication::setActiveWindow(w.get());
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        QTest::keyClick(w.get(), Qt::Key_M, Qt::ControlModifier);  // the shortcut flips the same switch
        QTRY_VERIFY(!box->isChecked());
        QVERIFY(!view->activation_visible());

        // The legend: the heat map's colours from low (blue) to high (red).
        const QColor low = controls->legend()->color_at(0.0), high = controls->legend()->color_at(1.0);
        QVERIFY2(low.blue() > low.red() && high.red() > high.blue(), qPrintable(low.name() + " " + high.name()));

        // Opacity: the slider drives the overlay and is remembered with the settings.
        controls->opacity_slider()->setValue(40);
        QCOMPARE(view->activation_opacity(), 0.4);
        w->close();
        w.reset();
        QCOMPARE(studio::SettingsManager(tmp_.filePath("cam.ini")).activation_opacity(), 0.4);
        QVERIFY(!studio::SettingsManager(tmp_.filePath("cam.ini")).show_activation());
        auto again = make_window(empty, "cam.ini");
        QVERIFY(again);
        QCOMPARE(again->classify_page()->activation_controls()->opacity_slider()->value(), 40);
        QCOMPARE(again->classify_page()->image_view()->activation_opacity(), 0.4);
        QVERIFY(!again->action_manager()->show_activation()->isChecked());
        QVERIFY(!again->classify_page()->activation_controls()->check_box()->isChecked());
    }

    // ---- Layout at 1024 × 700 and at 2× (the same window in 512 × 350 logical pixels) ---

    void windowFitsA1024x700Screen() {
        auto w = make_window(empty_dir("no-models-fit"), "fit.ini");
        QVERIFY(w);
        // Without a window manager's title bar, 1024 × 700 leaves the window about 1024 × 670.
        QStringList too_big;
        auto* tabs = w->findChild<QTabWidget*>();
        QVERIFY(tabs);
        for (int i = 0; i < tabs->count(); ++i) {
            const QSize s = tabs->widget(i)->minimumSizeHint().expandedTo(tabs->widget(i)->minimumSize());
            too_big << QStringLiteral("%1 %2x%3").arg(tabs->tabText(i)).arg(s.width()).arg(s.height());
        }
        const QSize min = w->minimumSizeHint().expandedTo(w->minimumSize());
        QVERIFY2(min.width() <= 1024 && min.height() <= 670,
                 qPrintable(QStringLiteral("window %1x%2; pages: %3").arg(min.width()).arg(min.height()).arg(too_big.join(", "))));
    }

    // ---- Drag highlight and F1 -----------------------------------------------------------

    void dragOverTheWindowIsHighlighted() {
        auto w = make_window(empty_dir("no-models-drag"), "drag.ini");
        QVERIFY(w);
        auto* highlight = w->findChild<QWidget*>(QStringLiteral("dropHighlight"));
        QVERIFY(highlight);
        QVERIFY(!highlight->isVisible());
        QMimeData files;
        files.setUrls({QUrl::fromLocalFile(tmp_.filePath("photo.jpg"))});
        const QPoint centre = w->rect().center();
        QDragEnterEvent enter(centre, Qt::CopyAction, &files, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(w.get(), &enter);
        QVERIFY(enter.isAccepted());
        QVERIFY(highlight->isVisible());
        QCOMPARE(highlight->geometry(), w->rect());
        mnv1::test::save_screen("polish-drag-highlight");
        QDragLeaveEvent leave;
        QApplication::sendEvent(w.get(), &leave);
        QVERIFY(!highlight->isVisible());

        QMimeData text;  // plain text is not something the window opens: no highlight
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent text_enter(centre, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(w.get(), &text_enter);
        QVERIFY(!highlight->isVisible());
    }

    void f1OpensTheLessonNotAbout() {
        auto w = make_window(empty_dir("no-models-f1"), "f1.ini");
        QVERIFY(w);
        QVERIFY(!w->action_manager()->about()->shortcuts().contains(QKeySequence(Qt::Key_F1)));
        QCOMPARE(w->action_manager()->lesson()->shortcut(), QKeySequence(Qt::Key_F1));
        QApplication::setActiveWindow(w.get());
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        QTest::keyClick(w.get(), Qt::Key_F1);
        QTRY_VERIFY(w->findChild<studio::LessonDialog*>() && w->findChild<studio::LessonDialog*>()->isVisible());
        for (QWidget* top : QApplication::topLevelWidgets()) QVERIFY(!top->windowTitle().contains("About"));
    }
};

QTEST_MAIN(TestPolish)
#include "test_polish.moc"
