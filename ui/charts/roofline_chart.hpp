// RooflineChart: this machine's roofline (Williams, Waterman & Patterson 2009) with every
// layer of the network as a point under it, a QChartView on log-log axes:
//  - x = arithmetic intensity, FLOP per byte moved (FLOPs = 2 x mult-adds, bytes = the
//    layer's compulsory f32 traffic), y = achieved GFLOP/s; no chart title (it sits in a
//    narrow side panel whose text names the configuration);
//  - the memory roof (bandwidth x intensity) up to the ridge point, the compute roof
//    (flat at the measured peak) from it, the ridge marked, labelled and dropped to the
//    x axis as a dashed line with "memory-bound" / "compute-bound" on either side;
//  - one scatter series per layer group (conv0, depthwise, pointwise, fc), the selected
//    layer ringed and named; hovering a point shows all its figures, clicking it emits
//    layerClicked(layer index).
// Layers without mult-adds (pool, softmax) have no place on log axes and are not drawn.
//
// Threading: GUI thread.
#pragma once

#include <QChartView>
#include <QColor>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

#include "worker/roofline_types.hpp"

class QGraphicsSimpleTextItem;
class QLineSeries;
class QScatterSeries;
class QXYSeries;

namespace studio {

// The groups the roofline compares (as mobilenet-cli roofline does).
enum class RooflineGroup { Conv0, Depthwise, Pointwise, Classifier };
RooflineGroup roofline_group(mnv1::LayerKind kind);
QString roofline_group_name(RooflineGroup group);  // "conv0 (3×3 conv)", "depthwise 3×3", ...
QColor roofline_group_color(RooflineGroup group);

// Every figure of one point, for tooltips (rich text).
QString roofline_point_tooltip(const mnv1::RooflinePoint& p, const mnv1::MachinePeaks& peaks);

class RooflineChart : public QChartView {
    Q_OBJECT
public:
    explicit RooflineChart(QWidget* parent = nullptr);

    // Rebuilds the chart for `data`; the selection is kept if that layer is drawn.
    void set_data(const RooflineData& data);
    const std::optional<RooflineData>& data() const { return data_; }
    // Back to the empty chart and its note (a network the roofs do not apply to).
    void clear_data();
    // Rings the point of layer `layer` (index into the network's layers); -1 = none.
    void set_selected_layer(int layer);
    int selected_layer() const { return selected_; }
    // What an empty chart says in its middle (before any data); empty_note() is "" once
    // points are drawn.
    void set_empty_note(const QString& text);
    QString empty_note() const;
    // Greys the chart while newer data is being measured.
    void set_stale(bool stale);
    bool stale() const { return stale_; }

    // What is drawn (for the panel and tests).
    QList<QScatterSeries*> layer_series() const;
    QLineSeries* memory_roof() const { return memory_roof_; }
    QLineSeries* compute_roof() const { return compute_roof_; }
    QScatterSeries* ridge_marker() const { return ridge_; }
    QScatterSeries* highlight() const { return highlight_; }
    // Layer index of the point drawn at `value` in `series`; -1 if none.
    int layer_at(const QXYSeries* series, const QPointF& value) const;
    // Where layer `layer` is drawn (intensity, GFLOP/s); nullopt if it is not.
    std::optional<QPointF> position_of(int layer) const;
    // Acts as a click on the point of `layer` (tests, keyboard).
    void click_layer(int layer);

signals:
    void layerClicked(int layer);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    struct GroupSeries {
        QScatterSeries* series = nullptr;
        std::vector<int> layers;  // layer index of each point, in append order
    };

    void clear();
    void attach(QXYSeries* series);
    void place_labels();
    QGraphicsSimpleTextItem* add_label(const QString& text, bool bold);

    std::optional<RooflineData> data_;
    std::vector<GroupSeries> groups_;
    QLineSeries* memory_roof_ = nullptr;
    QLineSeries* compute_roof_ = nullptr;
    QLineSeries* ridge_line_ = nullptr;
    QScatterSeries* ridge_ = nullptr;
    QScatterSeries* highlight_ = nullptr;
    QGraphicsSimpleTextItem* compute_label_ = nullptr;
    QGraphicsSimpleTextItem* memory_label_ = nullptr;
    QGraphicsSimpleTextItem* ridge_label_ = nullptr;
    QGraphicsSimpleTextItem* memory_side_label_ = nullptr;
    QGraphicsSimpleTextItem* compute_side_label_ = nullptr;
    QGraphicsSimpleTextItem* selected_label_ = nullptr;
    QGraphicsSimpleTextItem* empty_note_ = nullptr;
    int selected_ = -1;
    bool stale_ = false;
};

}  // namespace studio
