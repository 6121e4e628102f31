#include "native_resolution_badge.hpp"

namespace studio {

NativeResolutionBadge::NativeResolutionBadge(QWidget* parent) : QLabel(parent) {
    setWordWrap(true);
    setObjectName(QStringLiteral("nativeResolutionBadge"));
    // The notice bar's warning colours: dark text on amber reads on light and dark themes.
    const int pad = fontMetrics().height() / 5;
    setStyleSheet(QStringLiteral("QLabel { background: #fff1c9; color: #4d3800; border: 1px solid #e8c25a; "
                                 "border-radius: %1px; padding: %1px %2px; font-weight: bold; }")
                      .arg(pad)
                      .arg(pad * 2));
    hide();
}

void NativeResolutionBadge::show_for(bool pretrained, int native_resolution, int running_resolution) {
    off_native_ = pretrained && native_resolution > 0 && running_resolution > 0 && native_resolution != running_resolution;
    if (!off_native_) {
        hide();
        return;
    }
    setText(tr("⚠ %1 px input · weights trained at %2 px").arg(running_resolution).arg(native_resolution));
    setToolTip(tr("These weights were released for %1 × %1 inputs. At %2 × %2 the network still runs, but its "
                  "accuracy is not the published one (usually lower). Move the resolution slider to a highlighted "
                  "mark to run the weights as trained.")
                   .arg(native_resolution)
                   .arg(running_resolution));
    show();
}

}  // namespace studio
