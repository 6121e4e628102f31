// SweepWorker: runs mnv1::run_sweep off the GUI thread (it lives on the thread the
// SweepController owns) and turns its callbacks into signals, which reach GUI-thread
// receivers as queued signals. Cancellation goes through the CancelToken handed to
// run(), which the caller may cancel() from any thread.
//
// Threading: run() on the worker's own thread (invoke it queued); its signals are
// emitted on that thread. The token is the only thing shared with other threads.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "mobilenet/sweep.hpp"

namespace studio {

class SweepWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Runs the whole grid; returns when done, failed or cancelled (see the signals).
    void run(const mnv1::SweepConfig& config, std::shared_ptr<const mnv1::CancelToken> cancel);

signals:
    void pointFinished(const mnv1::SweepPoint& point);
    void progressed(int done, int total, const QString& stage);
    void finished(int points, bool cancelled);
    void failed(const QString& message);
};

}  // namespace studio
