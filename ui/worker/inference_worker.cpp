#include "inference_worker.hpp"

#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "common/display_format.hpp"
#include "image_convert.hpp"

namespace studio {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

QString weights_kind(const mnv1::ModelWeights& w) {
    if (w.origin == mnv1::WeightsOrigin::Random) return QStringLiteral("random, He init");
    const QString origin = QString::fromUtf8(mnv1::to_string(w.origin));
    return w.quantized ? QStringLiteral("%1 uint8, dequantized").arg(origin)
                       : QStringLiteral("%1 float32").arg(origin);
}

}  // namespace

InferenceWorker::InferenceWorker(std::shared_ptr<LatestFrameSlot> frames, QObject* parent)
    : QObject(parent), frames_(std::move(frames)) {
    register_metatypes();
}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::register_metatypes() {
    static std::once_flag once;
    std::call_once(once, [] {
        qRegisterMetaType<studio::ModelRequest>();
        qRegisterMetaType<studio::ModelStatus>();
        qRegisterMetaType<studio::ClassifyRequest>();
        qRegisterMetaType<studio::ClassifyResult>();
        qRegisterMetaType<studio::ModelCatalog>();
        qRegisterMetaType<studio::LayerTiming>();
    });
}

void InferenceWorker::supersede_before(quint64 generation) {
    quint64 cur = latest_generation_.load();
    while (cur < generation && !latest_generation_.compare_exchange_weak(cur, generation)) {
    }
}

void InferenceWorker::supersede_images_before(quint64 request_id) {
    quint64 cur = latest_image_request_.load();
    while (cur < request_id && !latest_image_request_.compare_exchange_weak(cur, request_id)) {
    }
}

void InferenceWorker::frame_result_consumed() {
    const int left = --frames_unconsumed_;
    // Frames may have been left in the slot while the GUI was behind: wake up for them.
    if (left < kMaxFramesInFlight && frames_->has_frame()) {
        QMetaObject::invokeMethod(this, &InferenceWorker::process_latest_frame, Qt::QueuedConnection);
    }
}

void InferenceWorker::discover_models(const QStringList& dirs) {
    emit progress(dirs.isEmpty() ? tr("No model folders to search")
                                 : tr("Looking for models in %1…").arg(dirs.join(QStringLiteral(", "))));
    std::vector<std::string> d;
    for (const QString& s : dirs) d.push_back(s.toStdString());
    std::vector<std::string> problems;
    ModelCatalog catalog;
    catalog.searchDirs = dirs;
    try {
        catalog.models = mnv1::discover_models(d, &problems);
    } catch (const std::exception& e) {
        problems.push_back(e.what());
    }
    for (const std::string& p : problems) catalog.problems << QString::fromStdString(p);
    catalog.onednnVersion = QString::fromStdString(mnv1::onednn_version());
    catalog.cpuIsa = QString::fromStdString(mnv1::onednn_cpu_isa());
    catalog_ = catalog;
    emit modelsDiscovered(catalog);
}

std::shared_ptr<const mnv1::ModelWeights> InferenceWorker::load_weights(const std::string& path, const QString& name) {
    if (auto it = loaded_.find(path); it != loaded_.end()) return it->second;
    emit progress(tr("Loading %1…").arg(name));
    auto w = mnv1::load_model(path);
    loaded_[path] = w;
    return w;
}

std::shared_ptr<const mnv1::ModelWeights> InferenceWorker::weights_for(const ModelRequest& request) {
    const double alpha = request.alpha;
    const int resolution = request.resolution;
    if (!request.modelPath.isEmpty()) {
        // Pinned in the Model menu: exactly this file, whatever pick_model would prefer.
        const std::string path = request.modelPath.toStdString();
        const auto entry = std::find_if(catalog_.models.begin(), catalog_.models.end(),
                                        [&](const mnv1::ModelEntry& m) { return m.path == path; });
        auto w = load_weights(path, entry != catalog_.models.end() ? QString::fromStdString(entry->display_name)
                                                                   : QFileInfo(request.modelPath).fileName());
        if (std::fabs(w->alpha - alpha) > 1e-3) {
            throw mnv1::ModelError(path, tr("model has alpha %1, not the requested %2")
                                             .arg(format_alpha(w->alpha), format_alpha(alpha))
                                             .toStdString());
        }
        return w;
    }
    if (const mnv1::ModelEntry* entry = mnv1::pick_model(catalog_.models, alpha, resolution)) {
        return load_weights(entry->path, QString::fromStdString(entry->display_name));
    }
    // Random weights do not depend on the resolution: one set per alpha serves them all.
    const int key = static_cast<int>(std::lround(alpha * 1000.0));
    if (auto it = random_.find(key); it != random_.end()) return it->second;
    mnv1::ArchConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = resolution;
    cfg.num_classes = 1001;
    auto w = mnv1::random_weights(cfg);
    random_[key] = w;
    return w;
}

double InferenceWorker::time_forward(int runs) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        net_->forward();
        ms.push_back(ms_since(t0));
    }
    if (ms.size() > 1) ms.erase(ms.begin());  // the first run pays for cold caches
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

void InferenceWorker::configure(const studio::ModelRequest& request) {
    if (stale(request.generation)) return;  // a newer configuration is already queued
    ModelStatus status;
    status.request = request;
    status.precision = QString::fromUtf8(mnv1::to_string(mnv1::Precision::F32));
    net_ = nullptr;
    configured_ = false;
    current_ = request;
    try {
        if (!runtime_) runtime_ = std::make_unique<mnv1::Runtime>(16);
        const auto weights = weights_for(request);
        mnv1::NetworkConfig cfg;
        cfg.resolution = request.resolution;
        cfg.batch = 1;
        cfg.threads = request.threads;
        status.wasCached = runtime_->is_cached(weights, cfg);
        if (!status.wasCached) {
            emit progress(tr("Building network %1…").arg(config_name(request.alpha, request.resolution)));
        }
        mnv1::Network& net = runtime_->network(weights, cfg);
        net_ = &net;
        configured_ = true;
        status.buildMs = net.build_ms();
        std::fill(net.input(), net.input() + net.input_floats(), 0.0f);
        status.latencyMs = time_forward(status.wasCached ? 3 : 5);

        const mnv1::ModelWeights& w = net.weights();
        status.pretrained = net.pretrained();
        status.numClasses = net.num_classes();
        status.weightsKind = weights_kind(w);
        if (status.pretrained) {
            status.weightsPath = QString::fromStdString(w.source);
            status.weightsName = QFileInfo(status.weightsPath).fileName();
            if (status.weightsName.isEmpty()) status.weightsName = QString::fromStdString(w.description);
            status.nativeResolution = w.native_resolution;
        } else {
            status.weightsName = tr("random weights");
        }
        status.ok = true;
    } catch (const std::exception& e) {
        net_ = nullptr;
        configured_ = false;
        status.error = QString::fromUtf8(e.what());
    }
    emit configured(status);
}

ClassifyResult InferenceWorker::run_classification(const cv::Mat& bgr) {
    const mnv1::Classification c = mnv1::classify(*net_, {bgr}, current_.crop, 5).front();
    ClassifyResult r;
    r.generation = current_.generation;
    r.alpha = current_.alpha;
    r.resolution = current_.resolution;
    r.pretrained = net_->pretrained();
    r.crop = c.crop;
    r.latencyMs = c.latency_ms;
    r.preprocessMs = c.preprocess_ms;
    if (r.pretrained) {
        r.top = c.top;
        // Maps for all five so clicking another class in the GUI needs no round trip;
        // each is a 7x7x1024 dot product, negligible next to the forward pass.
        std::vector<int> classes;
        for (const mnv1::Prediction& p : r.top) classes.push_back(p.index);
        r.cams = mnv1::class_activation_maps(*net_, classes);
    }
    return r;
}

void InferenceWorker::classify_image(const studio::ClassifyRequest& request) {
    if (stale(request.generation) || request.requestId < latest_image_request_.load()) return;
    if (!configured_ || request.generation != current_.generation) return;  // configure failed
    try {
        ClassifyResult r = run_classification(request.bgr);
        r.requestId = request.requestId;
        r.imageId = request.imageId;
        emit imageClassified(r);
    } catch (const std::exception& e) {
        emit requestFailed(request.generation, QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::process_latest_frame() {
    if (frames_unconsumed_.load() >= kMaxFramesInFlight) return;  // GUI behind; frame_result_consumed() wakes us
    std::optional<Frame> frame = frames_->take();
    if (!frame) return;
    // With a newer configuration queued, this frame would answer for the old one: skip
    // it and let the configure() run; the source delivers the next frame soon.
    if (!configured_ || stale(current_.generation)) return;
    try {
        ClassifyResult r = run_classification(frame->bgr);
        r.fromFrame = true;
        r.sourceSession = frame->session;
        r.frameIndex = frame->index;
        r.frame = frame->bgr;
        r.frameImage = mat_to_qimage(frame->bgr);  // here, so the GUI thread only paints
        ++frames_unconsumed_;
        emit frameClassified(r);
    } catch (const std::exception& e) {
        emit requestFailed(current_.generation, QString::fromUtf8(e.what()));
    }
}

void InferenceWorker::profile_layers(quint64 generation) {
    if (stale(generation) || !configured_ || generation != current_.generation) return;
    try {
        net_->set_profiling(true);
        net_->forward();  // on the input of the last classification (or the blank timing input)
        LayerTiming t;
        t.generation = generation;
        t.steps = net_->profile();
        t.implementations = net_->implementations();
        for (const mnv1::LayerProfile& s : t.steps) t.totalMs += s.ms;
        net_->set_profiling(false);
        emit layersProfiled(t);
    } catch (const std::exception& e) {
        net_->set_profiling(false);
        emit requestFailed(generation, QString::fromUtf8(e.what()));
    }
}

}  // namespace studio
