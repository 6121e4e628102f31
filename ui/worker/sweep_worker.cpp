#include "sweep_worker.hpp"

#include <exception>

namespace studio {

// MOBILENET_HAVE_SWEEP is set by ui/CMakeLists.txt when core/src/sweep.cpp is in the tree:
// the engine lands from its own branch, and until then the app must still link.
#ifdef MOBILENET_HAVE_SWEEP
bool SweepWorker::available() { return true; }
#else
bool SweepWorker::available() { return false; }
#endif

void SweepWorker::run(const mnv1::SweepConfig& config, std::shared_ptr<const mnv1::CancelToken> cancel) {
#ifndef MOBILENET_HAVE_SWEEP
    (void)config;
    (void)cancel;
    emit failed(tr("this build has no sweep engine (mobilenet_core without sweep.cpp)"));
#else
    mnv1::SweepCallbacks callbacks;
    callbacks.point = [this](const mnv1::SweepPoint& point) { emit pointFinished(point); };
    callbacks.progress = [this](const mnv1::SweepProgress& p) {
        emit progressed(p.done, p.total, QString::fromStdString(p.stage));
    };
    try {
        const std::vector<mnv1::SweepPoint> points = mnv1::run_sweep(config, callbacks, cancel.get());
        emit finished(static_cast<int>(points.size()), cancel && cancel->cancelled);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
    }
#endif
}

}  // namespace studio
