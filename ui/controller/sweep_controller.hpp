// SweepController: the GUI thread's door to sweeps. Owns the SweepWorker's thread, starts
// one sweep at a time with a fresh CancelToken, forwards the worker's queued signals, and
// keeps timings fair: a live video or camera is paused while a sweep times (through the
// InferenceController, the live source's owner) and resumed afterwards if it was running.
// Fills in what the page does not know: the discovered models (weights for accuracy) and
// the cache directory (<CacheLocation>/sweep).
//
// Threading: GUI thread only; its signals are emitted on the GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "mobilenet/sweep.hpp"

class QThread;

namespace studio {

class InferenceController;
class SweepWorker;

class SweepController : public QObject {
    Q_OBJECT
public:
    // `live` (may be null in tests) provides the models and the live source to pause.
    explicit SweepController(InferenceController* live, QObject* parent = nullptr);
    ~SweepController() override;  // cancels a running sweep and joins the thread

    // Starts a sweep of `config` (models and cache_dir are filled in when empty).
    // Returns false when one is already running.
    bool start(mnv1::SweepConfig config);
    void cancel();
    bool running() const { return static_cast<bool>(token_); }
    bool live_video_paused() const { return paused_live_; }
    static QString cache_dir();

signals:
    void started(int total);
    void pointFinished(const mnv1::SweepPoint& point);
    void progressed(int done, int total, const QString& stage);
    // The sweep ended (also after failed()).
    void finished(int points, bool cancelled);
    void failed(const QString& message);
    void liveVideoPausedChanged(bool paused);

private:
    void end_sweep();

    InferenceController* live_ = nullptr;
    QThread* thread_ = nullptr;
    SweepWorker* worker_ = nullptr;
    std::shared_ptr<mnv1::CancelToken> token_;  // set while a sweep runs
    bool paused_live_ = false;                  // we paused the live source
};

}  // namespace studio
