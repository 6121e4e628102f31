#include "marked_slider.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionSlider>

#include <algorithm>

namespace studio {

MarkedSlider::MarkedSlider(int minimum, int maximum, QWidget* parent) : QWidget(parent) {
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setRange(minimum, maximum);
    slider_->setPageStep(std::max(1, (maximum - minimum) / 8));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void MarkedSlider::set_marks(const QList<Mark>& marks) {
    marks_ = marks;
    update();
}

QSize MarkedSlider::sizeHint() const {
    const QSize s = slider_->sizeHint();
    return {std::max(s.width(), fontMetrics().height() * 18), s.height() + fontMetrics().height() * 3 / 2};
}

QSize MarkedSlider::minimumSizeHint() const {
    const QSize s = slider_->minimumSizeHint();
    return {std::max(s.width(), fontMetrics().height() * 8), s.height() + fontMetrics().height() * 3 / 2};
}

void MarkedSlider::resizeEvent(QResizeEvent*) {
    slider_->setGeometry(0, 0, width(), slider_->sizeHint().height());
}

int MarkedSlider::x_for_value(int value) const {
    QStyleOptionSlider opt;
    opt.initFrom(slider_);
    opt.orientation = Qt::Horizontal;
    opt.minimum = slider_->minimum();
    opt.maximum = slider_->maximum();
    opt.sliderPosition = slider_->sliderPosition();
    opt.sliderValue = slider_->value();
    opt.rect = slider_->rect();
    const QRect groove = slider_->style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderGroove, slider_);
    const QRect handle = slider_->style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, slider_);
    const int span = groove.width() - handle.width();
    return slider_->x() + groove.x() + handle.width() / 2 +
           QStyle::sliderPositionFromValue(opt.minimum, opt.maximum, value, span);
}

void MarkedSlider::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int top = slider_->geometry().bottom() + 1;
    const QFontMetrics fm = fontMetrics();
    const int tick = fm.height() / 4;
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    // Emphasized marks claim their label space first; a label that would touch one
    // already drawn keeps only its tick.
    QList<Mark> order = marks_;
    std::stable_sort(order.begin(), order.end(), [](const Mark& a, const Mark& b) { return a.emphasized && !b.emphasized; });
    QList<QRect> taken;
    drawn_labels_.clear();
    for (const Mark& m : order) {
        const int x = x_for_value(m.value);
        f.setBold(m.emphasized);
        p.setFont(f);
        const QFontMetrics mfm(f);
        const QColor color = m.emphasized ? palette().color(QPalette::Highlight) : palette().color(QPalette::PlaceholderText);
        p.setPen(color);
        p.drawLine(x, top, x, top + tick);
        const int w = mfm.horizontalAdvance(m.text);
        // Keep end labels inside the widget instead of clipping them.
        const int left = std::clamp(x - w / 2, 0, std::max(0, width() - w));
        const QRect box(left, top + tick, w + 1, mfm.height());
        const QRect spaced = box.adjusted(-mfm.horizontalAdvance(' ') / 2, 0, mfm.horizontalAdvance(' ') / 2, 0);
        if (std::any_of(taken.begin(), taken.end(), [&](const QRect& r) { return r.intersects(spaced); })) continue;
        taken.push_back(spaced);
        drawn_labels_.push_back({spaced, m.value});
        p.drawText(box, Qt::AlignCenter, m.text);
    }
}

void MarkedSlider::mousePressEvent(QMouseEvent* event) {
    // A mark's label is a target: clicking "1.0" sets 1.0 (a click on the groove only steps).
    const QPoint at = event->position().toPoint();
    for (const auto& [box, value] : drawn_labels_) {
        if (box.adjusted(0, -2, 0, 2).contains(at)) {
            slider_->setValue(value);
            slider_->setFocus(Qt::MouseFocusReason);
            return;
        }
    }
    QWidget::mousePressEvent(event);
}

int MarkedSlider::mark_label_x(int value) const {
    for (const auto& [box, v] : drawn_labels_) {
        if (v == value) return box.center().x();
    }
    return -1;
}

}  // namespace studio
