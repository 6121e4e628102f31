#include "latest_frame_slot.hpp"

namespace studio {

bool LatestFrameSlot::put(Frame frame) {
    std::lock_guard lock(mutex_);
    const bool was_empty = !frame_.has_value();
    if (!was_empty) ++dropped_;
    frame_ = std::move(frame);
    return was_empty;
}

std::optional<Frame> LatestFrameSlot::take() {
    std::optional<Frame> out;
    {
        std::lock_guard lock(mutex_);
        out.swap(frame_);
        if (out) ++delivered_;
    }
    taken_.notify_all();
    return out;
}

bool LatestFrameSlot::wait_until_empty(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return taken_.wait_for(lock, timeout, [this] { return !frame_.has_value(); });
}

void LatestFrameSlot::clear() {
    {
        std::lock_guard lock(mutex_);
        frame_.reset();
    }
    taken_.notify_all();
}

bool LatestFrameSlot::has_frame() const {
    std::lock_guard lock(mutex_);
    return frame_.has_value();
}

quint64 LatestFrameSlot::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

quint64 LatestFrameSlot::delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
}

}  // namespace studio
