#include "frame_source.hpp"

#include <QFileInfo>
#include <QThread>

#include <opencv2/videoio.hpp>

#include "common/path_check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace studio {

namespace {

using Clock = std::chrono::steady_clock;

QString camera_device(int index) { return QStringLiteral("/dev/video%1").arg(index); }

}  // namespace

SourceSpec SourceSpec::camera(int index) {
    SourceSpec s;
    s.kind = Kind::Camera;
    s.camera_index = index;
    return s;
}

SourceSpec SourceSpec::file(const QString& path, Pacing pacing, bool loop) {
    SourceSpec s;
    s.kind = Kind::File;
    s.path = path;
    s.pacing = pacing;
    s.loop = loop;
    return s;
}

QString SourceSpec::display_name() const {
    if (kind == Kind::Camera) return QObject::tr("Camera %1").arg(camera_device(camera_index));
    return QFileInfo(path).fileName();
}

FrameSource::FrameSource(SourceSpec spec, quint64 session, std::shared_ptr<LatestFrameSlot> slot, QObject* parent)
    : QObject(parent), spec_(std::move(spec)), session_(session), slot_(std::move(slot)), loop_(spec_.loop) {}

FrameSource::~FrameSource() { stop(); }

void FrameSource::start() {
    if (thread_) return;
    stop_ = false;
    thread_ = QThread::create([this] { run(); });
    thread_->setObjectName(QStringLiteral("FrameSource"));
    thread_->start();
}

void FrameSource::stop() {
    if (!thread_) return;
    stop_ = true;
    thread_->wait();
    delete thread_;
    thread_ = nullptr;
}

bool FrameSource::running() const { return thread_ && thread_->isRunning(); }

void FrameSource::set_paused(bool paused) { paused_ = paused; }

void FrameSource::run() {
    cv::VideoCapture cap;
    const bool camera = spec_.kind == SourceSpec::Kind::Camera;
    const QString name = spec_.display_name();
    if (camera) {
        const QString dev = camera_device(spec_.camera_index);
        if (!QFileInfo::exists(dev)) {
            emit failed(tr("No camera at %1: the device does not exist. Connect a camera, or open a video "
                           "file instead (File → Open Video…).")
                            .arg(dev));
            return;
        }
        try {
            cap.open(spec_.camera_index, cv::CAP_V4L2);
        } catch (const cv::Exception&) {
        }
        if (!cap.isOpened()) {
            emit failed(tr("Cannot open %1: it is busy (used by another program) or not a video capture "
                           "device.")
                            .arg(dev));
            return;
        }
    } else {
        // Never hand a FIFO or a device to FFmpeg: its open() would block this thread.
        if (const QString problem = regular_file_problem(spec_.path); !problem.isEmpty()) {
            emit failed(tr("Cannot open the video %1: %2").arg(spec_.path, problem));
            return;
        }
        // FFmpeg, then OpenCV's own MJPEG reader, by name. Not CAP_ANY: it would accept a
        // single image as an "image sequence", and on a file nothing opens it would probe
        // GStreamer (an error message per file where its uridecodebin plugin is missing)
        // and the camera backends (gphoto2 scans the USB bus and keeps its device lists).
        for (const int backend : {cv::CAP_FFMPEG, cv::CAP_OPENCV_MJPEG}) {
            try {
                if (cap.open(spec_.path.toStdString(), backend)) break;
            } catch (const cv::Exception&) {
            }
        }
        if (!cap.isOpened()) {
            emit failed(tr("Cannot open %1 as a video: unsupported or corrupt file.").arg(name));
            return;
        }
    }

    double fps = cap.get(cv::CAP_PROP_FPS);
    if (!(fps > 0.5 && fps < 1000.0)) fps = 30.0;  // files without a usable rate play at 30
    const QSize size(static_cast<int>(cap.get(cv::CAP_PROP_FRAME_WIDTH)),
                     static_cast<int>(cap.get(cv::CAP_PROP_FRAME_HEIGHT)));
    if (!camera) {
        const double frames = cap.get(cv::CAP_PROP_FRAME_COUNT);
        if (frames > 0 && frames < 1e9) duration_s_ = frames / fps;
    }
    emit opened(name, fps, size);

    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / fps));
    auto next_due = Clock::now();
    quint64 index = 0;
    quint64 frames_this_pass = 0;
    int camera_failures = 0;
    cv::Mat frame;

    while (!stop_) {
        bool deliver_while_paused = false;
        if (const double target = seek_to_s_.exchange(-1.0); !camera && target >= 0) {
            // By frame number: exact for the intra-only files this reads, and what OpenCV's
            // FFmpeg backend seeks most reliably.
            const double frame_no = std::floor(std::min(target, std::max(0.0, duration_s_.load() - 0.5 / fps)) * fps);
            cap.set(cv::CAP_PROP_POS_FRAMES, frame_no);
            next_due = Clock::now();
            deliver_while_paused = paused_;
        }
        if (paused_ && !deliver_while_paused) {
            // A paused camera keeps grabbing so the picture is current when it resumes.
            if (camera) cap.grab();
            else std::this_thread::sleep_for(std::chrono::milliseconds(20));
            next_due = Clock::now();
            continue;
        }
        bool ok = false;
        try {
            ok = cap.read(frame) && !frame.empty();
        } catch (const cv::Exception&) {
            ok = false;
        }
        if (!ok) {
            if (camera) {
                // A few failed reads in a row: the camera was unplugged or taken away.
                if (++camera_failures >= 5) {
                    emit failed(tr("%1 stopped delivering frames (unplugged or taken by another program).")
                                    .arg(name));
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            if (frames_this_pass == 0) {
                emit failed(tr("%1 contains no frame that can be decoded.").arg(name));
                return;
            }
            if (!loop_) {
                emit finished();
                return;
            }
            frames_this_pass = 0;
            if (!cap.set(cv::CAP_PROP_POS_FRAMES, 0)) {
                cap.release();
                cap.open(spec_.path.toStdString(), cv::CAP_FFMPEG);
            }
            continue;
        }
        camera_failures = 0;
        ++frames_this_pass;
        if (!camera) {
            const double pos_frames = cap.get(cv::CAP_PROP_POS_FRAMES);  // the next frame's number
            position_s_ = pos_frames > 0 ? (pos_frames - 1) / fps : 0.0;
        }

        if (!camera && spec_.pacing == SourceSpec::Pacing::AsConsumed) {
            // Wait (in short steps, so stop() stays responsive) until the worker took the last frame.
            while (!stop_ && !slot_->wait_until_empty(std::chrono::milliseconds(50))) {
            }
            if (stop_) break;
        }

        Frame f;
        f.bgr = frame.clone();  // VideoCapture may reuse its buffer for the next read
        f.session = session_;
        f.index = index++;
        f.captured = Clock::now();
        if (slot_->put(std::move(f))) emit frameAvailable();

        if (!camera && spec_.pacing == SourceSpec::Pacing::RealTime) {
            next_due += period;
            const auto now = Clock::now();
            if (next_due < now - 2 * period) next_due = now;  // fell behind (decode hiccup): do not burst
            while (!stop_ && Clock::now() < next_due) {
                std::this_thread::sleep_for(std::min<Clock::duration>(next_due - Clock::now(),
                                                                       std::chrono::milliseconds(20)));
            }
        }
    }
}

}  // namespace studio
