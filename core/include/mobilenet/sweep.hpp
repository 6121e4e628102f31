// α × resolution sweeps: for each point of a grid, the paper's costs (mult-adds,
// parameters), the latency measured here (the benchmark module) and, where weights of
// that α exist, top-1 / top-5 on a labelled folder. Finished points are cached on disk
// so a rerun measures only what changed.
//
// Threading: run_sweep() runs on the calling thread (it owns its own Runtime and
// contexts); its callbacks are called on that thread. cancel() on the token is safe
// from any thread. The cache functions are thread-safe per cache directory as long as
// one sweep writes it at a time (entries are written atomically: temp file + rename).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mobilenet/benchmark.hpp"
#include "mobilenet/cancel.hpp"  // CancelToken: run_sweep checks it between timed passes and images
#include "mobilenet/labeled_folder.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"

namespace mnv1 {

struct SweepConfig {
    std::vector<double> alphas = {1.0, 0.75, 0.5, 0.25};     // the paper's grid (Tables 6-7)
    std::vector<int> resolutions = {224, 192, 160, 128};
    int threads = 1;                                          // OpenMP threads, >= 1
    int batch = 1;                                            // latency batch
    // Each point is measured at each of these precisions (innermost loop). An int8 point
    // times and evaluates the uint8 release of its α when there is one (at any
    // resolution), else the float model quantized after training on calibration_dir
    // (calibrate_int8 at the model's native resolution), else times random weights
    // calibrated on synthetic images (latency only).
    std::vector<Precision> precisions = {Precision::F32};
    std::string calibration_dir;                              // images for int8 of float models; empty: none
    int calibration_images = 100;                             // at most this many of them
    BenchmarkOptions timing{.warmup_runs = 5, .runs = 50};
    // Accuracy: a labelled folder (empty: latency and costs only) and the models to
    // take weights from (one per α, chosen with pick_model for the point's resolution).
    std::string images_dir;
    std::string ground_truth_csv;                             // optional, see scan_labeled_folder
    std::vector<ModelEntry> models;
    CropMode crop = CropMode::Whole;
    int eval_batch = 8;
    // On-disk cache of finished points; empty: no cache.
    std::string cache_dir;
};

struct SweepPoint {
    double alpha = 1.0;
    int resolution = 224;
    Precision precision = Precision::F32;
    int threads = 1, batch = 1;
    std::int64_t macs = 0, params = 0;   // the paper's count (1000 classes), per image
    LatencyStats latency;                // per forward pass of `batch` images
    std::optional<std::string> weights;  // model file the accuracy came from; nullopt: random weights
    bool calibrated = false;             // int8 of a float model (quantized after training, see SweepConfig)
    int native_resolution = 0;           // the weights' own resolution (0: no weights)
    bool at_native_resolution() const { return weights && native_resolution == resolution; }
    std::optional<double> top1, top5;    // percent; nullopt without weights or images
    int images = 0;                      // images evaluated for top1/top5
    bool from_cache = false;
};

struct SweepProgress {
    int done = 0, total = 0;             // points
    std::string stage;                   // "1.0-224: timing", "0.5-160: 120/500 images", ...
};

struct SweepCallbacks {
    std::function<void(const SweepPoint&)> point;          // each finished point, in grid order
    std::function<void(const SweepProgress&)> progress;
};

// Runs the grid: alphas x resolutions x precisions, in that order. Points already in the cache
// (same configuration, weights file contents, image set and machine) are returned from
// it without measuring. A cancelled sweep returns the points finished so far and writes
// no partial entry. Throws std::invalid_argument for a bad config, mnv1::Error for a
// model that cannot be loaded or an images folder without usable ground truth.
std::vector<SweepPoint> run_sweep(const SweepConfig& config, const SweepCallbacks& callbacks = {},
                                  const CancelToken* cancel = nullptr);

// CSV of sweep points (header + one row per point), the same columns as the CLI's --json:
// alpha,resolution,precision,threads,batch,macs,params,median_ms,p10_ms,p90_ms,weights,
// native_resolution,top1,top5,images,from_cache (top1/top5 empty without weights).
std::string sweep_csv(const std::vector<SweepPoint>& points);
// Writes sweep_csv(points) to `path` atomically (temp file in the same folder + rename).
// Throws mnv1::Error naming the path when it cannot be written.
void write_sweep_csv(const std::string& path, const std::vector<SweepPoint>& points);

// The machine identity cache keys use: CPU model, the ISA oneDNN uses, core count,
// the oneDNN version. One line, e.g. "Intel(R) Xeon(R) ... | isa avx2 | 2 threads | oneDNN 3.1".
std::string machine_fingerprint();

}  // namespace mnv1
