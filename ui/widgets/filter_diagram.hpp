// FilterShapeDiagram: the three filter banks of one convolution drawn to one scale, so a
// student sees what a depthwise separable convolution replaces (paper, Figure 2):
//   standard   N filters, each Dk x Dk x M
//   depthwise  M filters, each Dk x Dk x 1 (one per input channel)
//   pointwise  N filters, each 1 x 1 x M
// Every filter is a box of weights (one small cube = one weight, the same size in all three
// panels). Long channel axes are cut after a readable length (marked with a zigzag and the
// full count), and a bank of many filters shows a few of them with "× N"; the numbers on
// each panel (count, shape, weights, mult-adds) are exact. Under the boxes, two bars compare
// the mult-adds of the standard and of the separable convolution to scale.
// The numbers come from mnv1::compare_conv_costs (the core's cost model).
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include "mobilenet/arch.hpp"

namespace studio {

class FilterShapeDiagram : public QWidget {
    Q_OBJECT
public:
    enum class Highlight { All, Standard, Depthwise, Pointwise };

    explicit FilterShapeDiagram(QWidget* parent = nullptr);

    // Kernel side dk, input channels m, output channels n, output feature-map side df (all
    // >= 1; smaller values are clamped to 1). Repaints.
    void set_shapes(int dk, int m, int n, int df);
    // Draws one bank in colour and greys the others (All: every bank in colour).
    void set_highlight(Highlight highlight);

    Highlight highlight() const { return highlight_; }
    const mnv1::ConvCostComparison& costs() const { return costs_; }
    // The lines printed under one bank (Standard, Depthwise or Pointwise), for tests and
    // accessibility; All gives the scale note.
    QStringList caption(Highlight bank) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    mnv1::ConvCostComparison costs_;
    Highlight highlight_ = Highlight::All;
};

// What separating saves, said right either way: "8.7× fewer", or "2.1 % more" when the
// separable form costs more (Dk = 1: the depthwise step only adds work).
QString separable_saving_text(const mnv1::ConvCostComparison& c);

}  // namespace studio
