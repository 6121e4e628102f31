#include "inference_worker.hpp"

#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <mutex>

#include "common/display_format.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/errors.hpp"
#include "image_convert.hpp"
#include "mobilenet/labeled_folder.hpp"

namespace studio {

namespace {

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
        qRegisterMetaType<studio::CalibrationRequest>();
        qRegisterMetaType<studio::CalibrationResult>();
        qRegisterMetaType<studio::RooflineData>();
        qRegisterMetaType<studio::SeparableSpeedup>();
        qRegisterMetaType<studio::FeatureMapRequest>();
        qRegisterMetaType<studio::FeatureMapResult>();
        qRegisterMetaType<studio::LatencyMeasurement>();
    });
}

void InferenceWorker::raise_to(std::atomic<quint64>& latest, quint64 value) {
    quint64 cur = latest.load();
    while (cur < value && !latest.compare_exchange_weak(cur, value)) {
    }
}

void InferenceWorker::supersede_before(quint64 generation) { raise_to(latest_generation_, generation); }

void InferenceWorker::supersede_images_before(quint64 request_id) { raise_to(latest_image_request_, request_id); }

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

std::optional<mnv1::ModelEntry> InferenceWorker::release_for(double alpha, int resolution) const {
    std::vector<mnv1::ModelEntry> releases;
    std::copy_if(catalog_.models.begin(), catalog_.models.end(), std::back_inserter(releases),
                 [](const mnv1::ModelEntry& m) { return m.quantized; });
    const mnv1::ModelEntry* entry = mnv1::pick_model(releases, alpha, resolution);
    return entry ? std::optional<mnv1::ModelEntry>(*entry) : std::nullopt;
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
    if (request.precision != mnv1::PrecisionChoice::F32) {
        // int8 and auto prefer the α's uint8 release: it runs int8 with its own quantization,
        // where a float model would need calibrating first.
        if (const std::optional<mnv1::ModelEntry> entry = release_for(alpha, resolution)) {
            return load_weights(entry->path, QString::fromStdString(entry->display_name));
        }
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

void InferenceWorker::configure(const studio::ModelRequest& request) {
    if (stale(request.generation)) return;  // a newer configuration is already queued
    ModelStatus status;
    status.request = request;
    ctx_ = nullptr;
    exec_.reset();
    configured_ = false;
    current_ = request;
    current_weights_.reset();
    try {
        if (!runtime_) runtime_ = std::make_unique<mnv1::Runtime>(16);
        const auto float_weights = weights_for(request);
        current_weights_ = float_weights;
        mnv1::NetworkConfig cfg;
        cfg.resolution = request.resolution;
        cfg.batch = 1;
        // Automatic threads: start at the policy's pick for the machine's load right now.
        cfg.threads = request.threads > 0 ? request.threads : thread_policy_.choose().threads;
        cfg.precision = resolve_precision(request, float_weights, cfg, status);
        const auto weights = cfg.precision == mnv1::Precision::Int8 ? status.int8Weights : float_weights;
        status.wasCached = runtime_->is_cached(weights, cfg);
        if (!status.wasCached) {
            emit progress(tr("Building network %1 (%2)…")
                              .arg(config_name(request.alpha, request.resolution), status.precisionDetail));
        }
        mnv1::NetworkConfig base = cfg;
        base.threads = request.threads;  // 0: the policy picks per pass, from cfg.threads' pick on
        exec_ = std::make_unique<mnv1::AdaptiveExecution>(*runtime_, weights, base, thread_policy_);
        ctx_ = &exec_->select();
        const mnv1::CompiledNetwork& net = ctx_->network();
        configured_ = true;
        status.buildMs = net.build_ms();
        status.threads = net.threads();
        status.precision = QString::fromUtf8(mnv1::to_string(net.config().precision));
        status.implementations = net.implementations();
        std::fill(ctx_->input(), ctx_->input() + ctx_->input_floats(), 0.0f);
        // A short median: enough for the panel, short enough that a slider move stays live.
        status.latencyPasses = status.wasCached ? 2 : 4;
        status.latencyMs = mnv1::benchmark_forward(*ctx_, {.warmup_runs = 1, .runs = status.latencyPasses}).median_ms;

        const mnv1::ModelWeights& w = net.weights();
        status.pretrained = net.pretrained();
        status.numClasses = net.num_classes();
        status.weightsKind = weights_kind(w);
        if (w.quantized && net.config().precision == mnv1::Precision::Int8) {
            status.weightsKind = QStringLiteral("%1 uint8").arg(QString::fromUtf8(mnv1::to_string(w.origin)));
        }
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
        ctx_ = nullptr;
        exec_.reset();
        configured_ = false;
        status.error = QString::fromUtf8(e.what());
    }
    emit configured(status);
}

std::shared_ptr<const mnv1::ModelWeights> InferenceWorker::int8_weights_for(
    const std::shared_ptr<const mnv1::ModelWeights>& weights, QString* source) const {
    if (mnv1::can_run_int8(*weights)) {
        *source = tr("released uint8");
        return weights;
    }
    if (auto it = calibrated_.find(weights.get()); it != calibrated_.end()) {
        *source = it->second.images == 0   ? tr("synthetic calibration (latency only)")
                  : it->second.images == 1 ? tr("calibrated on 1 image")
                                           : tr("calibrated on %1 images").arg(it->second.images);
        return it->second.weights;
    }
    source->clear();
    return nullptr;
}

mnv1::Precision InferenceWorker::resolve_precision(const ModelRequest& request,
                                                   const std::shared_ptr<const mnv1::ModelWeights>& weights,
                                                   const mnv1::NetworkConfig& cfg, ModelStatus& status) {
    if (weights->origin == mnv1::WeightsOrigin::Random && request.precision != mnv1::PrecisionChoice::F32 &&
        !calibrated_.count(weights.get())) {
        // Random weights predict nothing, so images would add nothing: int8 of them is for
        // its latency, on ranges from synthetic images (as the CLI's bench and sweep do).
        // A calibration on a folder (Calibrate int8…) replaces it.
        emit progress(tr("Calibrating random weights on synthetic images (int8 latency only)…"));
        mnv1::CalibrationOptions options;
        options.resolution = request.resolution;
        options.threads = request.threads;
        try {
            const mnv1::CalibratedModel model = mnv1::calibrate_int8(*runtime_, weights, {}, options);
            if (model.weights) calibrated_[weights.get()] = {model.weights, 0};
        } catch (const std::exception& e) {
            // Not fatal: fp32 runs and the precision panel says int8 is not available.
            emit progress(tr("Synthetic calibration failed: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    status.int8Weights = int8_weights_for(weights, &status.int8Source);
    status.floatWeights = !mnv1::can_run_int8(*weights);
    if (status.floatWeights && request.modelPath.isEmpty()) {  // what weights_for would load for int8
        if (const auto entry = release_for(request.alpha, request.resolution)) {
            status.int8Release = QString::fromStdString(entry->display_name);
        }
    }
    const auto detail_of = [&](mnv1::Precision p) {
        return p == mnv1::Precision::Int8 ? tr("int8 · %1").arg(status.int8Source) : tr("fp32");
    };
    if (request.precision == mnv1::PrecisionChoice::Auto && status.int8Weights) {
        emit progress(tr("Timing fp32 against int8 for %1…").arg(config_name(request.alpha, request.resolution)));
    }
    const auto d = mnv1::resolve_precision(*runtime_, request.precision, weights, status.int8Weights, cfg);
    if (!d) {
        // int8 asked for float weights not calibrated yet: run fp32 rather than nothing
        // (images, video and a restart with int8 saved keep working), and say so loudly;
        // the precision panel shows why and the way to int8.
        status.precisionDetail = tr("fp32 (int8 not available)");
        return mnv1::Precision::F32;
    }
    const mnv1::Precision chosen = d->precision;
    if (request.precision == mnv1::PrecisionChoice::Auto) {
        const bool int8 = chosen == mnv1::Precision::Int8;
        if (!status.int8Weights) {
            status.autoDecision = tr("auto → fp32: int8 not available (float weights, not calibrated)");
        } else if (d->measured) {
            status.autoDecision = tr("auto → %1: %2 vs %3 %4")
                                      .arg(int8 ? tr("int8") : tr("fp32"), format_ms(int8 ? d->int8_ms : d->f32_ms),
                                           int8 ? tr("fp32") : tr("int8"), format_ms(int8 ? d->f32_ms : d->int8_ms));
        } else {
            status.autoDecision = tr("auto → %1: %2").arg(detail_of(chosen), QString::fromStdString(d->reason));
        }
    }
    status.precisionDetail = detail_of(chosen);
    return chosen;
}

ClassifyResult InferenceWorker::run_classification(const cv::Mat& bgr, int labelled1000) {
    const QString thread_reason = adapt_threads();
    const mnv1::Classification c = mnv1::classify(*ctx_, {bgr}, current_.crop, 5).front();
    ClassifyResult r;
    r.generation = current_.generation;
    r.alpha = current_.alpha;
    r.resolution = current_.resolution;
    r.pretrained = ctx_->network().pretrained();
    r.crop = c.crop;
    r.latencyMs = c.latency_ms;
    r.preprocessMs = c.preprocess_ms;
    r.threads = ctx_->network().threads();
    r.threadReason = thread_reason;
    if (r.pretrained) {
        r.top = c.top;
        // Maps for all five so clicking another class in the GUI needs no round trip;
        // each is a 7x7x1024 dot product, negligible next to the forward pass.
        std::vector<int> classes;
        for (const mnv1::Prediction& p : r.top) classes.push_back(p.index);
        const int num_classes = ctx_->network().num_classes();
        const int labelled = mnv1::imagenet_class_in(labelled1000, num_classes);
        if (labelled >= 0) {
            r.labelledRank = mnv1::class_rank(ctx_->probabilities(), num_classes, labelled);
            if (r.labelledRank <= static_cast<int>(r.top.size())) {
                r.labelledRow = r.labelledRank - 1;
            } else {  // ranks lower: a sixth row, with its map, so the GUI can show where it looked
                r.top.push_back(mnv1::prediction_of(ctx_->probabilities(), labelled, ctx_->network().weights().labels));
                classes.push_back(labelled);
                r.labelledRow = static_cast<int>(r.top.size()) - 1;
                r.labelledBelow = true;
            }
        }
        r.cams = mnv1::class_activation_maps(*ctx_, classes);
    }
    return r;
}

void InferenceWorker::classify_image(const studio::ClassifyRequest& request) {
    if (stale(request.generation) || request.requestId < latest_image_request_.load()) return;
    if (!configured_ || request.generation != current_.generation) return;  // configure failed
    try {
        ClassifyResult r = run_classification(request.bgr, request.labelled1000);
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

LayerTiming InferenceWorker::time_layers(quint64 generation) {
    LayerTiming t;
    t.generation = generation;
    t.passes = kLayerProfilePasses;
    // On the input of the last classification (or the blank timing input). One plain pass
    // first, so the first profiled pass does not pay for cold caches.
    ctx_->forward();
    mnv1::ProfiledForward p = mnv1::profile_layers_and_forward(*ctx_, t.passes);
    t.steps = std::move(p.steps);
    t.implementations = ctx_->network().implementations();
    t.totalMs = p.steps_ms;
    t.coverage = p.coverage;
    t.profiledPassMs = p.profiled_pass.median_ms;
    t.forwardMs = p.forward.median_ms;
    return t;
}

void InferenceWorker::profile_layers(quint64 generation) {
    if (stale(generation) || !configured_ || generation != current_.generation) return;
    try {
        const LayerTiming t = time_layers(generation);
        emit layersProfiled(t);
        // A roofline already shown for these roofs gets the same times: the Layers table and
        // the Roofline never quote two different measurements. Not at int8: the roofs are
        // f32 ones (measure_roofline says so when asked).
        if (roofline_applies() && last_peaks_ && last_peaks_->threads == ctx_->network().threads()) {
            emit rooflineMeasured(roofline_of(t, *last_peaks_));
        }
    } catch (const std::exception& e) {
        emit requestFailed(generation, QString::fromUtf8(e.what()));
    }
}

}  // namespace studio
