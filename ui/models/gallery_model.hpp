// GalleryModel: the images opened in this session (files, pasted or dropped images, video
// snapshots), one row each, newest last.
//
// Memory budget: every entry keeps its thumbnail; the decoded pixels of all entries
// together stay within budget_bytes() (default kDefaultBudgetBytes = 256 MiB, e.g. seven
// 12-Mpixel photos or ~450 ImageNet-sized ones). Adding or re-retaining pixels beyond it
// releases the pixels of the entries used longest ago that have a file to decode them
// from again (pixels(id) then returns an empty Mat and the page decodes the file again,
// off the GUI thread). Pasted images and snapshots have no file: they always keep their
// pixels (and so count, but are never released).
// Threading: GUI thread (the pixels may be decoded anywhere, then handed to add()).
#pragma once

#include <QAbstractListModel>
#include <QIcon>
#include <QImage>

#include <opencv2/core.hpp>

#include <cstddef>
#include <vector>

namespace studio {

class GalleryModel : public QAbstractListModel {
    Q_OBJECT
public:
    // All retained decoded pixels (bytes of the BGR Mats) together.
    static constexpr std::size_t kDefaultBudgetBytes = std::size_t{256} << 20;

    enum Role {
        IdRole = Qt::UserRole,   // quint64, unique in this model, never 0
        PathRole,                // QString, empty for pasted images and snapshots
        ThumbnailRole,           // QImage, at most thumbnail_side() device pixels
        ImageRole,               // QImage of the decoded picture, full size; null while released
    };
    struct Entry {
        quint64 id = 0;
        QString name;
        QString path;
        cv::Mat bgr;       // 8-bit BGR, never modified once added; empty while released (budget)
        QSize size;        // the picture's size in pixels (also while its pixels are released)
        QImage thumbnail;
        QIcon icon;        // the thumbnail centred on a square canvas (what the strip paints)
        quint64 last_used = 0;  // for releasing the least recently used pixels first
        // The ImageNet class the file is labelled with (1000-class convention), and where
        // that comes from ("ground_truth.csv", "wnid in the file name"); -1 when unlabelled.
        int labelled1000 = -1;
        QString label_source;
    };

    explicit GalleryModel(QObject* parent = nullptr);

    // Side of the square icons, in device-independent pixels (the strip's choice).
    void set_thumbnail_side(int side) { thumbnail_side_ = side; }
    int thumbnail_side() const { return thumbnail_side_; }
    void set_budget_bytes(std::size_t bytes);
    std::size_t budget_bytes() const { return budget_bytes_; }
    // Bytes of decoded pixels the entries hold now (at most the budget, apart from
    // entries without a file and the one entry last added or retained).
    std::size_t retained_bytes() const;

    // Appends an entry and returns its id. A null `thumbnail` is made from `bgr` at
    // thumbnail_side() × `device_pixel_ratio`. `bgr` may be empty for an entry with a
    // `path` whose pixels the loader did not keep: then `thumbnail` and `size` are needed.
    quint64 add(const QString& name, const QString& path, const cv::Mat& bgr, QImage thumbnail,
                qreal device_pixel_ratio, QSize size = {});
    // nullptr when no entry has that id.
    const Entry* find(quint64 id) const;
    // The entry's retained pixels, marking it as just used; empty when absent or released.
    cv::Mat pixels(quint64 id);
    // Keeps freshly decoded pixels of entry `id` (after pixels() was empty), releasing
    // others to stay within the budget.
    void retain(quint64 id, const cv::Mat& bgr);
    // Records what labels entry `id` (Entry::labelled1000, Entry::label_source).
    void set_label(quint64 id, int labelled1000, const QString& source);
    int row_of(quint64 id) const;  // -1 when absent
    quint64 id_at(int row) const;  // 0 when out of range
    std::size_t size() const { return entries_.size(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    // Releases least recently used file-backed pixels (never `keep`'s) until within budget.
    void release_over_budget(quint64 keep);

    std::vector<Entry> entries_;
    quint64 next_id_ = 0;
    quint64 use_clock_ = 0;
    int thumbnail_side_ = 64;
    std::size_t budget_bytes_ = kDefaultBudgetBytes;
};

// Bytes of pixel data a decoded image holds.
inline std::size_t pixel_bytes(const cv::Mat& m) { return m.empty() ? 0 : m.total() * m.elemSize(); }

}  // namespace studio
