// InferenceWorker: the only object in the GUI that touches oneDNN. It owns the
// mnv1::Runtime (engine, stream, network cache), the discovered model catalog and the
// loaded weights, and lives on its own QThread.
//
// Threading:
//  - Construct it on any thread, then moveToThread() a dedicated QThread; the Runtime is
//    created lazily on that thread. Destroy it on that thread (deleteLater on the
//    thread's finished()).
//  - Slots are only invoked through queued connections / QMetaObject::invokeMethod.
//  - supersede_before(), supersede_images_before() and frame_result_consumed() are
//    thread-safe. The GUI calls the first two
//    right before posting a new request, so requests already queued for an older
//    configuration or image are skipped without building or running anything.
//  - Live frames do not go through the event queue: the producer puts them in the shared
//    LatestFrameSlot and emits one wake-up (see LatestFrameSlot::put), and
//    process_latest_frame() takes whatever is newest when the worker gets to it.
#pragma once

#include <QObject>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "feature_map_types.hpp"
#include "inference_types.hpp"
#include "latest_frame_slot.hpp"
#include "mobilenet/threading.hpp"
#include "roofline_types.hpp"
#include "separable_types.hpp"

namespace studio {

class InferenceWorker : public QObject {
    Q_OBJECT
public:
    explicit InferenceWorker(std::shared_ptr<LatestFrameSlot> frames, QObject* parent = nullptr);
    ~InferenceWorker() override;

    // Any thread. Requests with an older generation are stale from now on.
    void supersede_before(quint64 generation);
    // Any thread. Still-image requests with an older request id are stale from now on.
    void supersede_images_before(quint64 request_id);
    // Any thread (the GUI, once per frameClassified it received). At most
    // kMaxFramesInFlight frame results wait in the GUI's event queue: past that the worker
    // leaves frames in the slot (where newer ones replace them) until the GUI catches up,
    // so a slow display never makes a queue grow.
    void frame_result_consumed();
    static constexpr int kMaxFramesInFlight = 2;
    // Any thread. Feature-map requests with an older request id are stale from now on.
    void supersede_feature_requests_before(quint64 request_id);
    // Any thread. Whether a feature-map extractor (its context and activations) is alive.
    bool holds_feature_maps() const { return holds_feature_maps_.load(); }

    // Registers the value types used in this class's signals (idempotent; any thread).
    static void register_metatypes();

public slots:
    // Scans `dirs` for models (loads each one to identify it) and emits modelsDiscovered.
    void discover_models(const QStringList& dirs);
    // Loads request.modelPath when set, else picks pretrained weights for request.alpha
    // (at int8 or auto the α's uint8 release first; or random ones); builds or fetches the network for the resolution and thread
    // count, times it, emits configured().
    void configure(const studio::ModelRequest& request);
    // Classifies a still image with the current network; emits imageClassified().
    void classify_image(const studio::ClassifyRequest& request);
    // Takes the newest frame from the slot (if any) and classifies it; emits frameClassified().
    void process_latest_frame();
    // kLayerProfilePasses profiled forward passes of the current network on its current
    // input; layersProfiled() carries the per-step medians.
    void profile_layers(quint64 generation);
    // This machine's roofs on the current network's thread count (cached on disk under
    // the app's cache folder, "roofline"; remeasure_peaks measures them again and replaces
    // the cached ones), then kLayerProfilePasses profiled passes of the current network:
    // rooflineMeasured() carries every layer as a point under the roofs. Takes a few
    // seconds when the peaks are not cached (inference_worker_roofline.cpp).
    void measure_roofline(quint64 generation, bool remeasure_peaks);
    // Times the current network against its Table 4 counterfactual (full 3x3 convolutions,
    // random weights, same resolution and threads) in interleaved rounds, a few seconds;
    // emits progress() per round, then standardConvMeasured(). (inference_worker_separable.cpp)
    void measure_standard_conv(quint64 generation);
    // One layer's feature maps of request.bgr (inference_worker_features.cpp): on its own
    // extractor (own context, kept activations) of the current network, created on first
    // use and recreated when the network changes; the forward pass runs again only when
    // the image or crop changed. Emits featureMapsReady().
    void extract_feature_maps(const studio::FeatureMapRequest& request);
    // kLatencyMeasurePasses passes of the current network on its current input, each at
    // the thread count the threading policy picks (inference_worker_latency.cpp); emits
    // latencyMeasured(). Skipped when the generation or a newer request superseded it.
    void measure_latency(quint64 generation, quint64 request_id);
    // Drops the extractor and every buffer it held (the view was closed); emits
    // featureMapsReleased().
    void release_feature_maps();
    // Post-training int8 calibration of the current configuration's float weights on
    // request.folder's images (inference_worker_calibration.cpp): emits
    // calibrationProgress() per image, then calibrated(). The calibrated weights are kept
    // for those float weights: int8 and auto use them from the next configure() on.
    void calibrate(const studio::CalibrationRequest& request);

signals:
    void modelsDiscovered(const studio::ModelCatalog& catalog);
    void configured(const studio::ModelStatus& status);
    void imageClassified(const studio::ClassifyResult& result);
    void frameClassified(const studio::ClassifyResult& result);
    void layersProfiled(const studio::LayerTiming& timing);
    void rooflineMeasured(const studio::RooflineData& roofline);
    void standardConvMeasured(const studio::SeparableSpeedup& result);
    // A roofline or standard-vs-separable measurement failed (requestFailed() follows too):
    // the view that asked for it says so; other requests' failures are not its own.
    void rooflineFailed(quint64 generation, const QString& message);
    void standardConvFailed(quint64 generation, const QString& message);
    void featureMapsReady(const studio::FeatureMapResult& result);
    void latencyMeasured(const studio::LatencyMeasurement& result);
    void featureMapsReleased();
    void calibrationProgress(quint64 id, int done, int total);
    void calibrated(const studio::CalibrationResult& result);
    // A request failed (bad image, unloadable model, ...): one line for the user.
    void requestFailed(quint64 generation, const QString& message);
    // What the worker is doing now, for the status bar ("Building network 0.5-160…").
    void progress(const QString& message);

private:
    // The folder caching this machine's roofline peaks, shared by the Roofline and the
    // Standard vs separable measurements (inference_worker_roofline.cpp).
    static std::string machine_peaks_dir();
    // Raises `latest` to `value` unless it is already higher (any thread): the newest
    // request id or generation wins whichever thread posts first.
    static void raise_to(std::atomic<quint64>& latest, quint64 value);
    // kLayerProfilePasses profiled passes of the current network (with plain ones between):
    // the one per-layer measurement behind both the Layers table and the Roofline.
    LayerTiming time_layers(quint64 generation);
    RooflineData roofline_of(const LayerTiming& timing, const mnv1::MachinePeaks& peaks) const;
    // The roofs are an f32 matmul's peak and the points count 4-byte values: an int8
    // network's layers have no place under them.
    bool roofline_applies() const;
    std::optional<mnv1::MachinePeaks> last_peaks_;  // the roofs the Roofline last showed
    bool stale(quint64 generation) const { return generation < latest_generation_.load(); }
    std::shared_ptr<const mnv1::ModelWeights> weights_for(const ModelRequest& request);
    // The uint8 release int8 and auto load for (alpha, resolution), if the catalog has one.
    std::optional<mnv1::ModelEntry> release_for(double alpha, int resolution) const;
    std::shared_ptr<const mnv1::ModelWeights> load_weights(const std::string& path, const QString& name);
    ClassifyResult run_classification(const cv::Mat& bgr, int labelled1000 = -1);
    // Points ctx_ at the context of the thread count to run now: the policy's pick when
    // threads are automatic (current_.threads == 0), else the count set in Tune
    // (inference_worker_latency.cpp). Returns why that count ran.
    QString adapt_threads();
    // The weights the int8 network of `weights` runs: themselves when they carry
    // quantization (a uint8 release), else their calibrated copy, else null. `source`
    // says which ("released uint8", "calibrated on 100 images").
    std::shared_ptr<const mnv1::ModelWeights> int8_weights_for(const std::shared_ptr<const mnv1::ModelWeights>& weights,
                                                               QString* source) const;
    // Resolves request.precision for `weights` and fills the status's precision fields;
    // throws mnv1::Error explaining how to get int8 when it is asked for and not available.
    mnv1::Precision resolve_precision(const ModelRequest& request, const std::shared_ptr<const mnv1::ModelWeights>& weights,
                                      const mnv1::NetworkConfig& cfg, ModelStatus& status);

    std::shared_ptr<LatestFrameSlot> frames_;
    std::atomic<quint64> latest_generation_{0};
    std::atomic<quint64> latest_image_request_{0};
    std::atomic<int> frames_unconsumed_{0};

    std::unique_ptr<mnv1::Runtime> runtime_;  // created on the worker thread
    ModelCatalog catalog_;
    std::map<std::string, std::shared_ptr<const mnv1::ModelWeights>> loaded_;   // by path
    std::map<int, std::shared_ptr<const mnv1::ModelWeights>> random_;          // by alpha * 1000
    // Calibrated int8 copies of float weights, by the float weights they came from (which
    // loaded_ / random_ keep alive, so the key stays valid).
    struct Calibrated {
        std::shared_ptr<const mnv1::ModelWeights> weights;
        int images = 0;  // 0: synthetic images (random weights, for the int8 latency)
    };
    std::map<const mnv1::ModelWeights*, Calibrated> calibrated_;
    // The float (or released) weights of the current configuration: what calibrate() calibrates.
    std::shared_ptr<const mnv1::ModelWeights> current_weights_;

    // The threading policy, one for the worker's life (its load history outlives each
    // configuration); the current configuration's contexts, one per thread count used
    // (they keep their compiled networks alive whatever the runtime's cache evicts); and
    // the one the next pass runs (owned by exec_; null while not configured).
    mnv1::ThreadPolicy thread_policy_;
    std::unique_ptr<mnv1::AdaptiveExecution> exec_;
    mnv1::ExecutionContext* ctx_ = nullptr;
    std::atomic<quint64> latest_latency_request_{0};
    ModelRequest current_;
    bool configured_ = false;

    // Feature-map view (inference_worker_features.cpp): null while the view is closed.
    std::unique_ptr<mnv1::FeatureMapExtractor> features_;
    cv::Mat features_image_;  // the image features_ last ran on (a reference: never written)
    quint64 features_image_id_ = 0;
    mnv1::CropMode features_crop_ = mnv1::CropMode::Whole;
    std::atomic<quint64> latest_feature_request_{0};
    std::atomic<bool> holds_feature_maps_{false};
};

}  // namespace studio
