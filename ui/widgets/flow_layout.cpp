#include "flow_layout.hpp"

#include <QHBoxLayout>
#include <QWidget>

#include <algorithm>

namespace studio {

FlowLayout::FlowLayout(QWidget* parent, int horizontal_spacing, int vertical_spacing)
    : QLayout(parent), hspace_(horizontal_spacing), vspace_(vertical_spacing) {
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout() {
    while (QLayoutItem* item = takeAt(0)) delete item;
}

void FlowLayout::addItem(QLayoutItem* item) { items_.append(item); }

QHBoxLayout* FlowLayout::add_group(QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    addWidget(box);
    return row;
}

int FlowLayout::count() const { return static_cast<int>(items_.size()); }
QLayoutItem* FlowLayout::itemAt(int index) const { return index >= 0 && index < count() ? items_.at(index) : nullptr; }
QLayoutItem* FlowLayout::takeAt(int index) { return index >= 0 && index < count() ? items_.takeAt(index) : nullptr; }

Qt::Orientations FlowLayout::expandingDirections() const { return {}; }
bool FlowLayout::hasHeightForWidth() const { return true; }
int FlowLayout::heightForWidth(int width) const { return arrange(QRect(0, 0, width, 0), false); }

QSize FlowLayout::minimumSize() const {
    QSize size;
    for (const QLayoutItem* item : items_) {
        if (!item->isEmpty()) size = size.expandedTo(item->minimumSize());
    }
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const {
    int width = 0, height = 0, shown = 0;
    for (const QLayoutItem* item : items_) {
        if (item->isEmpty()) continue;
        const QSize s = item->sizeHint();
        width += s.width() + (shown++ ? hspace_ : 0);
        height = std::max(height, s.height());
    }
    const QMargins m = contentsMargins();
    return {width + m.left() + m.right(), height + m.top() + m.bottom()};
}

void FlowLayout::setGeometry(const QRect& rect) {
    QLayout::setGeometry(rect);
    arrange(rect, true);
}

int FlowLayout::arrange(const QRect& rect, bool apply) const {
    const QRect area = rect.marginsRemoved(contentsMargins());
    int x = area.x(), y = area.y(), line_height = 0;
    int lines = 0;
    // Items of one line, centred vertically on it once its height is known.
    QList<QLayoutItem*> line;
    const auto finish_line = [&] {
        if (apply) {
            int lx = area.x();
            for (QLayoutItem* item : line) {
                const QSize s = item->sizeHint();
                const int width = std::min(s.width(), area.width());  // an item alone on a short line
                item->setGeometry(QRect(lx, y + (line_height - s.height()) / 2, width, s.height()));
                lx += width + hspace_;
            }
        }
        line.clear();
    };
    for (QLayoutItem* item : items_) {
        if (item->isEmpty()) continue;
        const QSize s = item->sizeHint();
        if (!line.isEmpty() && x + s.width() > area.right() + 1) {
            finish_line();
            y += line_height + vspace_;
            x = area.x();
            line_height = 0;
        }
        if (line.isEmpty()) ++lines;
        line.append(item);
        x += s.width() + hspace_;
        line_height = std::max(line_height, s.height());
    }
    finish_line();
    if (apply) lines_ = lines;
    const QMargins m = contentsMargins();
    return y + line_height - rect.y() + m.bottom();
}

}  // namespace studio
