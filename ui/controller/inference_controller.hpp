// InferenceController: the GUI thread's one door to the InferenceWorker (its own thread)
// and to the live FrameSource (its own capture thread). It owns both threads and decides
// what is current:
//  - every configuration change gets a new generation; requests carry it, and results of
//    an older generation, another image or a closed source are dropped here, on arrival,
//    so pages only ever receive results they should show;
//  - tune() is debounced (slider drags cost one rebuild), apply_configuration() is not;
//  - a model pinned in the Model menu fixes α and the exact weights file, until α moves;
//  - the model catalog found by the worker is kept here;
//  - live frames go through a LatestFrameSlot (newest frame wins), never a queue.
// Pages and the window call its public methods and connect to its signals; nothing else
// touches the worker.
//
// Threading: GUI thread only (construct, call, destroy). Its signals are emitted on the
// GUI thread.
#pragma once

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>

#include "controller/rate_meter.hpp"
#include "worker/feature_map_types.hpp"
#include "worker/frame_source.hpp"
#include "worker/inference_types.hpp"
#include "worker/latest_frame_slot.hpp"
#include "worker/roofline_types.hpp"
#include "worker/separable_types.hpp"

class QThread;

namespace studio {

class InferenceWorker;

class InferenceController : public QObject {
    Q_OBJECT
public:
    // What the tuning panel sets: the network configuration without the model choice.
    struct Tuning {
        double alpha = 1.0;
        int resolution = 224;
        int threads = 0;
        mnv1::CropMode crop = mnv1::CropMode::Whole;
    };

    explicit InferenceController(QObject* parent = nullptr);
    ~InferenceController() override;  // stops the source, then joins the worker's thread

    // --- Configuration -----------------------------------------------------------------
    // Remembers the tuning without applying it (start-up: applied once models are known).
    void set_tuning(const Tuning& tuning) { tuning_ = tuning; }
    const Tuning& tuning() const { return tuning_; }
    // The tuning changed: applied after a short pause. Moving α away from the pinned
    // model's α returns to the automatic choice, and infoRaised() says so: a pin names one
    // weights file, which has one α.
    void tune(const Tuning& tuning);
    // Sends the current configuration to the worker now and re-classifies what is shown.
    void apply_configuration();
    // Scans `dirs` on the worker; catalogChanged() follows, then a configuration.
    void discover_models(const QStringList& dirs);
    // The same, and once the catalog is there a warning for each of `named_dirs` (the
    // folders the user gave: --models, File → Models Folder…) that does not exist, is not
    // a readable folder, holds no model, or holds model files that did not load.
    void discover_models(const QStringList& dirs, const QStringList& named_dirs);
    // The model remembered from the last session: checked against the catalog once it is
    // discovered, and dropped when `explicit_alpha` (--alpha) names another α.
    void restore_pinned_model(const QString& path, std::optional<double> explicit_alpha);
    // Pins one discovered model (its ModelEntry::path): α follows it (alphaPinned) and the
    // worker loads exactly that file. Empty or undiscovered: automatic.
    void pin_model(const QString& path);
    const QString& pinned_model() const { return pinned_model_; }

    // --- Requests ----------------------------------------------------------------------
    // Shows and classifies a still image (a running source stops: a still image replaces
    // the live view). `image_id` identifies it in results.
    void classify_still(quint64 image_id, const cv::Mat& bgr, int labelled1000 = -1);
    // Per-layer times of the current network (median of kLayerProfilePasses profiled
    // passes); layersProfiled() follows.
    void request_layer_profile();
    // This machine's roofs (cached on disk per machine and thread count; remeasure_peaks
    // measures them again) and the current network's layers timed under them;
    // rooflineMeasured() follows for the current configuration (a few seconds).
    // Implemented in inference_controller_roofline.cpp.
    void request_roofline(bool remeasure_peaks = false);
    // Times the current network against its standard-convolution counterfactual (a few
    // seconds on the worker: live classification waits meanwhile); standardConvMeasured()
    // follows unless the configuration changed. (inference_controller_separable.cpp)
    void request_standard_conv_measurement();
    // A fresh latency measurement of the current network (kLatencyMeasurePasses passes on
    // the worker, at the threads the policy picks); latencyMeasured() follows unless the
    // configuration changed or a newer measurement was asked for. Returns false (nothing
    // sent) before a network is configured. (inference_controller_latency.cpp)
    bool request_latency_measurement();
    // --- Feature maps (inference_controller_features.cpp) ------------------------------
    // Layer `layer`'s feature maps of the image on screen (the still image or the live
    // frame classified last), with the input tensor when `with_input`; featureMapsReady()
    // follows. Returns false (nothing sent) without an image or a configured network.
    bool request_feature_maps(int layer, bool with_input = true);
    // The view closed: the worker drops its extractor and buffers; featureMapsReleased() follows.
    void release_feature_maps();
    bool has_shown_input() const { return input_.kind != Input::Kind::None; }
    // Whether the worker holds a feature-map extractor right now (thread-safe read).
    bool worker_holds_feature_maps() const;

    // --- Precision (inference_controller_precision.cpp) ---------------------------------
    // fp32, int8 or auto for every configuration from now on; applied at once once models
    // are known (before that, remembered). precisionChanged() follows a change.
    void set_precision(mnv1::PrecisionChoice choice);
    mnv1::PrecisionChoice precision() const { return precision_; }
    // Calibrates the current configuration's float weights on up to `max_images` images of
    // `folder`, on the worker (live classification waits meanwhile); calibrationProgress()
    // per image, then calibrationFinished(); a successful one re-applies the configuration,
    // so int8 and auto use it. Returns false (nothing sent) while one runs or before the
    // first configuration.
    bool calibrate_int8(const QString& folder, int max_images = 100);
    // Stops the running calibration at the next image; calibrationFinished() says cancelled.
    void cancel_calibration();
    bool calibrating() const { return calibration_cancel_ != nullptr; }

    // --- Live source -------------------------------------------------------------------
    void open_video_file(const QString& path);
    void open_camera(int index);
    void stop_source();
    void set_paused(bool paused);
    // Video files only (no-ops for a camera): their length and the position of the frame
    // read last (seconds; 0 when unknown), a seek (while paused the frame there is
    // classified and shown), and whether the end restarts at the beginning (default on,
    // remembered for the next file).
    bool source_is_file() const;
    double source_duration_s() const;
    double source_position_s() const;
    void seek_source(double seconds);
    void set_video_looping(bool loop);
    bool video_looping() const { return video_loop_; }
    // Video files feed frames as fast as they are classified instead of at their own rate.
    void set_video_as_fast_as_classified(bool fast) { video_as_fast_ = fast; }
    bool source_running() const { return source_ != nullptr; }
    bool paused() const { return paused_; }
    const QString& source_name() const { return source_name_; }
    double classification_fps() const { return fps_; }
    long long frames_classified() const { return frame_count_; }
    // The live frame on screen (classified last); empty when a still image is shown.
    cv::Mat shown_frame() const { return input_.kind == Input::Kind::Frame ? input_.bgr : cv::Mat(); }
    bool showing_frame() const { return input_.kind == Input::Kind::Frame; }
    // The image on screen, still or live frame (BGR, shared pixels: never write into it);
    // empty before the first image.
    cv::Mat shown_image() const { return input_.bgr; }

    // --- State -------------------------------------------------------------------------
    quint64 generation() const { return generation_; }
    // The configuration last sent to the worker (none before the catalog arrived).
    const std::optional<ModelRequest>& requested() const { return requested_; }
    // The worker's answer to the current generation.
    const std::optional<ModelStatus>& model_status() const { return model_status_; }
    const std::optional<ModelCatalog>& model_catalog() const { return catalog_; }
    // α values with pretrained weights, in catalog order, each once.
    QList<double> pretrained_alphas() const;

signals:
    void modelsDiscovering();
    void catalogChanged(const studio::ModelCatalog& catalog);
    void pinnedModelChanged(const QString& path);
    // A pinned model moved α: the tuning panel should show `alpha` (already in tuning()).
    void alphaPinned(double alpha);
    // A configuration is on its way (debouncing or building).
    void configurationPending(double alpha, int resolution, int threads);
    // A configuration was sent to the worker.
    void configurationRequested(const studio::ModelRequest& request);
    // The worker applied the current configuration (check status.ok).
    void modelConfigured(const studio::ModelStatus& status);
    // Results to show: only current ones get here.
    void imageClassified(const studio::ClassifyResult& result);
    void frameClassified(const studio::ClassifyResult& result);
    void layersProfiled(const studio::LayerTiming& timing);
    void rooflineMeasured(const studio::RooflineData& roofline);
    void standardConvMeasured(const studio::SeparableSpeedup& result);
    // The current configuration's roofline / standard-vs-separable measurement failed
    // (errorOccurred() carries it for the notice bar as well).
    void rooflineFailed(const QString& message);
    void standardConvFailed(const QString& message);
    void featureMapsReady(const studio::FeatureMapResult& result);
    void featureMapsReleased();
    void latencyMeasured(const studio::LatencyMeasurement& result);
    void precisionChanged(mnv1::PrecisionChoice choice);
    void calibrationProgress(int done, int total);
    void calibrationFinished(const studio::CalibrationResult& result);
    void sourceStateChanged(bool running, bool paused);
    // The live source delivers (duration_s 0 for a camera or an unknown length) / could
    // not open or stopped delivering (errorOccurred() carries the message as well).
    void sourceOpened(const QString& name, double fps, QSize frame_size, double duration_s);
    void sourceFailed(const QString& message);
    // FPS or pause changed: refresh live overlays.
    void liveStatsChanged();
    // For the notice bar: something failed / something is missing.
    void errorOccurred(const QString& message);
    void warningRaised(const QString& message);
    // For the notice bar: worth knowing, not a problem (e.g. a pinned model was let go).
    void infoRaised(const QString& message);
    // No model where the app looked (`message` names the folders and what to do): the
    // notice offers the ways to get models.
    void modelsMissing(const QString& message);
    // For the status bar; timeout 0 = until replaced.
    void statusMessage(const QString& message, int timeout_ms);

private:
    // What a re-classification would use: the still image or the frame on screen.
    struct Input {
        enum class Kind { None, Still, Frame } kind = Kind::None;
        quint64 image_id = 0;
        cv::Mat bgr;
        int labelled1000 = -1;  // stills: ClassifyRequest::labelled1000
    };

    void start_worker();
    void start_source(const SourceSpec& spec);
    void classify_input();
    const mnv1::ModelEntry* find_model(const QString& path) const;
    void set_pinned(const QString& path);

    void on_models_discovered(const ModelCatalog& catalog);
    QStringList named_model_dir_problems(const ModelCatalog& catalog) const;
    void on_configured(const ModelStatus& status);
    void on_image_classified(const ClassifyResult& result);
    void on_frame_classified(const ClassifyResult& result);
    void on_worker_failed(quint64 generation, const QString& message);
    void on_roofline_measured(const RooflineData& roofline);
    void on_standard_conv_measured(const SeparableSpeedup& result);
    void on_source_failed(quint64 session, const QString& message);
    void log_fps();
    void on_feature_maps_ready(const FeatureMapResult& result);
    void on_latency_measured(const LatencyMeasurement& result);

    QThread* worker_thread_ = nullptr;
    InferenceWorker* worker_ = nullptr;
    std::shared_ptr<LatestFrameSlot> frame_slot_;
    std::unique_ptr<FrameSource> source_;
    quint64 source_session_ = 0;
    QString source_name_;
    bool paused_ = false;
    bool video_as_fast_ = false;
    bool video_loop_ = true;
    bool show_seeked_frame_ = false;  // a seek while paused: let its frame through once

    Tuning tuning_;
    quint64 generation_ = 0;     // current configuration
    quint64 image_request_ = 0;  // newest still-image request
    std::optional<ModelRequest> requested_;
    std::optional<ModelStatus> model_status_;
    std::optional<ModelCatalog> catalog_;
    QString pinned_model_;  // empty = automatic
    std::optional<double> explicit_alpha_;
    QStringList named_model_dirs_;
    Input input_;
    quint64 feature_request_ = 0;  // newest feature-map request
    quint64 latency_request_ = 0;  // newest "Measure again" request
    // Feature-map results with a request id at or below this are dropped: older than one
    // already shown, or sent before the view was closed.
    quint64 feature_floor_ = 0;

    mnv1::PrecisionChoice precision_ = mnv1::PrecisionChoice::F32;
    quint64 calibration_id_ = 0;
    std::shared_ptr<mnv1::CancelToken> calibration_cancel_;  // set while a calibration runs
    void on_calibrated(const CalibrationResult& result);

    RateMeter frame_rate_;
    double fps_ = 0;
    long long frame_count_ = 0;
    QTimer fps_timer_;
    QTimer reconfigure_timer_;
};

}  // namespace studio
