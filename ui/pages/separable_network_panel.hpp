// SeparableNetworkPanel: the whole network both ways, a side view of the Layers page.
// The paper's Table 4 for the current α and resolution (mult-adds and parameters of the
// network with full 3×3 convolutions and of MobileNet, computed by the core's cost model,
// with the published 1.0-224 figures beside them, labelled as published), the latency of
// both networks measured here (InferenceController::request_standard_conv_measurement:
// interleaved rounds, a few seconds; "Measure both", and automatically the first time the
// panel is shown for a configuration), the predicted speed-up (mult-add ratio) beside the
// measured one, and why they differ (GFLOP/s reached, arithmetic intensity: the roofline).
// It lives in pages/ because it talks to the controller.
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include <optional>

#include "mobilenet/arch.hpp"
#include "worker/separable_types.hpp"

class QGridLayout;
class QLabel;
class QPushButton;

namespace studio {

class InferenceController;
class LayerTableModel;

class SeparableNetworkPanel : public QWidget {
    Q_OBJECT
public:
    // `controller` and `layers` are not owned and must outlive the panel.
    SeparableNetworkPanel(InferenceController* controller, LayerTableModel* layers, QWidget* parent = nullptr);

    // Asks the controller to time both networks of the configuration shown (ignored while
    // a measurement runs or before a network is configured).
    void measure();
    bool measuring() const { return measuring_; }
    const mnv1::NetworkCostComparison& costs() const { return costs_; }
    // The measurement of the configuration shown, if any.
    const std::optional<SeparableSpeedup>& measurement() const { return measurement_; }

    // Plain text of the table cell at (row, column) of the comparison grid (row 0: headings)
    // and of the explanation, for tests.
    QString cell_text(int row, int column) const;
    QString explanation_text() const;
    QPushButton* measure_button() const { return measure_; }

signals:
    // A measurement for the configuration shown arrived and is displayed.
    void measured(const studio::SeparableSpeedup& result);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void on_configuration();
    void on_measured(const SeparableSpeedup& result);
    void maybe_measure_automatically();
    void update_view();
    QLabel* cell(int row, int column);

    InferenceController* controller_ = nullptr;
    LayerTableModel* layers_ = nullptr;
    mnv1::NetworkCostComparison costs_;
    mnv1::ArchConfig arch_;
    std::optional<SeparableSpeedup> measurement_;
    bool measuring_ = false;
    quint64 auto_measured_generation_ = 0;  // the automatic measurement runs once per configuration

    QLabel* heading_ = nullptr;
    QGridLayout* grid_ = nullptr;
    QPushButton* measure_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* explanation_ = nullptr;
};

}  // namespace studio
