// TradeoffChart: one trade-off chart (a QChartView) built from a TradeoffModel: a scatter
// series per (layer, precision, α) with a thin trend line through each α's points, the
// comparison models as labelled stars, resolution labels beside the points, the Pareto
// frontier of the measured points (accuracy charts), the least-squares latency fit
// (latency vs mult-adds), the sliders' configuration ringed, the budget's line and
// answer. Hover shows every figure of a point; clicking one emits pointClicked(row).
// Exports the chart as PNG / SVG (with the legend painted below) and its points as CSV.
//
// Threading: GUI thread.
#pragma once

#include <QChartView>
#include <QList>
#include <QRectF>
#include <QString>

#include <optional>
#include <utility>
#include <vector>

#include "charts/chart_style.hpp"
#include "charts/tradeoff_analysis.hpp"

class QGraphicsSimpleTextItem;
class QXYSeries;

namespace studio {

// What the page lays over the points.
struct ChartOverlay {
    LayerVisibility layers;
    std::optional<double> current_alpha;  // the sliders
    std::optional<int> current_resolution;
    std::optional<BudgetKind> budget_kind;
    double budget_limit = 0;
    std::vector<int> budget_rows;         // answers to highlight
};

// Every figure of a point, one per line, for tooltips.
QString point_tooltip(const TradeoffPoint& p);

class TradeoffChart : public QChartView {
    Q_OBJECT
public:
    explicit TradeoffChart(ChartKind kind, QWidget* parent = nullptr);

    ChartKind kind() const { return kind_; }
    void rebuild(const TradeoffModel& model, const ChartOverlay& overlay);

    // What is drawn (for the page's text and for tests).
    const std::vector<int>& shown_rows() const { return shown_rows_; }
    // The point and line names drawn now, with where (chart coordinates, as QChart::mapToPosition); a name that found
    // no free spot beside its point is hidden and not listed.
    std::vector<std::pair<QString, QRectF>> visible_labels() const;
    // What an empty chart says in its middle; "" when it has points.
    QString empty_note() const;
    const std::vector<int>& frontier_rows() const { return frontier_rows_; }
    // Measured accuracies drawn with their 95 % interval (a bar under the point).
    int interval_bars() const { return interval_bars_; }
    const std::optional<LinearFit>& fit() const { return fit_; }
    // Scatter series of points (not trend lines or overlays), with the layer as property "layer".
    QList<QXYSeries*> point_series() const;
    // Row of the point drawn at `value` in `series`; -1 if none.
    int row_at(const QXYSeries* series, const QPointF& value) const;
    // Acts as a click on the point of `row` (tests, keyboard).
    void click_row(int row);

    // The chart's points, CSV: layer,model,alpha,resolution,precision,<x>,<y>,... (all figures).
    QString csv() const;
    bool save_png(const QString& path, QString* error = nullptr);
    bool save_svg(const QString& path, QString* error = nullptr);
    bool save_csv(const QString& path, QString* error = nullptr) const;

signals:
    void pointClicked(int row);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    struct SeriesRows {
        QXYSeries* series = nullptr;
        std::vector<int> rows;  // model row of each point, in append order
    };
    struct Label {
        QGraphicsSimpleTextItem* item = nullptr;
        QPointF value;
        QXYSeries* series = nullptr;
    };

    void add_points(const TradeoffModel& model, const ChartOverlay& overlay);
    void add_frontier(const TradeoffModel& model);
    void add_intervals(const TradeoffModel& model);
    void add_fit(const TradeoffModel& model);
    void add_current(const TradeoffModel& model, const ChartOverlay& overlay);
    void add_budget(const TradeoffModel& model, const ChartOverlay& overlay);
    void add_vertical_line(double x, const QString& name, const QPen& pen, bool at_bottom);
    void attach(QXYSeries* series);
    void set_ranges();
    void add_label(const QString& text, const QPointF& value, QXYSeries* series, bool bold = false);
    void place_labels();
    void show_empty_note(const QString& text);
    // Renders chart + legend into `painter` at `size` (exports).
    void render_with_legend(QPainter& painter);
    double legend_height(int width) const;
    QSize export_size() const;  // the chart as on screen, plus the legend below

    ChartKind kind_;
    const TradeoffModel* model_ = nullptr;
    std::vector<SeriesRows> series_rows_;
    std::vector<Label> labels_;
    QGraphicsSimpleTextItem* empty_note_ = nullptr;
    std::vector<int> shown_rows_, frontier_rows_;
    int interval_bars_ = 0;
    std::optional<LinearFit> fit_;
    QList<double> alphas_;
    double min_x_ = 0, max_x_ = 0, min_y_ = 0, max_y_ = 0;
    bool has_range_ = false;
};

}  // namespace studio
