// The cost card (one convolution, standard against depthwise separable) and the
// "Standard vs separable" panel (the whole network both ways): typed values give the
// paper's formulas' numbers, the shared layer selection picks the block, the panel shows
// the core's Table 4 totals, and the measurement through the controller returns both
// latencies for a small configuration (real 0.5-128 weights, 2 threads).
#include <QtTest>

#include <QItemSelectionModel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QThread>

#include "common/display_format.hpp"
#include "common/network_cost.hpp"
#include "controller/inference_controller.hpp"
#include "models/layer_table_model.hpp"
#include "pages/separable_network_panel.hpp"
#include "test_support.hpp"
#include "widgets/cost_card.hpp"
#include "widgets/filter_diagram.hpp"
#include "worker/inference_worker.hpp"
#include "worker/latest_frame_slot.hpp"

namespace {

constexpr int kTimeoutMs = 120'000;

mnv1::ArchConfig config(double alpha, int resolution, int classes = 1001) {
    mnv1::ArchConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = resolution;
    cfg.num_classes = classes;
    return cfg;
}

int row_named(const studio::LayerTableModel& model, const std::string& name) {
    for (std::size_t r = 0; r < model.layers().size(); ++r)
        if (model.layers()[r].name == name) return static_cast<int>(r);
    return -1;
}

void select_row(QItemSelectionModel& selection, int row) {
    selection.setCurrentIndex(selection.model()->index(row, 0),
                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

}  // namespace

class TestCostCard : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }  // roofline cache out of ~/.cache

    void typedValuesGiveTheFormulas() {
        studio::LayerTableModel model;
        model.set_architecture(config(1.0, 224), 1);
        QItemSelectionModel selection(&model);
        studio::CostCardPanel card(&model, &selection);
        QVERIFY(card.following_selection());
        QVERIFY(!card.use_selection_button()->isEnabled());

        // Table 3's layer of the paper: Dk 3, M 512, N 512, Df 14.
        card.m_box()->setValue(512);
        QVERIFY(!card.following_selection());
        QVERIFY(card.use_selection_button()->isEnabled());
        card.n_box()->setValue(512);
        card.df_box()->setValue(14);
        card.dk_box()->setValue(3);
        QCOMPARE(card.shown().standard_macs, std::int64_t{462422016});
        QCOMPARE(card.shown().separable_macs, std::int64_t{52283392});
        const QString f = card.formula_text();
        QVERIFY2(f.contains(QStringLiteral("3·3·512·512·14·14 = 462,422,016")), qPrintable(f));
        QVERIFY2(f.contains(QStringLiteral("3·3·512·14·14 + 512·512·14·14")), qPrintable(f));
        QVERIFY2(f.contains(QStringLiteral("903,168 + 51,380,224 = 52,283,392")), qPrintable(f));
        QVERIFY2(f.contains(QStringLiteral("1/512 + 1/9")), qPrintable(f));
        QVERIFY2(f.contains(QStringLiteral("= 0.1131")), qPrintable(f));  // 52283392 / 462422016
        QVERIFY2(f.contains(QStringLiteral("8.8× fewer mult-adds")), qPrintable(f));
        {
            // Dk = 1: separating only adds the depthwise step; the card says "more", not "fewer".
            card.dk_box()->setValue(1);
            const QString more = card.formula_text();
            QCOMPARE(card.shown().separable_macs, card.shown().standard_macs + 512 * 14 * 14);
            QVERIFY2(more.contains(QStringLiteral("0.2 % more mult-adds")) && !more.contains(QStringLiteral("fewer")),
                     qPrintable(more));
            card.dk_box()->setValue(3);
        }
        QVERIFY2(f.contains(QStringLiteral("2,359,296")) && f.contains(QStringLiteral("4,608 + 262,144 = 266,752")),
                 qPrintable(f));
        QVERIFY(card.source_text().startsWith(QStringLiteral("Your values")));
        QCOMPARE(card.diagram()->costs().standard_macs, std::int64_t{462422016});
        QCOMPARE(card.diagram()->highlight(), studio::FilterShapeDiagram::Highlight::All);
        QVERIFY(card.diagram()->caption(studio::FilterShapeDiagram::Highlight::Standard)
                    .contains(QStringLiteral("each 3×3×512")));
        QVERIFY(card.diagram()->caption(studio::FilterShapeDiagram::Highlight::Pointwise)
                    .contains(QStringLiteral("51.38 M mult-adds")));

        // A kernel of 5: the ratio follows 1/N + 1/25.
        card.dk_box()->setValue(5);
        QVERIFY2(card.formula_text().contains(QStringLiteral("1/512 + 1/25")), qPrintable(card.formula_text()));
        QCOMPARE(card.shown().standard_macs, std::int64_t{25} * 512 * 512 * 196);

        // Selecting a layer while typed values are shown changes nothing until asked.
        select_row(selection, row_named(model, "pw1"));
        QVERIFY(!card.following_selection());
        QCOMPARE(card.shown().dk, 5);
        card.use_selection_button()->click();
        QVERIFY(card.following_selection());
        QCOMPARE(card.shown().m, 32);
        QCOMPARE(card.shown().n, 64);
    }

    void selectionPicksTheBlock() {
        studio::LayerTableModel model;
        model.set_architecture(config(1.0, 224), 1);
        QItemSelectionModel selection(&model);
        studio::CostCardPanel card(&model, &selection);

        // Nothing selected: the first block, with a hint.
        QCOMPARE(card.shown().m, 32);
        QVERIFY(card.source_text().contains(QStringLiteral("Select a dw or pw row")));

        // dw4 (stride 2, 56 -> 28): M 128, N 256, Df 28; the depthwise step highlighted.
        select_row(selection, row_named(model, "dw4"));
        QCOMPARE(card.shown().dk, 3);
        QCOMPARE(card.shown().m, 128);
        QCOMPARE(card.shown().n, 256);
        QCOMPARE(card.shown().df, 28);
        QCOMPARE(card.m_box()->value(), 128);
        QCOMPARE(card.df_box()->value(), 28);
        QCOMPARE(card.diagram()->highlight(), studio::FilterShapeDiagram::Highlight::Depthwise);
        QVERIFY2(card.source_text().contains(QStringLiteral("Block 4 of 1.0-224")), qPrintable(card.source_text()));
        QVERIFY2(card.source_text().contains(QStringLiteral("stride 2")), qPrintable(card.source_text()));
        const mnv1::ConvCostComparison block4 = mnv1::block_cost_comparison(config(1.0, 224), 4);
        QCOMPARE(card.shown().standard_macs, block4.standard_macs);
        QVERIFY(card.formula_text().contains(QStringLiteral("3·3·128·256·28·28")));

        // pw4: the same block, the pointwise step highlighted.
        select_row(selection, row_named(model, "pw4"));
        QCOMPARE(card.shown().separable_macs, block4.separable_macs);
        QCOMPARE(card.diagram()->highlight(), studio::FilterShapeDiagram::Highlight::Pointwise);
        QVERIFY(card.source_text().contains(QStringLiteral("Block 4")));
        QVERIFY2(card.source_text().contains(QStringLiteral("input is 56×56 and its output 28×28")),
                 qPrintable(card.source_text()));

        // A stride-1 block: no stride note.
        select_row(selection, row_named(model, "dw13"));
        QCOMPARE(card.shown().m, 1024);
        QCOMPARE(card.shown().df, 7);
        QVERIFY(!card.source_text().contains(QStringLiteral("This block has stride 2")));

        // conv0 is standard already; pool / fc / softmax have nothing to separate.
        select_row(selection, row_named(model, "conv0"));
        QVERIFY2(card.source_text().contains(QStringLiteral("already a standard convolution")) &&
                     card.source_text().contains(QStringLiteral("save 9.30 M mult-adds: only 1.6 %")),
                 qPrintable(card.source_text()));
        QCOMPARE(card.shown().m, 3);
        QCOMPARE(card.shown().n, 32);
        QCOMPARE(card.diagram()->highlight(), studio::FilterShapeDiagram::Highlight::Standard);
        for (const char* name : {"pool", "fc", "softmax"}) {
            select_row(selection, row_named(model, name));
            QVERIFY2(card.source_text().contains(QStringLiteral("nothing to separate")), qPrintable(card.source_text()));
        }

        // A new configuration: the card follows it (0.5-160: block 4 has 64 -> 128 channels on 20x20).
        model.set_architecture(config(0.5, 160), 2);
        select_row(selection, row_named(model, "pw4"));
        QCOMPARE(card.shown().m, 64);
        QCOMPARE(card.shown().n, 128);
        QCOMPARE(card.shown().df, 20);
        QVERIFY(card.source_text().contains(QStringLiteral("0.5-160")));
    }

    void networkPanelShowsCoreTotals() {
        studio::InferenceController controller;  // not configured: no measurement starts
        studio::LayerTableModel model;
        model.set_architecture(config(1.0, 224, 1000), 1);
        studio::SeparableNetworkPanel panel(&controller, &model);
        const mnv1::NetworkCostComparison n = mnv1::compare_network_costs(config(1.0, 224, 1000));
        QCOMPARE(panel.costs().standard.macs, n.standard.macs);
        QCOMPARE(panel.costs().separable.params, std::int64_t{4209088});
        QCOMPARE(panel.cell_text(1, 1), studio::format_count(n.standard.macs));
        QCOMPARE(panel.cell_text(1, 2), QStringLiteral("568.7 M"));
        QCOMPARE(panel.cell_text(1, 3), QStringLiteral("8.6× predicted"));
        QCOMPARE(panel.cell_text(2, 1), QStringLiteral("29.28 M"));
        QCOMPARE(panel.cell_text(2, 2), QStringLiteral("4.21 M"));
        QVERIFY(panel.cell_text(3, 1).startsWith(QStringLiteral("4866 M, 29.3 M")));  // published, quoted
        QVERIFY(panel.cell_text(3, 2).startsWith(QStringLiteral("569 M, 4.2 M")));
        QCOMPARE(panel.cell_text(4, 1), QStringLiteral("—"));  // nothing measured yet
        QVERIFY(panel.explanation_text().contains(QStringLiteral("8.6×")));

        // Another configuration: the totals follow.
        model.set_architecture(config(0.5, 160), 2);
        const mnv1::NetworkCostComparison half = mnv1::compare_network_costs(config(0.5, 160));
        QCOMPARE(panel.cell_text(1, 1), studio::format_count(half.standard.macs));
        QCOMPARE(panel.cell_text(1, 2), studio::format_count(half.separable.macs));
        QVERIFY(half.macs_ratio > 7.0 && half.macs_ratio < 9.0);
    }

    void measurementThroughController() {
        const std::string models = mnv1::test::shared_path("models/tflite");
        MOBILENET_REQUIRE_FILE(models);
        studio::InferenceController controller;
        controller.set_tuning({0.5, 128, 2, mnv1::CropMode::Whole});
        studio::LayerTableModel model;
        QObject::connect(&controller, &studio::InferenceController::modelConfigured, &model,
                         [&](const studio::ModelStatus& s) {
                             if (s.ok)
                                 model.set_architecture(studio::cost_architecture(s.request.alpha, s.request.resolution,
                                                                                  s.numClasses),
                                                        s.request.generation);
                         });
        controller.discover_models({QString::fromStdString(models)});
        QVERIFY(QTest::qWaitFor([&] { return controller.model_status() && controller.model_status()->ok; }, kTimeoutMs));
        QVERIFY(controller.model_status()->pretrained);
        QCOMPARE(model.generation(), controller.generation());

        studio::SeparableNetworkPanel panel(&controller, &model);
        QSignalSpy measured(&panel, &studio::SeparableNetworkPanel::measured);
        panel.measure();
        QVERIFY(panel.measuring());
        QVERIFY(!panel.measure_button()->isEnabled());
        QVERIFY(measured.wait(kTimeoutMs));
        QVERIFY(!panel.measuring());
        QVERIFY(panel.measurement().has_value());
        const studio::SeparableSpeedup& r = *panel.measurement();
        QCOMPARE(r.generation, controller.generation());
        QCOMPARE(r.resolution, 128);
        QCOMPARE(r.threads, 2);
        QVERIFY(r.rounds >= 3);
        QCOMPARE(r.separable.runs, r.rounds * r.separablePasses);
        QCOMPARE(r.standard.runs, r.rounds * r.standardPasses);
        QVERIFY(r.separable.median_ms > 0);
        QVERIFY(r.standard.median_ms > 0);
        QVERIFY2(r.measuredSpeedup > 1.0, qPrintable(QString::number(r.measuredSpeedup)));
        QCOMPARE(r.separableMacs, panel.costs().separable.macs);
        QCOMPARE(r.standardMacs, panel.costs().standard.macs);
        QCOMPARE(r.separableWeights, controller.model_status()->weightsName);
        QVERIFY(r.standardWeights.contains(QStringLiteral("random")));
        QVERIFY(r.standardGflops > 0 && r.separableGflops > 0);
        QVERIFY(panel.cell_text(4, 3).contains(QStringLiteral("measured")));
        QVERIFY(panel.explanation_text().contains(QStringLiteral("measured")));
        qInfo("0.5-128, 2 threads: separable %.2f ms, standard %.2f ms, measured %.2fx, predicted %.2fx",
              r.separable.median_ms, r.standard.median_ms, r.measuredSpeedup, r.predictedSpeedup);

        // A new configuration: the panel forgets the old configuration's times (that the worker
        // skips a superseded measurement is checked below, on the worker itself).
        QSignalSpy configured(&controller, &studio::InferenceController::modelConfigured);
        controller.set_tuning({0.5, 160, 2, mnv1::CropMode::Whole});
        controller.apply_configuration();
        QVERIFY(configured.wait(kTimeoutMs));
        QVERIFY(!panel.measurement().has_value());  // the panel forgot the old configuration's times
    }

    // The worker measures the configuration it was asked for, and skips a request whose
    // configuration was superseded before it started: no result arrives within three times
    // a whole measurement.
    void supersededMeasurementIsSkipped() {
        studio::InferenceWorker::register_metatypes();
        QThread thread;
        auto* w = new studio::InferenceWorker(std::make_shared<studio::LatestFrameSlot>());
        w->moveToThread(&thread);
        connect(&thread, &QThread::finished, w, &QObject::deleteLater);
        thread.start();
        mnv1::test::QueuedSpy<studio::ModelStatus> configured(w, &studio::InferenceWorker::configured);
        studio::ModelRequest m;
        m.generation = 1;
        m.alpha = 0.5;
        m.resolution = 128;
        m.threads = 1;
        QMetaObject::invokeMethod(w, [w, m] { w->configure(m); }, Qt::QueuedConnection);
        QVERIFY(configured.wait_for(1, kTimeoutMs));
        QVERIFY(std::get<0>(configured.first()).ok);

        mnv1::test::QueuedSpy<studio::SeparableSpeedup> measured(w, &studio::InferenceWorker::standardConvMeasured);
        QMetaObject::invokeMethod(w, [w] { w->measure_standard_conv(1); }, Qt::QueuedConnection);
        QVERIFY(measured.wait_for(1, kTimeoutMs));
        const double seconds = std::get<0>(measured.first()).seconds;
        QVERIFY(seconds > 0);
        QVERIFY(!std::get<0>(measured.first()).liveInt8);  // an fp32 network: nothing to say

        w->supersede_before(2);
        QMetaObject::invokeMethod(w, [w] { w->measure_standard_conv(1); }, Qt::QueuedConnection);
        QTest::qWait(static_cast<int>(3000 * seconds) + 500);
        QCOMPARE(measured.count(), 1);
        thread.quit();
        thread.wait();
    }
};

QTEST_MAIN(TestCostCard)
#include "test_cost_card.moc"
