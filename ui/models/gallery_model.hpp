// GalleryModel: the images opened in this session (files, pasted or dropped images, video
// snapshots), one row each, newest last. Every entry keeps its decoded pixels, so
// selecting it again classifies it without touching the disk.
// Threading: GUI thread (the pixels may be decoded anywhere, then handed to add()).
#pragma once

#include <QAbstractListModel>
#include <QIcon>
#include <QImage>

#include <opencv2/core.hpp>

#include <vector>

namespace studio {

class GalleryModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole,   // quint64, unique in this model, never 0
        PathRole,                // QString, empty for pasted images and snapshots
        ThumbnailRole,           // QImage, at most thumbnail_side() device pixels
        ImageRole,               // QImage of the decoded picture, full size
    };
    struct Entry {
        quint64 id = 0;
        QString name;
        QString path;
        cv::Mat bgr;       // 8-bit BGR, never modified once added
        QImage thumbnail;
        QIcon icon;        // the thumbnail centred on a square canvas (what the strip paints)
    };

    explicit GalleryModel(QObject* parent = nullptr);

    // Side of the square icons, in device-independent pixels (the strip's choice).
    void set_thumbnail_side(int side) { thumbnail_side_ = side; }
    int thumbnail_side() const { return thumbnail_side_; }

    // Appends an entry and returns its id. A null `thumbnail` is made from `bgr` at
    // thumbnail_side() × `device_pixel_ratio`.
    quint64 add(const QString& name, const QString& path, const cv::Mat& bgr, QImage thumbnail,
                qreal device_pixel_ratio);
    // nullptr when no entry has that id.
    const Entry* find(quint64 id) const;
    int row_of(quint64 id) const;  // -1 when absent
    quint64 id_at(int row) const;  // 0 when out of range
    std::size_t size() const { return entries_.size(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    std::vector<Entry> entries_;
    quint64 next_id_ = 0;
    int thumbnail_side_ = 64;
};

}  // namespace studio
