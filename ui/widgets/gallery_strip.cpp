#include "gallery_strip.hpp"

#include <QPainter>
#include <QPixmap>
#include <QScrollBar>

namespace studio {

GalleryStrip::GalleryStrip(QWidget* parent) : QListWidget(parent) {
    setViewMode(QListView::IconMode);
    setFlow(QListView::LeftToRight);
    setWrapping(false);
    setMovement(QListView::Static);
    setResizeMode(QListView::Adjust);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setUniformItemSizes(true);
    setTextElideMode(Qt::ElideMiddle);
    const int side = thumbnail_side();
    setIconSize(QSize(side, side));
    setGridSize(QSize(side + fontMetrics().height() * 2, side + fontMetrics().height() * 2));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Gallery"));
    connect(this, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item) emit entrySelected(item->data(Qt::UserRole).toULongLong());
    });
}

int GalleryStrip::thumbnail_side() const { return fontMetrics().height() * 5; }

QSize GalleryStrip::sizeHint() const {
    return {gridSize().width() * 6, gridSize().height() + horizontalScrollBar()->sizeHint().height() + frameWidth() * 2 + 4};
}

void GalleryStrip::add_entry(quint64 id, const QString& name, const QImage& thumb, const QString& tooltip) {
    // Every thumbnail sits centred on a square transparent canvas, so all items have the
    // same size whatever the picture's aspect (the captions line up and are not clipped).
    const qreal dpr = thumb.isNull() ? devicePixelRatioF() : thumb.devicePixelRatio();
    const int side = thumbnail_side();
    QPixmap canvas(QSize(side, side) * dpr);
    canvas.setDevicePixelRatio(dpr);
    canvas.fill(Qt::transparent);
    if (!thumb.isNull()) {
        QPainter p(&canvas);
        const QSizeF logical = QSizeF(thumb.size()) / dpr;
        p.drawImage(QPointF((side - logical.width()) / 2, (side - logical.height()) / 2), thumb);
    }
    auto* item = new QListWidgetItem(QIcon(canvas), name);
    item->setData(Qt::UserRole, QVariant::fromValue(id));
    item->setToolTip(tooltip);
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
    addItem(item);
    setFixedHeight(sizeHint().height());
}

void GalleryStrip::select_entry(quint64 id) {
    for (int i = 0; i < count(); ++i) {
        if (item(i)->data(Qt::UserRole).toULongLong() == id) {
            setCurrentRow(i);
            scrollToItem(item(i));
            return;
        }
    }
}

quint64 GalleryStrip::current_entry() const {
    const QListWidgetItem* it = currentItem();
    return it ? it->data(Qt::UserRole).toULongLong() : 0;
}

quint64 GalleryStrip::entry_at(int row) const {
    const QListWidgetItem* it = item(row);
    return it ? it->data(Qt::UserRole).toULongLong() : 0;
}

}  // namespace studio
