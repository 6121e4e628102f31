#include "widgets/channel_grid.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

struct Stop {
    double t;
    int r, g, b;
};

// Viridis (matplotlib) sampled at 5 points: perceptually even and readable in grey.
constexpr Stop kSequential[] = {{0.0, 68, 1, 84}, {0.25, 59, 82, 139}, {0.5, 33, 145, 140},
                                {0.75, 94, 201, 98}, {1.0, 253, 231, 37}};
// ColorBrewer RdBu reversed: blue negative, white zero, red positive.
constexpr Stop kDiverging[] = {{0.0, 33, 102, 172}, {0.25, 103, 169, 207}, {0.5, 247, 247, 247},
                               {0.75, 239, 138, 98}, {1.0, 178, 24, 43}};

template <std::size_t N>
QRgb interpolate(const Stop (&stops)[N], double t) {
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
    std::size_t i = 1;
    while (i + 1 < N && t > stops[i].t) ++i;
    const Stop& a = stops[i - 1];
    const Stop& b = stops[i];
    const double u = (t - a.t) / (b.t - a.t);
    auto mix = [u](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * u)); };
    return qRgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
}

constexpr int kMargin = 4;
constexpr int kGap = 6;
const QColor kSelectedColor(255, 140, 0);   // orange: the selected channel
const QColor kMarkedColor(230, 40, 200);    // magenta: channels related to it

QString format_value(double v) { return QString::number(v, 'g', 3); }

}  // namespace

QRgb color_of(ColorMap map, double t) {
    return map == ColorMap::Sequential ? interpolate(kSequential, t) : interpolate(kDiverging, t);
}

// ---------------------------------------------------------------------------------------
// ColorLegend

ColorLegend::ColorLegend(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ColorLegend::set_map(ColorMap map) {
    map_ = map;
    update();
}

void ColorLegend::set_range(double low, double high) {
    low_ = low;
    high_ = high;
    update();
}

void ColorLegend::set_caption(const QString& caption) {
    caption_ = caption;
    setToolTip(caption);
    updateGeometry();  // a longer caption may need its second line
    update();
}

int ColorLegend::caption_lines() const {
    return fontMetrics().horizontalAdvance(caption_) > width() ? 2 : 1;
}

QSize ColorLegend::sizeHint() const { return {260, (2 + caption_lines()) * fontMetrics().height() + 8}; }
QSize ColorLegend::minimumSizeHint() const { return {120, sizeHint().height()}; }

void ColorLegend::resizeEvent(QResizeEvent*) {
    if (caption_lines() != laid_out_lines_) {  // only then: a new height, not a layout loop
        laid_out_lines_ = caption_lines();
        updateGeometry();
    }
}

void ColorLegend::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    const int line = fm.height();
    // A caption wider than the bar wraps onto a second line (elided only beyond that).
    const int caption_height = caption_lines() * line;
    const QRect caption_rect(0, 0, width(), caption_height);
    p.setPen(palette().color(QPalette::WindowText));
    QString caption = caption_;
    if (caption_lines() > 1 && fm.boundingRect(caption_rect, Qt::TextWordWrap, caption).height() > caption_height) {
        caption = fm.elidedText(caption, Qt::ElideRight, 2 * width() - fm.averageCharWidth() * 4);
    }
    p.drawText(caption_rect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, caption);
    const QRect bar(2, caption_height + 2, width() - 4, line);
    QLinearGradient g(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 16; ++i) g.setColorAt(i / 16.0, QColor(color_of(map_, i / 16.0)));
    p.fillRect(bar, g);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    const QRect values(2, bar.bottom() + 2, width() - 4, line);
    p.drawText(values, Qt::AlignLeft | Qt::AlignVCenter, format_value(low_));
    p.drawText(values, Qt::AlignRight | Qt::AlignVCenter, format_value(high_));
    if (low_ < 0 && high_ > 0) {
        const int x = bar.left() + static_cast<int>(bar.width() * (-low_) / (high_ - low_));
        p.drawLine(x, bar.bottom(), x, bar.bottom() + 3);
        p.drawText(QRect(x - 20, values.top(), 40, line), Qt::AlignCenter, QStringLiteral("0"));
    }
}

// ---------------------------------------------------------------------------------------
// ChannelGrid

ChannelGrid::ChannelGrid(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setFocusPolicy(Qt::ClickFocus);
}

void ChannelGrid::set_tensor(int height, int width, int channels, const std::vector<float>& hwc) {
    if (channels != channels_) {
        selected_ = -1;
        marked_.clear();
    }
    height_ = height;
    width_ = width;
    channels_ = channels;
    hwc_ = hwc;
    const std::size_t c = static_cast<std::size_t>(std::max(channels, 0));
    channel_range_.assign(c, {0.0f, 0.0f});
    min_ = max_ = 0;
    if (!hwc_.empty() && c > 0) {
        for (std::size_t i = 0; i < c; ++i) channel_range_[i] = {hwc_[i], hwc_[i]};
        for (std::size_t px = 0; px < hwc_.size(); px += c)
            for (std::size_t i = 0; i < c; ++i) {
                channel_range_[i].first = std::min(channel_range_[i].first, hwc_[px + i]);
                channel_range_[i].second = std::max(channel_range_[i].second, hwc_[px + i]);
            }
        const auto [lo, hi] = std::minmax_element(hwc_.begin(), hwc_.end());
        min_ = *lo;
        max_ = *hi;
    }
    rebuild_images();
    relayout();
}

void ChannelGrid::clear() { set_tensor(0, 0, 0, {}); }

void ChannelGrid::set_color_map(ColorMap map) {
    map_ = map;
    rebuild_images();
}

void ChannelGrid::set_normalisation(Normalisation n) {
    if (n == normalisation_) return;
    normalisation_ = n;
    rebuild_images();
}

void ChannelGrid::set_symmetric(bool symmetric) {
    symmetric_ = symmetric;
    rebuild_images();
}

void ChannelGrid::set_tile_size(int pixels) {
    tile_ = std::clamp(pixels, kMinTile, kMaxTile);
    relayout();
}

void ChannelGrid::set_label_prefix(const QString& prefix) {
    prefix_ = prefix;
    update();
}

void ChannelGrid::set_tile_names(const QStringList& names) {
    names_ = names;
    update();
}

void ChannelGrid::set_selected(int channel) {
    selected_ = (channel >= 0 && channel < channels_) ? channel : -1;
    update();
}

void ChannelGrid::set_marked(const std::vector<int>& channels) {
    marked_ = channels;
    update();
}

std::pair<float, float> ChannelGrid::display_range(int channel) const {
    std::pair<float, float> r{min_, max_};
    if (normalisation_ == Normalisation::PerChannel && channel >= 0 && channel < channels_) {
        r = channel_range_[static_cast<std::size_t>(channel)];
    }
    if (symmetric_) {
        const float m = std::max(std::abs(r.first), std::abs(r.second));
        r = {-m, m};
    }
    return r;
}

QImage ChannelGrid::channel_image(int channel) const {
    if (channel < 0 || channel >= static_cast<int>(images_.size())) return {};
    return images_[static_cast<std::size_t>(channel)];
}

void ChannelGrid::rebuild_images() {
    images_.clear();
    images_.reserve(static_cast<std::size_t>(std::max(channels_, 0)));
    const std::size_t c = static_cast<std::size_t>(std::max(channels_, 0));
    for (int ch = 0; ch < channels_; ++ch) {
        const auto [lo, hi] = display_range(ch);
        // A constant channel (often all zero after ReLU) is drawn at the low end.
        const double span = hi > lo ? static_cast<double>(hi) - lo : 0.0;
        QImage img(width_, height_, QImage::Format_RGB32);
        for (int y = 0; y < height_; ++y) {
            QRgb* line = reinterpret_cast<QRgb*>(img.scanLine(y));
            const float* src = hwc_.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) * c +
                               static_cast<std::size_t>(ch);
            for (int x = 0; x < width_; ++x) {
                const double v = src[static_cast<std::size_t>(x) * c];
                line[x] = color_of(map_, span > 0 ? (v - lo) / span : (symmetric_ ? 0.5 : 0.0));
            }
        }
        images_.push_back(std::move(img));
    }
    update();
}

QSize ChannelGrid::tile_pixels() const {
    if (height_ <= 0 || width_ <= 0) return {tile_, tile_};
    const int longer = std::max(height_, width_);
    return {std::max(1, tile_ * width_ / longer), std::max(1, tile_ * height_ / longer)};
}

int ChannelGrid::columns() const {
    const int tw = std::max(tile_pixels().width(), fontMetrics().horizontalAdvance(tile_label(channels_ - 1)));
    return std::max(1, (width() - 2 * kMargin + kGap) / (tw + kGap));
}

int ChannelGrid::cell_height() const { return tile_pixels().height() + fontMetrics().height() + kGap; }

QString ChannelGrid::tile_label(int channel) const {
    if (channel >= 0 && channel < names_.size()) return names_[channel];
    return prefix_ + QString::number(std::max(channel, 0));
}

QRect ChannelGrid::tile_rect(int channel) const {
    if (channel < 0 || channel >= channels_) return {};
    const int cols = columns();
    const QSize t = tile_pixels();
    const int cell_w = std::max(t.width(), fontMetrics().horizontalAdvance(tile_label(channels_ - 1))) + kGap;
    const int x = kMargin + (channel % cols) * cell_w;
    const int y = kMargin + (channel / cols) * cell_height();
    return {x, y, t.width(), t.height()};
}

int ChannelGrid::channel_at(const QPoint& pos) const {
    for (int c = 0; c < channels_; ++c) {
        const QRect r = tile_rect(c);
        if (r.adjusted(-2, -2, 2, fontMetrics().height() + 2).contains(pos)) return c;
    }
    return -1;
}

void ChannelGrid::relayout() {
    const int rows = channels_ > 0 ? (channels_ + columns() - 1) / columns() : 0;
    setMinimumHeight(2 * kMargin + rows * cell_height());
    updateGeometry();
    update();
}

QSize ChannelGrid::sizeHint() const {
    const int cols = std::clamp(channels_, 1, 8);
    const int w = 2 * kMargin + cols * (tile_pixels().width() + kGap);
    const int rows = channels_ > 0 ? (channels_ + cols - 1) / cols : 1;
    return {w, 2 * kMargin + rows * cell_height()};
}

void ChannelGrid::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

void ChannelGrid::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(backgroundRole()));
    const QSize t = tile_pixels();
    // Enlarged tiles keep their pixels square (the values, not a blur); shrunk ones average.
    p.setRenderHint(QPainter::SmoothPixmapTransform, t.width() < width_);
    const int line = fontMetrics().height();
    for (int c = 0; c < channels_; ++c) {
        const QRect r = tile_rect(c);
        const QRect cell = r.adjusted(-3, -3, 3, line + 3);
        if (!cell.intersects(event->rect())) continue;
        p.drawImage(r, images_[static_cast<std::size_t>(c)]);
        const bool selected = c == selected_;
        const bool marked = std::find(marked_.begin(), marked_.end(), c) != marked_.end();
        if (selected || marked) {
            p.setPen(QPen(selected ? kSelectedColor : kMarkedColor, 3));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r.adjusted(-2, -2, 1, 1));
        }
        p.setPen(selected ? kSelectedColor.darker(130) : palette().color(QPalette::Text));
        QFont f = font();
        f.setBold(selected);
        p.setFont(f);
        p.drawText(QRect(r.left() - kGap / 2, r.bottom() + 1, r.width() + kGap, line), Qt::AlignHCenter | Qt::AlignTop,
                   tile_label(c));
    }
}

void ChannelGrid::mousePressEvent(QMouseEvent* event) {
    const int c = channel_at(event->position().toPoint());
    if (c >= 0) emit channelClicked(c);
}

void ChannelGrid::wheelEvent(QWheelEvent* event) {
    if (!(event->modifiers() & Qt::ControlModifier)) {
        event->ignore();  // the scroll area scrolls
        return;
    }
    const int steps = event->angleDelta().y() / 120;
    if (steps != 0) emit tileSizeRequested(static_cast<int>(std::lround(tile_ * std::pow(1.25, steps))));
    event->accept();
}

// ---------------------------------------------------------------------------------------
// MatrixHeatMap

MatrixHeatMap::MatrixHeatMap(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void MatrixHeatMap::set_matrix(int rows, int cols, const std::vector<float>& values) {
    rows_ = rows;
    cols_ = cols;
    values_ = values;
    max_abs_ = 0;
    row_max_.assign(static_cast<std::size_t>(std::max(rows, 0)), 0.0f);
    std::vector<float> magnitudes(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
        magnitudes[i] = std::abs(values_[i]);
        max_abs_ = std::max(max_abs_, magnitudes[i]);
        float& rm = row_max_[i / static_cast<std::size_t>(std::max(cols, 1))];
        rm = std::max(rm, magnitudes[i]);
    }
    percentile_ = 0;
    if (!magnitudes.empty()) {
        const auto k = magnitudes.begin() + static_cast<std::ptrdiff_t>((magnitudes.size() - 1) * 99 / 100);
        std::nth_element(magnitudes.begin(), k, magnitudes.end());
        percentile_ = *k > 0 ? *k : max_abs_;
    }
    if (row_ >= rows_) row_ = -1;
    rebuild_image();
}

void MatrixHeatMap::set_scale(Scale scale) {
    if (scale == scale_) return;
    scale_ = scale;
    rebuild_image();
}

float MatrixHeatMap::color_limit(int row) const {
    if (scale_ == Scale::PerRow && row >= 0 && row < rows_) return row_max_[static_cast<std::size_t>(row)];
    return percentile_;
}

void MatrixHeatMap::rebuild_image() {
    image_ = QImage(std::max(cols_, 1), std::max(rows_, 1), QImage::Format_RGB32);
    image_.fill(palette().color(QPalette::Base));
    for (int r = 0; r < rows_; ++r) {
        QRgb* line = reinterpret_cast<QRgb*>(image_.scanLine(r));
        const float limit = scale_ == Scale::PerRow ? row_max_[static_cast<std::size_t>(r)] : percentile_;
        for (int c = 0; c < cols_; ++c) {
            const float v = values_[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols_) + static_cast<std::size_t>(c)];
            line[c] = color_of(ColorMap::Diverging, limit > 0 ? 0.5 + 0.5 * v / limit : 0.5);
        }
    }
    update();
}

void MatrixHeatMap::clear() {
    set_matrix(0, 0, {});
    image_ = QImage();
}

void MatrixHeatMap::set_highlighted_row(int row) {
    row_ = (row >= 0 && row < rows_) ? row : -1;
    update();
}

QSize MatrixHeatMap::sizeHint() const { return {320, 320}; }
QSize MatrixHeatMap::minimumSizeHint() const { return {120, 120}; }

QRectF MatrixHeatMap::target() const {
    if (rows_ <= 0 || cols_ <= 0) return {};
    const double scale = std::min(static_cast<double>(width()) / cols_, static_cast<double>(height()) / rows_);
    const QSizeF s(cols_ * scale, rows_ * scale);
    return {QPointF((width() - s.width()) / 2, (height() - s.height()) / 2), s};
}

QPoint MatrixHeatMap::cell_at(const QPointF& pos) const {
    const QRectF t = target();
    if (!t.contains(pos)) return {-1, -1};
    const int c = std::clamp(static_cast<int>((pos.x() - t.left()) / t.width() * cols_), 0, cols_ - 1);
    const int r = std::clamp(static_cast<int>((pos.y() - t.top()) / t.height() * rows_), 0, rows_ - 1);
    return {c, r};
}

void MatrixHeatMap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRectF t = target();
    if (t.isEmpty()) return;
    p.setRenderHint(QPainter::SmoothPixmapTransform, t.width() < cols_);
    p.drawImage(t, image_);
    if (row_ >= 0) {
        const double h = t.height() / rows_;
        const double y = t.top() + row_ * h;
        // At least a few pixels high so one row of 1024 stays visible.
        const QRectF band(t.left() - 3, y + h / 2 - std::max(h, 4.0) / 2 - 2, t.width() + 6, std::max(h, 4.0) + 4);
        p.setPen(QPen(kSelectedColor, 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(band);
    }
}

void MatrixHeatMap::mousePressEvent(QMouseEvent* event) {
    const QPoint cell = cell_at(event->position());
    if (cell.y() >= 0) emit rowClicked(cell.y());
}

void MatrixHeatMap::mouseMoveEvent(QMouseEvent* event) {
    const QPoint cell = cell_at(event->position());
    if (cell.x() < 0) {
        QToolTip::hideText();
        return;
    }
    const float v = values_[static_cast<std::size_t>(cell.y()) * static_cast<std::size_t>(cols_) +
                            static_cast<std::size_t>(cell.x())];
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("output channel %1 takes %2 × input channel %3").arg(cell.y()).arg(format_value(v)).arg(cell.x()),
                       this);
}

}  // namespace studio
