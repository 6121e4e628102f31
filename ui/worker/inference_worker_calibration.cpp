// InferenceWorker: post-training int8 calibration of the current float model.
#include "inference_worker.hpp"

#include <QFileInfo>

#include "mobilenet/errors.hpp"

namespace studio {

void InferenceWorker::calibrate(const studio::CalibrationRequest& request) {
    CalibrationResult result;
    result.id = request.id;
    result.folder = request.folder;
    try {
        if (!current_weights_) throw mnv1::Error({}, tr("no network is set up to calibrate").toStdString());
        const std::shared_ptr<const mnv1::ModelWeights> weights = current_weights_;
        result.weightsName = weights->origin == mnv1::WeightsOrigin::Random
                                 ? tr("random weights (α %1)").arg(weights->alpha)
                                 : QFileInfo(QString::fromStdString(weights->source)).fileName();
        if (mnv1::can_run_int8(*weights)) {
            throw mnv1::Error(weights->source, tr("this uint8 release runs int8 with its own quantization; "
                                                  "only float models need calibration")
                                                   .toStdString());
        }
        emit progress(tr("Calibrating int8 on %1…").arg(request.folder));
        const std::vector<std::string> images = mnv1::calibration_images(request.folder.toStdString());
        if (images.empty()) {
            throw mnv1::Error(request.folder.toStdString(), tr("no images in this folder").toStdString());
        }
        if (!runtime_) runtime_ = std::make_unique<mnv1::Runtime>(16);
        mnv1::CalibrationOptions options;
        options.max_images = request.maxImages;
        // Ranges from the configuration that will run them.
        options.resolution = current_.resolution;
        options.threads = current_.threads;
        options.crop = current_.crop;
        const mnv1::CalibratedModel model = mnv1::calibrate_int8(
            *runtime_, weights, images, options,
            [&](const mnv1::CalibrationProgress& p) { emit calibrationProgress(request.id, p.done, p.total); },
            request.cancel.get());
        for (const std::string& s : model.skipped) result.skipped << QString::fromStdString(s);
        if (model.cancelled || !model.weights) {
            result.cancelled = true;
        } else {
            // A recalibration replaces the earlier one: its compiled int8 networks leave the cache.
            if (auto old = calibrated_.find(weights.get()); old != calibrated_.end()) runtime_->evict(old->second.weights);
            calibrated_[weights.get()] = {model.weights, model.images};
            result.images = model.images;
            result.ok = true;
        }
    } catch (const std::exception& e) {
        result.error = QString::fromUtf8(e.what());
    }
    emit calibrated(result);
}

}  // namespace studio
