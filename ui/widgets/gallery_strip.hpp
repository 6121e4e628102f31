// GalleryStrip: a horizontal strip of thumbnails over a list model whose rows carry an
// id (the GalleryModel: opened images and video snapshots). Selecting one emits its id;
// the page shows it large and classifies it.
// Threading: GUI thread.
#pragma once

#include <QListView>

namespace studio {

class GalleryModel;

class GalleryStrip : public QListView {
    Q_OBJECT
public:
    explicit GalleryStrip(QWidget* parent = nullptr);

    // Shows `model` and tells it the thumbnail side. Call once.
    void set_gallery_model(GalleryModel* model);
    // Thumbnail side in device-independent pixels (follows the font size).
    int thumbnail_side() const;
    void select_entry(quint64 id);
    // Brings the entry into view without selecting it (a snapshot taken while a video plays).
    void scroll_to_entry(quint64 id);
    quint64 current_entry() const;  // 0 when none
    int current_row() const;        // -1 when none
    void set_current_row(int row);  // -1 clears the current entry

    QSize sizeHint() const override;

signals:
    void entrySelected(quint64 id);

private:
    GalleryModel* gallery_ = nullptr;
};

}  // namespace studio
