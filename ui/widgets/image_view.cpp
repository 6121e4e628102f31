#include "image_view.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

#include "worker/image_convert.hpp"

namespace studio {

namespace {

// The heat map is computed at most this large; the painter scales it up smoothly.
constexpr int kMaxHeatmapSide = 384;

}  // namespace

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(tr("Image being classified"));
}

void ImageView::set_image(const QImage& image, bool keep_annotations) {
    image_ = image;
    if (!keep_annotations) {
        crop_ = {};
        crop_caption_.clear();
        cam_ = cv::Mat();
        heatmap_ = {};
    }
    update();
}

void ImageView::clear() {
    set_image({});
    overlay_.clear();
    update();
}

void ImageView::set_crop(const QRect& crop, const QString& caption) {
    const bool resized = crop.size() != crop_.size();
    crop_ = crop;
    crop_caption_ = caption;
    if (resized && !cam_.empty()) set_activation(cam_);  // the heat map has the crop's aspect
    update();
}

void ImageView::set_activation(const cv::Mat& cam) {
    cam_ = cam;
    heatmap_ = {};
    if (!cam_.empty() && crop_.isValid()) {
        const double scale =
            std::min(1.0, static_cast<double>(kMaxHeatmapSide) / std::max(crop_.width(), crop_.height()));
        const QSize size(std::max(1, static_cast<int>(crop_.width() * scale)),
                         std::max(1, static_cast<int>(crop_.height() * scale)));
        heatmap_ = activation_heatmap(cam_, size);
    }
    update();
}

void ImageView::set_activation_visible(bool visible) {
    activation_visible_ = visible;
    update();
}

void ImageView::set_activation_opacity(double opacity) {
    activation_opacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

void ImageView::set_overlay(const QStringList& lines) {
    if (lines == overlay_) return;
    overlay_ = lines;
    update();
}

void ImageView::set_placeholder(const QString& text) {
    placeholder_ = text;
    update();
}

QSize ImageView::sizeHint() const {
    const int h = fontMetrics().height();
    return {h * 40, h * 30};
}

QSize ImageView::minimumSizeHint() const {
    const int h = fontMetrics().height();
    return {h * 12, h * 9};
}

QRectF ImageView::image_target() const {
    if (image_.isNull()) return {};
    const double margin = fontMetrics().height() / 2.0;
    const QRectF area = QRectF(rect()).adjusted(margin, margin, -margin, -margin);
    if (area.width() <= 0 || area.height() <= 0) return {};
    const double scale = std::min(area.width() / image_.width(), area.height() / image_.height());
    const QSizeF size(image_.width() * scale, image_.height() * scale);
    return {area.center().x() - size.width() / 2, area.center().y() - size.height() / 2, size.width(),
            size.height()};
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    // A neutral dark surround, as in photo viewers: it flatters every picture equally.
    p.fillRect(rect(), QColor(0x2a, 0x2c, 0x30));
    const QFontMetrics fm = fontMetrics();

    if (image_.isNull()) {
        p.setPen(QColor(0xc8, 0xcc, 0xd2));
        const int m = fm.height() * 2;
        p.drawText(rect().adjusted(m, m, -m, -m), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }

    const QRectF target = image_target();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(target, image_);

    const double sx = target.width() / image_.width();
    const double sy = target.height() / image_.height();
    const QRectF crop_on_screen = crop_.isValid()
        ? QRectF(target.x() + crop_.x() * sx, target.y() + crop_.y() * sy, crop_.width() * sx, crop_.height() * sy)
        : QRectF();

    if (activation_visible_ && !heatmap_.isNull() && crop_on_screen.isValid()) {
        p.setOpacity(activation_opacity_);
        p.drawImage(crop_on_screen, heatmap_);
        p.setOpacity(1.0);
    }

    if (crop_on_screen.isValid()) {
        p.setRenderHint(QPainter::Antialiasing);
        const QRectF r = crop_on_screen.adjusted(1, 1, -1, -1);
        // Dark under-stroke + light dashes: visible on bright and dark pictures alike.
        p.setPen(QPen(QColor(0, 0, 0, 150), 3.0));
        p.drawRect(r);
        QPen dash(QColor(255, 255, 255, 230), 1.5, Qt::DashLine);
        p.setPen(dash);
        p.drawRect(r);
        if (!crop_caption_.isEmpty()) {
            QFont f = font();
            f.setPointSizeF(f.pointSizeF() * 0.9);
            p.setFont(f);
            const QFontMetrics cfm(f);
            const int pad = cfm.height() / 4;
            QRectF box(r.left() + 1, r.top() + 1, cfm.horizontalAdvance(crop_caption_) + pad * 2, cfm.height() + pad);
            box.setWidth(std::min(box.width(), r.width() - 2));
            p.fillRect(box, QColor(0, 0, 0, 150));
            p.setPen(Qt::white);
            p.drawText(box.adjusted(pad, 0, -pad, 0), Qt::AlignVCenter | Qt::AlignLeft,
                       cfm.elidedText(crop_caption_, Qt::ElideRight, static_cast<int>(box.width()) - pad * 2));
            p.setFont(font());
        }
    }

    if (!overlay_.isEmpty()) {
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        const QFontMetrics ofm(f);
        const int pad = ofm.height() / 2;
        int w = 0;
        for (const QString& line : overlay_) w = std::max(w, ofm.horizontalAdvance(line));
        // Bottom-left: the crop caption owns the top-left corner.
        const double box_h = ofm.lineSpacing() * overlay_.size() + pad * 2 - ofm.leading();
        const QRectF box(target.left() + pad, std::max(target.top(), target.bottom() - pad - box_h), w + pad * 2, box_h);
        QPainterPath path;
        path.addRoundedRect(box, pad / 2.0, pad / 2.0);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillPath(path, QColor(0, 0, 0, 170));
        p.setPen(Qt::white);
        for (int i = 0; i < overlay_.size(); ++i) {
            p.drawText(QPointF(box.left() + pad, box.top() + pad + ofm.ascent() + i * ofm.lineSpacing()), overlay_[i]);
        }
    }
}

}  // namespace studio
