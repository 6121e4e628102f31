// EvaluationWorker: measures accuracy over a labelled folder off the GUI thread. It owns
// its own mnv1::Runtime and, per evaluation, one batched ExecutionContext, so live
// classification on the InferenceWorker goes on undisturbed (both share the CPU).
//
// Threading:
//  - Construct it on any thread, then moveToThread() a dedicated QThread; the Runtime is
//    created lazily on that thread. Destroy it there (deleteLater on finished()).
//  - evaluate() is only invoked through queued connections / QMetaObject::invokeMethod.
//  - cancel_through() is thread-safe: the GUI calls it to stop the running job (it is
//    checked after every file) and to make queued ones return at once.
#pragma once

#include <QObject>

#include <atomic>
#include <memory>
#include <string>

#include "evaluation_types.hpp"

namespace mnv1 {
class Runtime;
struct ModelWeights;
}  // namespace mnv1

namespace studio {

class EvaluationWorker : public QObject {
    Q_OBJECT
public:
    // Images per forward pass: amortizes the per-pass overhead over several images.
    static constexpr int kBatch = 8;
    // Progress signals are at least this far apart (at most 10 per second).
    static constexpr int kProgressIntervalMs = 100;

    explicit EvaluationWorker(QObject* parent = nullptr);
    ~EvaluationWorker() override;

    // Any thread. Jobs up to and including `job` stop at the next file (or never start).
    void cancel_through(quint64 job);

    // Registers the value types used in this class's signals (idempotent; any thread).
    static void register_metatypes();

public slots:
    // Finds the ground truth (truthFound), classifies every matched image (progressed),
    // then emits finished(), cancelled() or failed().
    void evaluate(const studio::EvaluationRequest& request);

signals:
    void truthFound(const studio::EvaluationTruth& truth);
    void progressed(const studio::EvaluationProgress& progress);
    void finished(const studio::EvaluationReport& report);
    void cancelled(quint64 job, int done, int total);
    // One line for the user: unreadable folder, no ground truth, unloadable model, ...
    void failed(quint64 job, const QString& message);

private:
    bool is_cancelled(quint64 job) const { return job <= cancelled_through_.load(); }
    std::shared_ptr<const mnv1::ModelWeights> weights_for(const std::string& path);

    std::atomic<quint64> cancelled_through_{0};
    std::unique_ptr<mnv1::Runtime> runtime_;              // created on the worker thread
    std::shared_ptr<const mnv1::ModelWeights> weights_;   // the last model evaluated
};

}  // namespace studio
