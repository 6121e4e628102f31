// GalleryStrip: a horizontal strip of thumbnails of the opened images (and video
// snapshots). Selecting one shows it large and classifies it.
// Threading: GUI thread.
#pragma once

#include <QImage>
#include <QListWidget>

namespace studio {

class GalleryStrip : public QListWidget {
    Q_OBJECT
public:
    explicit GalleryStrip(QWidget* parent = nullptr);

    // Thumbnail side in device-independent pixels (follows the font size).
    int thumbnail_side() const;
    void add_entry(quint64 id, const QString& name, const QImage& thumb, const QString& tooltip);
    void select_entry(quint64 id);
    quint64 current_entry() const;  // 0 when none
    quint64 entry_at(int row) const;

    QSize sizeHint() const override;

signals:
    void entrySelected(quint64 id);
};

}  // namespace studio
