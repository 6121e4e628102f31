// The depthwise separable lesson: each step shows the selected block's numbers (1.0-224,
// block 13 and others, worked out by hand below), follows the shared selection and the
// configuration, Next / Back, the spatially separable demo on a real photo (9 vs 6
// multiplications per pixel, a max difference within the float rounding bound) and on the
// built-in checkerboard without one, and the window's F1 action in the Help menu and the
// Layers page's "Lesson…" button.
#include <QtTest>

#include <QAction>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

#include <memory>

#include "app/action_manager.hpp"
#include "common/display_format.hpp"
#include "common/network_cost.hpp"
#include "controller/inference_controller.hpp"
#include "lesson/lesson_dialog.hpp"
#include "main_window.hpp"
#include "models/layer_table_model.hpp"
#include "pages/layers_page.hpp"
#include "test_support.hpp"
#include "widgets/filter_diagram.hpp"

using studio::LessonDialog;

namespace {

constexpr int kTimeoutMs = 90000;

int row_of(const studio::LayerTableModel& model, const std::string& name) {
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.layers()[static_cast<std::size_t>(r)].name == name) return r;
    }
    return -1;
}

void select_layer(QItemSelectionModel& selection, const studio::LayerTableModel& model, const std::string& name) {
    const QModelIndex index = model.index(row_of(model, name), 0);
    selection.setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

int kernel_index(const QComboBox& chooser, const QString& prefix) {
    for (int i = 0; i < chooser.count(); ++i) {
        if (chooser.itemText(i).startsWith(prefix)) return i;
    }
    return -1;
}

}  // namespace

class TestLesson : public QObject {
    Q_OBJECT

private:
    QTemporaryDir settings_dir_;

private slots:
    void initTestCase() { QVERIFY(settings_dir_.isValid()); }

    void stepsShowTheSelectedBlock() {
        studio::LayerTableModel model;
        model.set_architecture(studio::cost_architecture(1.0, 224, 1000), 1);
        QItemSelectionModel selection(&model);
        LessonDialog dialog(&model, &selection, nullptr);

        // Nothing selected: the default block, and the dialog says so.
        QCOMPARE(dialog.block().number, 7);
        QVERIFY(!dialog.block().from_selection);

        // Block 13 of 1.0-224: M = N = 1024 on 7×7. Standard: 3·3·1024·1024·7·7 = 462,422,016;
        // depthwise 3·3·1024·49 = 451,584; pointwise 1024·1024·49 = 51,380,224.
        select_layer(selection, model, "dw13");
        QCOMPARE(dialog.block().number, 13);
        QVERIFY(dialog.block().from_selection);
        QCOMPARE(dialog.block().m, 1024);
        QCOMPARE(dialog.block().n, 1024);
        QCOMPARE(dialog.block().df, 7);
        QVERIFY(dialog.step_text(LessonDialog::StandardStep).contains(QStringLiteral("462,422,016")));
        QVERIFY(dialog.step_text(LessonDialog::StandardStep).contains(QStringLiteral("3·3·1024·1024·7·7")));
        QVERIFY(dialog.step_text(LessonDialog::DepthwiseStep).contains(QStringLiteral("451,584")));
        QVERIFY(dialog.step_text(LessonDialog::DepthwiseStep).contains(QStringLiteral("dw13")));
        QVERIFY(dialog.step_text(LessonDialog::PointwiseStep).contains(QStringLiteral("51,380,224")));
        QVERIFY(dialog.step_text(LessonDialog::PointwiseStep).contains(QStringLiteral("pw13")));
        const QString together = dialog.step_text(LessonDialog::TogetherStep);
        QVERIFY(together.contains(QStringLiteral("51,831,808")));  // 451,584 + 51,380,224
        QVERIFY(together.contains(QStringLiteral("1/1024 + 1/9")));
        QVERIFY(together.contains(QStringLiteral("0.1121")));      // 1/1024 + 1/9
        QVERIFY(together.contains(QStringLiteral("8.9×")));        // 462,422,016 / 51,831,808
        // The whole network both ways, from the core's cost model.
        mnv1::ArchConfig cfg = model.architecture();
        const auto separable = mnv1::summarize(mnv1::layer_table(cfg));
        cfg.standard_conv = true;
        const auto standard = mnv1::summarize(mnv1::layer_table(cfg));
        QVERIFY(together.contains(studio::format_count(separable.macs)));
        QVERIFY(together.contains(studio::format_count(standard.macs)));
        QVERIFY(together.contains(studio::format_count(standard.params)));
        QVERIFY(together.contains(QStringLiteral("factor is below this block's")));  // 8.6× < 8.9×

        // Each of steps 1–4 draws the block's filter banks, its own bank highlighted.
        using Highlight = studio::FilterShapeDiagram::Highlight;
        const Highlight expected[] = {Highlight::Standard, Highlight::Depthwise, Highlight::Pointwise, Highlight::All};
        for (int s = 0; s < LessonDialog::SpatialStep; ++s) {
            QVERIFY(dialog.diagram(s));
            QCOMPARE(dialog.diagram(s)->highlight(), expected[s]);
            QCOMPARE(dialog.diagram(s)->costs().standard_macs, std::int64_t{462'422'016});
            QCOMPARE(dialog.diagram(s)->costs().separable_macs, std::int64_t{51'831'808});
        }

        // The pointwise row selects the same block.
        select_layer(selection, model, "pw13");
        QCOMPARE(dialog.block().number, 13);

        // Block 1: 32 -> 64 channels on 112×112: standard 3·3·32·64·112·112 = 231,211,008.
        select_layer(selection, model, "pw1");
        QCOMPARE(dialog.block().number, 1);
        QVERIFY(dialog.step_text(LessonDialog::StandardStep).contains(QStringLiteral("231,211,008")));
        QVERIFY(dialog.step_text(LessonDialog::DepthwiseStep).contains(QStringLiteral("3,612,672")));
        QVERIFY(dialog.step_text(LessonDialog::PointwiseStep).contains(QStringLiteral("25,690,112")));
        // Block 1 saves 7.9× (1/64 + 1/9), less than the whole network's 8.6×: the text says which is larger.
        QVERIFY(dialog.step_text(LessonDialog::TogetherStep).contains(QStringLiteral("factor is above this block's")));

        // A stride-2 block says how its output side comes about.
        select_layer(selection, model, "dw2");
        QCOMPARE(dialog.block().stride, 2);
        QVERIFY(dialog.step_text(LessonDialog::StandardStep).contains(QStringLiteral("stride 2")));
        QVERIFY(dialog.step_text(LessonDialog::StandardStep).contains(QStringLiteral("112×112 input")));

        // conv0 is no separable block: the default block, and the note names conv0.
        select_layer(selection, model, "conv0");
        QVERIFY(!dialog.block().from_selection);
        QCOMPARE(dialog.block().number, 7);
        QCOMPARE(dialog.block().selected_layer, QStringLiteral("conv0"));

        // A new configuration (0.5-160) changes the numbers: block 13 has 512 channels on 5×5.
        model.set_architecture(studio::cost_architecture(0.5, 160, 1000), 2);
        select_layer(selection, model, "pw13");
        QCOMPARE(dialog.block().m, 512);
        QCOMPARE(dialog.block().df, 5);
        QVERIFY(dialog.step_text(LessonDialog::PointwiseStep).contains(QStringLiteral("6,553,600")));  // 512·512·25
    }

    void nextAndBack() {
        studio::LayerTableModel model;
        model.set_architecture(studio::cost_architecture(1.0, 224, 1000), 1);
        QItemSelectionModel selection(&model);
        LessonDialog dialog(&model, &selection, nullptr);
        dialog.show();
        QCOMPARE(dialog.current_step(), int(LessonDialog::StandardStep));
        QVERIFY(!dialog.back_button()->isEnabled());
        QVERIFY(dialog.next_button()->isEnabled());
        for (int s = 1; s < LessonDialog::StepCount; ++s) {
            QTest::mouseClick(dialog.next_button(), Qt::LeftButton);
            QCOMPARE(dialog.current_step(), s);
        }
        QVERIFY(!dialog.next_button()->isEnabled());
        QTest::mouseClick(dialog.back_button(), Qt::LeftButton);
        QCOMPARE(dialog.current_step(), int(LessonDialog::TogetherStep));
        // The step list navigates too.
        dialog.findChild<QListWidget*>()->setCurrentRow(LessonDialog::DepthwiseStep);
        QCOMPARE(dialog.current_step(), int(LessonDialog::DepthwiseStep));

        // From the Layers page: the step of the selected layer's kind.
        select_layer(selection, model, "pw5");
        dialog.show_step_of_selection();
        QCOMPARE(dialog.current_step(), int(LessonDialog::PointwiseStep));
        select_layer(selection, model, "dw5");
        dialog.show_step_of_selection();
        QCOMPARE(dialog.current_step(), int(LessonDialog::DepthwiseStep));
        select_layer(selection, model, "fc");
        dialog.show_step_of_selection();
        QCOMPARE(dialog.current_step(), int(LessonDialog::StandardStep));
        // Leave no demo running behind the dialog (the step-5 visit started one).
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.spatial_demo_running(), kTimeoutMs);
    }

    void spatialDemoOnARealPhoto() {
        const std::string path = mnv1::test::shared_path("images/photos/grace_hopper.jpg");
        MOBILENET_REQUIRE_FILE(path);
        const cv::Mat bgr = cv::imread(path);
        QVERIFY(!bgr.empty());
        studio::InferenceController controller;
        controller.classify_still(1, bgr);  // shown now; classified once a model is configured (never, here)
        QCOMPARE(controller.shown_image().size(), bgr.size());

        studio::LayerTableModel model;
        model.set_architecture(studio::cost_architecture(1.0, 224, 1000), 1);
        QItemSelectionModel selection(&model);
        LessonDialog dialog(&model, &selection, &controller);
        dialog.show();
        QSignalSpy finished(&dialog, &LessonDialog::spatialDemoFinished);
        dialog.kernel_chooser()->setCurrentIndex(kernel_index(*dialog.kernel_chooser(), QStringLiteral("Sobel x")));
        dialog.show_step(LessonDialog::SpatialStep);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1 && !dialog.spatial_demo_running(), kTimeoutMs);

        QVERIFY(dialog.spatial_outcome().has_value());
        const LessonDialog::SpatialOutcome& o = *dialog.spatial_outcome();
        QVERIFY(o.from_image);
        QVERIFY(o.separable);
        QVERIFY(o.kernel_name.startsWith(QStringLiteral("Sobel x")));
        const mnv1::SeparableDemoResult& r = o.result;
        QCOMPARE(r.width, bgr.cols);
        QCOMPARE(r.height, bgr.rows);
        const std::int64_t pixels = std::int64_t{bgr.cols} * bgr.rows;
        QCOMPARE(r.full_multiplications, 9 * pixels);
        QCOMPARE(r.two_pass_multiplications, 6 * pixels);
        QVERIFY(r.max_abs_difference <= r.difference_bound);
        QVERIFY(r.difference_bound < 1e-5);  // Sobel: Σ|K| = 8 on a [0, 1] image
        QVERIFY(r.max_abs_output > 0.5);     // a photo has edges
        QVERIFY(r.full_ms > 0 && r.two_pass_ms > 0);
        QVERIFY(!o.input.isNull() && !o.full.isNull() && !o.two_pass.isNull() && !o.difference.isNull());
        const QString text = dialog.spatial_result_text();
        QVERIFY(text.contains(QStringLiteral("<b>9</b>")));
        QVERIFY(text.contains(QStringLiteral("<b>6</b>")));
        QVERIFY(text.contains(QLocale(QLocale::English).toString(static_cast<qlonglong>(9 * pixels))));
        QVERIFY(text.contains(QStringLiteral("across channels")));
        qInfo("grace_hopper %dx%d, Sobel x: 3x3 %.3f ms, two passes %.3f ms (median of %d), max |diff| %.3g (bound %.3g)",
              r.width, r.height, r.full_ms, r.two_pass_ms, r.repeats, r.max_abs_difference, r.difference_bound);

        // The Laplacian does not factor: its closest separable kernel is another filter.
        dialog.kernel_chooser()->setCurrentIndex(kernel_index(*dialog.kernel_chooser(), QStringLiteral("Laplacian")));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.spatial_outcome()->kernel_name.startsWith(QStringLiteral("Laplacian")) &&
                                     !dialog.spatial_demo_running(),
                                 kTimeoutMs);
        QVERIFY(!dialog.spatial_outcome()->separable);
        QVERIFY(dialog.spatial_outcome()->result.max_abs_difference > 0.1);
        QVERIFY(dialog.spatial_result_text().contains(QStringLiteral("<b>not</b> an outer product")));
    }

    void spatialDemoWithoutAnImage() {
        studio::LayerTableModel model;
        model.set_architecture(studio::cost_architecture(1.0, 224, 1000), 1);
        QItemSelectionModel selection(&model);
        LessonDialog dialog(&model, &selection, nullptr);
        QSignalSpy finished(&dialog, &LessonDialog::spatialDemoFinished);
        dialog.kernel_chooser()->setCurrentIndex(kernel_index(*dialog.kernel_chooser(), QStringLiteral("Gaussian")));
        dialog.show_step(LessonDialog::SpatialStep);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1 && !dialog.spatial_demo_running(), kTimeoutMs);
        const LessonDialog::SpatialOutcome& o = *dialog.spatial_outcome();
        QVERIFY(!o.from_image);
        QVERIFY(o.kernel_name.startsWith(QStringLiteral("Gaussian")));
        QCOMPARE(o.result.full_multiplications, std::int64_t{9} * o.result.width * o.result.height);
        QCOMPARE(o.result.two_pass_multiplications, std::int64_t{6} * o.result.width * o.result.height);
        QVERIFY(o.result.max_abs_difference <= o.result.difference_bound);
        QVERIFY(dialog.spatial_result_text().contains(QStringLiteral("checkerboard")));
        QVERIFY(dialog.spatial_result_text().contains(QStringLiteral("Open Images")));
    }

    void f1AndTheLayersPageOpenTheLesson() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path("models/tflite/mobilenet_v1_1.0_224_quant.tflite"));
        studio::StudioOptions opts;
        opts.models_dir = QString::fromStdString(mnv1::test::shared_path("models"));
        opts.settings_file = settings_dir_.filePath(QStringLiteral("lesson.ini"));
        opts.threads = 2;
        opts.alpha = 1.0;
        opts.resolution = 224;
        studio::MainWindow w(opts);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->model_status() && w.controller()->model_status()->ok, kTimeoutMs);

        // Help menu: the lesson first, with F1; About without it.
        QMenu* help = nullptr;
        for (QAction* a : w.menuBar()->actions()) {
            if (a->text().remove('&') == QStringLiteral("Help")) help = a->menu();
        }
        QVERIFY(help);
        QAction* lesson = w.action_manager()->lesson();
        QVERIFY(help->actions().contains(lesson));
        QVERIFY(help->actions().contains(w.action_manager()->about()));
        QVERIFY(help->actions().indexOf(lesson) < help->actions().indexOf(w.action_manager()->about()));
        QCOMPARE(lesson->shortcut(), QKeySequence(QKeySequence::HelpContents));
        QVERIFY(w.action_manager()->about()->shortcut().isEmpty());
        int f1_actions = 0;
        for (QAction* a : w.findChildren<QAction*>()) f1_actions += a->shortcut() == QKeySequence(QKeySequence::HelpContents);
        QCOMPARE(f1_actions, 1);

        QVERIFY(!w.findChild<LessonDialog*>());
        lesson->trigger();
        LessonDialog* dialog = w.findChild<LessonDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QVERIFY(!dialog->isModal());
        dialog->close();

        // The Layers page's button: the same dialog, at the selected layer's block and step.
        studio::LayersPage* page = w.layers_page();
        QVERIFY(page->lesson_button());
        select_layer(*page->selection_model(), *page->model(), "dw13");
        page->lesson_button()->click();
        QCOMPARE(w.findChildren<LessonDialog*>().size(), qsizetype{1});
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->current_step(), int(LessonDialog::DepthwiseStep));
        QCOMPARE(dialog->block().number, 13);
        QVERIFY(dialog->step_text(LessonDialog::DepthwiseStep).contains(QStringLiteral("451,584")));
        dialog->close();
    }
};

QTEST_MAIN(TestLesson)
#include "test_lesson.moc"
