// The grid the α and resolution sliders move on. Shared by the tuning panel, the
// controller (is α still the pinned model's?) and any view that sets the sliders.
#pragma once

namespace studio::tuning_grid {

constexpr double kAlphaStep = 0.05;
constexpr double kAlphaMin = 0.10, kAlphaMax = 1.40;
constexpr int kResolutionStep = 16;   // pixels
constexpr int kResolutionMin = 96, kResolutionMax = 320;
// The thread setting: 0 = automatic, up to twice the hardware threads (at least 4).
constexpr int max_thread_setting(int hardware_threads) {
    return hardware_threads * 2 > 4 ? hardware_threads * 2 : 4;
}
// Camera numbers offered (/dev/video0 … /dev/video63).
constexpr int kCameraMax = 63;

}  // namespace studio::tuning_grid
