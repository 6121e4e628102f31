// EvaluationController: the GUI thread's one door to the EvaluationWorker (its own
// thread). It takes the live network's configuration from the InferenceController (the
// weights, α, resolution, threads and crop now in use), runs one evaluation at a time,
// drops signals of replaced jobs, and announces each finished evaluation as an
// EvaluationSummary (a measured point for the trade-off charts).
//
// Starting an evaluation while one runs cancels the running one (the new request is the
// user's latest wish); evaluationReplaced() says so. Before the first network is ready a
// request waits for it.
//
// Threading: GUI thread only (construct, call, destroy). Its signals are emitted on the
// GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include <optional>

#include "worker/evaluation_types.hpp"

class QThread;

namespace studio {

class EvaluationWorker;
class InferenceController;
struct ModelStatus;

class EvaluationController : public QObject {
    Q_OBJECT
public:
    explicit EvaluationController(InferenceController* inference, QObject* parent = nullptr);
    ~EvaluationController() override;  // cancels the running job, then joins the thread

    // Evaluates `folder` with the current model; `csv_path` forces a ground-truth CSV
    // (empty: the folder's own source is found). Problems come back as failed().
    void evaluate_folder(const QString& folder, const QString& csv_path = {});
    // Stops the running evaluation at the next image; cancelled() follows.
    void cancel();

    // An evaluation runs, or waits for the first network.
    bool running() const { return running_.has_value() || waiting_for_model_.has_value(); }
    // The evaluation sent to the worker and not finished yet, if any.
    const std::optional<EvaluationRequest>& running_request() const { return running_; }

    // The ground-truth CSV a folder holds (ground_truth.csv), or empty: what makes a
    // dropped folder worth offering an evaluation for.
    static QString ground_truth_csv_in(const QString& folder);

signals:
    // The evaluation of `folder` waits for the network being built.
    void waitingForModel(const QString& folder);
    // An evaluation was sent to the worker with this configuration.
    void started(const studio::EvaluationRequest& request);
    // The running evaluation of `previous_folder` was cancelled for a new one.
    void evaluationReplaced(const QString& previous_folder);
    void truthFound(const studio::EvaluationTruth& truth);
    void progressed(const studio::EvaluationProgress& progress);
    void finished(const studio::EvaluationReport& report);
    // For the trade-off charts: one measured point per finished evaluation.
    void evaluationFinished(const studio::EvaluationSummary& summary);
    void cancelled(int done, int total);
    void failed(const QString& message);

private:
    void start_worker();
    // Builds the request from the live configuration and posts it (or fails clearly).
    void dispatch(const QString& folder, const QString& csv_path);
    void on_model_configured(const ModelStatus& status);
    bool current(quint64 job) const { return running_ && running_->job == job; }

    InferenceController* inference_ = nullptr;
    QThread* worker_thread_ = nullptr;
    EvaluationWorker* worker_ = nullptr;
    quint64 last_job_ = 0;
    std::optional<EvaluationRequest> running_;
    // A folder (and CSV) asked for before the first network was ready.
    std::optional<std::pair<QString, QString>> waiting_for_model_;
};

}  // namespace studio
