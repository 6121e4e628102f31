#include "sweep_controller.hpp"

#include <QStandardPaths>
#include <QThread>

#include "controller/worker_thread.hpp"

#include "controller/inference_controller.hpp"
#include "worker/sweep_worker.hpp"

namespace studio {

SweepController::SweepController(InferenceController* live, QObject* parent)
    : QObject(parent), live_(live), worker_(new SweepWorker) {
    thread_ = start_worker_thread(worker_, this, QStringLiteral("SweepWorker"));
    connect(worker_, &SweepWorker::pointFinished, this, &SweepController::pointFinished);
    connect(worker_, &SweepWorker::progressed, this, &SweepController::progressed);
    connect(worker_, &SweepWorker::finished, this, [this](int points, bool cancelled) {
        end_sweep();
        emit finished(points, cancelled);
    });
    connect(worker_, &SweepWorker::failed, this, [this](const QString& message) {
        end_sweep();
        emit failed(message);
        emit finished(0, false);
    });
}

SweepController::~SweepController() {
    cancel();
    join_worker_thread(thread_);
}

QString SweepController::cache_dir() {
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/sweep");
}

bool SweepController::start(mnv1::SweepConfig config) {
    if (running()) return false;
    if (config.models.empty() && live_ && live_->model_catalog()) config.models = live_->model_catalog()->models;
    if (config.cache_dir.empty()) config.cache_dir = cache_dir().toStdString();
    // Timings taken while video runs are not fair: pause it, resume it afterwards.
    if (live_ && live_->source_running() && !live_->paused()) {
        live_->set_paused(true);
        paused_live_ = true;
        emit liveVideoPausedChanged(true);
    }
    token_ = std::make_shared<mnv1::CancelToken>();
    std::shared_ptr<const mnv1::CancelToken> token = token_;
    SweepWorker* worker = worker_;
    QMetaObject::invokeMethod(worker_, [worker, config, token] { worker->run(config, token); }, Qt::QueuedConnection);
    emit started(static_cast<int>(config.alphas.size() * config.resolutions.size()));
    return true;
}

void SweepController::cancel() {
    if (token_) token_->cancel();
}

void SweepController::end_sweep() {
    token_.reset();
    if (paused_live_) {
        paused_live_ = false;
        if (live_ && live_->source_running()) live_->set_paused(false);
        emit liveVideoPausedChanged(false);
    }
}

}  // namespace studio
