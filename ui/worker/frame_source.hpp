// FrameSource: one class for every live source — a camera (by V4L2 index) or a video
// file — read with OpenCV's cv::VideoCapture on the source's own thread. Frames go into
// the shared LatestFrameSlot (newest frame wins); frameAvailable() is emitted only when
// the slot was empty, so the consumer never has more than one wake-up queued.
//
// Threading: construct, start(), stop() and destroy on the GUI thread. set_paused() and
// paused() are thread-safe. Signals are emitted from the capture thread; connect them
// with the default (queued across threads) connection.
#pragma once

#include <QObject>
#include <QSize>
#include <QString>

#include <atomic>
#include <memory>

#include "latest_frame_slot.hpp"

class QThread;

namespace studio {

struct SourceSpec {
    enum class Kind { Camera, File };
    // How a file is read. Cameras always deliver at their own rate.
    enum class Pacing {
        RealTime,     // at the file's frame rate; frames the network cannot keep up with are dropped
        AsConsumed,   // next frame as soon as the previous one was taken: measures the network's FPS
    };
    Kind kind = Kind::File;
    int camera_index = 0;    // /dev/video<N>
    QString path;            // video file
    bool loop = true;        // files restart at the end (FrameSource::set_looping changes it live)
    Pacing pacing = Pacing::RealTime;

    static SourceSpec camera(int index);
    static SourceSpec file(const QString& path, Pacing pacing = Pacing::RealTime, bool loop = true);
    QString display_name() const;  // "Camera /dev/video0" or the file name
};

class FrameSource : public QObject {
    Q_OBJECT
public:
    FrameSource(SourceSpec spec, quint64 session, std::shared_ptr<LatestFrameSlot> slot,
                QObject* parent = nullptr);
    ~FrameSource() override;  // stops the capture thread and waits for it

    void start();
    // Asks the capture loop to end and waits for it (a camera read returns within a frame).
    void stop();
    void set_paused(bool paused);
    bool paused() const { return paused_.load(); }
    bool running() const;
    // Files only (thread-safe): whether the end restarts at the beginning; the file's
    // length and the position of the frame read last, in seconds (0 until known or for a
    // camera); a seek to `seconds` done by the capture loop before its next frame (also
    // while paused: that frame is delivered, so the picture follows the slider).
    void set_looping(bool loop) { loop_ = loop; }
    bool looping() const { return loop_.load(); }
    double duration_s() const { return duration_s_.load(); }
    double position_s() const { return position_s_.load(); }
    void seek(double seconds) { seek_to_s_ = seconds < 0 ? 0.0 : seconds; }

    const SourceSpec& spec() const { return spec_; }
    quint64 session() const { return session_; }

signals:
    void opened(const QString& description, double fps, QSize frame_size);
    void frameAvailable();
    // Could not open, or stopped delivering (unplugged, busy, unreadable file): one line.
    void failed(const QString& message);
    // A file that does not loop reached its end.
    void finished();

private:
    void run();  // the capture loop, on thread_

    SourceSpec spec_;
    quint64 session_ = 0;
    std::shared_ptr<LatestFrameSlot> slot_;
    QThread* thread_ = nullptr;
    std::atomic<bool> stop_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> loop_{true};
    std::atomic<double> duration_s_{0.0};
    std::atomic<double> position_s_{0.0};
    std::atomic<double> seek_to_s_{-1.0};  // < 0: no seek asked for
};

}  // namespace studio
