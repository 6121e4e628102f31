// InferenceController: the standard-vs-separable measurement (request and result), kept
// apart from inference_controller.cpp like the worker's side of it.
#include "inference_controller.hpp"

#include "worker/inference_worker.hpp"

namespace studio {

void InferenceController::request_standard_conv_measurement() {
    if (!requested_) return;
    const quint64 gen = generation_;
    QMetaObject::invokeMethod(worker_, [w = worker_, gen] { w->measure_standard_conv(gen); }, Qt::QueuedConnection);
}

void InferenceController::on_standard_conv_measured(const SeparableSpeedup& result) {
    if (result.generation != generation_) return;  // measured for a configuration no longer current
    emit standardConvMeasured(result);
}

}  // namespace studio
