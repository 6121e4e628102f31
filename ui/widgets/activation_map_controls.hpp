// ActivationMapControls: everything about the class activation map overlay in one place
// under the top-5: the one show/hide toggle (a check box that mirrors a QAction, so the
// View menu, its Ctrl+M and this box are the same switch), the colour legend of the heat
// map (the colormap bar from low to high activation) and the overlay's opacity.
// Threading: GUI thread.
#pragma once

#include <QColor>
#include <QImage>
#include <QWidget>

class QAction;
class QCheckBox;
class QLabel;
class QSlider;

namespace studio {

// The heat map's colour scale drawn as a horizontal bar (the same colormap as
// activation_heatmap()), labelled "low" at the left and "high" at the right.
class ColormapLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColormapLegend(QWidget* parent = nullptr);
    // The bar's colour at `fraction` (0 = lowest activation, 1 = highest).
    QColor color_at(double fraction) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage ramp_;  // 256 x 1, from the colormap
};

class ActivationMapControls : public QWidget {
    Q_OBJECT
public:
    explicit ActivationMapControls(QWidget* parent = nullptr);

    // The action that shows / hides the map (checkable). The check box follows it both ways;
    // the previous action is let go. Not owned.
    void set_action(QAction* action);
    QAction* action() const { return action_; }
    QCheckBox* check_box() const { return check_; }

    // Opacity of the overlay on top of the heat map's own per-pixel alpha, 0..1 (1 = as
    // computed). Clamped; opacityChanged() follows a change by the user or by this setter.
    void set_opacity(double opacity);
    double opacity() const;
    QSlider* opacity_slider() const { return opacity_; }
    ColormapLegend* legend() const { return legend_; }

    // Whether there is a map to show (predictions on screen): the controls are greyed without.
    void set_available(bool available);

signals:
    void opacityChanged(double opacity);

private:
    QAction* action_ = nullptr;
    QCheckBox* check_ = nullptr;
    ColormapLegend* legend_ = nullptr;
    QSlider* opacity_ = nullptr;
    QLabel* opacity_value_ = nullptr;
};

}  // namespace studio
