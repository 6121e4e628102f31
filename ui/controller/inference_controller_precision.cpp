// InferenceController: the precision setting and int8 calibration of float models.
#include <QMetaObject>

#include "controller/inference_controller.hpp"
#include "worker/inference_worker.hpp"

namespace studio {

void InferenceController::set_precision(mnv1::PrecisionChoice choice) {
    if (choice == precision_) return;
    precision_ = choice;
    emit precisionChanged(choice);
    if (catalog_) apply_configuration();  // before discovery, the first configuration carries it
}

bool InferenceController::calibrate_int8(const QString& folder, int max_images) {
    if (calibration_cancel_ || !requested_) return false;
    CalibrationRequest req;
    req.id = ++calibration_id_;
    req.folder = folder;
    req.maxImages = max_images;
    req.cancel = std::make_shared<mnv1::CancelToken>();
    calibration_cancel_ = req.cancel;
    QMetaObject::invokeMethod(worker_, [w = worker_, req] { w->calibrate(req); }, Qt::QueuedConnection);
    return true;
}

void InferenceController::cancel_calibration() {
    if (calibration_cancel_) calibration_cancel_->cancel();
}

void InferenceController::on_calibrated(const CalibrationResult& result) {
    if (result.id != calibration_id_) return;
    calibration_cancel_.reset();
    if (result.ok) {
        emit statusMessage(tr("%1 calibrated for int8 on %2 image(s)").arg(result.weightsName).arg(result.images), 6000);
        apply_configuration();  // int8 / auto now run the calibrated network
    } else {
        // The calibration dialog shows the details and stays open; the status bar's
        // "Calibrating int8 on …" must not outlive the attempt. Nothing else changed, so
        // the Classify page gets no error bar that would outlast the next image.
        emit statusMessage(result.cancelled ? tr("Calibration cancelled: nothing changed")
                                            : tr("Calibration failed: %1").arg(result.error),
                           10000);
    }
    emit calibrationFinished(result);
}

}  // namespace studio
