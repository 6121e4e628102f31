#include "evaluation_controller.hpp"

#include <QDir>
#include <QFileInfo>
#include <QThread>

#include "common/display_format.hpp"
#include "controller/inference_controller.hpp"
#include "controller/worker_thread.hpp"
#include "worker/evaluation_worker.hpp"

namespace studio {

EvaluationController::EvaluationController(InferenceController* inference, QObject* parent)
    : QObject(parent), inference_(inference) {
    start_worker();
    connect(inference_, &InferenceController::modelConfigured, this, &EvaluationController::on_model_configured);
}

EvaluationController::~EvaluationController() {
    worker_->cancel_through(last_job_);  // a running evaluation stops at its next image
    join_worker_thread(worker_thread_);
}

void EvaluationController::start_worker() {
    EvaluationWorker::register_metatypes();
    worker_ = new EvaluationWorker;
    worker_thread_ = start_worker_thread(worker_, this, QStringLiteral("EvaluationWorker"));
    connect(worker_, &EvaluationWorker::truthFound, this, [this](const EvaluationTruth& t) {
        if (current(t.job)) emit truthFound(t);
    });
    connect(worker_, &EvaluationWorker::progressed, this, [this](const EvaluationProgress& p) {
        if (current(p.job)) emit progressed(p);
    });
    connect(worker_, &EvaluationWorker::finished, this, [this](const EvaluationReport& report) {
        if (!current(report.job)) return;
        running_.reset();
        emit finished(report);
        emit evaluationFinished(report.summary);
    });
    connect(worker_, &EvaluationWorker::cancelled, this, [this](quint64 job, int done, int total) {
        if (!current(job)) return;
        running_.reset();
        emit cancelled(done, total);
    });
    connect(worker_, &EvaluationWorker::failed, this, [this](quint64 job, const QString& message) {
        if (!current(job)) return;
        running_.reset();
        emit failed(message);
    });
}

QString EvaluationController::ground_truth_csv_in(const QString& folder) {
    const QFileInfo csv(QDir(folder).filePath(QStringLiteral("ground_truth.csv")));
    return csv.isFile() ? csv.absoluteFilePath() : QString();
}

void EvaluationController::evaluate_folder(const QString& folder, const QString& csv_path) {
    const QFileInfo dir(folder);
    if (!dir.isDir()) {
        emit failed(tr("%1: no such folder").arg(folder));
        return;
    }
    if (!dir.isReadable() || !dir.isExecutable()) {
        emit failed(tr("%1: this folder cannot be read").arg(folder));
        return;
    }
    if (running_) {
        const QString previous = running_->folder;
        worker_->cancel_through(running_->job);
        running_.reset();  // its late signals are dropped
        emit evaluationReplaced(previous);
    }
    waiting_for_model_.reset();
    const std::optional<ModelStatus>& status = inference_->model_status();
    // No network yet, or a new configuration is being built: evaluate what the user chose.
    if (!status || status->request.generation != inference_->generation()) {
        waiting_for_model_.emplace(dir.absoluteFilePath(), csv_path);
        emit waitingForModel(dir.absoluteFilePath());
        return;
    }
    dispatch(dir.absoluteFilePath(), csv_path);
}

void EvaluationController::cancel() {
    if (waiting_for_model_) {
        waiting_for_model_.reset();
        emit cancelled(0, 0);
    }
    if (running_) worker_->cancel_through(running_->job);  // cancelled() follows from the worker
}

void EvaluationController::on_model_configured(const ModelStatus& status) {
    if (!waiting_for_model_ || status.request.generation != inference_->generation()) return;
    const auto [folder, csv_path] = *waiting_for_model_;
    waiting_for_model_.reset();
    dispatch(folder, csv_path);
}

void EvaluationController::dispatch(const QString& folder, const QString& csv_path) {
    const ModelStatus& status = *inference_->model_status();
    if (!status.ok) {
        emit failed(tr("No network to evaluate with: %1").arg(status.error));
        return;
    }
    if (!status.pretrained) {
        emit failed(tr("α %1 has no pretrained weights here (the network runs on random weights): evaluation "
                       "needs a released model — choose one in the Model menu.")
                        .arg(format_alpha(status.request.alpha)));
        return;
    }
    EvaluationRequest request;
    request.job = ++last_job_;
    request.folder = folder;
    request.csvPath = csv_path;
    request.weightsPath = status.weightsPath;
    request.alpha = status.request.alpha;
    request.resolution = status.request.resolution;
    // The thread count the latency was measured at (automatic threads resolve to one).
    request.threads = status.threads > 0 ? status.threads : status.request.threads;
    request.crop = status.request.crop;
    request.nativeResolution = status.nativeResolution;
    request.latencyMedianMs = status.latencyMs;
    request.precision = status.precision == QLatin1String(mnv1::to_string(mnv1::Precision::Int8)) ? mnv1::Precision::Int8
                                                                                                   : mnv1::Precision::F32;
    request.precisionDetail = status.precisionDetail;
    request.int8Weights = status.int8Weights;
    running_ = request;
    emit started(request);
    QMetaObject::invokeMethod(worker_, [w = worker_, request] { w->evaluate(request); }, Qt::QueuedConnection);
}

}  // namespace studio
