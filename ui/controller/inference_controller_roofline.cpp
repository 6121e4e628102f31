// InferenceController's roofline requests, beside the rest of its requests in
// inference_controller.cpp: the same queued post and the same stale-result rule.
#include "common/display_format.hpp"
#include "inference_controller.hpp"
#include "worker/inference_worker.hpp"

namespace studio {

void InferenceController::request_roofline(bool remeasure_peaks) {
    if (!requested_) return;
    const quint64 gen = generation_;
    QMetaObject::invokeMethod(worker_, [w = worker_, gen, remeasure_peaks] { w->measure_roofline(gen, remeasure_peaks); },
                              Qt::QueuedConnection);
}

void InferenceController::on_roofline_measured(const RooflineData& roofline) {
    if (roofline.generation != generation_) return;  // the configuration changed while it was measured
    emit statusMessage(tr("Roofline of %1 measured: peak %2 GFLOP/s, %3 GB/s, %4")
                           .arg(config_name(roofline.alpha, roofline.resolution))
                           .arg(roofline.peaks.peak_gflops, 0, 'f', 1)
                           .arg(roofline.peaks.bandwidth_gbs, 0, 'f', 1)
                           .arg(format_threads(roofline.threads)),
                       5000);
    emit rooflineMeasured(roofline);
}

}  // namespace studio
