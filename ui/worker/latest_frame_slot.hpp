// "Newest frame wins": a single mailbox between a frame producer (FrameSource's capture
// thread) and the consumer (InferenceWorker's thread). A frame that was not taken before
// the next one arrives is replaced and counted as dropped, so nothing queues up when the
// network is slower than the source.
//
// Threading: every member is thread-safe (one mutex).
#pragma once

#include <QtGlobal>

#include <opencv2/core.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace studio {

struct Frame {
    cv::Mat bgr;               // 8-bit BGR; the producer never writes it after put()
    quint64 session = 0;       // FrameSource session, to drop frames of a closed source
    quint64 index = 0;         // frame number within the session
    std::chrono::steady_clock::time_point captured;
};

class LatestFrameSlot {
public:
    // Stores `frame`, replacing an untaken one. Returns true when the slot was empty, i.e.
    // the consumer has no wake-up pending and must be notified; false when a wake-up for
    // the replaced frame is still on its way (so at most one notification is ever queued).
    bool put(Frame frame);

    // Empties the slot; nullopt when there is nothing new.
    std::optional<Frame> take();

    // Producer side pacing: blocks until the consumer has taken the pending frame (or
    // the timeout passes). Returns true when the slot is empty.
    bool wait_until_empty(std::chrono::milliseconds timeout);

    // Drops a pending frame (source closed) without counting it.
    void clear();

    bool has_frame() const;
    quint64 dropped() const;   // frames replaced before being taken
    quint64 delivered() const; // frames taken

private:
    mutable std::mutex mutex_;
    std::condition_variable taken_;
    std::optional<Frame> frame_;
    quint64 dropped_ = 0;
    quint64 delivered_ = 0;
};

}  // namespace studio
