// The trade-off page offscreen, on constructed sweep points and evaluation results (the
// sweep itself lives in core): series per layer and α, Pareto membership, the budget's
// answer, the latency fit and its outliers, click -> sliders, exports (CSV content, PNG
// and SVG files), and the tab in the main window.
#include <QtTest>

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QScrollArea>
#include <QPushButton>
#include <QScatterSeries>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QXYSeries>

#include <algorithm>

#include "app/action_manager.hpp"
#include "charts/tradeoff_chart.hpp"
#include "main_window.hpp"
#include "mobilenet/evaluate.hpp"
#include "models/tradeoff_model.hpp"
#include "pages/tradeoff_page.hpp"
#include "widgets/tuning_panel.hpp"

using namespace studio;

namespace {

// A measured point as a sweep reports it; `native` 0 means random weights (no accuracy).
mnv1::SweepPoint sweep_point(double alpha, int resolution, double latency_ms, int native, std::optional<double> top1) {
    mnv1::SweepPoint p;
    p.alpha = alpha;
    p.resolution = resolution;
    p.threads = 2;
    p.macs = static_cast<std::int64_t>(million_macs(alpha, resolution) * 1e6);
    p.params = 1'000'000;
    p.latency = {50, latency_ms, latency_ms * 0.95, latency_ms * 1.1, latency_ms * 0.9, latency_ms * 1.3, latency_ms};
    if (native > 0) {
        p.weights = "/models/mobilenet_v1_" + std::to_string(alpha).substr(0, 4) + "_" + std::to_string(native) + ".tflite";
        p.native_resolution = native;
    }
    p.top1 = top1;
    if (top1) p.top5 = *top1 + 20, p.images = 500;
    return p;
}

int count_series(const TradeoffChart* chart, PointLayer layer) {
    const QList<QXYSeries*> all = chart->point_series();
    return static_cast<int>(std::count_if(all.begin(), all.end(), [&](const QXYSeries* s) {
        return s->property("layer").toInt() == int(layer);
    }));
}

int find_row(const TradeoffModel& m, PointLayer layer, double alpha, int resolution, const QString& precision = {}) {
    for (int r = 0; r < m.rowCount(); ++r) {
        const TradeoffPoint& p = m.point(r);
        if (p.layer == layer && p.alpha == alpha && p.resolution == resolution &&
            (precision.isEmpty() || p.precision == precision)) {
            return r;
        }
    }
    return -1;
}

// Latency ~ 0.4 ms + 1 ms per 100 M mult-adds, except 0.25-128: three times slower.
void add_grid(TradeoffPage& page) {
    const auto ms = [](double a, int r) { return 0.4 + million_macs(a, r) / 100.0; };
    page.add_measured_point(sweep_point(1.0, 224, ms(1.0, 224), 224, 70.0));
    page.add_measured_point(sweep_point(1.0, 128, ms(1.0, 128), 224, 44.0));   // weights of 224 px: hollow, dominated
    page.add_measured_point(sweep_point(0.5, 224, ms(0.5, 224), 0, std::nullopt));  // random weights
    page.add_measured_point(sweep_point(0.5, 128, ms(0.5, 128), 0, std::nullopt));
    page.add_measured_point(sweep_point(0.25, 224, ms(0.25, 224), 128, 45.0));  // hollow
    page.add_measured_point(sweep_point(0.25, 128, 3 * ms(0.25, 128), 128, 40.0));
}

}  // namespace

class TestTradeoffPage : public QObject {
    Q_OBJECT
private slots:
    void analysis();
    void publishedLayers();
    void measuredSeries();
    void paretoAndBudget();
    void fitAndOutliers();
    void evaluationResult();
    void clickSetsSliders();
    void exports();
    void mainWindowTab();
    void narrowScreen();
    void labelsKeepClear();
    void stateRoundTrip();
};

void TestTradeoffPage::analysis() {
    const std::vector<QPointF> xy{{10, 40}, {20, 38}, {30, 50}, {30, 45}, {50, 49}, {60, 60}};
    const std::vector<std::size_t> frontier = pareto_frontier(xy);
    QCOMPARE(frontier, (std::vector<std::size_t>{0, 2, 5}));
    const auto fit = fit_line({{0, 1}, {10, 3}, {20, 5}});
    QVERIFY(fit);
    QCOMPARE(fit->slope, 0.2);
    QCOMPARE(fit->intercept, 1.0);
    QCOMPARE(fit->r2, 1.0);
    QVERIFY(!fit_line({{5, 1}, {5, 2}}));
    QCOMPARE(qRound(million_macs(1.0, 224)), 569);

    // Wilson 95 % intervals: 70 % of 30 images is 52.1-83.3 %; 10 of 10 still leaves 72 %.
    const mnv1::ProportionInterval thirty = mnv1::wilson_interval_95(0.7, 30);
    QCOMPARE(qRound(thirty.lower * 1000), 521);
    QCOMPARE(qRound(thirty.upper * 1000), 833);
    const mnv1::ProportionInterval all = mnv1::wilson_interval_95(1.0, 10);
    QCOMPARE(qRound(all.lower * 1000), 722);
    QCOMPARE(all.upper, 1.0);
    const mnv1::ProportionInterval many = mnv1::wilson_interval_95(0.7, 50000);
    QVERIFY(many.upper - many.lower < 0.009);
    QCOMPARE(mnv1::wilson_interval_95(0.7, 0).upper, 1.0);
    TradeoffPoint published;
    published.layer = PointLayer::Paper;
    published.top1 = 70.6;
    published.images = 50000;
    QVERIFY(!accuracy_interval(published));  // the paper's figure: no interval drawn
}

void TestTradeoffPage::publishedLayers() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    QCOMPARE(page.model()->rowCount(), 44);  // 8 paper + 32 TF-slim + 4 comparison models
    for (int r = 0; r < page.model()->rowCount(); ++r) {  // counts as everywhere else: "15.30 G", never "1.53e+04"
        if (page.model()->point(r).model == QLatin1String("VGG16")) {
            const QString tip = point_tooltip(page.model()->point(r));
            QVERIFY2(tip.contains(QStringLiteral("Mult-adds 15.30 G · parameters 138.0 M")), qPrintable(tip));
        }
    }
    const TradeoffChart* macs = page.chart(ChartKind::AccuracyVsMacs);
    QCOMPARE(count_series(macs, PointLayer::Slim), 8);   // 4 α x (float, uint8)
    QCOMPARE(count_series(macs, PointLayer::Paper), 5);  // 4 α + the comparison models
    QCOMPARE(int(macs->shown_rows().size()), 44);
    QCOMPARE(int(page.chart(ChartKind::AccuracyVsParams)->shown_rows().size()), 44);
    // Published points have no latency measured here.
    QVERIFY(page.chart(ChartKind::AccuracyVsLatency)->shown_rows().empty());
    QVERIFY(page.chart(ChartKind::LatencyVsMacs)->shown_rows().empty());
    QVERIFY(macs->frontier_rows().empty());  // the frontier is of measured points only

    page.set_layers({.paper = false, .slim = true, .measured = true});
    QCOMPARE(count_series(macs, PointLayer::Paper), 0);
    QCOMPARE(int(macs->shown_rows().size()), 32);
    page.set_layers({});
    QCOMPARE(int(macs->shown_rows().size()), 44);
}

void TestTradeoffPage::measuredSeries() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    const TradeoffChart* acc_lat = page.chart(ChartKind::AccuracyVsLatency);
    QVERIFY(acc_lat->empty_note().startsWith(QStringLiteral("Nothing measured yet")));
    // A latency without accuracy (random weights, or no labelled folder) is not "nothing".
    page.add_measured_point(sweep_point(0.5, 224, 2.0, 0, std::nullopt));
    QVERIFY2(acc_lat->empty_note().startsWith(QStringLiteral("No configuration has both a latency and an accuracy")),
             qPrintable(acc_lat->empty_note()));
    QVERIFY(page.chart(ChartKind::LatencyVsMacs)->empty_note().isEmpty());
    add_grid(page);
    QVERIFY(acc_lat->empty_note().isEmpty());
    QCOMPARE(page.model()->rowCount(), 50);
    // Accuracy only where weights were loaded: 4 of the 6 points.
    QCOMPARE(count_series(page.chart(ChartKind::AccuracyVsMacs), PointLayer::Measured), 4);  // α 1.0 / 0.25, solid / hollow
    QCOMPARE(int(page.chart(ChartKind::AccuracyVsLatency)->shown_rows().size()), 4);
    // Every measured point has a latency: all six on latency vs mult-adds, in 5 series.
    const TradeoffChart* lat = page.chart(ChartKind::LatencyVsMacs);
    QCOMPARE(int(lat->shown_rows().size()), 6);
    QCOMPARE(count_series(lat, PointLayer::Measured), 5);

    // A rerun replaces its point instead of adding one.
    page.add_measured_point(sweep_point(1.0, 224, 9.0, 224, 70.5));
    QCOMPARE(page.model()->rowCount(), 50);
    const int row = find_row(*page.model(), PointLayer::Measured, 1.0, 224);
    QCOMPARE(page.model()->point(row).top1.value_or(0), 70.5);

    // Off-native points say so.
    const TradeoffPoint& hollow = page.model()->point(find_row(*page.model(), PointLayer::Measured, 1.0, 128));
    QVERIFY(hollow.off_native_resolution());
    QVERIFY(point_tooltip(hollow).contains("not the weights' 224 px"));
    QVERIFY(point_tooltip(page.model()->point(find_row(*page.model(), PointLayer::Measured, 0.5, 128)))
                .contains("random weights"));
}

void TestTradeoffPage::paretoAndBudget() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    add_grid(page);
    const TradeoffModel& m = *page.model();
    std::vector<int> frontier = page.chart(ChartKind::AccuracyVsMacs)->frontier_rows();
    std::sort(frontier.begin(), frontier.end());
    std::vector<int> expected{find_row(m, PointLayer::Measured, 0.25, 128), find_row(m, PointLayer::Measured, 0.25, 224),
                              find_row(m, PointLayer::Measured, 1.0, 224)};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(frontier, expected);  // 1.0-128 (44 % at 186 M) is dominated by 0.25-224 (45 % at 41 M)

    // Measured and published accuracy on one axis: the notes say they are two image sets.
    QVERIFY2(page.sample_text().contains("Two image sets") && page.sample_text().contains("(500 images)"),
             qPrintable(page.sample_text()));
    page.set_layers({.paper = false, .slim = false, .measured = true});
    QVERIFY(page.sample_text().isEmpty());
    page.set_layers({});

    // Each budget unit keeps its own limit when the other is chosen in the box.
    auto* kind_box = page.findChild<QComboBox*>();
    auto* limit_box = page.findChild<QDoubleSpinBox*>(QStringLiteral("budgetSpin"));
    QVERIFY(kind_box && limit_box);
    limit_box->setValue(120);
    kind_box->setCurrentIndex(kind_box->findData(int(BudgetKind::LatencyMs)));
    QCOMPARE(limit_box->value(), 10.0);
    QCOMPARE(limit_box->suffix(), QStringLiteral(" ms"));
    kind_box->setCurrentIndex(kind_box->findData(int(BudgetKind::MillionMacs)));
    QCOMPARE(limit_box->value(), 120.0);

    page.set_budget(BudgetKind::MillionMacs, 150);
    const std::vector<int> rows = page.budget_rows();
    QVERIFY(std::find(rows.begin(), rows.end(), find_row(m, PointLayer::Measured, 0.25, 224)) != rows.end());
    QVERIFY(std::find(rows.begin(), rows.end(), find_row(m, PointLayer::Slim, 0.5, 224, "float")) != rows.end());
    QVERIFY2(page.budget_text().contains("measured here: <b>0.25-224</b> (45.0 % top-1"), qPrintable(page.budget_text()));
    QVERIFY(page.budget_text().contains("<b>0.5-224</b> (63.3 % top-1"));
    // The measured pick carries its sample: 45 % of 500 images is 40.7-49.4 %, which 0.25-128's
    // 40 % (35.8-44.4 %) overlaps, so the text does not pretend the pick is surely better.
    QVERIFY2(page.budget_text().contains("45.0 % top-1 on 500 images, 95 % interval 40.7–49.4 %"),
             qPrintable(page.budget_text()));
    QVERIFY(page.budget_text().contains("not told apart from 0.25-128 on these images"));
    QVERIFY(!page.budget_text().contains("not told apart from 0.25-128, "));  // 1.0-128 is over the budget

    const double ms_1_224 = *m.point(find_row(m, PointLayer::Measured, 1.0, 224)).latency_ms;
    page.set_budget(BudgetKind::LatencyMs, ms_1_224 + 0.01);
    QCOMPARE(page.budget_rows(), (std::vector<int>{find_row(m, PointLayer::Measured, 1.0, 224)}));
    page.set_budget(BudgetKind::LatencyMs, 0.01);
    QVERIFY(page.budget_rows().empty());
    QVERIFY(page.budget_text().contains("no point with accuracy"));
}

void TestTradeoffPage::fitAndOutliers() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    add_grid(page);
    const auto& fit = page.chart(ChartKind::LatencyVsMacs)->fit();
    QVERIFY(fit);
    QCOMPARE(fit->points, 6);
    QVERIFY(fit->slope > 0);
    const std::vector<FitOutlier> outliers = fit_outliers(*page.model(), *fit, 0.25);
    QVERIFY(!outliers.empty());
    QCOMPARE(page.model()->point(outliers.front().row).label(), QString("0.25-128"));
    QVERIFY(outliers.front().relative > 0.25);
    QVERIFY(outliers.front().explanation.contains("Hypothesis"));
    QVERIFY2(page.fit_text().contains("<b>0.25-128</b>"), qPrintable(page.fit_text()));
    QVERIFY(page.fit_text().contains("least squares through the 6 measured fp32 points"));
}

void TestTradeoffPage::evaluationResult() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    EvaluationSummary eval;
    eval.alpha = 0.5;
    eval.resolution = 160;
    eval.weightsFile = "mobilenet_v1_0.5_160_quant.tflite";
    eval.nativeResolution = 160;
    eval.top1 = 58.2;
    eval.top5 = 80.1;
    eval.images = 500;
    eval.latencyMedianMs = 3.1;
    eval.threads = 2;
    page.add_measured_accuracy(eval);
    QCOMPARE(page.model()->rowCount(), 45);
    const TradeoffChart* acc_lat = page.chart(ChartKind::AccuracyVsLatency);
    QCOMPARE(int(acc_lat->shown_rows().size()), 1);
    QCOMPARE(count_series(acc_lat, PointLayer::Measured), 1);
    QCOMPARE(acc_lat->frontier_rows(), acc_lat->shown_rows());
    const TradeoffPoint& p = page.model()->point(acc_lat->shown_rows().front());
    QCOMPARE(qRound(p.million_macs), 77);  // the cost model (TF-slim prints 77 M, the paper 76 M)
    QCOMPARE(p.origin, QString("evaluation"));
    // Its 95 % interval (500 images: 53.8-62.4 %) is drawn under it, on both accuracy charts
    // that show it, and the tooltip says it.
    QCOMPARE(acc_lat->interval_bars(), 1);
    QCOMPARE(page.chart(ChartKind::AccuracyVsMacs)->interval_bars(), 1);
    QCOMPARE(page.chart(ChartKind::LatencyVsMacs)->interval_bars(), 0);
    QVERIFY(point_tooltip(p).contains(QStringLiteral("500 images; top-1 95 % interval 53.8–62.4 %")));
}

void TestTradeoffPage::clickSetsSliders() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    add_grid(page);
    QSignalSpy spy(&page, &TradeoffPage::tuningRequested);
    TradeoffChart* chart = page.chart(ChartKind::AccuracyVsMacs);
    chart->click_row(find_row(*page.model(), PointLayer::Slim, 0.75, 192, "uint8"));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toDouble(), 0.75);
    QCOMPARE(spy.at(0).at(1).toInt(), 192);
    chart->click_row(find_row(*page.model(), PointLayer::Measured, 0.25, 224));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(1).toInt(), 224);
    // A comparison model has no α: no request.
    int vgg = -1;
    for (int r = 0; r < page.model()->rowCount(); ++r)
        if (page.model()->point(r).model == "VGG16") vgg = r;
    chart->click_row(vgg);
    QCOMPARE(spy.count(), 2);
    // The marked configuration follows the sliders without disturbing the points.
    page.set_current_tuning(0.5, 160);
    QCOMPARE(int(chart->shown_rows().size()), 48);
}

void TestTradeoffPage::exports() {
    TradeoffPage page;
    page.resize(1280, 800);
    page.show();
    add_grid(page);
    QTemporaryDir dir;
    QString error;
    QVERIFY2(page.export_all(dir.path(), &error), qPrintable(error));
    for (ChartKind kind : kAllCharts) {
        const QString base = dir.filePath(chart_slug(kind));
        QImage png(base + ".png");
        QVERIFY2(!png.isNull() && png.width() >= page.chart(kind)->width(), qPrintable(base));
        QFile svg(base + ".svg");
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svg_text = svg.readAll();
        QVERIFY(svg_text.contains("<svg"));
        QVERIFY(svg_text.contains(chart_axes(kind).title.toUtf8()));
        QVERIFY(QFile::exists(base + ".csv"));
    }
    QFile csv(dir.filePath("accuracy-vs-macs.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 44 + 4);  // header, published, measured with accuracy
    QVERIFY(lines[0].startsWith("layer,model,alpha,resolution,precision,x_million_macs,y_top1_pct,million_macs,"));
    QVERIFY(lines.contains("paper,MobileNet v1,1,224,float,569,70.6,569,4.2,70.6,,,,,,,,,0,\"MobileNet paper, Tables 6-8\""));
    const auto measured = std::find_if(lines.begin(), lines.end(),
                                       [](const QString& l) { return l.startsWith("measured,MobileNet v1,0.25,224,fp32,"); });
    QVERIFY(measured != lines.end());
    QVERIFY(measured->contains(",45,65,"));             // top-1, top-5
    QVERIFY(measured->contains(",128,1,sweep"));        // native resolution, on the frontier, origin
    QFile lat(dir.filePath("latency-vs-macs.csv"));
    QVERIFY(lat.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(lat.readAll()).split('\n', Qt::SkipEmptyParts).size(), 1 + 6);
}

void TestTradeoffPage::mainWindowTab() {
    QTemporaryDir dir;
    StudioOptions options;
    options.settings_file = dir.filePath("settings.ini");
    options.models_dir = dir.filePath("no-models");
    options.start_tab = "tradeoffs";
    MainWindow w(options);
    auto* tabs = w.findChild<QTabWidget*>();
    QVERIFY(tabs);
    QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(w.tradeoff_page()));
    QCOMPARE(tabs->tabText(tabs->currentIndex()), QString("&Trade-offs"));
    QVERIFY(w.action_manager()->run_sweep());
    // Clicking a point moves the sliders.
    emit w.tradeoff_page()->tuningRequested(0.5, 160);
    QVERIFY(qAbs(w.tuning_panel()->alpha() - 0.5) < 1e-9);
    QCOMPARE(w.tuning_panel()->resolution(), 160);

    // Measured points, the budget and the shown layers survive closing the window.
    add_grid(*w.tradeoff_page());
    w.tradeoff_page()->set_budget(BudgetKind::LatencyMs, 3.0);
    w.tradeoff_page()->set_layers({.paper = false, .slim = true, .measured = true});
    const int rows = w.tradeoff_page()->model()->rowCount();
    w.close();
    MainWindow again(options);
    TradeoffPage* page = again.tradeoff_page();
    QCOMPARE(page->model()->rowCount(), rows);
    QVERIFY(!page->layers().paper && page->layers().slim && page->layers().measured);
    QCOMPARE(page->budget_text(), w.tradeoff_page()->budget_text());
    QVERIFY2(page->budget_text().contains("3.0 ms") || page->budget_text().contains("3 ms"), qPrintable(page->budget_text()));
}

// The saved text, read back: every measured figure as it was; a damaged text or entry
// restores nothing of it (and nothing breaks).
void TestTradeoffPage::stateRoundTrip() {
    TradeoffPage first;
    add_grid(first);
    first.set_budget(BudgetKind::MillionMacs, 120);
    const QByteArray state = first.saved_state();
    TradeoffPage second;
    second.restore_state(state);
    const auto measured = [](const TradeoffModel& m) {
        std::vector<TradeoffPoint> out;
        for (const TradeoffPoint& p : m.points()) {
            if (p.layer == PointLayer::Measured) out.push_back(p);
        }
        return out;
    };
    const auto a = measured(*first.model()), b = measured(*second.model());
    QCOMPARE(b.size(), a.size());
    QCOMPARE(a.size(), std::size_t(6));
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(b[i].label(), a[i].label());
        QCOMPARE(b[i].precision, a[i].precision);
        QCOMPARE(b[i].top1, a[i].top1);
        QCOMPARE(b[i].top5, a[i].top5);
        QCOMPARE(b[i].latency_ms, a[i].latency_ms);
        QCOMPARE(b[i].latency_p90_ms, a[i].latency_p90_ms);
        QCOMPARE(b[i].weights, a[i].weights);
        QCOMPARE(b[i].native_resolution, a[i].native_resolution);
        QCOMPARE(b[i].images, a[i].images);
        QCOMPARE(b[i].off_native_resolution(), a[i].off_native_resolution());
        QVERIFY(b[i].earlier_session && !a[i].earlier_session);
    }
    QVERIFY(point_tooltip(measured(*second.model()).front()).contains("earlier session"));
    QCOMPARE(second.budget_rows().size(), first.budget_rows().size());
    QCOMPARE(second.budget_text(), first.budget_text());
    // Kept across sessions, so they can be removed: the published points stay.
    auto* clear = second.findChild<QPushButton*>(QStringLiteral("clearMeasuredButton"));
    QVERIFY(clear && clear->isEnabled());
    second.clear_measured_points();
    QCOMPARE(second.measured_count(), 0);
    QCOMPARE(second.model()->rowCount(), 44);
    QVERIFY(!clear->isEnabled());

    TradeoffPage damaged;
    const int published = damaged.model()->rowCount();
    damaged.restore_state("{not json");
    damaged.restore_state(R"({"points":[{"alpha":-1,"resolution":224,"million_macs":5,"precision":"f32"},)"
                          R"({"alpha":0.5,"resolution":160,"million_macs":77,"precision":"f32","latency_ms":1.5}]})");
    QCOMPARE(damaged.model()->rowCount(), published + 1);  // the one readable entry
}

// A 1024-pixel screen with the Tune panel docked leaves the page about 600 pixels: the
// controls wrap onto more lines and the charts stack, so the page scrolls down only.
void TestTradeoffPage::narrowScreen() {
    TradeoffPage page;
    page.resize(600, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QCoreApplication::processEvents();
    auto* scroll = page.findChild<QScrollArea*>(QStringLiteral("pageScrollArea"));
    QVERIFY(scroll);
    QCOMPARE(page.chart_columns(), 1);
    QVERIFY2(page.control_lines() >= 2, qPrintable(QString::number(page.control_lines())));
    QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
    QVERIFY(scroll->verticalScrollBar()->maximum() > 0);
    const QWidget* first = page.chart(ChartKind::AccuracyVsMacs);
    const QWidget* second = page.chart(ChartKind::AccuracyVsLatency);
    QVERIFY(second->geometry().top() > first->geometry().bottom());  // stacked

    page.resize(1280, 800);
    QCoreApplication::processEvents();
    QCOMPARE(page.chart_columns(), 2);
    QCOMPARE(page.control_lines(), 1);
    QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
    QCOMPARE(second->geometry().top(), first->geometry().top());  // side by side
}

// At the page width of a 1024-pixel screen the published points crowd the accuracy chart:
// every other network keeps its name, no two names overlap, and a resolution label never
// covers another point's marker (it moves to a free side, or is left to the tooltip).
void TestTradeoffPage::labelsKeepClear() {
    TradeoffPage page;
    page.resize(600, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QCoreApplication::processEvents();
    const TradeoffChart* chart = page.chart(ChartKind::AccuracyVsMacs);
    const auto labels = chart->visible_labels();
    QStringList names;
    for (const auto& [text, rect] : labels) names << text;
    for (const char* other : {"AlexNet", "SqueezeNet", "GoogleNet", "VGG16"}) {
        QVERIFY2(names.contains(QLatin1String(other)), qPrintable(other + (": " + names.join(' '))));
    }
    int resolution_labels = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        for (std::size_t j = i + 1; j < labels.size(); ++j) {
            QVERIFY2(!labels[i].second.intersects(labels[j].second),
                     qPrintable(labels[i].first + " over " + labels[j].first));
        }
        bool is_number = false;
        labels[i].first.toInt(&is_number);
        if (!is_number) continue;
        ++resolution_labels;
        // It sits 2 px from its own point's marker and covers none.
        int covered = 0, near = 0;
        for (const QXYSeries* s : chart->point_series()) {
            const double half = static_cast<const QScatterSeries*>(s)->markerSize() / 2;
            for (int k = 0; k < s->count(); ++k) {
                const QPointF at = chart->chart()->mapToPosition(s->at(k), const_cast<QXYSeries*>(s));
                const QRectF marker(at - QPointF(half, half), QSizeF(2 * half, 2 * half));
                covered += marker.intersects(labels[i].second);
                near += marker.intersects(labels[i].second.adjusted(-3, -3, 3, 3));
            }
        }
        QVERIFY2(covered == 0, qPrintable(labels[i].first + QString(" covers %1 markers").arg(covered)));
        QVERIFY2(near >= 1, qPrintable(labels[i].first + " is away from its point"));
    }
    QVERIFY2(resolution_labels >= 8, qPrintable(names.join(' ')));

    // Without the paper's other networks the axis ends near 1.0-224: the sliders' name goes
    // left of its line rather than past the plot's edge.
    page.set_current_tuning(1.0, 224);
    page.set_layers({.paper = false, .slim = true, .measured = true});
    QCoreApplication::processEvents();
    const QRectF plot = chart->chart()->plotArea();
    bool found = false;
    for (const auto& [text, rect] : chart->visible_labels()) {
        if (!text.startsWith(QStringLiteral("sliders:"))) continue;
        found = true;
        QVERIFY2(plot.adjusted(-2, -2, 24, 2).contains(rect), qPrintable(QStringLiteral("%1 at %2,%3 (%4 wide), plot right %5")
                                                                         .arg(text).arg(rect.x()).arg(rect.y()).arg(rect.width())
                                                                         .arg(plot.right())));
    }
    QVERIFY(found);
}

QTEST_MAIN(TestTradeoffPage)
#include "test_tradeoff_page.moc"
