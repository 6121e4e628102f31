#include "inference_controller.hpp"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/display_format.hpp"
#include "common/path_check.hpp"
#include "common/tuning_grid.hpp"
#include "controller/worker_thread.hpp"
#include "worker/inference_worker.hpp"

Q_LOGGING_CATEGORY(lcStudio, "mobilenet.studio")

namespace studio {

namespace {

// Slider moves are applied this long after the last one, so dragging does not queue builds.
constexpr int kReconfigureDebounceMs = 150;
// The FPS figure is refreshed (and logged) this often while video runs, also when no
// frame arrives.
constexpr int kFpsRefreshMs = 2000;

// α values closer than this are the same α (catalog α are parsed from weights).
bool same_alpha(double a, double b) { return std::fabs(a - b) < 1e-6; }
// The tuning α has moved off `alpha` (by at least half a slider step).
bool moved_off(double tuning_alpha, double alpha) {
    return std::fabs(tuning_alpha - alpha) >= tuning_grid::kAlphaStep / 2;
}

}  // namespace

InferenceController::InferenceController(QObject* parent)
    : QObject(parent), frame_slot_(std::make_shared<LatestFrameSlot>()) {
    start_worker();
    reconfigure_timer_.setSingleShot(true);
    reconfigure_timer_.setInterval(kReconfigureDebounceMs);
    connect(&reconfigure_timer_, &QTimer::timeout, this, &InferenceController::apply_configuration);
    fps_timer_.setInterval(kFpsRefreshMs);
    connect(&fps_timer_, &QTimer::timeout, this, &InferenceController::log_fps);
    fps_timer_.start();
}

InferenceController::~InferenceController() {
    stop_source();
    if (worker_thread_) join_worker_thread(worker_thread_);
}

void InferenceController::start_worker() {
    InferenceWorker::register_metatypes();
    worker_ = new InferenceWorker(frame_slot_);
    worker_thread_ = start_worker_thread(worker_, this, QStringLiteral("InferenceWorker"));
    connect(worker_, &InferenceWorker::modelsDiscovered, this, &InferenceController::on_models_discovered);
    connect(worker_, &InferenceWorker::configured, this, &InferenceController::on_configured);
    connect(worker_, &InferenceWorker::imageClassified, this, &InferenceController::on_image_classified);
    connect(worker_, &InferenceWorker::frameClassified, this, &InferenceController::on_frame_classified);
    connect(worker_, &InferenceWorker::layersProfiled, this, &InferenceController::layersProfiled);
    connect(worker_, &InferenceWorker::requestFailed, this, &InferenceController::on_worker_failed);
    // The teaching views' requests (inference_controller_{roofline,separable,features}.cpp).
    connect(worker_, &InferenceWorker::rooflineMeasured, this, &InferenceController::on_roofline_measured);
    connect(worker_, &InferenceWorker::standardConvMeasured, this, &InferenceController::on_standard_conv_measured);
    connect(worker_, &InferenceWorker::latencyMeasured, this, &InferenceController::on_latency_measured);
    connect(worker_, &InferenceWorker::rooflineFailed, this, [this](quint64 generation, const QString& message) {
        if (generation == generation_) emit rooflineFailed(message);
    });
    connect(worker_, &InferenceWorker::standardConvFailed, this, [this](quint64 generation, const QString& message) {
        if (generation == generation_) emit standardConvFailed(message);
    });
    connect(worker_, &InferenceWorker::featureMapsReady, this, &InferenceController::on_feature_maps_ready);
    connect(worker_, &InferenceWorker::featureMapsReleased, this, &InferenceController::featureMapsReleased);
    connect(worker_, &InferenceWorker::calibrated, this, &InferenceController::on_calibrated);
    connect(worker_, &InferenceWorker::calibrationProgress, this, [this](quint64 id, int done, int total) {
        if (id == calibration_id_ && calibration_cancel_) emit calibrationProgress(done, total);
    });
    connect(worker_, &InferenceWorker::progress, this, [this](const QString& m) { emit statusMessage(m, 0); });
}

// ---------------------------------------------------------------------------------------
// Configuration

void InferenceController::discover_models(const QStringList& dirs) {
    emit modelsDiscovering();
    QMetaObject::invokeMethod(worker_, [w = worker_, dirs] { w->discover_models(dirs); }, Qt::QueuedConnection);
}

void InferenceController::discover_models(const QStringList& dirs, const QStringList& named_dirs) {
    named_model_dirs_ = named_dirs;
    named_model_dirs_.removeAll(QString());
    named_model_dirs_.removeDuplicates();
    discover_models(dirs);
}

QStringList InferenceController::named_model_dir_problems(const ModelCatalog& catalog) const {
    QStringList lines;
    for (const QString& dir : named_model_dirs_) {
        const PathCheck check = check_path(dir);
        if (check.kind != PathKind::Directory) {
            lines << tr("%1: %2").arg(dir, check.kind == PathKind::RegularFile ? tr("a file, not a folder") : check.problem);
            continue;
        }
        const QFileInfo info(dir);
        if (!info.isReadable() || !info.isExecutable()) {
            lines << tr("%1: permission denied (the folder cannot be listed)").arg(dir);
            continue;
        }
        const QString inside = info.canonicalFilePath() + QLatin1Char('/');
        // Where the model's entry lies, not where a symbolic link to it points: a folder of
        // links to model files holds models.
        const bool has_model = std::any_of(catalog.models.begin(), catalog.models.end(), [&](const mnv1::ModelEntry& m) {
            const QString folder = QFileInfo(QFileInfo(QString::fromStdString(m.path)).absolutePath()).canonicalFilePath();
            return (folder + QLatin1Char('/')).startsWith(inside);
        });
        QStringList failed;
        for (const QString& problem : catalog.problems) {
            if (problem.startsWith(dir + QLatin1Char('/')) || problem.startsWith(inside)) failed << problem;
        }
        if (!has_model) {
            lines << (failed.isEmpty() ? tr("%1: no MobileNet model in this folder").arg(dir)
                                       : tr("%1: no model that loads (%2)").arg(dir, failed.join(QStringLiteral("; "))));
        } else if (!failed.isEmpty()) {
            lines << tr("%1 model file(s) did not load: %2").arg(failed.size()).arg(failed.join(QStringLiteral("; ")));
        }
    }
    return lines;
}

void InferenceController::restore_pinned_model(const QString& path, std::optional<double> explicit_alpha) {
    pinned_model_ = path;
    explicit_alpha_ = explicit_alpha;
}

const mnv1::ModelEntry* InferenceController::find_model(const QString& path) const {
    if (!catalog_ || path.isEmpty()) return nullptr;
    const std::string p = path.toStdString();
    const auto it = std::find_if(catalog_->models.begin(), catalog_->models.end(),
                                 [&](const mnv1::ModelEntry& m) { return m.path == p; });
    return it == catalog_->models.end() ? nullptr : &*it;
}

void InferenceController::set_pinned(const QString& path) {
    pinned_model_ = path;
    emit pinnedModelChanged(pinned_model_);
}

QList<double> InferenceController::pretrained_alphas() const {
    QList<double> alphas;
    if (!catalog_) return alphas;
    for (const mnv1::ModelEntry& m : catalog_->models) {
        if (std::none_of(alphas.begin(), alphas.end(), [&](double a) { return same_alpha(a, m.alpha); })) {
            alphas << m.alpha;
        }
    }
    return alphas;
}

void InferenceController::pin_model(const QString& path) {
    const mnv1::ModelEntry* entry = find_model(path);
    set_pinned(entry ? path : QString());
    if (entry) {
        // The model decides α; the resolution stays (any model runs at any resolution).
        tuning_.alpha = entry->alpha;
        emit alphaPinned(entry->alpha);
        emit statusMessage(tr("Using %1").arg(QString::fromStdString(entry->display_name)), 4000);
    } else {
        emit statusMessage(tr("Automatic model choice"), 4000);
    }
    apply_configuration();
}

void InferenceController::tune(const Tuning& tuning) {
    tuning_ = tuning;
    if (const mnv1::ModelEntry* pinned = find_model(pinned_model_); pinned && moved_off(tuning_.alpha, pinned->alpha)) {
        const QString name = QString::fromStdString(pinned->display_name);
        const double pinned_alpha = pinned->alpha;
        set_pinned({});
        emit infoRaised(tr("α is now %1: the pinned model %2 has α %3, so the model is chosen automatically again. "
                           "Pin one in the Model menu.")
                            .arg(format_alpha(tuning_.alpha), name, format_alpha(pinned_alpha)));
    }
    emit configurationPending(tuning_.alpha, tuning_.resolution, tuning_.threads);
    reconfigure_timer_.start();
}

void InferenceController::apply_configuration() {
    reconfigure_timer_.stop();
    ModelRequest req;
    req.generation = ++generation_;
    req.alpha = tuning_.alpha;
    req.resolution = tuning_.resolution;
    req.threads = tuning_.threads;
    req.crop = tuning_.crop;
    req.precision = precision_;
    if (const mnv1::ModelEntry* pinned = find_model(pinned_model_)) {
        req.modelPath = pinned_model_;
        req.alpha = pinned->alpha;  // exact, even if the slider's 0.05 grid cannot show it
    }
    requested_ = req;
    worker_->supersede_before(req.generation);  // anything still queued for older settings is skipped
    QMetaObject::invokeMethod(worker_, [w = worker_, req] { w->configure(req); }, Qt::QueuedConnection);
    emit configurationPending(req.alpha, req.resolution, req.threads);
    classify_input();
    emit configurationRequested(req);
}

// ---------------------------------------------------------------------------------------
// Requests

void InferenceController::classify_still(quint64 image_id, const cv::Mat& bgr, int labelled1000) {
    if (source_) stop_source();  // a still image replaces the live view
    input_.kind = Input::Kind::Still;
    input_.image_id = image_id;
    input_.bgr = bgr;
    input_.labelled1000 = labelled1000;
    classify_input();
}

void InferenceController::classify_input() {
    if (!requested_ || input_.bgr.empty()) return;
    // A running source re-classifies by itself with its next frame.
    if (input_.kind == Input::Kind::Frame && source_ && !paused_) return;
    ClassifyRequest req;
    req.generation = generation_;
    req.requestId = ++image_request_;
    req.imageId = input_.image_id;
    req.bgr = input_.bgr;
    req.labelled1000 = input_.kind == Input::Kind::Still ? input_.labelled1000 : -1;
    worker_->supersede_images_before(req.requestId);
    QMetaObject::invokeMethod(worker_, [w = worker_, req] { w->classify_image(req); }, Qt::QueuedConnection);
}

void InferenceController::request_layer_profile() {
    if (!requested_) return;
    const quint64 gen = generation_;
    QMetaObject::invokeMethod(worker_, [w = worker_, gen] { w->profile_layers(gen); }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------
// Live source

void InferenceController::open_video_file(const QString& path) {
    start_source(SourceSpec::file(path, video_as_fast_ ? SourceSpec::Pacing::AsConsumed : SourceSpec::Pacing::RealTime,
                                  video_loop_));
}

bool InferenceController::source_is_file() const { return source_ && source_->spec().kind == SourceSpec::Kind::File; }

double InferenceController::source_duration_s() const { return source_is_file() ? source_->duration_s() : 0.0; }

double InferenceController::source_position_s() const { return source_is_file() ? source_->position_s() : 0.0; }

void InferenceController::seek_source(double seconds) {
    if (!source_is_file()) return;
    show_seeked_frame_ = paused_;
    source_->seek(seconds);
}

void InferenceController::set_video_looping(bool loop) {
    video_loop_ = loop;
    if (source_) source_->set_looping(loop);
}

void InferenceController::open_camera(int index) { start_source(SourceSpec::camera(index)); }

void InferenceController::start_source(const SourceSpec& spec) {
    stop_source();
    const quint64 session = ++source_session_;
    frame_slot_->clear();
    source_ = std::make_unique<FrameSource>(spec, session, frame_slot_);
    source_name_ = spec.display_name();
    // The worker is woken straight from the capture thread (queued to its own thread).
    connect(source_.get(), &FrameSource::frameAvailable, worker_, &InferenceWorker::process_latest_frame,
            Qt::QueuedConnection);
    connect(source_.get(), &FrameSource::failed, this,
            [this, session](const QString& m) { on_source_failed(session, m); }, Qt::QueuedConnection);
    connect(source_.get(), &FrameSource::finished, this, [this, session] {
        if (session != source_session_) return;
        emit statusMessage(tr("%1 ended").arg(source_name_), 5000);
        stop_source();
    }, Qt::QueuedConnection);
    connect(source_.get(), &FrameSource::opened, this,
            [this, session](const QString& name, double fps, QSize size) {
                if (session != source_session_) return;
                emit sourceOpened(name, fps, size, source_duration_s());
                emit statusMessage(tr("Playing %1 (%2 × %3, %4 fps)")
                                       .arg(name)
                                       .arg(size.width())
                                       .arg(size.height())
                                       .arg(fps, 0, 'f', 1),
                                   5000);
            },
            Qt::QueuedConnection);
    frame_rate_.reset();
    fps_ = 0;
    frame_count_ = 0;
    paused_ = false;
    emit sourceStateChanged(true, false);
    emit statusMessage(tr("Opening %1…").arg(source_name_), 0);
    source_->start();
}

void InferenceController::stop_source() {
    if (!source_) return;
    source_->stop();  // joins the capture thread
    source_.reset();
    frame_slot_->clear();
    paused_ = false;
    show_seeked_frame_ = false;
    emit sourceStateChanged(false, false);
}

void InferenceController::on_source_failed(quint64 session, const QString& message) {
    if (session != source_session_) return;
    stop_source();
    emit errorOccurred(message);
    emit sourceFailed(message);
    emit statusMessage(message, 10000);
}

void InferenceController::set_paused(bool paused) {
    if (!source_) return;
    paused_ = paused;
    source_->set_paused(paused);
    emit sourceStateChanged(true, paused);
    emit liveStatsChanged();
    emit statusMessage(paused ? tr("Paused — Space resumes") : tr("Resumed"), 3000);
}

void InferenceController::log_fps() {
    if (!source_ || paused_) return;
    fps_ = frame_rate_.rate();
    emit liveStatsChanged();
    qCInfo(lcStudio, "video %s: %.1f classified frames/s (%lld classified, %llu superseded in the slot), "
                     "alpha %s, %d px, %d threads",
           qUtf8Printable(source_name_), fps_, frame_count_, static_cast<unsigned long long>(frame_slot_->dropped()),
           qUtf8Printable(format_alpha(tuning_.alpha)), tuning_.resolution, tuning_.threads);
}

// ---------------------------------------------------------------------------------------
// Worker results

void InferenceController::on_models_discovered(const ModelCatalog& catalog) {
    catalog_ = catalog;
    if (!pinned_model_.isEmpty()) {
        const mnv1::ModelEntry* pinned = find_model(pinned_model_);
        if (!pinned) {
            qCInfo(lcStudio) << "pinned model no longer found, back to automatic:" << pinned_model_;
            emit infoRaised(tr("The pinned model %1 was not found again: the model is chosen automatically.")
                                .arg(pinned_model_));
            set_pinned({});
        } else if (explicit_alpha_ && moved_off(*explicit_alpha_, pinned->alpha)) {
            emit infoRaised(tr("--alpha %1 replaces the pinned model %2 (α %3): the model is chosen automatically.")
                                .arg(format_alpha(*explicit_alpha_), QString::fromStdString(pinned->display_name),
                                     format_alpha(pinned->alpha)));
            set_pinned({});  // an explicit --alpha wins over the remembered model
        } else {
            tuning_.alpha = pinned->alpha;
            emit alphaPinned(pinned->alpha);
        }
    }
    emit catalogChanged(catalog);
    // The folders the user named (--models, File → Models Folder…): missing, empty, broken.
    const QStringList named_problems = named_model_dir_problems(catalog);
    if (catalog.models.empty()) {
        const QString kinds = tr(".tflite, Keras .h5 or TF.js model.json, up to two folder levels deep");
        const QString where =
            catalog.searchDirs.isEmpty()
                ? tr("No models folder exists (none given with --models or $MOBILENET_MODELS, none chosen, and no %1).")
                      .arg(QDir::toNativeSeparators(
                          QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/models")))
                : tr("Looked in: %1 (%2).").arg(catalog.searchDirs.join(QStringLiteral(", ")), kinds);
        emit modelsMissing(tr("No pretrained MobileNet models found. %1 Choose a folder that holds them "
                              "(File → Models Folder…), download the official ones (File → Download the Official Models…) "
                              "or start with --models DIR. Until then every α runs on random "
                              "weights: cost and latency only.%2")
                               .arg(where, named_problems.isEmpty()
                                               ? QString()
                                               : QStringLiteral("\n") + named_problems.join(QStringLiteral("\n"))));
    } else if (!named_problems.isEmpty()) {
        emit warningRaised(tr("Models folder: %1").arg(named_problems.join(QStringLiteral("\n"))));
    }
    if (!catalog.problems.isEmpty()) {
        qCWarning(lcStudio) << "models that did not load:" << catalog.problems;
        emit statusMessage(tr("%1 model file(s) could not be loaded (see the Network panel tooltip)")
                               .arg(catalog.problems.size()),
                           8000);
    } else {
        emit statusMessage(tr("Found %1 pretrained model(s)").arg(catalog.models.size()), 4000);
    }
    apply_configuration();
}

void InferenceController::on_configured(const ModelStatus& status) {
    if (status.request.generation != generation_) return;  // superseded while it was being built
    model_status_ = status;
    if (status.ok) {
        QString name = config_name(status.request.alpha, status.request.resolution);
        if (!status.precisionDetail.isEmpty()) name += QStringLiteral(" · ") + status.precisionDetail;
        emit statusMessage(status.wasCached ? tr("Network %1 ready (cached)").arg(name)
                                            : tr("Network %1 built in %2").arg(name, format_ms(status.buildMs)),
                           4000);
    }
    emit modelConfigured(status);
}

void InferenceController::on_image_classified(const ClassifyResult& r) {
    // Stale: another image was selected, or the settings changed, after this was requested.
    if (r.generation != generation_ || r.requestId != image_request_ || r.imageId != input_.image_id) return;
    emit imageClassified(r);
    const QString precision = model_status_ ? model_status_->precisionDetail : QString();
    emit statusMessage(r.pretrained ? tr("Classified in %1 (%2)").arg(format_ms(r.latencyMs), precision)
                                    : tr("Forward pass in %1 (random weights: no predictions)").arg(format_ms(r.latencyMs)),
                       5000);
}

void InferenceController::on_frame_classified(const ClassifyResult& r) {
    worker_->frame_result_consumed();  // first, whatever happens to this result
    if (!source_ || r.sourceSession != source_session_ || r.generation != generation_) return;  // stale
    // Frames still in flight when pausing must not replace the frozen one; a seek while
    // paused shows the frame it went to.
    if (paused_ && !std::exchange(show_seeked_frame_, false)) return;
    frame_rate_.tick();
    fps_ = frame_rate_.rate();
    ++frame_count_;
    input_.kind = Input::Kind::Frame;
    input_.image_id = 0;
    input_.bgr = r.frame;
    emit frameClassified(r);
    emit liveStatsChanged();
}

void InferenceController::on_worker_failed(quint64 generation, const QString& message) {
    if (generation != generation_) return;
    emit errorOccurred(message);
    emit statusMessage(message, 8000);
}

}  // namespace studio
