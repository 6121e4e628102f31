#include "activation_map_controls.hpp"

#include <QAction>
#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSlider>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>

#include "worker/image_convert.hpp"

namespace studio {

namespace {

// The heat map's colours, made by the heat map's own function (activation_heatmap) from a
// linear ramp of activations, so the legend cannot drift from the map; made opaque, since
// the map's own alpha only follows the activation.
QImage colormap_ramp() {
    cv::Mat ramp(1, 256, CV_32F);
    for (int i = 0; i < 256; ++i) ramp.at<float>(0, i) = static_cast<float>(i);
    QImage colors = activation_heatmap(ramp, QSize(256, 1)).convertToFormat(QImage::Format_ARGB32);
    for (int x = 0; x < colors.width(); ++x) {
        QColor c = colors.pixelColor(x, 0);
        c.setAlpha(255);
        colors.setPixelColor(x, 0, c);
    }
    return colors;
}

}  // namespace

ColormapLegend::ColormapLegend(QWidget* parent) : QWidget(parent), ramp_(colormap_ramp()) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Activation map colour legend: blue low, red high"));
    setToolTip(tr("Colour of the activation map: blue where the class's evidence is lowest in this image, "
                  "red where it is highest (scaled per image)."));
}

QColor ColormapLegend::color_at(double fraction) const {
    if (ramp_.isNull()) return {};
    const int x = std::clamp(static_cast<int>(std::lround(fraction * (ramp_.width() - 1))), 0, ramp_.width() - 1);
    return ramp_.pixelColor(x, 0);
}

QSize ColormapLegend::sizeHint() const {
    const int h = fontMetrics().height();
    return {h * 12, h * 2};
}

QSize ColormapLegend::minimumSizeHint() const {
    const int h = fontMetrics().height();
    return {h * 6, h * 2};
}

void ColormapLegend::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    const int h = fm.height();
    const QString low = tr("low"), high = tr("high");
    const int lw = fm.horizontalAdvance(low), hw = fm.horizontalAdvance(high);
    const int gap = h / 3;
    // "low [bar] high" on one line: the words stay readable at any width.
    const QRect bar(lw + gap, h / 4, std::max(1, width() - lw - hw - 2 * gap), h * 3 / 4);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    if (!isEnabled()) p.setOpacity(0.4);
    p.drawImage(bar, ramp_);
    p.setOpacity(1.0);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, QPalette::WindowText));
    p.drawText(QRect(0, 0, lw, h * 5 / 4), Qt::AlignLeft | Qt::AlignVCenter, low);
    p.drawText(QRect(width() - hw, 0, hw, h * 5 / 4), Qt::AlignRight | Qt::AlignVCenter, high);
}

ActivationMapControls::ActivationMapControls(QWidget* parent) : QWidget(parent) {
    auto* lay = new QGridLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    check_ = new QCheckBox(tr("Show class activation map"), this);
    check_->setObjectName(QStringLiteral("activationCheck"));
    check_->setChecked(true);
    check_->setToolTip(tr("Heat map of where the selected class was found; click another class above to show "
                          "its map (Ctrl+M)"));
    legend_ = new ColormapLegend(this);
    legend_->setObjectName(QStringLiteral("activationLegend"));
    auto* opacity_title = new QLabel(tr("Map &opacity"), this);
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setObjectName(QStringLiteral("activationOpacity"));
    opacity_->setRange(0, 100);
    opacity_->setPageStep(10);
    opacity_->setValue(100);
    opacity_->setAccessibleName(tr("Activation map opacity"));
    opacity_->setToolTip(tr("How strongly the map covers the photo (100 %: as computed, 10–75 % opaque "
                            "following the activation)"));
    opacity_title->setBuddy(opacity_);
    opacity_value_ = new QLabel(this);
    opacity_value_->setMinimumWidth(opacity_value_->fontMetrics().horizontalAdvance(QStringLiteral("100 %")));
    opacity_value_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    lay->addWidget(check_, 0, 0, 1, 3);
    lay->addWidget(legend_, 1, 0, 1, 3);
    lay->addWidget(opacity_title, 2, 0);
    lay->addWidget(opacity_, 2, 1);
    lay->addWidget(opacity_value_, 2, 2);
    lay->setColumnStretch(1, 1);

    connect(opacity_, &QSlider::valueChanged, this, [this](int v) {
        opacity_value_->setText(QStringLiteral("%1 %").arg(v));
        emit opacityChanged(v / 100.0);
    });
    opacity_value_->setText(QStringLiteral("%1 %").arg(opacity_->value()));
    // Until an action is set, the box is a plain toggle of its own.
    set_action(new QAction(this));
    action_->setCheckable(true);
    action_->setChecked(true);
}

void ActivationMapControls::set_action(QAction* action) {
    if (action_) {
        disconnect(action_, nullptr, this, nullptr);
        disconnect(check_, nullptr, action_, nullptr);
    }
    action_ = action;
    if (!action_) return;
    check_->setChecked(action_->isChecked());
    connect(check_, &QCheckBox::toggled, action_, &QAction::setChecked);
    connect(action_, &QAction::toggled, this, [this](bool on) {
        if (check_->isChecked() != on) check_->setChecked(on);
    });
}

void ActivationMapControls::set_opacity(double opacity) {
    if (!std::isfinite(opacity)) return;
    opacity_->setValue(static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 100.0)));
}

double ActivationMapControls::opacity() const { return opacity_->value() / 100.0; }

void ActivationMapControls::set_available(bool available) {
    check_->setEnabled(available);
    legend_->setEnabled(available);
}

}  // namespace studio
