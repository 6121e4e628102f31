// Plain values that cross threads between the GUI and the EvaluationWorker in queued
// signals, and the summary of a finished evaluation that the charts consume. Copied by
// value, never shared for writing: any thread may create, read or destroy them.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mobilenet/classify.hpp"
#include "mobilenet/evaluate.hpp"
#include "mobilenet/network.hpp"

namespace studio {

// One evaluation to run: a folder and the configuration the live network had when it was
// asked for (the worker loads the same weights into its own runtime).
struct EvaluationRequest {
    quint64 job = 0;          // increases with every evaluation; older jobs are stale
    QString folder;
    QString csvPath;          // empty: the folder's own ground truth is found
    QString weightsPath;
    double alpha = 1.0;
    int resolution = 224;
    int threads = 0;          // 0 = all cores
    mnv1::CropMode crop = mnv1::CropMode::Whole;
    int nativeResolution = 0;
    double latencyMedianMs = 0;  // the live network's batch-1 median at this configuration
    // The live network's precision. At Int8 the worker evaluates `int8Weights` (a uint8
    // release, or a calibrated float model; immutable, shared) and then the same images in
    // fp32 from weightsPath, so the accuracy change is measured, not assumed.
    mnv1::Precision precision = mnv1::Precision::F32;
    QString precisionDetail;  // "int8 · released uint8", "fp32", ...
    std::shared_ptr<const mnv1::ModelWeights> int8Weights;
};

// Which ground truth the worker found for the folder, before classifying starts.
struct EvaluationTruth {
    quint64 job = 0;
    QString sourceDetail;       // "ground_truth.csv", "wnids in file names", ...
    int imageFiles = 0;         // image files seen in the folder
    int matched = 0;            // of those, images with a known class
    int listedMissing = 0;      // ground-truth rows naming a file not among them (skipped, named)
    QStringList unmatched;      // image files (relative) without a class
    std::vector<std::string> labels;  // the model's labels, to name true classes
};

// Throttled progress of a running evaluation (at most a few per second).
struct EvaluationProgress {
    quint64 job = 0;
    int done = 0, total = 0;    // files processed (classified or skipped) / listed
    double imagesPerSecond = 0;
    int classified = 0, skipped = 0;
    double top1 = 0, top5 = 0;  // percent, of the images classified so far
    std::vector<mnv1::ImageOutcome> newOutcomes;  // outcomes since the previous progress
    // The fp32 run an int8 evaluation is compared with (after the int8 run): done/total
    // count its images; the other fields are its own and not the table's.
    bool baseline = false;
};

// What a finished evaluation measured: one point on the trade-off charts.
struct EvaluationSummary {
    QString folder;
    double alpha = 1.0;
    int resolution = 224;
    QString weightsFile;        // file name of the weights, e.g. mobilenet_v1_0.5_160_quant.tflite
    int nativeResolution = 0;   // resolution the weights were released at
    double top1 = 0, top5 = 0;  // percent
    int images = 0;             // classified
    double seconds = 0;         // wall time, decoding included
    double latencyMedianMs = 0; // batch-1 forward median of this configuration; 0 = not measured
    int threads = 0;            // OpenMP threads of that latency (0 = all cores)
    QString precision = QStringLiteral("f32");  // "f32" or "int8" (mnv1::to_string)
    // Int8 evaluations: the fp32 run on the same images, for the accuracy change.
    std::optional<double> fp32Top1, fp32Top5;
};

// A finished (not cancelled) evaluation: every outcome and the summary.
struct EvaluationReport {
    quint64 job = 0;
    mnv1::EvalResult result;
    EvaluationSummary summary;
    // Int8 evaluations: the fp32 run on the same images (nullopt at fp32).
    std::optional<mnv1::EvalResult> fp32Baseline;
};

}  // namespace studio

Q_DECLARE_METATYPE(studio::EvaluationRequest)
Q_DECLARE_METATYPE(studio::EvaluationTruth)
Q_DECLARE_METATYPE(studio::EvaluationProgress)
Q_DECLARE_METATYPE(studio::EvaluationSummary)
Q_DECLARE_METATYPE(studio::EvaluationReport)
