// InferenceController's feature-map requests (the Feature maps tab): the same
// generation / request-id discipline as the other requests, results of an older
// configuration or request dropped on arrival.
#include "controller/inference_controller.hpp"
#include "worker/inference_worker.hpp"

namespace studio {

bool InferenceController::request_feature_maps(int layer, bool with_input) {
    if (!requested_ || input_.kind == Input::Kind::None || input_.bgr.empty()) return false;
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
    ++feature_request_;  // whatever is still on its way is stale now
    feature_floor_ = feature_request_;
    worker_->supersede_feature_requests_before(feature_request_);
    QMetaObject::invokeMethod(worker_, [w = worker_] { w->release_feature_maps(); }, Qt::QueuedConnection);
}

bool InferenceController::worker_holds_feature_maps() const { return worker_->holds_feature_maps(); }

void InferenceController::on_feature_maps_ready(const FeatureMapResult& r) {
    // A result older than one already shown, or of another configuration, is stale; one of an
    // older request than the newest is still shown (newer than what is on screen): live
    // frames keep requests in flight, and insisting on the newest would starve the view.
    if (r.generation != generation_ || r.requestId <= feature_floor_) return;
    feature_floor_ = r.requestId;
    emit featureMapsReady(r);
}

}  // namespace studio
