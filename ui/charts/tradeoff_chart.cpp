#include "tradeoff_chart.hpp"

#include <QChart>
#include <QCursor>
#include <QFileInfo>
#include <QGraphicsSimpleTextItem>
#include <QImage>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QSaveFile>
#include <QScatterSeries>
#include <QSvgGenerator>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "common/display_format.hpp"

namespace studio {

namespace {

constexpr const char* kLayerProperty = "layer";

QScatterSeries::MarkerShape qt_shape(MarkerShape shape) {
    switch (shape) {
    case MarkerShape::Circle: return QScatterSeries::MarkerShapeCircle;
    case MarkerShape::Square: return QScatterSeries::MarkerShapeRectangle;
    case MarkerShape::Diamond: return QScatterSeries::MarkerShapeRotatedRectangle;
    case MarkerShape::Triangle: return QScatterSeries::MarkerShapeTriangle;
    case MarkerShape::Star: return QScatterSeries::MarkerShapeStar;
    case MarkerShape::Pentagon: return QScatterSeries::MarkerShapePentagon;
    }
    return QScatterSeries::MarkerShapeCircle;
}

// Labels that win a place first: the comparison models' names, then the measured points,
// then the paper, then TF-slim float and uint8.
int label_priority(const TradeoffPoint& p) {
    if (!p.is_mobilenet()) return 0;
    if (p.layer == PointLayer::Measured) return 1;
    if (p.layer == PointLayer::Paper) return 2;
    return p.precision == QLatin1String("uint8") ? 4 : 3;
}

QString csv_field(const QString& s) {
    if (!s.contains(',') && !s.contains('"') && !s.contains('\n')) return s;
    return '"' + QString(s).replace('"', QStringLiteral("\"\"")) + '"';
}

QString number_or_empty(const std::optional<double>& v) { return v ? QString::number(*v) : QString(); }

bool set_error(QString* error, const QString& text) {
    if (error) *error = text;
    return false;
}

}  // namespace

QString point_tooltip(const TradeoffPoint& p) {
    QStringList lines;
    const QString what = p.is_mobilenet() ? QObject::tr("MobileNet v1 %1").arg(p.label()) : p.model;
    if (p.layer == PointLayer::Measured) {
        lines << QObject::tr("<b>%1</b> — measured on this machine (%2)").arg(what, p.origin);
    } else {
        lines << QObject::tr("<b>%1</b> — as published: %2").arg(what, p.origin);
    }
    if (p.is_mobilenet()) lines << QObject::tr("α %1, %2 px, %3").arg(format_alpha(p.alpha)).arg(p.resolution).arg(precision_text(p.precision));
    // The app's count format (VGG16: "15.30 G", not "1.53e+04 M").
    lines << QObject::tr("Mult-adds %1 · parameters %2")
                 .arg(format_count(std::llround(p.million_macs * 1e6)), format_count(std::llround(p.million_params * 1e6)));
    if (p.top1) {
        QString acc = QObject::tr("Top-1 %1 %").arg(*p.top1, 0, 'f', 1);
        if (p.top5) acc += QObject::tr(" · top-5 %1 %").arg(*p.top5, 0, 'f', 1);
        if (const auto interval = accuracy_interval(p)) {
            acc += QObject::tr(" (%1 images; top-1 95 % interval %2–%3 %)")
                       .arg(p.images)
                       .arg(interval->lower, 0, 'f', 1)
                       .arg(interval->upper, 0, 'f', 1);
        } else if (p.images > 0) {
            acc += QObject::tr(" (%1 images)").arg(p.images);
        }
        lines << acc;
    } else if (p.layer == PointLayer::Measured) {
        lines << QObject::tr("No accuracy: %1").arg(p.weights.isEmpty() ? QObject::tr("random weights (cost and latency only)")
                                                                          : QObject::tr("no labelled images"));
    }
    if (p.latency_ms && p.latency_p10_ms > 0) {
        lines << QObject::tr("Latency median %1 (p10 %2, p90 %3), %4 runs, %5, batch %6")
                     .arg(format_ms(*p.latency_ms), format_ms(p.latency_p10_ms), format_ms(p.latency_p90_ms))
                     .arg(p.runs)
                     .arg(format_threads(p.threads))
                     .arg(p.batch);
    } else if (p.latency_ms) {
        lines << QObject::tr("Latency median %1, %2 (the live network's, when evaluated)")
                     .arg(format_ms(*p.latency_ms), format_threads(p.threads));
    }
    if (!p.weights.isEmpty()) {
        lines << QObject::tr("Weights %1 (native %2 px)").arg(QFileInfo(p.weights).fileName()).arg(p.native_resolution);
        if (p.off_native_resolution()) {
            lines << QObject::tr("<i>Run at %1 px, not the weights' %2 px: accuracy is not the released model's</i>")
                         .arg(p.resolution)
                         .arg(p.native_resolution);
        }
    }
    if (p.from_cache) lines << QObject::tr("From the sweep cache");
    if (p.earlier_session) lines << QObject::tr("Measured in an earlier session of the app");
    if (p.is_mobilenet()) lines << QObject::tr("<i>Click to set the sliders to %1</i>").arg(p.label());
    return lines.join(QStringLiteral("<br>"));
}

TradeoffChart::TradeoffChart(ChartKind kind, QWidget* parent) : QChartView(new QChart, parent), kind_(kind) {
    // The chart is given to the constructor: setChart() would orphan the default one (a leak).
    QChart* c = chart();
    c->setTitle(chart_axes(kind).title);
    c->legend()->hide();  // the page's legend strip explains shapes and colours once for all charts
    c->setMargins(QMargins(4, 4, 4, 4));
    c->setBackgroundRoundness(0);
    setRenderHint(QPainter::Antialiasing);
    setObjectName(chart_slug(kind));
    setMinimumSize(320, 220);
    connect(c, &QChart::plotAreaChanged, this, [this] { place_labels(); });
}

void TradeoffChart::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    place_labels();
}

void TradeoffChart::rebuild(const TradeoffModel& model, const ChartOverlay& overlay) {
    QChart* c = chart();
    c->removeAllSeries();
    for (QAbstractAxis* axis : c->axes()) {
        c->removeAxis(axis);
        delete axis;
    }
    for (Label& l : labels_) delete l.item;
    labels_.clear();
    delete empty_note_;
    empty_note_ = nullptr;
    series_rows_.clear();
    shown_rows_.clear();
    frontier_rows_.clear();
    interval_bars_ = 0;
    fit_.reset();
    alphas_.clear();
    has_range_ = false;
    model_ = &model;

    const ChartAxes axes = chart_axes(kind_);
    QAbstractAxis* x_axis = nullptr;
    if (axes.log_x) {
        auto* log = new QLogValueAxis;
        log->setBase(10);
        log->setLabelFormat(QStringLiteral("%g"));
        log->setMinorTickCount(8);  // 2..9 between decades
        x_axis = log;
    } else {
        x_axis = new QValueAxis;
    }
    x_axis->setTitleText(axes.x_title);
    auto* y_axis = new QValueAxis;
    // Small 2x2 charts: Qt would elide tick labels ("...") rather than give them room.
    x_axis->setTruncateLabels(false);
    y_axis->setTruncateLabels(false);
    y_axis->setTitleText(axes.y_title);
    y_axis->setLabelFormat(QStringLiteral("%g"));
    c->addAxis(x_axis, Qt::AlignBottom);
    c->addAxis(y_axis, Qt::AlignLeft);

    for (int r = 0; r < model.rowCount(); ++r) {
        const TradeoffPoint& p = model.point(r);
        if (!overlay.layers.shows(p.layer)) continue;
        const auto pos = chart_position(p, kind_);
        if (!pos) continue;
        shown_rows_.push_back(r);
        min_x_ = has_range_ ? std::min(min_x_, pos->x()) : pos->x();
        max_x_ = has_range_ ? std::max(max_x_, pos->x()) : pos->x();
        // A measured accuracy's interval stays inside the chart with its point.
        const auto interval = kind_ != ChartKind::LatencyVsMacs ? accuracy_interval(p) : std::nullopt;
        const double low = interval ? interval->lower : pos->y(), high = interval ? interval->upper : pos->y();
        min_y_ = has_range_ ? std::min(min_y_, low) : low;
        max_y_ = has_range_ ? std::max(max_y_, high) : high;
        has_range_ = true;
        if (p.is_mobilenet() && !alphas_.contains(p.alpha)) alphas_ << p.alpha;
    }
    const bool budget_on_x = overlay.budget_kind &&
                             ((*overlay.budget_kind == BudgetKind::LatencyMs && kind_ == ChartKind::AccuracyVsLatency) ||
                              (*overlay.budget_kind == BudgetKind::MillionMacs && kind_ == ChartKind::AccuracyVsMacs));
    if (budget_on_x && has_range_) {
        min_x_ = std::min(min_x_, overlay.budget_limit);
        max_x_ = std::max(max_x_, overlay.budget_limit);
    }
    set_ranges();

    add_fit(model);
    add_frontier(model);
    add_current(model, overlay);
    if (budget_on_x) {
        add_vertical_line(overlay.budget_limit, tr("budget"), QPen(budget_color(), 2, Qt::DashLine), true);
    }
    add_intervals(model);
    add_points(model, overlay);
    add_budget(model, overlay);
    if (shown_rows_.empty()) {
        // Latencies measured without accuracy (a sweep with no labelled folder) are not
        // "nothing": say what this chart still lacks.
        const bool latencies = std::any_of(model.points().begin(), model.points().end(),
                                           [](const TradeoffPoint& p) { return p.latency_ms.has_value(); });
        QString note = tr("No points in the layers shown");
        if (kind_ == ChartKind::AccuracyVsLatency && latencies) {
            note = tr("No configuration has both a latency and an accuracy yet:\nRun Sweep… with a labelled folder "
                      "(or Evaluate one)");
        } else if (kind_ == ChartKind::LatencyVsMacs || kind_ == ChartKind::AccuracyVsLatency) {
            note = tr("Nothing measured yet.\nRun Sweep… times the configurations here%1")
                       .arg(kind_ == ChartKind::AccuracyVsLatency ? tr(";\naccuracy needs a labelled folder") : QString());
        }
        show_empty_note(note);
    }
    place_labels();
}

void TradeoffChart::set_ranges() {
    QChart* c = chart();
    auto* y = qobject_cast<QValueAxis*>(c->axes(Qt::Vertical).value(0));
    QAbstractAxis* x = c->axes(Qt::Horizontal).value(0);
    const bool accuracy = kind_ != ChartKind::LatencyVsMacs;
    if (!has_range_) {
        min_x_ = chart_axes(kind_).log_x ? 10 : 0;
        max_x_ = chart_axes(kind_).log_x ? 1000 : 10;
        min_y_ = accuracy ? 40 : 0;
        max_y_ = accuracy ? 80 : 10;
    }
    if (auto* log = qobject_cast<QLogValueAxis*>(x)) {
        // Whole decades, so the axis always carries labelled ticks.
        log->setRange(std::pow(10.0, std::floor(std::log10(min_x_))), std::pow(10.0, std::ceil(std::log10(max_x_ * 1.05))));
    } else if (auto* lin = qobject_cast<QValueAxis*>(x)) {
        lin->setRange(0, max_x_ * 1.08);
        lin->applyNiceNumbers();
    }
    if (accuracy) {
        // Ticks every 5 points of accuracy, or every 10 when that would crowd the axis.
        const double step = (max_y_ - min_y_) > 35 ? 10 : 5;
        y->setRange(std::floor((min_y_ - 2) / step) * step, std::ceil((max_y_ + 2) / step) * step);
        y->setTickCount(static_cast<int>(std::lround((y->max() - y->min()) / step)) + 1);
    } else {
        y->setRange(0, max_y_ * 1.12);
        y->applyNiceNumbers();
    }
}

void TradeoffChart::attach(QXYSeries* series) {
    chart()->addSeries(series);
    for (QAbstractAxis* axis : chart()->axes()) series->attachAxis(axis);
}

void TradeoffChart::add_points(const TradeoffModel& model, const ChartOverlay& overlay) {
    // One trend line per (layer, precision, α) through its points in cost order, and one
    // scatter series per (layer, precision, α, hollow).
    using TrendKey = std::tuple<int, QString, double>;
    std::map<TrendKey, std::vector<QPointF>> trends;
    using SeriesKey = std::tuple<int, QString, double, bool>;
    std::map<SeriesKey, SeriesRows> groups;
    for (int r : shown_rows_) {
        const TradeoffPoint& p = model.point(r);
        const QPointF pos = *chart_position(p, kind_);
        if (p.is_mobilenet()) trends[{int(p.layer), p.precision, p.alpha}].push_back(pos);
        SeriesRows& g = groups[{int(p.layer), p.precision, p.alpha, p.off_native_resolution()}];
        if (!g.series) {
            auto* s = new QScatterSeries;
            const PointStyle style = point_style(p);
            const QColor color = p.is_mobilenet() ? alpha_color(p.alpha) : comparison_color();
            s->setMarkerShape(qt_shape(style.shape));
            s->setMarkerSize(style.size);
            const bool hollow = p.off_native_resolution();
            s->setColor(hollow ? QColor(Qt::white) : color);
            s->setBorderColor(hollow ? color : color.darker(140));
            QPen pen(s->borderColor(), hollow ? 2.0 : 1.0);
            s->setPen(pen);
            s->setName(p.is_mobilenet() ? tr("α %1 · %2 %3%4")
                                              .arg(format_alpha(p.alpha), layer_name(p.layer), precision_text(p.precision),
                                                   hollow ? tr(" (weights' other resolution)") : QString())
                                        : tr("other networks (paper)"));
            s->setProperty(kLayerProperty, int(p.layer));
            g.series = s;
        }
        g.series->append(pos);
        g.rows.push_back(r);
    }
    for (auto& [key, points] : trends) {
        if (points.size() < 2) continue;
        std::sort(points.begin(), points.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
        auto* line = new QLineSeries;
        const auto layer = static_cast<PointLayer>(std::get<0>(key));
        // Measured fp32 solid, measured int8 dashed, published dotted.
        const bool int8 = std::get<1>(key) == QLatin1String("int8");
        QPen pen(alpha_color(std::get<2>(key)), layer == PointLayer::Measured ? 1.6 : 1.0,
                 layer != PointLayer::Measured ? Qt::DotLine : int8 ? Qt::DashLine : Qt::SolidLine);
        line->setPen(pen);
        line->setOpacity(layer == PointLayer::Measured ? 0.9 : 0.6);
        line->append(QList<QPointF>(points.begin(), points.end()));
        line->setName(QStringLiteral("trend"));
        attach(line);
    }
    for (auto& [key, g] : groups) {
        attach(g.series);
        QXYSeries* s = g.series;
        connect(s, &QXYSeries::hovered, this, [this, s](const QPointF& value, bool state) {
            const int row = row_at(s, value);
            if (state && row >= 0 && model_) {
                QToolTip::showText(QCursor::pos(), point_tooltip(model_->point(row)), this);
            } else {
                QToolTip::hideText();
            }
        });
        connect(s, &QXYSeries::clicked, this, [this, s](const QPointF& value) {
            if (const int row = row_at(s, value); row >= 0) emit pointClicked(row);
        });
        for (std::size_t i = 0; i < g.rows.size(); ++i) {
            const TradeoffPoint& p = model.point(g.rows[i]);
            add_label(p.is_mobilenet() ? QString::number(p.resolution) : p.model, s->at(static_cast<int>(i)), s);
            labels_.back().item->setData(0, label_priority(p));
        }
        series_rows_.push_back(std::move(g));
    }
    (void)overlay;
    // Highest priority first, so place_labels() gives them the free spots.
    std::stable_sort(labels_.begin(), labels_.end(), [](const Label& a, const Label& b) {
        return a.item->data(0).toInt() < b.item->data(0).toInt();
    });
}

void TradeoffChart::add_intervals(const TradeoffModel& model) {
    if (kind_ == ChartKind::LatencyVsMacs) return;  // no accuracy there
    // Under the markers: a thin bar in the point's colour from the lower to the upper end of
    // its 95 % interval (on a 30-image evaluation some 30 points of accuracy tall).
    for (int r : shown_rows_) {
        const TradeoffPoint& p = model.point(r);
        const auto interval = accuracy_interval(p);
        if (!interval) continue;
        const double x = chart_position(p, kind_)->x();
        auto* bar = new QLineSeries;
        bar->setName(QStringLiteral("interval"));
        bar->setPen(QPen(alpha_color(p.alpha), 1.5));
        bar->setOpacity(0.55);
        bar->append(x, interval->lower);
        bar->append(x, interval->upper);
        attach(bar);
        ++interval_bars_;
    }
}

void TradeoffChart::add_frontier(const TradeoffModel& model) {
    if (kind_ == ChartKind::LatencyVsMacs) return;  // no accuracy there
    std::vector<QPointF> xy;
    std::vector<int> rows;
    for (int r : shown_rows_) {
        const TradeoffPoint& p = model.point(r);
        if (p.layer != PointLayer::Measured) continue;
        xy.push_back(*chart_position(p, kind_));
        rows.push_back(r);
    }
    if (xy.empty()) return;
    auto* line = new QLineSeries;
    line->setName(tr("Pareto frontier (measured)"));
    line->setPen(QPen(QColor(0x22, 0x22, 0x22), 2.2, Qt::DashLine));
    for (std::size_t i : pareto_frontier(xy)) {
        frontier_rows_.push_back(rows[i]);
        line->append(xy[i]);
    }
    attach(line);
}

void TradeoffChart::add_fit(const TradeoffModel& model) {
    if (kind_ != ChartKind::LatencyVsMacs) return;
    const bool measured_shown = std::any_of(shown_rows_.begin(), shown_rows_.end(),
                                            [&](int r) { return model.point(r).layer == PointLayer::Measured; });
    if (!measured_shown) return;
    fit_ = fit_line(measured_latency_points(model));
    if (!fit_) return;
    auto* line = new QLineSeries;
    line->setName(tr("least-squares fit"));
    line->setPen(QPen(QColor(0x88, 0x88, 0x88), 1.5, Qt::DashDotLine));
    auto* x = qobject_cast<QValueAxis*>(chart()->axes(Qt::Horizontal).value(0));
    const int steps = 2;
    for (int i = 0; i < steps; ++i) {
        const double xv = x->min() + (x->max() - x->min()) * i / (steps - 1);
        line->append(xv, fit_->at(xv));
    }
    attach(line);
}

void TradeoffChart::add_vertical_line(double x, const QString& name, const QPen& pen, bool at_bottom) {
    auto* y = qobject_cast<QValueAxis*>(chart()->axes(Qt::Vertical).value(0));
    auto* line = new QLineSeries;
    line->setName(name);
    line->setPen(pen);
    line->append(x, y->min());
    line->append(x, y->max());
    attach(line);
    add_label(name, QPointF(x, y->max()), line, true);
    labels_.back().item->setData(0, -1);  // always placed
    labels_.back().item->setData(1, at_bottom);
}

void TradeoffChart::add_current(const TradeoffModel& model, const ChartOverlay& overlay) {
    if (!overlay.current_alpha || !overlay.current_resolution) return;
    const double alpha = *overlay.current_alpha;
    const int resolution = *overlay.current_resolution;
    const QString name = tr("sliders: %1").arg(config_name(alpha, resolution));
    if (kind_ == ChartKind::AccuracyVsMacs || kind_ == ChartKind::LatencyVsMacs) {
        add_vertical_line(million_macs(alpha, resolution), name, QPen(QColor(0x33, 0x33, 0x33), 1, Qt::DotLine), false);
    }
    auto* ring = new QScatterSeries;
    ring->setName(name);
    ring->setMarkerSize(24);
    ring->setColor(Qt::transparent);
    ring->setBorderColor(Qt::black);
    ring->setPen(QPen(Qt::black, 2));
    for (int r : shown_rows_) {
        const TradeoffPoint& p = model.point(r);
        if (p.is_mobilenet() && std::fabs(p.alpha - alpha) < 1e-6 && p.resolution == resolution) {
            ring->append(*chart_position(p, kind_));
        }
    }
    attach(ring);
}

void TradeoffChart::add_budget(const TradeoffModel& model, const ChartOverlay& overlay) {
    if (overlay.budget_rows.empty()) return;
    auto* best = new QScatterSeries;
    best->setName(tr("best under budget"));
    best->setMarkerSize(28);
    best->setColor(Qt::transparent);
    best->setPen(QPen(budget_color(), 3));
    for (int r : overlay.budget_rows) {
        if (std::find(shown_rows_.begin(), shown_rows_.end(), r) == shown_rows_.end()) continue;
        const QPointF pos = *chart_position(model.point(r), kind_);
        best->append(pos);
    }
    attach(best);
}

int TradeoffChart::row_at(const QXYSeries* series, const QPointF& value) const {
    for (const SeriesRows& g : series_rows_) {
        if (g.series != series) continue;
        int nearest = -1;
        double best = 0;
        for (int i = 0; i < series->count(); ++i) {
            const QPointF d = series->at(i) - value;
            const double dist = std::hypot(d.x(), d.y());
            if (nearest < 0 || dist < best) nearest = i, best = dist;
        }
        return nearest < 0 ? -1 : g.rows[static_cast<std::size_t>(nearest)];
    }
    return -1;
}

void TradeoffChart::click_row(int row) {
    for (const SeriesRows& g : series_rows_) {
        const auto it = std::find(g.rows.begin(), g.rows.end(), row);
        if (it != g.rows.end()) {
            emit g.series->clicked(g.series->at(static_cast<int>(it - g.rows.begin())));
            return;
        }
    }
}

QList<QXYSeries*> TradeoffChart::point_series() const {
    QList<QXYSeries*> out;
    for (const SeriesRows& g : series_rows_) out << g.series;
    return out;
}

void TradeoffChart::add_label(const QString& text, const QPointF& value, QXYSeries* series, bool bold) {
    auto* item = new QGraphicsSimpleTextItem(text, chart());
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.8);
    f.setBold(bold);
    item->setFont(f);
    item->setBrush(QColor(0x30, 0x30, 0x30));
    item->setZValue(20);
    labels_.push_back({item, value, series});
}

void TradeoffChart::place_labels() {
    // Greedy, highest priority first: a point's label takes the first of four spots around
    // its marker (right, left, above, below) that stays in the plot and covers neither a
    // label already placed nor another point's marker. The comparison networks' names, which
    // nothing else on the chart tells apart, may cover a marker as a last resort; any other
    // label without a free spot is hidden (the point's tooltip still names it).
    const QRectF plot = chart()->plotArea();
    const QRectF bounds = plot.adjusted(-2, -2, 24, 2);
    std::vector<QRectF> markers;
    for (QAbstractSeries* series : chart()->series()) {  // the points and the rings around them
        const auto* scatter = qobject_cast<const QScatterSeries*>(series);
        if (!scatter || !scatter->isVisible()) continue;
        const double half = scatter->markerSize() / 2;
        for (int i = 0; i < scatter->count(); ++i) {
            const QPointF at = chart()->mapToPosition(scatter->at(i), series);
            markers.emplace_back(at - QPointF(half, half), QSizeF(2 * half, 2 * half));
        }
    }
    std::vector<QRectF> taken;
    auto covers_label = [&](const QRectF& r) {
        return std::any_of(taken.begin(), taken.end(), [&](const QRectF& t) { return t.intersects(r); });
    };
    // Markers other than the one at `own` (points drawn on the same spot count as its own).
    auto covers_marker = [&](const QRectF& r, const QPointF& own) {
        return std::any_of(markers.begin(), markers.end(), [&](const QRectF& m) {
            const QPointF d = m.center() - own;
            return std::fabs(d.x()) + std::fabs(d.y()) > 1.0 && m.intersects(r);
        });
    };
    for (Label& l : labels_) {
        const QPointF at = chart()->mapToPosition(l.value, l.series);
        const QSizeF size = l.item->boundingRect().size();
        const bool pinned = l.item->data(0).toInt() < 0;
        const bool comparison = l.item->data(0).toInt() == 0;
        std::vector<QPointF> spots;
        if (pinned) {  // a vertical line's name, beside the line at its own end of the plot, else the other
            const double top = plot.top() + 2, bottom = plot.bottom() - size.height() - 2;
            const double first = l.item->data(1).toBool() ? bottom : top, second = first == top ? bottom : top;
            for (double y : {first, second}) spots.insert(spots.end(), {{at.x() + 3, y}, {at.x() - 3 - size.width(), y}});
        } else {
            const auto* scatter = qobject_cast<const QScatterSeries*>(l.series);
            const double half = (scatter ? scatter->markerSize() : 10.0) / 2;
            spots = {{at.x() + half + 2, at.y() - size.height() / 2},
                     {at.x() - half - 2 - size.width(), at.y() - size.height() / 2},
                     {at.x() - size.width() / 2, at.y() - half - size.height()},
                     {at.x() - size.width() / 2, at.y() + half}};
        }
        // The first spot inside the plot and clear of labels (and, when asked, of markers).
        const auto free_spot = [&](bool avoid_markers) -> std::optional<QRectF> {
            for (const QPointF& spot : spots) {
                const QRectF r(spot, size);
                if (bounds.contains(r) && !covers_label(r) && !(avoid_markers && covers_marker(r, at))) return r;
            }
            return std::nullopt;
        };
        std::optional<QRectF> chosen = free_spot(true);
        if (!chosen && (comparison || pinned)) chosen = free_spot(false);
        if (!chosen && pinned) chosen = QRectF(spots.front(), size);  // the sliders and the budget are always named
        const bool inside = plot.adjusted(-2, -2, 40, 2).contains(at);
        l.item->setVisible(inside && chosen);
        if (!l.item->isVisible()) continue;
        l.item->setPos(chosen->topLeft());
        taken.push_back(chosen->adjusted(-1, 0, 1, 0));
    }
    if (empty_note_) {  // centred, but never over the axis labels left of a narrow plot
        const QRectF box = empty_note_->boundingRect();
        const QPointF centred = plot.center() - QPointF(box.width() / 2, box.height() / 2);
        empty_note_->setPos(std::max(centred.x(), plot.left() + 6), centred.y());
    }
}

std::vector<std::pair<QString, QRectF>> TradeoffChart::visible_labels() const {
    std::vector<std::pair<QString, QRectF>> out;
    for (const Label& l : labels_) {
        if (l.item->isVisible()) out.emplace_back(l.item->text(), l.item->mapRectToParent(l.item->boundingRect()));
    }
    return out;
}

QString TradeoffChart::empty_note() const { return empty_note_ ? empty_note_->text() : QString(); }

void TradeoffChart::show_empty_note(const QString& text) {
    empty_note_ = new QGraphicsSimpleTextItem(text, chart());
    empty_note_->setBrush(QColor(0x66, 0x66, 0x66));
    empty_note_->setZValue(20);
}

QString TradeoffChart::csv() const {
    const ChartAxes axes = chart_axes(kind_);
    QStringList out;
    // The chart's two axes first, as x_ and y_ columns (their figures repeat among the rest).
    out << QStringLiteral("layer,model,alpha,resolution,precision,x_%1,y_%2,million_macs,million_params,top1_pct,top5_pct,"
                          "latency_median_ms,latency_p10_ms,latency_p90_ms,threads,images,weights,native_resolution,"
                          "pareto,source")
               .arg(axes.x_csv, axes.y_csv);
    if (!model_) return out.join('\n') + '\n';
    for (int r : shown_rows_) {
        const TradeoffPoint& p = model_->point(r);
        const QPointF pos = *chart_position(p, kind_);
        const bool on_frontier = std::find(frontier_rows_.begin(), frontier_rows_.end(), r) != frontier_rows_.end();
        QStringList f;
        f << layer_name(p.layer) << csv_field(p.model) << (p.is_mobilenet() ? QString::number(p.alpha) : QString())
          << (p.is_mobilenet() ? QString::number(p.resolution) : QString()) << precision_text(p.precision) << QString::number(pos.x())
          << QString::number(pos.y()) << QString::number(p.million_macs) << QString::number(p.million_params)
          << number_or_empty(p.top1) << number_or_empty(p.top5) << number_or_empty(p.latency_ms)
          << (p.latency_p10_ms > 0 ? QString::number(p.latency_p10_ms) : QString())
          << (p.latency_p90_ms > 0 ? QString::number(p.latency_p90_ms) : QString())
          << (p.threads > 0 ? QString::number(p.threads) : QString()) << (p.images > 0 ? QString::number(p.images) : QString())
          << csv_field(p.weights) << (p.native_resolution > 0 ? QString::number(p.native_resolution) : QString())
          << (on_frontier ? QStringLiteral("1") : QStringLiteral("0")) << csv_field(p.origin);
        out << f.join(',');
    }
    return out.join('\n') + '\n';
}

bool TradeoffChart::save_csv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return set_error(error, file.errorString());
    file.write(csv().toUtf8());
    if (!file.commit()) return set_error(error, file.errorString());
    return true;
}

double TradeoffChart::legend_height(int width) const {
    QImage scratch(1, 1, QImage::Format_ARGB32);
    QPainter measure(&scratch);
    measure.setFont(font());
    return std::ceil(paint_legend(measure, QRectF(8, 0, width - 16, 10000), alphas_)) + 8;
}

QSize TradeoffChart::export_size() const { return {width(), height() + static_cast<int>(legend_height(width()))}; }

void TradeoffChart::render_with_legend(QPainter& painter) {
    // The chart exactly as laid out on screen, the legend (which wraps to the width) below.
    const QRect chart_rect(QPoint(0, 0), size());
    painter.fillRect(QRect(QPoint(0, 0), export_size()), Qt::white);
    render(&painter, QRectF(chart_rect), chart_rect);
    painter.setFont(font());
    painter.setPen(Qt::black);
    paint_legend(painter, QRectF(8, chart_rect.bottom() + 4, width() - 16, legend_height(width())), alphas_);
}

bool TradeoffChart::save_png(const QString& path, QString* error) {
    const QSize s = export_size();
    QImage image(s * 2, QImage::Format_ARGB32);
    image.setDevicePixelRatio(2);  // crisp on high-density screens and in documents
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        render_with_legend(painter);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return set_error(error, file.errorString());
    if (!image.save(&file, "PNG")) return set_error(error, tr("PNG encoding failed"));
    if (!file.commit()) return set_error(error, file.errorString());
    return true;
}

bool TradeoffChart::save_svg(const QString& path, QString* error) {
    const QSize s = export_size();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return set_error(error, file.errorString());
    {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(s);
        svg.setViewBox(QRect(QPoint(0, 0), s));
        svg.setTitle(chart_axes(kind_).title);
        svg.setDescription(tr("MobileNet Studio trade-off chart"));
        QPainter painter(&svg);
        render_with_legend(painter);
    }
    if (!file.commit()) return set_error(error, file.errorString());
    return true;
}

}  // namespace studio
