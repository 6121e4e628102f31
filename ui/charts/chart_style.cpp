#include "chart_style.hpp"

#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QtMath>

#include <cmath>

#include "common/display_format.hpp"

namespace studio {

QColor alpha_color(double alpha) {
    struct Fixed {
        double alpha;
        QRgb rgb;
    };
    // Colour-blind-safe (Okabe-Ito) for the paper's grid.
    static constexpr Fixed fixed[] = {{1.0, 0x0072B2}, {0.75, 0xE69F00}, {0.5, 0x009E73}, {0.25, 0xCC79A7}};
    for (const Fixed& f : fixed) {
        if (std::fabs(alpha - f.alpha) < 1e-6) return QColor::fromRgb(f.rgb);
    }
    return QColor::fromHsvF(static_cast<float>(std::fmod(alpha * 0.9, 1.0)), 0.8f, 0.75f);
}

QColor comparison_color() { return QColor(0x55, 0x55, 0x55); }
QColor budget_color() { return QColor(0xD5, 0x5E, 0x00); }

PointStyle point_style(const TradeoffPoint& p) {
    if (!p.is_mobilenet()) return {MarkerShape::Star, 14, true};
    switch (p.layer) {
    case PointLayer::Paper: return {MarkerShape::Triangle, 11, true};
    case PointLayer::Slim:
        return p.precision == QLatin1String("uint8") ? PointStyle{MarkerShape::Diamond, 9, true}
                                                      : PointStyle{MarkerShape::Square, 8, true};
    case PointLayer::Measured:
        // int8 measured here: its own series and shape (the TF-slim uint8 diamonds are its reference).
        return p.precision == QLatin1String("int8") ? PointStyle{MarkerShape::Pentagon, 13, false}
                                                    : PointStyle{MarkerShape::Circle, 11, false};
    }
    return {};
}

void draw_marker(QPainter& painter, const QPointF& c, const PointStyle& style, const QColor& color, bool hollow) {
    const double r = style.size / 2;
    QPainterPath path;
    switch (style.shape) {
    case MarkerShape::Circle: path.addEllipse(c, r, r); break;
    case MarkerShape::Square: path.addRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)); break;
    case MarkerShape::Diamond:
        path.moveTo(c.x(), c.y() - r);
        path.lineTo(c.x() + r, c.y());
        path.lineTo(c.x(), c.y() + r);
        path.lineTo(c.x() - r, c.y());
        path.closeSubpath();
        break;
    case MarkerShape::Triangle:
        path.moveTo(c.x(), c.y() - r);
        path.lineTo(c.x() + r, c.y() + r);
        path.lineTo(c.x() - r, c.y() + r);
        path.closeSubpath();
        break;
    case MarkerShape::Pentagon:
        for (int i = 0; i < 5; ++i) {
            const double a = -M_PI / 2 + i * 2 * M_PI / 5;
            const QPointF q(c.x() + r * std::cos(a), c.y() + r * std::sin(a));
            i == 0 ? path.moveTo(q) : path.lineTo(q);
        }
        path.closeSubpath();
        break;
    case MarkerShape::Star:
        for (int i = 0; i < 10; ++i) {
            const double a = -M_PI / 2 + i * M_PI / 5;
            const double radius = i % 2 ? r * 0.45 : r;
            const QPointF q(c.x() + radius * std::cos(a), c.y() + radius * std::sin(a));
            i == 0 ? path.moveTo(q) : path.lineTo(q);
        }
        path.closeSubpath();
        break;
    }
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(hollow ? color : color.darker(140), hollow ? 2.0 : 1.0));
    painter.setBrush(hollow ? QBrush(Qt::white) : QBrush(color));
    painter.drawPath(path);
    painter.restore();
}

double paint_legend(QPainter& painter, const QRectF& area, const QList<double>& alphas) {
    const QFontMetricsF fm(painter.font());
    const double line = fm.height() * 1.4, marker = fm.height() * 0.8;
    QPointF at = area.topLeft() + QPointF(0, line / 2);
    // One entry: its glyph centred at the given point, then its text; wraps to a new line.
    const auto entry = [&](const QString& text, const auto& draw_glyph) {
        const double width = marker + 4 + fm.horizontalAdvance(text) + fm.height();
        if (at.x() + width > area.right() && at.x() > area.left()) at = QPointF(area.left(), at.y() + line);
        draw_glyph(at + QPointF(marker / 2, 0));
        painter.drawText(QPointF(at.x() + marker + 4, at.y() + fm.ascent() / 2 - 1), text);
        at.rx() += width;
    };
    const auto item = [&](const QString& text, const PointStyle& style, const QColor& color, bool hollow) {
        entry(text, [&](QPointF centre) {
            PointStyle s = style;
            s.size = std::min(style.size, marker);
            draw_marker(painter, centre, s, color, hollow);
        });
    };
    TradeoffPoint probe;
    probe.alpha = 1.0;
    const QColor neutral(0x44, 0x44, 0x44);
    probe.layer = PointLayer::Paper;
    item(QObject::tr("paper (Tables 6-8)"), point_style(probe), neutral, false);
    probe.layer = PointLayer::Slim;
    probe.precision = QStringLiteral("float");
    item(QObject::tr("TF-slim float"), point_style(probe), neutral, false);
    probe.precision = QStringLiteral("uint8");
    item(QObject::tr("TF-slim uint8 (int8's reference)"), point_style(probe), neutral, false);
    probe.layer = PointLayer::Measured;
    probe.precision = QStringLiteral("f32");
    item(QObject::tr("measured here, fp32"), point_style(probe), neutral, false);
    probe.precision = QStringLiteral("int8");
    item(QObject::tr("measured here, int8"), point_style(probe), neutral, false);
    probe.precision = QStringLiteral("f32");
    item(QObject::tr("measured, weights' other resolution"), point_style(probe), neutral, true);
    // The bar under a measured accuracy: its 95 % interval, from the number of images.
    entry(QObject::tr("95 % interval of a measured accuracy"), [&](QPointF centre) {
        painter.save();
        painter.setPen(QPen(neutral, 1.5));
        painter.drawLine(centre - QPointF(0, marker * 0.6), centre + QPointF(0, marker * 0.6));
        painter.restore();
    });
    // The overlays: a ring round the sliders' configuration (with a dotted line at its cost),
    // a thicker orange ring round the best point under the budget (dashed orange line).
    const auto ring = [&](const QString& text, const QPen& pen) {
        entry(text, [&](QPointF centre) {
            painter.save();
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setPen(pen);
            painter.setBrush(Qt::NoBrush);
            painter.drawEllipse(centre, marker * 0.55, marker * 0.55);
            painter.restore();
        });
    };
    ring(QObject::tr("the sliders' configuration"), QPen(Qt::black, 1.5));
    ring(QObject::tr("best under the budget"), QPen(budget_color(), 2.2));
    probe.alpha = 0;
    probe.layer = PointLayer::Paper;
    item(QObject::tr("other networks (paper, Tables 8-9)"), point_style(probe), comparison_color(), false);
    for (double a : alphas) {
        probe.alpha = a;
        probe.layer = PointLayer::Measured;
        PointStyle swatch{MarkerShape::Square, marker, false};
        item(QStringLiteral("α %1").arg(format_alpha(a)), swatch, alpha_color(a), false);
    }
    return at.y() + line / 2 - area.top();
}

ChartLegend::ChartLegend(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void ChartLegend::set_alphas(const QList<double>& alphas) {
    alphas_ = alphas;
    updateGeometry();
    update();
}

int ChartLegend::heightForWidth(int width) const {
    QImage scratch(1, 1, QImage::Format_ARGB32);
    QPainter painter(&scratch);
    painter.setFont(font());
    return static_cast<int>(std::ceil(paint_legend(painter, QRectF(0, 0, width, 10000), alphas_)));
}

QSize ChartLegend::sizeHint() const { return {600, heightForWidth(600)}; }

void ChartLegend::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setPen(palette().color(QPalette::WindowText));
    paint_legend(painter, QRectF(rect()), alphas_);
}

}  // namespace studio
