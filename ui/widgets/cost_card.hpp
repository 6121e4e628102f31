// CostCardPanel: the cost of one convolution, standard against depthwise separable
// (paper, section 3.1), for the block of the layer selected in the shared layer selection
// or for values the user types (Dk, M, N, Df). Shows both formulas with the numbers
// substituted, the ratio and 1/N + 1/Dk², "x times fewer" mult-adds and parameters, and the
// three filter banks drawn to scale (FilterShapeDiagram). Every number comes from
// mnv1::compare_conv_costs.
//  - a dw or pw row shows its block (dwK + pwK: Dk 3, M = dw input channels, N = pw output
//    channels, Df = dw output side) and highlights that step in the drawing;
//  - conv0 is already a standard convolution: the card says so and shows what separating
//    it would cost; pool, fc and softmax have nothing to separate;
//  - typing in a spin box switches to the typed values until "Use selected layer".
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include "mobilenet/arch.hpp"

class QItemSelectionModel;
class QLabel;
class QPushButton;
class QSpinBox;

namespace studio {

class FilterShapeDiagram;
class LayerTableModel;

class CostCardPanel : public QWidget {
    Q_OBJECT
public:
    // `layers` and `selection` (its selection model) are not owned and must outlive the panel.
    CostCardPanel(LayerTableModel* layers, QItemSelectionModel* selection, QWidget* parent = nullptr);

    // True while the card follows the selection (false after the user typed a value).
    bool following_selection() const { return following_; }
    // Back to the selected layer (what "Use selected layer" does).
    void follow_selection();
    // The comparison shown.
    const mnv1::ConvCostComparison& shown() const { return shown_; }
    // What is shown and why ("Block 3: dw3 + pw3 …", "Your values", "conv0 is …"), plain text.
    QString source_text() const;
    // The formulas with the numbers substituted, plain text.
    QString formula_text() const;

    QSpinBox* dk_box() const { return dk_; }
    QSpinBox* m_box() const { return m_; }
    QSpinBox* n_box() const { return n_; }
    QSpinBox* df_box() const { return df_; }
    QPushButton* use_selection_button() const { return use_selection_; }
    FilterShapeDiagram* diagram() const { return diagram_; }

private:
    void show_selected_layer();
    void show_typed_values();
    void show_comparison(const mnv1::ConvCostComparison& c);
    void set_boxes(const mnv1::ConvCostComparison& c);

    LayerTableModel* layers_ = nullptr;
    QItemSelectionModel* selection_ = nullptr;
    bool following_ = true;
    mnv1::ConvCostComparison shown_;

    QLabel* source_ = nullptr;
    QSpinBox* dk_ = nullptr;
    QSpinBox* m_ = nullptr;
    QSpinBox* n_ = nullptr;
    QSpinBox* df_ = nullptr;
    QPushButton* use_selection_ = nullptr;
    QLabel* formulas_ = nullptr;
    FilterShapeDiagram* diagram_ = nullptr;
};

}  // namespace studio
