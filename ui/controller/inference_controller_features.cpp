// InferenceController's feature-map requests (the Feature maps tab): the same
// generation / request-id discipline as the other requests, results of an older
// configuration or request dropped on arrival.
#include "controller/inference_controller.hpp"
#include "worker/inference_worker.hpp"

namespace studio {

void InferenceController::connect_feature_maps() {
    // Connected on first use (UniqueConnection: once), so the worker's set-up stays untouched.
    connect(worker_, &InferenceWorker::featureMapsReady, this, &InferenceController::on_feature_maps_ready,
            Qt::UniqueConnection);
    connect(worker_, &InferenceWorker::featureMapsReleased, this, &InferenceController::featureMapsReleased,
            Qt::UniqueConnection);
}

bool InferenceController::request_feature_maps(int layer, bool with_input) {
    if (!requested_ || input_.kind == Input::Kind::None || input_.bgr.empty()) return false;
    connect_feature_maps();
    FeatureMapRequest r;
    r.generation = generation_;
    r.requestId = ++feature_request_;
    r.imageId = input_.image_id;
    r.bgr = input_.bgr;
    r.crop = requested_->crop;
    r.layer = layer;
    r.withInput = with_input;
    worker_->supersede_feature_requests_before(r.requestId);
    QMetaObject::invokeMethod(worker_, [w = worker_, r] { w->extract_feature_maps(r); }, Qt::QueuedConnection);
    return true;
}

void InferenceController::release_feature_maps() {
    connect_feature_maps();
    ++feature_request_;  // whatever is still on its way is stale now
    worker_->supersede_feature_requests_before(feature_request_);
    QMetaObject::invokeMethod(worker_, [w = worker_] { w->release_feature_maps(); }, Qt::QueuedConnection);
}

bool InferenceController::worker_holds_feature_maps() const { return worker_->holds_feature_maps(); }

void InferenceController::on_feature_maps_ready(const FeatureMapResult& r) {
    if (r.generation != generation_ || r.requestId != feature_request_) return;  // stale
    emit featureMapsReady(r);
}

}  // namespace studio
