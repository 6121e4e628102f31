// NativeResolutionBadge: a clearly coloured badge saying that pretrained weights run at an
// input resolution other than the one they were trained at ("⚠ 160 px input · weights
// trained at 224 px"), shown beside the resolution slider and the model line. Hidden when
// the weights run at their own resolution, or when there are no pretrained weights.
// Threading: GUI thread.
#pragma once

#include <QLabel>

namespace studio {

class NativeResolutionBadge : public QLabel {
    Q_OBJECT
public:
    explicit NativeResolutionBadge(QWidget* parent = nullptr);

    // `pretrained`: real weights are in use; `native_resolution`: the side they were
    // released at (0: unknown); `running_resolution`: the input side the network runs at.
    void show_for(bool pretrained, int native_resolution, int running_resolution);
    // Whether the badge says "away from native" now (it may still be hidden by its parent).
    bool off_native() const { return off_native_; }

private:
    bool off_native_ = false;
};

}  // namespace studio
