// How the trade-off charts tell points apart, in one place so charts, the legend and
// exported images agree: colour = α, marker shape = layer (paper, TF-slim float or uint8,
// measured, comparison models), hollow = measured away from the weights' resolution.
// Threading: GUI thread (painting).
#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

#include "models/tradeoff_model.hpp"

class QPainter;
class QRectF;

namespace studio {

enum class MarkerShape { Circle, Square, Diamond, Triangle, Star, Pentagon };

struct PointStyle {
    MarkerShape shape = MarkerShape::Circle;
    double size = 10;       // pixels
    bool dashed_trend = false;  // the line joining one α's points
};

// The α colours: the paper's four α fixed, any other α on a hue ramp.
QColor alpha_color(double alpha);
// Grey for the comparison models (GoogleNet, VGG16, ...).
QColor comparison_color();
// The budget overlay: its line and the ring round the best point under it.
QColor budget_color();
PointStyle point_style(const TradeoffPoint& p);

// Which layers are drawn.
struct LayerVisibility {
    bool paper = true, slim = true, measured = true;
    bool shows(PointLayer layer) const {
        return layer == PointLayer::Paper ? paper : layer == PointLayer::Slim ? slim : measured;
    }
};

// Draws one marker as the charts do.
void draw_marker(QPainter& painter, const QPointF& centre, const PointStyle& style, const QColor& color, bool hollow);
// The legend (shapes per layer, colours per α, hollow), laid out in rows inside `area`;
// returns the height it used. Used by the page's legend strip and by exported images.
double paint_legend(QPainter& painter, const QRectF& area, const QList<double>& alphas);

// The legend strip above the charts: paint_legend() as a widget, its height following
// the width.
class ChartLegend : public QWidget {
public:
    explicit ChartLegend(QWidget* parent = nullptr);
    void set_alphas(const QList<double>& alphas);
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<double> alphas_;
};

}  // namespace studio
