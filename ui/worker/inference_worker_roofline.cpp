// InferenceWorker::measure_roofline: this machine's roofs and the current network's layers
// under them. In its own file so the roofline stays out of the classification code.
#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include "common/display_format.hpp"
#include "inference_worker.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/roofline.hpp"

namespace studio {

// Where the peaks are cached: "<cache>/roofline" (one small file per machine and thread
// count, written atomically by the core). Empty when the platform has no cache folder:
// then the peaks are measured every time.
std::string InferenceWorker::machine_peaks_dir() {
    const QString base = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    return base.isEmpty() ? std::string() : QDir(base).filePath(QStringLiteral("roofline")).toStdString();
}

bool InferenceWorker::roofline_applies() const { return ctx_->network().config().precision == mnv1::Precision::F32; }

RooflineData InferenceWorker::roofline_of(const LayerTiming& timing, const mnv1::MachinePeaks& peaks) const {
    RooflineData data;
    data.generation = timing.generation;
    data.alpha = current_.alpha;
    data.resolution = current_.resolution;
    data.threads = peaks.threads;
    data.passes = timing.passes;
    data.peaks = peaks;
    data.points = mnv1::roofline_points(ctx_->network(), timing.steps, peaks);
    return data;
}

void InferenceWorker::measure_roofline(quint64 generation, bool remeasure_peaks) {
    if (stale(generation) || !configured_ || generation != current_.generation) return;
    if (!roofline_applies()) {
        // The roofs are an f32 matmul's peak and the points count 4-byte values: drawing
        // int8 layers under them would misplace every point. Not an error: say how to see it.
        emit rooflineFailed(generation, tr("The roofline is drawn for fp32 arithmetic (the fp32 peak, 4-byte values). "
                                           "This network runs int8: choose fp32 under Precision to see its roofline."));
        return;
    }
    try {
        const int threads = ctx_->network().threads();
        // The roofs first, on the network's own thread count, before the layers are timed.
        const std::string cache_dir = machine_peaks_dir();
        const QString cache_file =
            cache_dir.empty() ? QString() : QString::fromStdString(mnv1::machine_peaks_cache_path(cache_dir, threads));
        // Measuring again = dropping the cached file: the core then measures and stores anew.
        if (remeasure_peaks && !cache_file.isEmpty()) QFile::remove(cache_file);
        if (cache_file.isEmpty() || !QFile::exists(cache_file)) {
            emit progress(tr("Measuring this machine's peak compute and bandwidth (%1)…").arg(format_threads(threads)));
        }
        last_peaks_ = mnv1::load_or_measure_machine_peaks(cache_dir, threads);
        if (stale(generation)) return;  // the configuration changed meanwhile: its own request follows

        emit progress(tr("Timing every layer of %1 (%2 profiled passes) for the roofline…")
                          .arg(config_name(current_.alpha, current_.resolution))
                          .arg(kLayerProfilePasses));
        // One measurement for both views: the Layers table shows the same times.
        const LayerTiming t = time_layers(generation);
        emit layersProfiled(t);
        emit rooflineMeasured(roofline_of(t, *last_peaks_));
    } catch (const std::exception& e) {
        emit rooflineFailed(generation, QString::fromUtf8(e.what()));
        emit requestFailed(generation, QString::fromUtf8(e.what()));
    }
}

}  // namespace studio
