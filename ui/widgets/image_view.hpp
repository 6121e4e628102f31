// ImageView: paints the image being classified, scaled to fit, with the rectangle the
// network sees (its input crop) outlined, the class activation map blended over that
// crop as a heat map, and an optional text overlay (live FPS / latency).
// Threading: GUI thread.
#pragma once

#include <QImage>
#include <QRect>
#include <QStringList>
#include <QWidget>

#include <opencv2/core.hpp>

namespace studio {

class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    // The picture to show. Keeps the crop / activation of the previous image only when
    // keep_annotations is true (consecutive video frames); otherwise clears them.
    void set_image(const QImage& image, bool keep_annotations = false);
    void clear();
    const QImage& image() const { return image_; }

    // The network's input crop in image pixels, and its caption ("network input 224 × 224").
    void set_crop(const QRect& crop, const QString& caption);
    QRect crop() const { return crop_; }

    // Class activation map (feature_h x feature_w CV_32F) for the current crop; an empty
    // Mat removes it. The heat map is recomputed here, once per call.
    void set_activation(const cv::Mat& cam);
    bool has_activation() const { return !heatmap_.isNull(); }
    void set_activation_visible(bool visible);
    bool activation_visible() const { return activation_visible_; }
    // Extra opacity factor on top of the heat map's own alpha, 0..1.
    void set_activation_opacity(double opacity);
    double activation_opacity() const { return activation_opacity_; }

    // Lines drawn in a translucent box in the top-left corner (empty: none).
    void set_overlay(const QStringList& lines);
    const QStringList& overlay() const { return overlay_; }
    // Text shown centred when there is no image.
    void set_placeholder(const QString& text);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QRectF image_target() const;  // where the image lands inside the widget

    QImage image_;
    QRect crop_;
    QString crop_caption_;
    cv::Mat cam_;
    QImage heatmap_;
    bool activation_visible_ = true;
    double activation_opacity_ = 1.0;  // the heat map carries its own per-pixel alpha
    QStringList overlay_;
    QString placeholder_;
};

}  // namespace studio
