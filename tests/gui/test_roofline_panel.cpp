// The roofline view: a real roofline measured by the core (random weights, 0.5-128, one
// thread, small microbenchmarks) fed to the RooflineChart / RooflinePanel (one point per
// weighted layer at its intensity, the roofs' values, the text's numbers, selection both
// ways), then the whole path through the InferenceController: request_roofline ->
// rooflineMeasured with the current generation, a stale request dropped, and the panel
// measuring by itself when shown, once per configuration.
#include <QtTest>

#include <QItemSelectionModel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>

#include "charts/roofline_chart.hpp"
#include "common/network_cost.hpp"
#include "controller/inference_controller.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/roofline.hpp"
#include "models/layer_table_model.hpp"
#include "pages/roofline_panel.hpp"
#include "test_support.hpp"

namespace {

constexpr int kTimeoutMs = 60000;
constexpr double kAlpha = 0.5;
constexpr int kResolution = 128;
constexpr int kClasses = 1001;

bool close(double a, double b, double rel = 1e-6) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

// Measured here and now by the core, as the worker does, with microbenchmarks small
// enough for a test.
studio::RooflineData measure_roofline(quint64 generation) {
    studio::RooflineData data;
    data.generation = generation;
    data.alpha = kAlpha;
    data.resolution = kResolution;
    data.threads = 1;
    data.passes = 5;
    mnv1::PeakOptions small;
    small.m_per_thread = 128;
    small.n = 256;
    small.k = 256;
    small.matmul_runs = 5;
    small.stream_bytes = std::size_t{48} << 20;
    small.stream_runs = 3;
    data.peaks = mnv1::measure_machine_peaks(1, small);
    mnv1::Runtime runtime;
    mnv1::NetworkConfig cfg;
    cfg.resolution = kResolution;
    cfg.threads = 1;
    mnv1::ExecutionContext ctx(runtime.compile(mnv1::random_weights(studio::cost_architecture(kAlpha, kResolution, kClasses)), cfg));
    std::fill(ctx.input(), ctx.input() + ctx.input_floats(), 0.0f);
    ctx.forward();
    data.points = mnv1::roofline_points(ctx.network(), mnv1::profile_layers(ctx, data.passes), data.peaks);
    return data;
}

int row_of(const studio::LayerTableModel& model, const std::string& name) {
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.layers()[static_cast<std::size_t>(r)].name == name) return r;
    }
    return -1;
}

}  // namespace

class TestRooflinePanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // the peaks cache goes to a test folder
        data_ = measure_roofline(1);
        QVERIFY(data_.peaks.peak_gflops > 0);
        QVERIFY(data_.peaks.bandwidth_gbs > 0);
    }

    void chartHasOnePointPerWeightedLayerUnderTheRoofs() {
        studio::RooflineChart chart;
        chart.resize(700, 500);
        chart.set_data(data_);
        const std::vector<mnv1::LayerSpec> specs = mnv1::layer_table(studio::cost_architecture(kAlpha, kResolution, kClasses));
        const auto weighted = std::count_if(specs.begin(), specs.end(), [](const mnv1::LayerSpec& s) { return s.macs > 0; });
        QCOMPARE(static_cast<int>(weighted), 28);  // conv0, 13 depthwise, 13 pointwise, fc

        int drawn = 0;
        for (QScatterSeries* s : chart.layer_series()) drawn += s->count();
        QCOMPARE(drawn, static_cast<int>(weighted));
        QCOMPARE(chart.layer_series().size(), 4);
        for (const mnv1::LayerSpec& spec : specs) {
            const std::optional<QPointF> at = chart.position_of(spec.index);
            if (spec.macs == 0) {
                QVERIFY2(!at, spec.name.c_str());  // pool and softmax: no place on log axes
                continue;
            }
            QVERIFY2(at.has_value(), spec.name.c_str());
            QVERIFY2(close(at->x(), mnv1::layer_intensity(spec, 1)), spec.name.c_str());
            const mnv1::RooflinePoint& p = data_.points[static_cast<std::size_t>(spec.index)];
            QVERIFY(p.name == spec.name);
            QVERIFY(close(at->y(), mnv1::kFlopsPerMac * static_cast<double>(spec.macs) / (p.ms * 1e6)));
        }
        // Depthwise: 9 mult-adds per output over at most 8 bytes per output (stride 1): at
        // most 18 / 8 = 2.25 FLOP/byte, whatever the width.
        for (const mnv1::RooflinePoint& p : data_.points) {
            if (p.kind == mnv1::LayerKind::Depthwise) QVERIFY2(p.intensity > 0.5 && p.intensity <= 2.25, p.name.c_str());
        }

        // The roofs: the compute roof flat at the peak from the ridge, the memory roof
        // bandwidth x intensity up to it, the ridge where they meet.
        const double peak = data_.peaks.peak_gflops, bw = data_.peaks.bandwidth_gbs, ridge = peak / bw;
        QCOMPARE(chart.compute_roof()->count(), 2);
        for (const QPointF& pt : chart.compute_roof()->points()) QVERIFY(close(pt.y(), peak));
        QVERIFY(close(chart.compute_roof()->at(0).x(), ridge));
        QVERIFY(chart.compute_roof()->at(1).x() > ridge);
        QCOMPARE(chart.memory_roof()->count(), 2);
        for (const QPointF& pt : chart.memory_roof()->points()) QVERIFY(close(pt.y(), bw * pt.x()));
        QVERIFY(close(chart.memory_roof()->at(1).x(), ridge));
        QVERIFY(chart.memory_roof()->at(0).x() < ridge);
        QCOMPARE(chart.ridge_marker()->count(), 1);
        QVERIFY(close(chart.ridge_marker()->at(0).x(), ridge));
        QVERIFY(close(chart.ridge_marker()->at(0).y(), peak));
        // Every point's roof is the lower of the two at its intensity.
        for (const mnv1::RooflinePoint& p : data_.points) {
            if (p.macs > 0) QVERIFY(close(p.roof_gflops, std::min(peak, bw * p.intensity)));
        }
    }

    void panelTextAndSelectionBothWays() {
        studio::InferenceController controller;  // not configured: the panel only shows what it is given
        studio::LayerTableModel model;
        model.set_architecture(studio::cost_architecture(kAlpha, kResolution, kClasses), 1);
        QItemSelectionModel selection(&model);
        studio::RooflinePanel panel(&controller, &model, &selection);
        panel.resize(700, 900);
        QVERIFY(!panel.measuring());
        panel.set_data(data_);
        QVERIFY(!panel.chart()->stale());

        // The paragraph carries the measured numbers.
        const QString text = panel.explanation_text();
        QVERIFY2(text.contains(QString::number(data_.peaks.peak_gflops, 'f', 1) + " GFLOP/s"), qPrintable(text));
        QVERIFY2(text.contains(QString::number(data_.peaks.bandwidth_gbs, 'f', 1) + " GB/s"), qPrintable(text));
        QVERIFY(text.contains(QString::fromStdString(data_.peaks.isa)));
        QVERIFY(text.contains("Depthwise layers (13)"));
        QVERIFY(text.contains("Pointwise (1×1) layers (13)"));
        QVERIFY(text.contains("of the mult-adds but take"));
        QVERIFY(panel.state_text().contains("0.5-128"));

        // A row selected in the table rings its point.
        const int dw5 = row_of(model, "dw5");
        selection.setCurrentIndex(model.index(dw5, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(panel.chart()->selected_layer(), dw5);
        QCOMPARE(panel.chart()->highlight()->count(), 1);
        QCOMPARE(panel.chart()->highlight()->at(0), *panel.chart()->position_of(dw5));
        // A clicked point selects its row.
        const int pw9 = row_of(model, "pw9");
        panel.chart()->click_layer(pw9);
        QCOMPARE(selection.currentIndex().row(), pw9);
        QVERIFY(selection.isRowSelected(pw9, {}));
        QCOMPARE(panel.chart()->highlight()->at(0), *panel.chart()->position_of(pw9));
        // A row without a point (softmax) clears the ring.
        selection.setCurrentIndex(model.index(row_of(model, "softmax"), 0),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(panel.chart()->highlight()->count(), 0);
    }

    void throughTheControllerOncePerConfiguration() {
        studio::InferenceController controller;
        controller.set_tuning({kAlpha, kResolution, 1, mnv1::CropMode::Whole});
        studio::LayerTableModel model;
        QItemSelectionModel selection(&model);
        studio::RooflinePanel panel(&controller, &model, &selection);
        panel.resize(700, 900);
        QSignalSpy measured(&controller, &studio::InferenceController::rooflineMeasured);
        QSignalSpy configured(&controller, &studio::InferenceController::modelConfigured);

        // Hidden: configuring measures nothing.
        controller.discover_models({});  // no models: random weights
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 1, kTimeoutMs);
        QVERIFY(controller.model_status()->ok);
        QTest::qWait(200);
        QVERIFY(!panel.measuring());
        QCOMPARE(measured.count(), 0);

        // Shown: it measures the current configuration by itself.
        panel.show();
        QVERIFY(panel.measuring());
        QVERIFY(panel.state_text().contains("Measuring"));
        QVERIFY(!panel.measure_button()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 1, kTimeoutMs);
        const auto first = measured.at(0).at(0).value<studio::RooflineData>();
        QCOMPARE(first.generation, controller.generation());
        QCOMPARE(first.threads, 1);
        QCOMPARE(first.peaks.threads, 1);
        QCOMPARE(first.passes, studio::kLayerProfilePasses);
        QCOMPARE(static_cast<int>(first.points.size()), 30);
        QVERIFY(first.peaks.peak_gflops > 0 && first.peaks.bandwidth_gbs > 0);
        QVERIFY(!panel.measuring());
        QVERIFY(panel.chart()->data().has_value());
        QCOMPARE(panel.chart()->data()->generation, first.generation);
        QVERIFY(panel.explanation_text().contains(QString::number(first.peaks.peak_gflops, 'f', 1)));

        // Shown again, same configuration: nothing new is measured.
        panel.hide();
        panel.show();
        QVERIFY(!panel.measuring());
        QTest::qWait(300);
        QCOMPARE(measured.count(), 1);

        // A request overtaken by a new configuration never arrives; the panel, shown,
        // measures the new one, and its old chart is greyed meanwhile.
        controller.request_roofline();
        controller.set_tuning({kAlpha, 160, 1, mnv1::CropMode::Whole});
        controller.apply_configuration();
        QVERIFY(panel.chart()->stale());  // greyed from the request on, before the network is built
        QVERIFY(panel.state_text().contains("0.5-160"));
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 2, kTimeoutMs);
        QVERIFY(panel.measuring());
        QVERIFY(panel.chart()->stale());
        QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 2, kTimeoutMs);
        const auto second = measured.at(1).at(0).value<studio::RooflineData>();
        QCOMPARE(second.generation, controller.generation());
        QCOMPARE(second.resolution, 160);
        QVERIFY(second.peaks.from_cache);  // same machine and thread count: the cached peaks
        QVERIFY(!panel.chart()->stale());
        QTest::qWait(300);
        QCOMPARE(measured.count(), 2);

        // "Measure again" measures the peaks anew.
        panel.measure_button()->click();
        QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 3, kTimeoutMs);
        QVERIFY(!measured.at(2).at(0).value<studio::RooflineData>().peaks.from_cache);
    }

    // The roofs and points are f32 ones: an int8 network (the 0.25-128 uint8 release) gets
    // a notice saying how to see its roofline, not "the measurement failed", and no chart.
    void int8NetworkIsNotDrawn() {
        const std::string release = mnv1::test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite");
        MOBILENET_REQUIRE_FILE(release);
        studio::InferenceController controller;
        controller.set_tuning({0.25, 128, 1, mnv1::CropMode::Whole});
        controller.set_precision(mnv1::PrecisionChoice::Int8);
        studio::LayerTableModel model;
        QItemSelectionModel selection(&model);
        studio::RooflinePanel panel(&controller, &model, &selection);
        panel.resize(700, 900);
        QSignalSpy configured(&controller, &studio::InferenceController::modelConfigured);
        controller.discover_models({QString::fromStdString(mnv1::test::shared_path("models/tflite"))});
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 1, kTimeoutMs);
        QVERIFY(controller.model_status()->ok);
        QCOMPARE(controller.model_status()->precision, QStringLiteral("int8"));
        panel.show();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.measuring(), kTimeoutMs);
        QVERIFY2(panel.state_text().contains("Not drawn for int8") && panel.state_text().contains("choose fp32"),
                 qPrintable(panel.state_text()));
        QVERIFY(!panel.state_text().contains("failed"));
        QVERIFY(!panel.chart()->data().has_value());
        // Nothing contradicts it: no "Measure again", and the empty chart says the same.
        auto* again = panel.findChild<QPushButton*>();
        QVERIFY(again && again->text().remove('&') == QStringLiteral("Measure again"));
        QVERIFY(!again->isEnabled());
        QVERIFY2(panel.chart()->empty_note().startsWith(QStringLiteral("Not drawn for int8")),
                 qPrintable(panel.chart()->empty_note()));
    }

    // Drawn at fp32, then the precision switched to int8: the fp32 chart goes (not greyed
    // under the notice), and a per-layer profile of the int8 network (the Layers table's
    // "Measure per-layer time") never reaches the chart as points under the f32 roofs.
    void int8AfterFp32ClearsTheChart() {
        const std::string release = mnv1::test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite");
        MOBILENET_REQUIRE_FILE(release);
        studio::InferenceController controller;
        controller.set_tuning({0.25, 128, 1, mnv1::CropMode::Whole});
        studio::LayerTableModel model;
        QItemSelectionModel selection(&model);
        studio::RooflinePanel panel(&controller, &model, &selection);
        panel.resize(700, 900);
        QSignalSpy configured(&controller, &studio::InferenceController::modelConfigured);
        QSignalSpy measured(&controller, &studio::InferenceController::rooflineMeasured);
        QSignalSpy profiled(&controller, &studio::InferenceController::layersProfiled);
        controller.discover_models({QString::fromStdString(mnv1::test::shared_path("models/tflite"))});
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 1, kTimeoutMs);
        QCOMPARE(controller.model_status()->precision, QStringLiteral("f32"));
        panel.show();
        QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 1, kTimeoutMs);
        QVERIFY(panel.chart()->data().has_value());

        panel.hide();  // as on another tab
        controller.set_precision(mnv1::PrecisionChoice::Int8);
        controller.apply_configuration();
        QTRY_COMPARE_WITH_TIMEOUT(configured.count(), 2, kTimeoutMs);
        QCOMPARE(controller.model_status()->precision, QStringLiteral("int8"));
        QVERIFY(!panel.chart()->data().has_value());
        QVERIFY(!panel.chart()->stale());
        controller.request_layer_profile();
        QTRY_COMPARE_WITH_TIMEOUT(profiled.count(), 1, kTimeoutMs);
        panel.show();
        QTest::qWait(300);
        QCOMPARE(measured.count(), 1);
        QVERIFY(!panel.chart()->data().has_value());
        QVERIFY2(panel.chart()->empty_note().startsWith(QStringLiteral("Not drawn for int8")),
                 qPrintable(panel.chart()->empty_note()));
        QVERIFY2(!panel.explanation_text().contains(QStringLiteral("of the time")), qPrintable(panel.explanation_text()));
    }

private:
    studio::RooflineData data_;
};

QTEST_MAIN(TestRooflinePanel)
#include "test_roofline_panel.moc"
