#include "evaluation_worker.hpp"

#include <QElapsedTimer>
#include <QFileInfo>

#include <mutex>

#include "mobilenet/errors.hpp"
#include "mobilenet/labeled_folder.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"

namespace studio {

namespace {

// Batched networks of the last configurations evaluated (re-evaluating is instant).
constexpr std::size_t kCachedNetworks = 2;

// Thrown from evaluate()'s progress callback to stop it between two files.
struct EvaluationCancelled {
    std::size_t done = 0, total = 0;
};

mnv1::LabeledFolder find_truth(const EvaluationRequest& request, const mnv1::ModelWeights& weights) {
    return mnv1::scan_labeled_folder(request.folder.toStdString(), weights.num_classes, weights.labels,
                                     request.csvPath.toStdString());
}

}  // namespace

EvaluationWorker::EvaluationWorker(QObject* parent) : QObject(parent) { register_metatypes(); }

EvaluationWorker::~EvaluationWorker() = default;

void EvaluationWorker::register_metatypes() {
    static std::once_flag once;
    std::call_once(once, [] {
        qRegisterMetaType<studio::EvaluationRequest>();
        qRegisterMetaType<studio::EvaluationTruth>();
        qRegisterMetaType<studio::EvaluationProgress>();
        qRegisterMetaType<studio::EvaluationSummary>();
        qRegisterMetaType<studio::EvaluationReport>();
    });
}

void EvaluationWorker::cancel_through(quint64 job) {
    quint64 cur = cancelled_through_.load();
    while (cur < job && !cancelled_through_.compare_exchange_weak(cur, job)) {
    }
}

std::shared_ptr<const mnv1::ModelWeights> EvaluationWorker::weights_for(const std::string& path) {
    if (!weights_ || weights_->source != path) weights_ = mnv1::load_model(path);
    return weights_;
}

void EvaluationWorker::evaluate(const studio::EvaluationRequest& request) {
    const quint64 job = request.job;
    if (is_cancelled(job)) return;  // replaced or cancelled while queued: the GUI moved on
    const std::string folder = request.folder.toStdString();
    try {
        const auto weights = weights_for(request.weightsPath.toStdString());
        const mnv1::LabeledFolder truth = find_truth(request, *weights);
        EvaluationTruth found;
        found.job = job;
        found.sourceDetail = QString::fromStdString(truth.source_detail);
        found.imageFiles = truth.image_files;
        found.matched = truth.matched();
        found.listedMissing = truth.listed_missing;
        for (const std::string& f : truth.unmatched) found.unmatched << QString::fromStdString(f);
        found.labels = weights->labels;
        emit truthFound(found);
        if (truth.images.empty()) throw mnv1::Error(folder, "the ground truth names none of the images here");

        if (!runtime_) runtime_ = std::make_unique<mnv1::Runtime>(kCachedNetworks);
        mnv1::NetworkConfig cfg;
        cfg.resolution = request.resolution;
        cfg.batch = kBatch;
        cfg.threads = request.threads;
        const bool int8 = request.precision == mnv1::Precision::Int8;
        if (int8 && !request.int8Weights) throw mnv1::Error(request.weightsPath.toStdString(), "no int8 weights to evaluate");
        cfg.precision = request.precision;
        mnv1::ExecutionContext ctx(runtime_->compile(int8 ? request.int8Weights : weights, cfg));
        if (is_cancelled(job)) throw EvaluationCancelled{0, truth.images.size()};

        QElapsedTimer clock;
        clock.start();
        qint64 last_emit_ms = -kProgressIntervalMs;
        std::size_t outcomes_sent = 0;
        // evaluate() cannot be stopped from outside: the callback throws between two files. One
        // throttle for both passes (the int8 run, then its fp32 baseline): at most one progress
        // signal per interval, and always the last one.
        const auto progress_callback = [&](bool baseline) {
            return [&, baseline](std::size_t done, std::size_t total, const mnv1::EvalResult& so_far) {
                if (is_cancelled(job)) throw EvaluationCancelled{done, total};
                const qint64 now_ms = clock.elapsed();
                if (done < total && now_ms - last_emit_ms < kProgressIntervalMs) return;
                last_emit_ms = now_ms;
                EvaluationProgress p;
                p.job = job;
                p.baseline = baseline;
                p.done = static_cast<int>(done);
                p.total = static_cast<int>(total);
                if (baseline) {  // the baseline's figures arrive with the report, not row by row
                    emit progressed(p);
                    return;
                }
                p.imagesPerSecond = now_ms > 0 ? 1000.0 * static_cast<double>(done) / static_cast<double>(now_ms) : 0;
                p.classified = so_far.images;
                p.skipped = static_cast<int>(so_far.skipped.size());
                p.top1 = so_far.top1();
                p.top5 = so_far.top5();
                p.newOutcomes.assign(so_far.outcomes.begin() + static_cast<std::ptrdiff_t>(outcomes_sent),
                                     so_far.outcomes.end());
                outcomes_sent = so_far.outcomes.size();
                emit progressed(p);
            };
        };
        EvaluationReport report;
        report.job = job;
        report.result = mnv1::evaluate(ctx, folder, truth.images, request.crop, progress_callback(false));
        const mnv1::EvalResult& r = report.result;
        report.summary = {request.folder,  request.alpha, request.resolution, QFileInfo(request.weightsPath).fileName(),
                          request.nativeResolution, r.top1(), r.top5(), r.images, r.seconds, request.latencyMedianMs,
                          request.threads, QString::fromLatin1(mnv1::to_string(request.precision)), {}, {}};
        if (int8) {
            // The same images in fp32: the accuracy change int8 costs, measured here.
            cfg.precision = mnv1::Precision::F32;
            mnv1::ExecutionContext f32(runtime_->compile(weights, cfg));
            report.fp32Baseline = mnv1::evaluate(f32, folder, truth.images, request.crop, progress_callback(true));
            report.summary.fp32Top1 = report.fp32Baseline->top1();
            report.summary.fp32Top5 = report.fp32Baseline->top5();
        }
        emit finished(report);
    } catch (const EvaluationCancelled& c) {
        emit cancelled(job, static_cast<int>(c.done), static_cast<int>(c.total));
    } catch (const std::exception& e) {
        emit failed(job, QString::fromUtf8(e.what()));
    }
}

}  // namespace studio
