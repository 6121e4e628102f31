// MarkedSlider: a horizontal QSlider with labelled marks under chosen values (e.g. the
// published α 0.25 / 0.5 / 0.75 / 1.0), drawn aligned with the handle's centre.
// Threading: GUI thread.
#pragma once

#include <QList>
#include <QPair>
#include <QRect>
#include <QSlider>
#include <QString>
#include <QWidget>

namespace studio {

class MarkedSlider : public QWidget {
    Q_OBJECT
public:
    struct Mark {
        int value = 0;
        QString text;
        bool emphasized = false;  // drawn bold in the accent colour
    };

    MarkedSlider(int minimum, int maximum, QWidget* parent = nullptr);

    QSlider* slider() const { return slider_; }
    void set_marks(const QList<Mark>& marks);
    const QList<Mark>& marks() const { return marks_; }

    // Centre of the label drawn for the mark at `value` (widget coordinates), -1 when that
    // label is not drawn (no such mark, or no room for it). Clicking it sets that value.
    int mark_label_x(int value) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    int x_for_value(int value) const;  // handle centre, in this widget's coordinates

    QSlider* slider_ = nullptr;
    QList<Mark> marks_;
    QList<QPair<QRect, int>> drawn_labels_;  // label boxes of the last paint, with their values
};

}  // namespace studio
