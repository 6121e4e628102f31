#include "gallery_strip.hpp"

#include <QScrollBar>

#include "models/gallery_model.hpp"

namespace studio {

GalleryStrip::GalleryStrip(QWidget* parent) : QListView(parent) {
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
    // Cut at the front: ImageNet names put the class last ("n01484850_great_white_shark.JPEG"
    // shows "…white_shark.JPEG"), camera names their number. The tooltip has the full path.
    setTextElideMode(Qt::ElideLeft);
    const int side = thumbnail_side();
    setIconSize(QSize(side, side));
    setGridSize(QSize(side + fontMetrics().height() * 2, side + fontMetrics().height() * 2));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Gallery"));
    setFixedHeight(sizeHint().height());
}

void GalleryStrip::set_gallery_model(GalleryModel* model) {
    gallery_ = model;
    model->set_thumbnail_side(thumbnail_side());
    setModel(model);
    connect(selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& current) {
        if (current.isValid()) emit entrySelected(current.data(GalleryModel::IdRole).toULongLong());
    });
}

int GalleryStrip::thumbnail_side() const { return fontMetrics().height() * 5; }

QSize GalleryStrip::sizeHint() const {
    return {gridSize().width() * 6, gridSize().height() + horizontalScrollBar()->sizeHint().height() + frameWidth() * 2 + 4};
}

void GalleryStrip::select_entry(quint64 id) {
    const int row = gallery_ ? gallery_->row_of(id) : -1;
    if (row < 0) return;
    set_current_row(row);
    scrollTo(currentIndex());
}

void GalleryStrip::scroll_to_entry(quint64 id) {
    const int row = gallery_ ? gallery_->row_of(id) : -1;
    if (row >= 0) scrollTo(gallery_->index(row));
}

quint64 GalleryStrip::current_entry() const { return gallery_ ? gallery_->id_at(current_row()) : 0; }

int GalleryStrip::current_row() const { return currentIndex().isValid() ? currentIndex().row() : -1; }

void GalleryStrip::set_current_row(int row) { setCurrentIndex(gallery_ ? gallery_->index(row) : QModelIndex()); }

}  // namespace studio
