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

void GalleryModel::set_budget_bytes(std::size_t bytes) {
    budget_bytes_ = bytes;
    release_over_budget(0);
}

std::size_t GalleryModel::retained_bytes() const {
    std::size_t sum = 0;
    for (const Entry& e : entries_) sum += pixel_bytes(e.bgr);
    return sum;
}

quint64 GalleryModel::add(const QString& name, const QString& path, const cv::Mat& bgr, QImage thumbnail,
                          qreal device_pixel_ratio, QSize size) {
    if (thumbnail.isNull()) {
        thumbnail = studio::thumbnail(bgr, static_cast<int>(thumbnail_side_ * device_pixel_ratio));
        thumbnail.setDevicePixelRatio(device_pixel_ratio);
    }
    Entry e;
    e.id = ++next_id_;
    e.name = name;
    e.path = path;
    e.bgr = bgr;
    e.size = bgr.empty() ? size : QSize(bgr.cols, bgr.rows);
    e.icon = square_icon(thumbnail, thumbnail_side_, thumbnail.devicePixelRatio());
    e.thumbnail = std::move(thumbnail);
    e.last_used = ++use_clock_;
    const int row = static_cast<int>(entries_.size());
    beginInsertRows({}, row, row);
    entries_.push_back(std::move(e));
    endInsertRows();
    const quint64 id = entries_.back().id;
    release_over_budget(id);
    return id;
}

const GalleryModel::Entry* GalleryModel::find(quint64 id) const {
    const int row = row_of(id);
    return row < 0 ? nullptr : &entries_[static_cast<std::size_t>(row)];
}

cv::Mat GalleryModel::pixels(quint64 id) {
    const int row = row_of(id);
    if (row < 0) return {};
    Entry& e = entries_[static_cast<std::size_t>(row)];
    e.last_used = ++use_clock_;
    return e.bgr;
}

void GalleryModel::retain(quint64 id, const cv::Mat& bgr) {
    const int row = row_of(id);
    if (row < 0 || bgr.empty()) return;
    Entry& e = entries_[static_cast<std::size_t>(row)];
    e.bgr = bgr;
    e.size = QSize(bgr.cols, bgr.rows);
    e.last_used = ++use_clock_;
    release_over_budget(id);
}

void GalleryModel::set_label(quint64 id, int labelled1000, const QString& source) {
    const int row = row_of(id);
    if (row < 0) return;
    Entry& e = entries_[static_cast<std::size_t>(row)];
    e.labelled1000 = labelled1000;
    e.label_source = labelled1000 >= 0 ? source : QString();
}

void GalleryModel::release_over_budget(quint64 keep) {
    std::size_t retained = retained_bytes();
    while (retained > budget_bytes_) {
        Entry* oldest = nullptr;
        for (Entry& e : entries_) {
            if (e.id == keep || e.path.isEmpty() || e.bgr.empty()) continue;
            if (!oldest || e.last_used < oldest->last_used) oldest = &e;
        }
        if (!oldest) return;  // only unreleasable pixels left
        retained -= pixel_bytes(oldest->bgr);
        oldest->bgr.release();
    }
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
        return e.path.isEmpty() ? QStringLiteral("%1\n%2 × %3").arg(e.name).arg(e.size.width()).arg(e.size.height())
                                : QStringLiteral("%1\n%2\n%3 × %4").arg(e.name, e.path).arg(e.size.width()).arg(e.size.height());
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
