#include "gallery_model.hpp"

#include <QPainter>
#include <QPixmap>

#include <algorithm>

#include "worker/image_convert.hpp"

namespace studio {

namespace {

// Every thumbnail sits centred on a square transparent canvas, so all items have the same
// size whatever the picture's aspect (the captions line up and are not clipped).
QIcon square_icon(const QImage& thumb, int side, qreal dpr) {
    QPixmap canvas(QSize(side, side) * dpr);
    canvas.setDevicePixelRatio(dpr);
    canvas.fill(Qt::transparent);
    if (!thumb.isNull()) {
        QPainter p(&canvas);
        const QSizeF logical = QSizeF(thumb.size()) / dpr;
        p.drawImage(QPointF((side - logical.width()) / 2, (side - logical.height()) / 2), thumb);
    }
    return QIcon(canvas);
}

}  // namespace

GalleryModel::GalleryModel(QObject* parent) : QAbstractListModel(parent) {}

quint64 GalleryModel::add(const QString& name, const QString& path, const cv::Mat& bgr, QImage thumbnail,
                          qreal device_pixel_ratio) {
    if (thumbnail.isNull()) {
        thumbnail = studio::thumbnail(bgr, static_cast<int>(thumbnail_side_ * device_pixel_ratio));
        thumbnail.setDevicePixelRatio(device_pixel_ratio);
    }
    Entry e;
    e.id = ++next_id_;
    e.name = name;
    e.path = path;
    e.bgr = bgr;
    e.icon = square_icon(thumbnail, thumbnail_side_, thumbnail.devicePixelRatio());
    e.thumbnail = std::move(thumbnail);
    const int row = static_cast<int>(entries_.size());
    beginInsertRows({}, row, row);
    entries_.push_back(std::move(e));
    endInsertRows();
    return entries_.back().id;
}

const GalleryModel::Entry* GalleryModel::find(quint64 id) const {
    const int row = row_of(id);
    return row < 0 ? nullptr : &entries_[static_cast<std::size_t>(row)];
}

int GalleryModel::row_of(quint64 id) const {
    const auto it = std::find_if(entries_.begin(), entries_.end(), [id](const Entry& e) { return e.id == id; });
    return it == entries_.end() ? -1 : static_cast<int>(it - entries_.begin());
}

quint64 GalleryModel::id_at(int row) const {
    return row >= 0 && row < rowCount() ? entries_[static_cast<std::size_t>(row)].id : 0;
}

int GalleryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Entry& e = entries_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole: return e.name;
    case Qt::DecorationRole: return e.icon;
    case Qt::ToolTipRole:
        return QStringLiteral("%1\n%2 × %3").arg(e.path.isEmpty() ? e.name : e.path).arg(e.bgr.cols).arg(e.bgr.rows);
    case Qt::TextAlignmentRole: return QVariant::fromValue(Qt::AlignHCenter | Qt::AlignTop);
    case IdRole: return QVariant::fromValue(e.id);
    case PathRole: return e.path;
    case ThumbnailRole: return e.thumbnail;
    case ImageRole: return mat_to_qimage(e.bgr);
    default: return {};
    }
}

QHash<int, QByteArray> GalleryModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "id");
    names.insert(PathRole, "path");
    names.insert(ThumbnailRole, "thumbnail");
    names.insert(ImageRole, "image");
    return names;
}

}  // namespace studio
