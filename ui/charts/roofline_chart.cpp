#include "charts/roofline_chart.hpp"

#include <QCursor>
#include <QFont>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "common/display_format.hpp"

namespace studio {

namespace {

constexpr RooflineGroup kGroups[] = {RooflineGroup::Conv0, RooflineGroup::Depthwise, RooflineGroup::Pointwise,
                                     RooflineGroup::Classifier};

// Drawn on log axes: a layer needs mult-adds, a time and a rate.
bool drawable(const mnv1::RooflinePoint& p) { return p.macs > 0 && p.ms > 0 && p.gflops > 0 && p.intensity > 0; }

QString number(double v, int decimals) { return QString::number(v, 'f', decimals); }
// Two significant figures at least, never scientific notation: 0.043, 1.1, 12, 230.
QString figures(double v) {
    if (v <= 0) return QStringLiteral("0");
    const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(v))), 0, 4);
    return QString::number(v, 'f', decimals);
}

}  // namespace

RooflineGroup roofline_group(mnv1::LayerKind kind) {
    switch (kind) {
        case mnv1::LayerKind::ConvFull: return RooflineGroup::Conv0;
        case mnv1::LayerKind::Depthwise: return RooflineGroup::Depthwise;
        case mnv1::LayerKind::Pointwise: return RooflineGroup::Pointwise;
        default: return RooflineGroup::Classifier;
    }
}

QString roofline_group_name(RooflineGroup group) {
    switch (group) {
        case RooflineGroup::Conv0: return QObject::tr("conv0");
        case RooflineGroup::Depthwise: return QObject::tr("depthwise");
        case RooflineGroup::Pointwise: return QObject::tr("pointwise");
        case RooflineGroup::Classifier: return QObject::tr("fc");
    }
    return {};
}

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
QColor roofline_group_color(RooflineGroup group) {
    switch (group) {
        case RooflineGroup::Conv0: return {0x6A, 0x3D, 0x9A};
        case RooflineGroup::Depthwise: return {0xD5, 0x5E, 0x00};
        case RooflineGroup::Pointwise: return {0x00, 0x72, 0xB2};
        case RooflineGroup::Classifier: return {0x00, 0x9E, 0x73};
    }
    return Qt::gray;
}

QString roofline_point_tooltip(const mnv1::RooflinePoint& p, const mnv1::MachinePeaks& peaks) {
    QStringList lines;
    lines << QObject::tr("<b>%1</b> — %2").arg(QString::fromStdString(p.name), roofline_group_name(roofline_group(p.kind)));
    lines << QObject::tr("Mult-adds %1 (%2 FLOPs) · bytes moved %3 MB")
                 .arg(format_count(p.macs), format_count(static_cast<std::int64_t>(mnv1::kFlopsPerMac * p.macs)),
                      number(static_cast<double>(p.bytes) / 1e6, 2));
    lines << QObject::tr("Intensity %1 FLOP/byte").arg(figures(p.intensity));
    lines << QObject::tr("Time %1 · achieved %2 GFLOP/s").arg(format_ms(p.ms), figures(p.gflops));
    const bool memory = p.bound == mnv1::RoofBound::Memory;
    lines << QObject::tr("Its roof here: %1 GFLOP/s (%2) · reached %3 %")
                 .arg(figures(p.roof_gflops),
                      memory ? QObject::tr("memory: %1 GB/s × %2 FLOP/byte").arg(number(peaks.bandwidth_gbs, 1), figures(p.intensity))
                             : QObject::tr("compute: the peak"))
                 .arg(number(p.roof_pct(), 0));
    if (memory && p.roof_pct() > 100) {
        lines << QObject::tr("<i>Above the memory roof: its few MB stay in the caches, faster than main memory.</i>");
    }
    lines << QObject::tr("<i>Click to select %1 in the table</i>").arg(QString::fromStdString(p.name));
    return lines.join(QStringLiteral("<br>"));
}

RooflineChart::RooflineChart(QWidget* parent) : QChartView(new QChart, parent) {
    // The chart is given to the constructor: setChart() would orphan the default one (a leak).
    QChart* c = chart();
    c->setMargins(QMargins(4, 4, 4, 4));
    c->setBackgroundRoundness(0);
    c->legend()->setAlignment(Qt::AlignTop);
    setRenderHint(QPainter::Antialiasing);
    setObjectName(QStringLiteral("rooflineChart"));
    setMinimumSize(320, 260);
    connect(c, &QChart::plotAreaChanged, this, [this] { place_labels(); });
    empty_note_ = new QGraphicsSimpleTextItem(tr("The roofline appears here once it is measured."), c);
    empty_note_->setBrush(QColor(0x66, 0x66, 0x66));
    empty_note_->setZValue(20);
}

void RooflineChart::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    place_labels();
}

void RooflineChart::clear() {
    QChart* c = chart();
    c->removeAllSeries();
    for (QAbstractAxis* axis : c->axes()) {
        c->removeAxis(axis);
        delete axis;
    }
    for (QGraphicsSimpleTextItem** l :
         {&compute_label_, &memory_label_, &ridge_label_, &memory_side_label_, &compute_side_label_, &selected_label_}) {
        delete *l;
        *l = nullptr;
    }
    groups_.clear();
    memory_roof_ = compute_roof_ = ridge_line_ = nullptr;
    ridge_ = highlight_ = nullptr;
}

void RooflineChart::clear_data() {
    clear();
    data_.reset();
    set_stale(false);
    empty_note_->setVisible(true);
    place_labels();
}

void RooflineChart::attach(QXYSeries* series) {
    chart()->addSeries(series);
    for (QAbstractAxis* axis : chart()->axes()) series->attachAxis(axis);
}

QGraphicsSimpleTextItem* RooflineChart::add_label(const QString& text, bool bold) {
    auto* item = new QGraphicsSimpleTextItem(text, chart());
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    f.setBold(bold);
    item->setFont(f);
    item->setBrush(QColor(0x20, 0x20, 0x20));
    item->setZValue(20);
    return item;
}

void RooflineChart::set_data(const RooflineData& data) {
    clear();
    data_ = data;
    const mnv1::MachinePeaks& peaks = data.peaks;
    const double ridge = data.ridge_intensity();
    QChart* c = chart();

    double min_x = ridge, max_x = ridge, min_y = peaks.peak_gflops, max_y = peaks.peak_gflops;
    for (const mnv1::RooflinePoint& p : data.points) {
        if (!drawable(p)) continue;
        min_x = std::min(min_x, p.intensity);
        max_x = std::max(max_x, p.intensity);
        min_y = std::min(min_y, p.gflops);
        max_y = std::max(max_y, p.gflops);
    }
    // A factor of 2 of room on every side (3 above); the log axes label the powers of ten inside.
    min_x /= 2, max_x *= 2, min_y /= 2, max_y *= 3;  // room above the compute roof for its label
    max_x = std::max(max_x, 6 * ridge);  // and right of the ridge for "compute-bound"

    auto* x = new QLogValueAxis;
    x->setBase(10);
    x->setLabelFormat(QStringLiteral("%g"));
    x->setMinorTickCount(8);
    x->setTitleText(tr("Intensity: FLOP per byte moved"));
    x->setRange(min_x, max_x);
    auto* y = new QLogValueAxis;
    y->setBase(10);
    y->setLabelFormat(QStringLiteral("%g"));
    y->setMinorTickCount(8);
    y->setTitleText(tr("Achieved GFLOP/s"));
    y->setRange(min_y, max_y);
    QFont title_font = font();  // not the default bold: the titles must fit a narrow side panel
    for (QLogValueAxis* a : {x, y}) {
        a->setTruncateLabels(false);
        a->setTitleFont(title_font);
    }
    c->addAxis(x, Qt::AlignBottom);
    c->addAxis(y, Qt::AlignLeft);

    // The roofs: performance <= min(peak, bandwidth x intensity). Both are straight lines
    // on log-log axes, so their end points draw them exactly.
    memory_roof_ = new QLineSeries;
    memory_roof_->setName(tr("memory roof"));
    memory_roof_->setPen(QPen(QColor(0x44, 0x44, 0x44), 2.5));
    const double slope_start = std::max(min_x, min_y / peaks.bandwidth_gbs);
    memory_roof_->append(slope_start, peaks.bandwidth_gbs * slope_start);
    memory_roof_->append(ridge, peaks.peak_gflops);
    attach(memory_roof_);
    compute_roof_ = new QLineSeries;
    compute_roof_->setName(tr("compute roof"));
    compute_roof_->setPen(QPen(QColor(0x44, 0x44, 0x44), 2.5));
    compute_roof_->append(ridge, peaks.peak_gflops);
    compute_roof_->append(max_x, peaks.peak_gflops);
    attach(compute_roof_);

    for (RooflineGroup g : kGroups) {
        GroupSeries gs;
        for (const mnv1::RooflinePoint& p : data.points) {
            if (!drawable(p) || roofline_group(p.kind) != g) continue;
            if (!gs.series) {
                gs.series = new QScatterSeries;
                gs.series->setName(roofline_group_name(g));
                gs.series->setMarkerShape(QScatterSeries::MarkerShapeCircle);
                gs.series->setMarkerSize(10);
                gs.series->setColor(roofline_group_color(g));
                gs.series->setBorderColor(roofline_group_color(g).darker(140));
            }
            gs.series->append(p.intensity, p.gflops);
            gs.layers.push_back(p.layer);
        }
        if (!gs.series) continue;
        attach(gs.series);
        QScatterSeries* s = gs.series;
        connect(s, &QXYSeries::hovered, this, [this, s](const QPointF& value, bool state) {
            const int layer = layer_at(s, value);
            if (!state || layer < 0 || !data_) return QToolTip::hideText();
            const auto it = std::find_if(data_->points.begin(), data_->points.end(),
                                         [&](const mnv1::RooflinePoint& p) { return p.layer == layer; });
            QToolTip::showText(QCursor::pos(), roofline_point_tooltip(*it, data_->peaks), this);
        });
        connect(s, &QXYSeries::clicked, this, [this, s](const QPointF& value) {
            if (const int layer = layer_at(s, value); layer >= 0) emit layerClicked(layer);
        });
        groups_.push_back(std::move(gs));
    }

    // The ridge's intensity splits the chart: left of it memory-bound, right compute-bound.
    ridge_line_ = new QLineSeries;
    ridge_line_->setName(tr("ridge"));
    ridge_line_->setPen(QPen(QColor(0x77, 0x77, 0x77), 1.2, Qt::DashLine));
    ridge_line_->append(ridge, min_y);
    ridge_line_->append(ridge, peaks.peak_gflops);
    attach(ridge_line_);

    ridge_ = new QScatterSeries;
    ridge_->setName(tr("ridge point"));
    ridge_->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
    ridge_->setMarkerSize(12);
    ridge_->setColor(Qt::white);
    ridge_->setBorderColor(Qt::black);
    ridge_->setPen(QPen(Qt::black, 2));
    ridge_->append(ridge, peaks.peak_gflops);
    attach(ridge_);

    highlight_ = new QScatterSeries;
    highlight_->setName(tr("selected layer"));
    highlight_->setMarkerSize(22);
    highlight_->setColor(Qt::transparent);
    highlight_->setBorderColor(Qt::black);
    highlight_->setPen(QPen(Qt::black, 2.5));
    attach(highlight_);

    // The legend names the point colours; the roofs and the ridge are labelled on the chart.
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{memory_roof_, compute_roof_, ridge_line_, ridge_, highlight_}) {
        for (QLegendMarker* m : c->legend()->markers(s)) m->setVisible(false);
    }

    compute_label_ = add_label(tr("compute roof: %1 GFLOP/s").arg(number(peaks.peak_gflops, 1)), true);
    memory_label_ = add_label(tr("memory roof: %1 GB/s × intensity").arg(number(peaks.bandwidth_gbs, 1)), true);
    ridge_label_ = add_label(tr("ridge: %1 FLOP/byte").arg(figures(ridge)), false);
    memory_side_label_ = add_label(tr("← memory-bound"), false);
    compute_side_label_ = add_label(tr("compute-bound →"), false);
    selected_label_ = add_label(QString(), true);
    empty_note_->setVisible(false);

    const int keep = selected_;
    selected_ = -1;
    set_selected_layer(keep);
    place_labels();
}

void RooflineChart::set_selected_layer(int layer) {
    selected_ = layer;
    if (!highlight_) return;
    highlight_->clear();
    const std::optional<QPointF> at = position_of(layer);
    if (at) highlight_->append(*at);
    if (selected_label_) {
        QString name;
        if (at && data_) {
            for (const mnv1::RooflinePoint& p : data_->points) {
                if (p.layer == layer) name = QString::fromStdString(p.name);
            }
        }
        selected_label_->setText(name);
        selected_label_->setVisible(at.has_value());
    }
    place_labels();
}

void RooflineChart::set_stale(bool stale) {
    stale_ = stale;
    chart()->setOpacity(stale ? 0.35 : 1.0);
}

QList<QScatterSeries*> RooflineChart::layer_series() const {
    QList<QScatterSeries*> out;
    for (const GroupSeries& g : groups_) out << g.series;
    return out;
}

int RooflineChart::layer_at(const QXYSeries* series, const QPointF& value) const {
    for (const GroupSeries& g : groups_) {
        if (g.series != series) continue;
        // Nearest in log space, the space the points are drawn in.
        int nearest = -1;
        double best = 0;
        for (int i = 0; i < series->count(); ++i) {
            const QPointF p = series->at(i);
            const double dx = std::log10(p.x() / value.x()), dy = std::log10(p.y() / value.y());
            const double dist = std::hypot(dx, dy);
            if (nearest < 0 || dist < best) nearest = i, best = dist;
        }
        return nearest < 0 ? -1 : g.layers[static_cast<std::size_t>(nearest)];
    }
    return -1;
}

std::optional<QPointF> RooflineChart::position_of(int layer) const {
    for (const GroupSeries& g : groups_) {
        const auto it = std::find(g.layers.begin(), g.layers.end(), layer);
        if (it != g.layers.end()) return g.series->at(static_cast<int>(it - g.layers.begin()));
    }
    return std::nullopt;
}

void RooflineChart::click_layer(int layer) {
    for (const GroupSeries& g : groups_) {
        const auto it = std::find(g.layers.begin(), g.layers.end(), layer);
        if (it != g.layers.end()) {
            emit g.series->clicked(g.series->at(static_cast<int>(it - g.layers.begin())));
            return;
        }
    }
}

void RooflineChart::set_empty_note(const QString& text) {
    empty_note_->setText(text);
    place_labels();
}

QString RooflineChart::empty_note() const { return empty_note_->isVisible() ? empty_note_->text() : QString(); }

void RooflineChart::place_labels() {
    const QRectF plot = chart()->plotArea();
    if (empty_note_->isVisible()) {
        const QRectF box = empty_note_->boundingRect();
        empty_note_->setPos(plot.center() - QPointF(box.width() / 2, box.height() / 2));
    }
    if (!data_ || !compute_roof_ || plot.isEmpty()) return;
    const QPointF ridge = chart()->mapToPosition(compute_roof_->at(0), compute_roof_);
    const QPointF roof_end = chart()->mapToPosition(compute_roof_->at(1), compute_roof_);

    // Compute roof: above the flat line, right-aligned at the plot's edge; left of the
    // ridge (above the slope, where no layer can be) when the flat part is too short.
    const QRectF cbox = compute_label_->boundingRect();
    const double right_aligned = roof_end.x() - cbox.width() - 4;
    compute_label_->setPos(right_aligned >= ridge.x() + 8 ? right_aligned : std::max(plot.left() + 2, ridge.x() - cbox.width() - 12),
                           ridge.y() - cbox.height() - 3);

    // Memory roof: in the top-left corner, above the slope, where no layer can be (a point
    // there would beat the memory roof many times over). Along the line it would cover the
    // depthwise points, which the caches lift above it.
    memory_label_->setPos(plot.left() + 6, plot.top() + 4);

    // Ridge: at the foot of its dashed line, the two sides named either side of it.
    const QRectF rbox = ridge_label_->boundingRect();
    const QRectF side_box = memory_side_label_->boundingRect();
    const double foot = plot.bottom() - side_box.height() - 3;
    ridge_label_->setPos(std::clamp(ridge.x() - rbox.width() / 2, plot.left() + 2, plot.right() - rbox.width() - 2),
                         foot - rbox.height() - 1);
    const QRectF cside_box = compute_side_label_->boundingRect();
    memory_side_label_->setPos(ridge.x() - side_box.width() - 4, foot);
    compute_side_label_->setPos(ridge.x() + 4, foot);
    // Named only where they fit inside the plot.
    memory_side_label_->setVisible(ridge.x() - side_box.width() - 4 >= plot.left());
    compute_side_label_->setVisible(ridge.x() + 4 + cside_box.width() <= plot.right());

    if (selected_label_ && highlight_ && highlight_->count() == 1) {
        const QPointF at = chart()->mapToPosition(highlight_->at(0), highlight_);
        const QRectF sbox = selected_label_->boundingRect();
        // Above the ring (no layer beats its roof by much there), inside the plot.
        selected_label_->setPos(std::clamp(at.x() - sbox.width() / 2, plot.left() + 2, plot.right() - sbox.width() - 2),
                                std::max(plot.top() + 2, at.y() - 13 - sbox.height()));
    }
}

}  // namespace studio
