// InferenceController: "Measure again" (request and result), kept apart from
// inference_controller.cpp like the worker's side of it.
#include "inference_controller.hpp"

#include "worker/inference_worker.hpp"

namespace studio {

bool InferenceController::request_latency_measurement() {
    if (!model_status_ || !model_status_->ok) return false;
    const quint64 gen = generation_;
    const quint64 id = ++latency_request_;
    QMetaObject::invokeMethod(worker_, [w = worker_, gen, id] { w->measure_latency(gen, id); }, Qt::QueuedConnection);
    return true;
}

void InferenceController::on_latency_measured(const LatencyMeasurement& result) {
    // Measured for a configuration no longer current, or a newer measurement is coming.
    if (result.generation != generation_ || result.requestId != latency_request_) return;
    emit latencyMeasured(result);
}

}  // namespace studio
