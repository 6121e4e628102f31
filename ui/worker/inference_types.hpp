// Plain values that cross threads between the GUI and the InferenceWorker in queued
// signals. They are copied (cv::Mat / QImage share their pixels by reference count and
// are never written after being sent), so any thread may create, read or destroy them.
#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mobilenet/classify.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/quantize.hpp"

namespace studio {

// What the network should be. Every change of any field gets a new generation, so a
// result can always be matched to the configuration that produced it.
struct ModelRequest {
    quint64 generation = 0;
    double alpha = 1.0;
    int resolution = 224;
    int threads = 0;  // 0 = automatic: the threading policy picks per pass (mobilenet/threading.hpp)
    mnv1::CropMode crop = mnv1::CropMode::Whole;
    // Empty: automatic, the worker takes mnv1::pick_model's choice for alpha/resolution.
    // Otherwise the exact model to load (chosen in the Model menu); its alpha must be `alpha`.
    QString modelPath;
    // fp32, int8 (a uint8 release's own quantization, or a calibration of a float model;
    // for a float model not calibrated yet, fp32 runs and ModelStatus::int8_fallback() says
    // so) or auto (the faster of the two, measured).
    mnv1::PrecisionChoice precision = mnv1::PrecisionChoice::F32;
};

// The worker's answer to a ModelRequest: which weights it uses and what the network costs.
struct ModelStatus {
    ModelRequest request;
    bool ok = false;
    QString error;               // set when !ok
    bool pretrained = false;     // false: random weights, predictions must not be shown
    QString weightsName;         // "mobilenet_v1_1.0_224_quant.tflite" or "random (He init, seed 42)"
    QString weightsKind;         // "TFLite uint8, dequantized", "TF.js float32", ...
    QString weightsPath;         // empty for random weights
    int nativeResolution = 0;    // resolution the weights were released at (0: random)
    int numClasses = 0;
    QString precision;           // compute precision of the network, "f32" or "int8"
    // What runs, for the status and latency areas: "fp32", "int8 · released uint8",
    // "int8 · calibrated on 100 images".
    QString precisionDetail;
    // Where int8 would come from for these weights ("released uint8", "calibrated on 100
    // images"); empty when int8 is not available (a float model not calibrated yet).
    QString int8Source;
    // The weights carry no quantization of their own (Keras, TF.js, TFLite float, random):
    // int8 needs calibration.
    bool floatWeights = false;
    // Float weights at fp32 whose α has a uint8 release: the release's name, which int8
    // (and auto) would load instead, needing no calibration. Empty otherwise (and when a
    // model is pinned in the Model menu).
    QString int8Release;
    // Auto only: what it chose and the measured times that decided it
    // ("auto → int8: 2.1 ms vs fp32 6.3 ms"), or why it did not measure.
    QString autoDecision;
    // The weights the int8 network runs (a uint8 release, or the calibrated copy of a float
    // model; null when int8 is not available): immutable, shared with the evaluation worker.
    std::shared_ptr<const mnv1::ModelWeights> int8Weights;
    std::vector<std::string> implementations;  // oneDNN implementation per layer ("" for none)
    bool wasCached = false;      // the network was already built for this configuration
    double buildMs = 0;          // time to build it when it was not cached
    double latencyMs = 0;        // median forward pass on a blank input, this configuration
    int latencyPasses = 0;       // how many timed passes that median is of
    int threads = 0;             // OpenMP threads that timing ran with (automatic: the policy's pick)

    // int8 was asked for, but these float weights are not calibrated: fp32 runs instead
    // until they are (never silently: the precision panel says so). int8 never resolves
    // to fp32 otherwise.
    bool int8_fallback() const { return ok && request.precision == mnv1::PrecisionChoice::Int8 && !runs_int8(); }
    // The network set up computes in int8 (a uint8 release or a calibrated float model).
    bool runs_int8() const { return ok && precision == QStringLiteral("int8"); }
};

// A still image to classify (gallery selection, paste, or a paused video frame).
struct ClassifyRequest {
    quint64 generation = 0;
    quint64 requestId = 0;  // increases with every request; older ones are skipped
    quint64 imageId = 0;    // which gallery entry / frame the GUI is showing
    cv::Mat bgr;            // 8-bit BGR, never modified after sending
    // The ImageNet class the image is labelled with, in the 1000-class convention (the
    // worker converts it to its network's); -1 when nothing labels it.
    int labelled1000 = -1;
};

struct ClassifyResult {
    quint64 generation = 0;
    quint64 requestId = 0;      // still images: the request it answers
    quint64 imageId = 0;
    bool fromFrame = false;     // produced from the live frame slot
    quint64 sourceSession = 0;  // frames: which FrameSource session produced it
    quint64 frameIndex = 0;
    cv::Mat frame;              // frames: the classified frame (for snapshots)
    QImage frameImage;          // frames: the same frame ready to paint (converted off the GUI thread)

    double alpha = 1.0;
    int resolution = 224;
    bool pretrained = false;
    std::vector<mnv1::Prediction> top;  // empty with random weights
    std::vector<cv::Mat> cams;          // class activation map per entry of `top` (CV_32F)
    // The labelled class (ClassifyRequest::labelled1000) among the predictions: its row in
    // `top` and its rank among all classes (1 = top-1); -1 and 0 when the image is not
    // labelled or the weights are random. labelledBelow: it ranks below the top five and
    // `top` has a sixth entry for it (with its map in `cams`).
    int labelledRow = -1;
    int labelledRank = 0;
    bool labelledBelow = false;
    mnv1::CropRect crop;                // in source-image pixels
    double latencyMs = 0;               // forward pass
    double preprocessMs = 0;            // crop + resize + scale
    int threads = 0;                    // OpenMP threads the forward pass ran with
    QString threadReason;               // why that many ("quiet machine: 2 threads", "set in Tune")
};

// How many passes "Measure again" on the Classify page times.
inline constexpr int kLatencyMeasurePasses = 50;

// A fresh latency measurement of the current network on its current input: `passes`
// forward passes, each at the thread count the policy picks for it (as live
// classification runs them), in milliseconds.
struct LatencyMeasurement {
    quint64 generation = 0;
    quint64 requestId = 0;   // increases with every request; older answers are dropped
    int passes = 0;
    double medianMs = 0, p10Ms = 0, p90Ms = 0;
    QString threadsUsed;     // "2 threads × 50", or "1 thread × 12, 2 threads × 38"
    QString policy;          // the last thread choice and the OpenMP wait policy
};

// Post-training int8 calibration of the current float model on a folder of images.
struct CalibrationRequest {
    quint64 id = 0;              // increases with every calibration
    QString folder;              // images (searched recursively)
    int maxImages = 100;         // at most this many of them, the first in sorted order
    std::shared_ptr<mnv1::CancelToken> cancel;  // set from the GUI thread to stop it
};

struct CalibrationResult {
    quint64 id = 0;
    bool ok = false;
    bool cancelled = false;
    QString error;               // set when !ok and not cancelled
    QString weightsName;         // the float model that was calibrated
    QString folder;
    int images = 0;              // images the activation ranges came from
    QStringList skipped;         // "path: reason" for files that could not be read
};

// Models found on the search path (discovery runs on the worker: it loads every file).
struct ModelCatalog {
    QStringList searchDirs;
    std::vector<mnv1::ModelEntry> models;
    QStringList problems;  // one line per file that looked like a model but did not load
    // Queried on the worker thread, so the GUI thread never calls into oneDNN (About box).
    QString onednnVersion, cpuIsa;
};

// How many profiled forward passes the Layers page's times are the median of: one pass
// is at the mercy of a single scheduler hiccup; 20 take about a second at 1.0-224.
inline constexpr int kLayerProfilePasses = 20;

// Per-layer timing of the current network: per-step medians of `passes` profiled passes.
struct LayerTiming {
    quint64 generation = 0;
    int passes = 0;
    std::vector<mnv1::LayerProfile> steps;     // median ms per step; layer -1 is the input reorder
    std::vector<std::string> implementations;  // parallel to the layer table
    double totalMs = 0;  // sum of the steps' medians, input reorder included
    // Measured alongside (mnv1::ProfiledForward): the median share of each profiled pass's
    // wall time its steps account for, and plain (unprofiled) passes interleaved with them.
    double coverage = 0;
    double profiledPassMs = 0;  // median wall time of a profiled pass
    double forwardMs = 0;       // median plain pass
};

}  // namespace studio

Q_DECLARE_METATYPE(studio::ModelRequest)
Q_DECLARE_METATYPE(studio::ModelStatus)
Q_DECLARE_METATYPE(studio::ClassifyRequest)
Q_DECLARE_METATYPE(studio::ClassifyResult)
Q_DECLARE_METATYPE(studio::ModelCatalog)
Q_DECLARE_METATYPE(studio::LayerTiming)
Q_DECLARE_METATYPE(studio::LatencyMeasurement)
Q_DECLARE_METATYPE(studio::CalibrationRequest)
Q_DECLARE_METATYPE(studio::CalibrationResult)
