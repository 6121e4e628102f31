// InferenceWorker's feature-map slots: the Feature maps tab's extraction, on the worker
// thread, on an extractor (its own ExecutionContext with kept activations) that exists
// only while the view is open, so live classification neither waits for nor pays for it.
#include <chrono>

#include "worker/inference_worker.hpp"

namespace studio {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

void InferenceWorker::supersede_feature_requests_before(quint64 request_id) {
    raise_to(latest_feature_request_, request_id);
}

void InferenceWorker::extract_feature_maps(const studio::FeatureMapRequest& request) {
    if (stale(request.generation) || request.requestId < latest_feature_request_.load()) return;
    if (!configured_ || request.generation != current_.generation || request.bgr.empty()) return;
    const auto t0 = Clock::now();
    try {
        // A new configuration means a new compiled network: the old extractor (and the
        // network it keeps alive) goes. A change of thread count alone (automatic threads
        // switching ctx_) computes the same maps, so the extractor stays.
        if (features_) {
            mnv1::NetworkConfig kept = features_->network().config(), live = ctx_->network().config();
            kept.threads = live.threads = 0;
            if (kept != live || features_->network().weights_ptr() != ctx_->network().weights_ptr()) features_.reset();
        }
        if (!features_) {
            features_image_.release();
            features_ = std::make_unique<mnv1::FeatureMapExtractor>(ctx_->network_ptr());
            holds_feature_maps_ = true;
        }
        const mnv1::CompiledNetwork& net = features_->network();
        const auto& layers = net.layers();
        if (request.layer < 0 || request.layer >= static_cast<int>(layers.size())) {
            throw std::out_of_range(tr("no layer %1 in this network").arg(request.layer).toStdString());
        }

        FeatureMapResult r;
        r.generation = request.generation;
        r.requestId = request.requestId;
        r.imageId = request.imageId;
        r.resolution = net.config().resolution;
        r.pretrained = net.pretrained();
        // The worker holds a reference to the last image, so equal pixel pointers mean the
        // same, unmodified image (a freed buffer cannot be reused while referenced).
        const bool same_image = features_->has_run() && request.imageId == features_image_id_ &&
                                request.bgr.data == features_image_.data && request.crop == features_crop_;
        if (!same_image) {
            features_->run(request.bgr, request.crop);
            r.ranForward = true;
            features_image_ = request.bgr;
            features_image_id_ = request.imageId;
            features_crop_ = request.crop;
        }

        const mnv1::Classification& c = features_->last_run();
        r.forwardMs = c.preprocess_ms + c.latency_ms;
        if (r.pretrained) r.top = c.top;
        r.layer = layers[static_cast<std::size_t>(request.layer)];
        r.activation = features_->activation(request.layer);
        r.channelRanges = mnv1::channel_ranges(r.activation);
        r.layerRange = mnv1::value_range(r.activation.hwc);
        if (request.withInput) r.input = features_->input();
        // What this layer's filters read: the previous layer's output (conv0 reads the input).
        if (r.layer.kind == mnv1::LayerKind::ConvFull || r.layer.kind == mnv1::LayerKind::Depthwise ||
            r.layer.kind == mnv1::LayerKind::Pointwise) {
            r.previous = request.layer == 0 ? (request.withInput ? r.input : features_->input())
                                            : features_->activation(request.layer - 1);
        }
        if (r.layer.kind == mnv1::LayerKind::Depthwise) r.depthwise = mnv1::depthwise_filters(net.weights(), r.layer);
        // Full-convolution slices only where they are few (conv0 reads 3 channels).
        if (r.layer.kind == mnv1::LayerKind::ConvFull && r.layer.in_c <= 3) r.full = mnv1::full_conv_filters(net.weights(), r.layer);
        if (r.layer.kind == mnv1::LayerKind::Pointwise) r.pointwise = mnv1::pointwise_weights(net.weights(), r.layer);
        r.extractMs = ms_since(t0);
        emit featureMapsReady(r);
    } catch (const std::exception& e) {
        emit requestFailed(request.generation, QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::release_feature_maps() {
    features_.reset();
    features_image_.release();
    features_image_id_ = 0;
    holds_feature_maps_ = false;
    emit featureMapsReleased();
}

}  // namespace studio
