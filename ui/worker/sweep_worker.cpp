#include "sweep_worker.hpp"

#include <exception>

namespace studio {

void SweepWorker::run(const mnv1::SweepConfig& config, std::shared_ptr<const mnv1::CancelToken> cancel) {
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
}

}  // namespace studio
