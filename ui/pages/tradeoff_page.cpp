#include "tradeoff_page.hpp"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QResizeEvent>
#include <QStyle>
#include <QPushButton>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <set>
#include <cmath>
#include <functional>

#include "charts/tradeoff_chart.hpp"
#include "common/display_format.hpp"
#include "controller/sweep_controller.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/errors.hpp"
#include "models/tradeoff_model.hpp"
#include "widgets/flow_layout.hpp"
#include "widgets/page_scroll_area.hpp"
#include "widgets/sweep_dialog.hpp"

namespace studio {

namespace {

// Residuals beyond this share of the fitted latency are listed with a hypothesis.
constexpr double kOutlierThreshold = 0.25;

TradeoffPoint measured_from_sweep(const mnv1::SweepPoint& s) {
    TradeoffPoint p;
    p.layer = PointLayer::Measured;
    p.model = QStringLiteral("MobileNet v1");
    p.alpha = s.alpha;
    p.resolution = s.resolution;
    p.precision = QString::fromLatin1(mnv1::to_string(s.precision));
    p.million_macs = static_cast<double>(s.macs) / 1e6;
    p.million_params = static_cast<double>(s.params) / 1e6;
    p.top1 = s.top1;
    p.top5 = s.top5;
    // The sweep times a forward pass of `batch` images; the charts compare per image.
    const double batch = std::max(1, s.batch);
    p.latency_ms = s.latency.median_ms / batch;
    p.latency_p10_ms = s.latency.p10_ms / batch;
    p.latency_p90_ms = s.latency.p90_ms / batch;
    p.runs = s.latency.runs;
    p.threads = s.threads;
    p.batch = s.batch;
    p.weights = s.weights ? QString::fromStdString(*s.weights) : QString();
    p.native_resolution = s.native_resolution;
    p.images = s.images;
    p.from_cache = s.from_cache;
    p.origin = s.calibrated ? QObject::tr("sweep, int8 calibrated") : QObject::tr("sweep");
    return p;
}

constexpr int kPageMargin = 6;  // pixels around the page's contents

}  // namespace

TradeoffPage::TradeoffPage(QWidget* parent) : QWidget(parent), model_(new TradeoffModel(this)) {
    auto* lay = new QVBoxLayout(scrolling_content(this));  // its row of controls is wider than a small screen
    lay->setContentsMargins(kPageMargin, kPageMargin, kPageMargin, kPageMargin);
    lay->setSpacing(4);

    // Layers, budget, actions: three groups on one line, wrapping onto more on a small
    // screen rather than making the page scroll sideways.
    controls_ = new FlowLayout(nullptr, 16, 4);
    QHBoxLayout* show_row = controls_->add_group(this);
    QHBoxLayout* budget_row = controls_->add_group(this);
    QHBoxLayout* action_row = controls_->add_group(this);
    show_row->addWidget(new QLabel(tr("Show:"), this));
    // Checkable buttons (not check boxes): the layers are toggles of the charts, and the
    // Classify page's activation check box stays the window's only QCheckBox.
    const auto toggle = [this](const QString& text) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setCheckable(true);
        b->setAutoRaise(false);
        return b;
    };
    show_paper_ = toggle(tr("&Paper"));
    show_paper_->setToolTip(tr("The MobileNet paper's Tables 6-9, with GoogleNet, VGG 16, SqueezeNet and AlexNet"));
    show_slim_ = toggle(tr("TF-&slim release"));
    show_slim_->setToolTip(tr("The TF-slim release table: 16 float and 16 uint8 models"));
    show_measured_ = toggle(tr("&Measured here"));
    show_measured_->setToolTip(tr("Sweeps and evaluations run on this machine"));
    for (QToolButton* box : {show_paper_, show_slim_, show_measured_}) {
        box->setChecked(true);
        show_row->addWidget(box);
        connect(box, &QToolButton::toggled, this, &TradeoffPage::rebuild);
    }
    auto* budget_label = new QLabel(tr("&Budget:"), this);
    budget_row->addWidget(budget_label);
    budget_kind_ = new QComboBox(this);
    budget_kind_->addItem(tr("best accuracy under … M mult-adds"), int(BudgetKind::MillionMacs));
    budget_kind_->addItem(tr("best accuracy under … ms"), int(BudgetKind::LatencyMs));
    budget_ = new QDoubleSpinBox(this);
    budget_->setObjectName(QStringLiteral("budgetSpin"));
    budget_->setDecimals(1);
    budget_->setRange(0.1, 100000);
    budget_->setValue(150);  // the paper's α 0.5-224 budget class
    budget_label->setBuddy(budget_kind_);
    budget_row->addWidget(budget_kind_);
    budget_row->addWidget(budget_);
    // Each unit keeps its own limit: "150 M" mult-adds does not become "150 ms".
    connect(budget_kind_, &QComboBox::currentIndexChanged, this, [this] {
        const BudgetKind kind = budget_kind();
        set_budget(kind, budget_limits_[kind]);
    });
    budget_->setSuffix(tr(" M"));
    connect(budget_, &QDoubleSpinBox::valueChanged, this, [this](double limit) {
        budget_limits_[budget_kind()] = limit;
        rebuild();
    });
    auto* export_button = new QPushButton(tr("&Export…"), this);
    export_button->setToolTip(tr("Save every chart as PNG and SVG, and its points as CSV, into a folder "
                                 "(right-click a chart for one)"));
    connect(export_button, &QPushButton::clicked, this, &TradeoffPage::export_dialog);
    run_sweep_ = new QPushButton(tr("&Run Sweep…"), this);
    run_sweep_->setToolTip(tr("Time every α × resolution of a grid on this machine (and measure accuracy on a "
                              "labelled folder); points appear on the charts as they finish"));
    run_sweep_->setEnabled(false);
    connect(run_sweep_, &QPushButton::clicked, this, &TradeoffPage::open_sweep_dialog);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setVisible(false);
    clear_measured_ = new QPushButton(tr("C&lear Measured…"), this);
    clear_measured_->setObjectName(QStringLiteral("clearMeasuredButton"));
    clear_measured_->setToolTip(tr("Remove this machine's measured points (they are kept across sessions); the "
                                   "published ones stay"));
    connect(clear_measured_, &QPushButton::clicked, this, [this] {
        const int n = measured_count();
        const auto answer = QMessageBox::question(
            this, tr("Clear Measured Points"),
            tr("Remove the %1 measured point(s) from the charts? A sweep measures them again (its cache makes that "
               "quick).")
                .arg(n));
        if (answer == QMessageBox::Yes) clear_measured_points();
    });
    action_row->addWidget(export_button);
    action_row->addWidget(run_sweep_);
    action_row->addWidget(clear_measured_);
    lay->addLayout(controls_);

    // Sweep progress, shown while one runs. Its row keeps its height when idle, so a sweep
    // starting or ending does not move the charts (nor wrap the controls above them).
    auto* progress_row = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    QSizePolicy keep = progress_->sizePolicy();
    keep.setRetainSizeWhenHidden(true);
    progress_->setSizePolicy(keep);
    progress_->setVisible(false);
    stage_ = new QLabel(this);
    paused_banner_ = new QLabel(tr("Live video paused while timing"), this);
    paused_banner_->setObjectName(QStringLiteral("livePausedBanner"));
    paused_banner_->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #5c4400; padding: 2px 8px; "
                                                 "border-radius: 3px; }"));
    paused_banner_->setVisible(false);
    progress_row->addWidget(progress_, 1);
    progress_row->addWidget(cancel_);
    progress_row->addWidget(stage_, 1);
    progress_row->addWidget(paused_banner_);
    lay->addLayout(progress_row);

    legend_ = new ChartLegend(this);
    lay->addWidget(legend_);

    chart_grid_ = new QGridLayout;
    chart_grid_->setSpacing(4);
    for (ChartKind kind : kAllCharts) {
        auto* chart = new TradeoffChart(kind, this);
        chart->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(chart, &QWidget::customContextMenuRequested, this,
                [this, chart](const QPoint& pos) { chart_context_menu(chart, pos); });
        connect(chart, &TradeoffChart::pointClicked, this, &TradeoffPage::on_point_clicked);
        charts_[kind] = chart;
    }
    arrange_charts(2);
    lay->addLayout(chart_grid_, 1);

    notes_ = new QTextBrowser(this);
    notes_->setObjectName(QStringLiteral("tradeoffNotes"));
    notes_->setMaximumHeight(fontMetrics().height() * 8);
    notes_->setFrameShape(QFrame::StyledPanel);
    lay->addWidget(notes_);

    try {
        model_->set_published(TradeoffModel::shipped_mobilenet(), TradeoffModel::shipped_models());
    } catch (const mnv1::Error& e) {
        notes_->setPlainText(tr("Published figures unavailable: %1").arg(QString::fromUtf8(e.what())));
    }
    rebuild();
}

int TradeoffPage::chart_columns_for(int page_width) const {
    // Two charts side by side when both get their minimum width next to the margins and
    // a vertical scroll bar; one column below that (1024-pixel screens with the Tune
    // panel docked), so the page scrolls down, never sideways.
    const int bar = style()->pixelMetric(QStyle::PM_ScrollBarExtent);
    const int chart = charts_.begin()->second->minimumWidth();
    const int needed = 2 * chart + chart_grid_->spacing() + 2 * kPageMargin + bar;
    return page_width >= needed ? 2 : 1;
}

int TradeoffPage::control_lines() const { return controls_->line_count(); }

void TradeoffPage::arrange_charts(int columns) {
    if (columns == chart_columns_) return;
    chart_columns_ = columns;
    int i = 0;
    for (ChartKind kind : kAllCharts) {
        TradeoffChart* chart = charts_.at(kind);
        chart_grid_->removeWidget(chart);
        chart_grid_->addWidget(chart, i / columns, i % columns);
        ++i;
    }
    // Stretch the columns in use only: a column left over from two would hold an empty share.
    for (int c = 0; c < 2; ++c) chart_grid_->setColumnStretch(c, c < columns ? 1 : 0);
}

void TradeoffPage::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    arrange_charts(chart_columns_for(event->size().width()));
}

void TradeoffPage::set_sweep_controller(SweepController* sweeps) {
    sweeps_ = sweeps;
    run_sweep_->setEnabled(sweeps_ != nullptr);
    if (!sweeps_) return;
    connect(cancel_, &QPushButton::clicked, sweeps_, &SweepController::cancel);
    connect(sweeps_, &SweepController::started, this, [this](int total) {
        progress_->setRange(0, total);
        progress_->setValue(0);
        // Counts configurations: beside "1.0-224 fp32: 459/500 images" a bare "0%" read as stuck.
        progress_->setFormat(tr("%v of %m configurations done"));
        progress_->setVisible(true);
        cancel_->setVisible(true);
        run_sweep_->setEnabled(false);
        stage_->setText(tr("Starting the sweep…"));
    });
    connect(sweeps_, &SweepController::progressed, this, [this](int done, int total, const QString& stage) {
        progress_->setRange(0, total);
        progress_->setValue(done);
        stage_->setText(stage);
    });
    connect(sweeps_, &SweepController::pointFinished, this, &TradeoffPage::add_measured_point);
    connect(sweeps_, &SweepController::finished, this, [this](int points, bool cancelled) {
        progress_->setVisible(false);
        cancel_->setVisible(false);
        run_sweep_->setEnabled(true);
        stage_->setText(cancelled ? tr("Sweep cancelled after %n point(s)", nullptr, points)
                                  : tr("Sweep finished: %n point(s)", nullptr, points));
    });
    connect(sweeps_, &SweepController::failed, this, [this](const QString& message) {
        stage_->setText(tr("Sweep failed: %1").arg(message));
        emit statusMessage(tr("Sweep failed: %1").arg(message), 0);
    });
    connect(sweeps_, &SweepController::liveVideoPausedChanged, paused_banner_, &QWidget::setVisible);
}

LayerVisibility TradeoffPage::layers() const {
    return {show_paper_->isChecked(), show_slim_->isChecked(), show_measured_->isChecked()};
}

void TradeoffPage::set_layers(const LayerVisibility& layers) {
    {
        const QSignalBlocker a(show_paper_), b(show_slim_), c(show_measured_);
        show_paper_->setChecked(layers.paper);
        show_slim_->setChecked(layers.slim);
        show_measured_->setChecked(layers.measured);
    }
    rebuild();
}

int TradeoffPage::measured_count() const {
    const auto& points = model_->points();
    return static_cast<int>(
        std::count_if(points.begin(), points.end(), [](const TradeoffPoint& p) { return p.layer == PointLayer::Measured; }));
}

void TradeoffPage::clear_measured_points() {
    const int n = measured_count();
    model_->clear_measured();
    rebuild();
    emit statusMessage(tr("Cleared %1 measured point(s)").arg(n), 5000);
}

BudgetKind TradeoffPage::budget_kind() const { return static_cast<BudgetKind>(budget_kind_->currentData().toInt()); }

QByteArray TradeoffPage::saved_state() const {
    const LayerVisibility shown = layers();
    QJsonObject o{{"paper", shown.paper},
                  {"slim", shown.slim},
                  {"measured", shown.measured},
                  {"budget_kind", int(budget_kind())},
                  {"budget_macs", budget_limits_.at(BudgetKind::MillionMacs)},
                  {"budget_ms", budget_limits_.at(BudgetKind::LatencyMs)},
                  {"points", model_->measured_json()}};
    if (last_sweep_) o.insert("sweep", SweepDialog::grid_json(*last_sweep_));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void TradeoffPage::restore_state(const QByteArray& state) {
    const QJsonObject o = QJsonDocument::fromJson(state).object();
    if (o.isEmpty()) return;
    model_->restore_measured(o.value("points").toArray());
    const auto limit = [&](const char* key, double fallback) {
        const double v = o.value(key).toDouble(fallback);
        return std::isfinite(v) && v >= budget_->minimum() && v <= budget_->maximum() ? v : fallback;
    };
    budget_limits_[BudgetKind::MillionMacs] = limit("budget_macs", budget_limits_[BudgetKind::MillionMacs]);
    budget_limits_[BudgetKind::LatencyMs] = limit("budget_ms", budget_limits_[BudgetKind::LatencyMs]);
    const auto kind = o.value("budget_kind").toInt() == int(BudgetKind::LatencyMs) ? BudgetKind::LatencyMs
                                                                                   : BudgetKind::MillionMacs;
    {
        const QSignalBlocker a(show_paper_), b(show_slim_), c(show_measured_);
        show_paper_->setChecked(o.value("paper").toBool(true));
        show_slim_->setChecked(o.value("slim").toBool(true));
        show_measured_->setChecked(o.value("measured").toBool(true));
    }
    // Offered in the next Run Sweep… dialog.
    if (const QJsonObject s = o.value("sweep").toObject(); !s.isEmpty()) last_sweep_ = SweepDialog::grid_from_json(s);
    set_budget(kind, budget_limits_[kind]);  // rebuilds
}

void TradeoffPage::set_budget(BudgetKind kind, double limit) {
    budget_limits_[kind] = limit;
    {
        const QSignalBlocker a(budget_kind_), b(budget_);
        budget_kind_->setCurrentIndex(budget_kind_->findData(int(kind)));
        budget_->setSuffix(kind == BudgetKind::LatencyMs ? tr(" ms") : tr(" M"));
        budget_->setValue(limit);
    }
    rebuild();
}

void TradeoffPage::add_measured_point(const mnv1::SweepPoint& point) {
    model_->add_measured(measured_from_sweep(point));
    rebuild();
}

void TradeoffPage::add_measured_accuracy(const EvaluationSummary& r) {
    TradeoffPoint p;
    p.layer = PointLayer::Measured;
    p.model = QStringLiteral("MobileNet v1");
    p.alpha = r.alpha;
    p.resolution = r.resolution;
    p.precision = r.precision;
    p.million_macs = million_macs(r.alpha, r.resolution);
    mnv1::ArchConfig cfg;
    cfg.alpha = r.alpha;
    cfg.resolution = r.resolution;
    p.million_params = static_cast<double>(mnv1::summarize(mnv1::layer_table(cfg)).params) / 1e6;
    p.top1 = r.top1;
    p.top5 = r.top5;
    p.images = r.images;
    if (r.latencyMedianMs > 0) p.latency_ms = r.latencyMedianMs;  // a median only: no spread to show
    p.threads = r.threads;
    p.weights = r.weightsFile;
    p.native_resolution = r.nativeResolution;
    p.origin = tr("evaluation");
    model_->add_measured(p);
    if (r.fp32Top1 && r.fp32Top5) {
        // An int8 evaluation measured fp32 on the same images too: its point beside it
        // (accuracy only: the latency measured was int8's).
        p.precision = QString::fromLatin1(mnv1::to_string(mnv1::Precision::F32));
        p.top1 = r.fp32Top1;
        p.top5 = r.fp32Top5;
        p.latency_ms.reset();
        p.latency_p10_ms = p.latency_p90_ms = 0;
        model_->add_measured(p);
    }
    rebuild();
}

void TradeoffPage::set_current_tuning(double alpha, int resolution) {
    current_alpha_ = alpha;
    current_resolution_ = resolution;
    rebuild();
}

void TradeoffPage::on_point_clicked(int row) {
    const TradeoffPoint& p = model_->point(row);
    if (!p.is_mobilenet()) return;  // a comparison model has no α to set
    emit tuningRequested(p.alpha, p.resolution);
    emit statusMessage(tr("Sliders set to %1 (from the %2 point)").arg(p.label(), layer_name(p.layer)), 4000);
}

void TradeoffPage::rebuild() {
    clear_measured_->setEnabled(measured_count() > 0);
    update_budget();
    ChartOverlay overlay;
    overlay.layers = layers();
    overlay.current_alpha = current_alpha_;
    overlay.current_resolution = current_resolution_;
    overlay.budget_kind = budget_kind();
    overlay.budget_limit = budget_->value();
    overlay.budget_rows = budget_rows_;
    QList<double> alphas;
    for (const TradeoffPoint& p : model_->points()) {
        if (p.is_mobilenet() && overlay.layers.shows(p.layer) && !alphas.contains(p.alpha)) alphas << p.alpha;
    }
    std::sort(alphas.begin(), alphas.end(), std::greater<>());
    legend_->set_alphas(alphas);
    for (auto& [kind, chart] : charts_) chart->rebuild(*model_, overlay);
    update_fit_text();
    update_texts();
}

void TradeoffPage::update_budget() {
    const auto kind = budget_kind();
    const double limit = budget_->value();
    const LayerVisibility shown = layers();
    budget_rows_.clear();
    const bool ms = kind == BudgetKind::LatencyMs;
    const QString budget = ms ? format_ms(limit) : tr("%1 M mult-adds").arg(limit, 0, 'g', 4);
    QStringList parts;
    const auto describe = [&](int row) {
        const TradeoffPoint& p = model_->point(row);
        QString s = tr("<b>%1</b> (%2 % top-1").arg(p.label()).arg(*p.top1, 0, 'f', 1);
        if (const auto interval = accuracy_interval(p)) {
            s += tr(" on %1 images, 95 % interval %2–%3 %")
                     .arg(p.images)
                     .arg(interval->lower, 0, 'f', 1)
                     .arg(interval->upper, 0, 'f', 1);
        }
        s += ms ? tr(", %1)").arg(format_ms(*p.latency_ms)) : tr(", %1 M mult-adds)").arg(p.million_macs, 0, 'g', 4);
        if (p.layer == PointLayer::Slim) s += QLatin1Char(' ') + p.precision;
        if (p.off_native_resolution()) s += tr(" — weights made for %1 px").arg(p.native_resolution);
        return s;
    };
    if (shown.measured) {
        if (const auto row = best_under_budget(*model_, PointLayer::Measured, kind, limit)) {
            budget_rows_.push_back(*row);
            QString part = tr("measured here: %1").arg(describe(*row));
            // Other measured configurations within the budget whose intervals overlap the
            // pick's: on a small folder the "best" may be noise, and the text says so.
            if (const auto best = accuracy_interval(model_->point(*row))) {
                QStringList close;
                for (int r = 0; r < model_->rowCount(); ++r) {
                    const TradeoffPoint& q = model_->point(r);
                    if (r == *row || q.layer != PointLayer::Measured || !q.is_mobilenet()) continue;
                    const std::optional<double> cost = ms ? q.latency_ms : std::optional<double>(q.million_macs);
                    const auto other = accuracy_interval(q);
                    if (!cost || *cost > limit || !other || other->upper < best->lower) continue;
                    const QString name = q.label() + (q.precision == QLatin1String("int8") ? tr(" int8") : QString());
                    if (!close.contains(name)) close << name;
                }
                if (!close.isEmpty()) {
                    part += tr(" — not told apart from %1 on these images (their intervals overlap)")
                                .arg(close.join(QStringLiteral(", ")));
                }
            }
            parts << part;
        } else {
            parts << tr("measured here: no point with accuracy %1").arg(ms ? tr("within it (accuracy needs a sweep with a "
                                                                             "labelled folder, or an evaluation)")
                                                                          : tr("within it"));
        }
    }
    if (!ms) {  // published points have mult-adds but no latency measured here
        for (PointLayer layer : {PointLayer::Slim, PointLayer::Paper}) {
            if (!shown.shows(layer)) continue;
            if (const auto row = best_under_budget(*model_, layer, kind, limit)) {
                budget_rows_.push_back(*row);
                parts << tr("%1 (published): %2").arg(layer_name(layer), describe(*row));
            }
        }
    }
    budget_text_ = tr("Best accuracy under %1 — %2.").arg(budget, parts.isEmpty() ? tr("no layer shown") : parts.join(QStringLiteral("; ")));
}

void TradeoffPage::update_fit_text() {
    const TradeoffChart* chart = charts_.at(ChartKind::LatencyVsMacs);
    const std::optional<LinearFit>& fit = chart->fit();
    if (!fit) {
        fit_text_ = tr("Latency vs mult-adds: a least-squares line needs two measured configurations.");
        return;
    }
    fit_text_ = tr("Latency vs mult-adds, least squares through the %1 measured %5 points: latency ≈ %2 + %3 per 100 M "
                   "mult-adds (R² %4).")
                    .arg(fit->points)
                    .arg(format_ms(fit->intercept), format_ms(fit->slope * 100))
                    .arg(fit->r2, 0, 'f', 3)
                    .arg(precision_text(fitted_precision(*model_)));
    const std::vector<FitOutlier> outliers = fit_outliers(*model_, *fit, kOutlierThreshold);
    if (outliers.empty()) {
        fit_text_ += tr(" Every point is within %1 % of the line.").arg(kOutlierThreshold * 100, 0, 'f', 0);
        return;
    }
    fit_text_ += tr(" Far from it (more than %1 %):").arg(kOutlierThreshold * 100, 0, 'f', 0);
    for (const FitOutlier& o : outliers) {
        fit_text_ += tr("<br>• <b>%1</b>: %2 measured, %3 predicted (%4%5 %) — %6")
                         .arg(model_->point(o.row).label(), format_ms(o.measured_ms), format_ms(o.predicted_ms),
                              o.relative > 0 ? QStringLiteral("+") : QString())
                         .arg(o.relative * 100, 0, 'f', 0)
                         .arg(o.explanation);
    }
}

QString TradeoffPage::sample_text() const {
    // Measured accuracy beside published accuracy on one axis reads as "this machine beats
    // the paper" when the user's sample is easier than ImageNet's validation set.
    if (!show_measured_->isChecked() || (!show_paper_->isChecked() && !show_slim_->isChecked())) return {};
    std::set<int> sizes;
    for (const TradeoffPoint& p : model_->points()) {
        if (p.layer == PointLayer::Measured && p.top1 && p.images > 0) sizes.insert(p.images);
    }
    if (sizes.empty()) return {};
    QStringList counts;
    for (int n : sizes) counts << QString::number(n);
    return tr("<b>Two image sets on one axis:</b> measured accuracy is on your labelled images (%1 images), published "
              "accuracy on ImageNet's 50,000 validation images. A sample easier or harder than ImageNet's moves "
              "every measured point alike: compare measured points with each other, published with published.")
        .arg(counts.join(QStringLiteral(", ")));
}

void TradeoffPage::update_texts() {
    const QString sample = sample_text();
    notes_->setHtml((sample.isEmpty() ? QString() : sample + QStringLiteral("<br>")) + budget_text_ +
                    QStringLiteral("<br>") + fit_text_);
}

void TradeoffPage::chart_context_menu(TradeoffChart* chart, const QPoint& pos) {
    QMenu menu(this);
    const QString base = chart_slug(chart->kind());
    const auto save = [this, chart, base](const QString& suffix, const QString& filter) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Chart"), base + '.' + suffix, filter);
        if (path.isEmpty()) return;
        QString error;
        const bool ok = suffix == QLatin1String("png")   ? chart->save_png(path, &error)
                        : suffix == QLatin1String("svg") ? chart->save_svg(path, &error)
                                                         : chart->save_csv(path, &error);
        emit statusMessage(ok ? tr("Saved %1").arg(path) : tr("Could not save %1: %2").arg(path, error), 5000);
    };
    menu.addAction(tr("Save as &PNG…"), this, [save, this] { save(QStringLiteral("png"), tr("PNG image (*.png)")); });
    menu.addAction(tr("Save as &SVG…"), this, [save, this] { save(QStringLiteral("svg"), tr("SVG image (*.svg)")); });
    menu.addAction(tr("Save Data as &CSV…"), this, [save, this] { save(QStringLiteral("csv"), tr("CSV (*.csv)")); });
    menu.exec(chart->mapToGlobal(pos));
}

bool TradeoffPage::export_all(const QString& dir, QString* error) {
    for (auto& [kind, chart] : charts_) {
        const QString base = QDir(dir).filePath(chart_slug(kind));
        if (!chart->save_png(base + QStringLiteral(".png"), error) || !chart->save_svg(base + QStringLiteral(".svg"), error) ||
            !chart->save_csv(base + QStringLiteral(".csv"), error)) {
            return false;
        }
    }
    return true;
}

void TradeoffPage::export_dialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Charts to Folder"));
    if (dir.isEmpty()) return;
    QString error;
    emit statusMessage(export_all(dir, &error) ? tr("Exported the four charts (PNG, SVG, CSV) to %1").arg(dir)
                                               : tr("Export failed: %1").arg(error),
                       5000);
}

void TradeoffPage::open_sweep_dialog() {
    if (!sweeps_ || sweeps_->running()) return;
    auto* dialog = new SweepDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (last_sweep_) dialog->set_config(*last_sweep_);  // the last grid, offered again
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        try {
            const mnv1::SweepConfig config = dialog->config();
            last_sweep_ = config;
            sweeps_->start(config);
        } catch (const std::invalid_argument& e) {
            emit statusMessage(tr("Sweep not started: %1").arg(QString::fromStdString(e.what())), 5000);
        }
    });
    dialog->open();  // non-modal to the event loop: nothing blocks
}

}  // namespace studio
