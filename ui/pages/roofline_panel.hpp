// RooflinePanel: the Layers page's "Roofline" side view. A RooflineChart of the current
// network under this machine's measured roofs, and beside it the same story in plain words
// with the live numbers: the peak (GFLOP/s, ISA, threads, per core), the bandwidth (GB/s),
// the ridge point, where the depthwise and the pointwise layers land, and their share of
// the mult-adds against their share of the time.
//
// It measures by itself when it becomes visible and the configuration changed since its
// data (never twice for one configuration; "Measure again" re-measures the peaks and the
// layer times). While measuring, the old chart stays, greyed and labelled, until the new
// data arrives. Selecting a layer in the shared selection model rings its point; clicking
// a point selects its row.
//
// Threading: GUI thread. The measurement runs on the inference worker, through the
// controller (request_roofline / rooflineMeasured).
#pragma once

#include <QWidget>

#include <optional>

#include "worker/inference_types.hpp"
#include "worker/roofline_types.hpp"

class QItemSelectionModel;
class QLabel;
class QPushButton;

namespace studio {

class InferenceController;
class LayerTableModel;
class RooflineChart;

class RooflinePanel : public QWidget {
    Q_OBJECT
public:
    // `controller`, `layers` (rows = the layers of the configuration shown) and `selection`
    // (over `layers`) are not owned and must outlive the panel.
    RooflinePanel(InferenceController* controller, LayerTableModel* layers, QItemSelectionModel* selection,
                  QWidget* parent = nullptr);

    // Shows `data` (what rooflineMeasured delivers; tests may build it from the core).
    void set_data(const RooflineData& data);

    RooflineChart* chart() const { return chart_; }
    QPushButton* measure_button() const { return measure_; }
    bool measuring() const { return measuring_; }
    // The paragraph beside the chart and the one-line state above it, as plain text.
    QString explanation_text() const;
    QString state_text() const;

    // Wide enough for the chart's legend and axis titles beside the layer table.
    QSize sizeHint() const override;

protected:
    void showEvent(QShowEvent* event) override;

private:
    void measure_if_needed();
    void request(bool remeasure_peaks);
    void on_configured(const ModelStatus& status);
    void on_failed(const QString& message);
    void sync_highlight();
    void select_layer(int layer);
    void update_state();
    void update_explanation();
    // The configuration the worker runs now (0: none yet, or it failed).
    quint64 configured_generation() const;

    InferenceController* controller_;
    LayerTableModel* layers_;
    QItemSelectionModel* selection_;
    RooflineChart* chart_ = nullptr;
    QLabel* state_ = nullptr;
    QLabel* explanation_ = nullptr;
    QPushButton* measure_ = nullptr;
    std::optional<RooflineData> data_;
    bool measuring_ = false;
    quint64 requested_generation_ = 0;
    QString failure_;
};

}  // namespace studio
