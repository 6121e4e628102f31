#include "mobilenet/sweep.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include "mobilenet/evaluate.hpp"
#include "mobilenet/quantize.hpp"
#include "image_set.hpp"
#include "sweep_cache.hpp"

namespace mnv1 {

namespace {

void check_config(const SweepConfig& c) {
    if (c.alphas.empty() || c.resolutions.empty())
        throw std::invalid_argument("a sweep needs at least one alpha and one resolution");
    for (const double alpha : c.alphas) validate(ArchConfig{.alpha = alpha});
    for (const int resolution : c.resolutions) validate(ArchConfig{.resolution = resolution});
    if (c.precisions.empty()) throw std::invalid_argument("a sweep needs at least one precision");
    if (c.calibration_images < 1) throw std::invalid_argument("sweep calibration images must be >= 1");
    if (c.threads < 1 || c.threads > 1024) throw std::invalid_argument("sweep threads must be in [1, 1024]");
    if (c.batch < 1 || c.batch > 1024) throw std::invalid_argument("sweep batch must be in [1, 1024]");
    if (c.eval_batch < 1 || c.eval_batch > 1024) throw std::invalid_argument("sweep eval batch must be in [1, 1024]");
    if (c.timing.runs < 1 || c.timing.warmup_runs < 0)
        throw std::invalid_argument("sweep timing needs runs >= 1 and warm-up runs >= 0");
}

std::string point_name(double alpha, int resolution) {
    return format_alpha(alpha) + "-" + std::to_string(resolution);
}

// The weights a point's accuracy comes from: a model of that α trained at the point's
// resolution when there is one, else pick_model's choice (float first, closest resolution).
std::optional<ModelEntry> weights_for(const std::vector<ModelEntry>& models, double alpha, int resolution) {
    std::vector<ModelEntry> native;
    for (const ModelEntry& m : models)
        if (m.native_resolution == resolution) native.push_back(m);
    if (const ModelEntry* m = pick_model(native, alpha, resolution)) return *m;
    if (const ModelEntry* m = pick_model(models, alpha, resolution)) return *m;
    return std::nullopt;
}

// The same at int8: the uint8 release of that α first (it runs int8 as released, at any
// resolution); a float model only when it can be calibrated.
std::optional<ModelEntry> int8_weights_for(const std::vector<ModelEntry>& models, double alpha, int resolution,
                                           bool can_calibrate) {
    std::vector<ModelEntry> quantized;
    for (const ModelEntry& m : models)
        if (m.quantized) quantized.push_back(m);
    if (auto m = weights_for(quantized, alpha, resolution)) return m;
    if (can_calibrate) return weights_for(models, alpha, resolution);
    return std::nullopt;
}

// A deterministic non-constant input: latency does not depend on the values, but an
// all-zero tensor is a less honest stand-in for an image.
void fill_input(ExecutionContext& ctx) {
    float* x = ctx.input();
    for (std::size_t i = 0; i < ctx.input_floats(); ++i) x[i] = static_cast<float>(std::sin(0.1 * static_cast<double>(i)));
}

// A model loaded once per sweep, with the ground truth of the images in its class convention.
struct LoadedModel {
    std::shared_ptr<const ModelWeights> weights;
    LabeledFolder folder;
};

}  // namespace

std::vector<SweepPoint> run_sweep(const SweepConfig& config, const SweepCallbacks& callbacks,
                                  const CancelToken* cancel) {
    check_config(config);
    const std::atomic<bool> never{false};
    const std::atomic<bool>& cancelled = cancel ? cancel->cancelled : never;
    const bool with_accuracy = !config.images_dir.empty();
    const bool can_calibrate = !config.calibration_dir.empty();
    const std::string machine = machine_fingerprint();
    const std::string images_id =
        with_accuracy ? detail::image_set_identity(config.images_dir, config.ground_truth_csv) : std::string();
    const std::string calibration_id =
        can_calibrate ? detail::image_set_identity(config.calibration_dir, {}) + " n=" +
                            std::to_string(config.calibration_images)
                      : std::string();

    Runtime runtime(2);  // no configuration repeats within a sweep: keep little alive
    std::map<std::string, LoadedModel> loaded;
    std::map<std::string, std::shared_ptr<const ModelWeights>> calibrated;  // per float model path
    std::vector<SweepPoint> points;
    SweepProgress progress{
        .done = 0,
        .total = static_cast<int>(config.alphas.size() * config.resolutions.size() * config.precisions.size()),
        .stage = {}};
    auto report = [&](const std::string& stage) {
        progress.stage = stage;
        if (callbacks.progress) callbacks.progress(progress);
    };
    auto finish = [&](const SweepPoint& p) {
        points.push_back(p);
        ++progress.done;
        if (callbacks.point) callbacks.point(p);
    };
    auto load = [&](const std::string& path, const std::string& name) -> const LoadedModel& {
        auto it = loaded.find(path);
        if (it == loaded.end()) {
            report(name + ": loading " + std::filesystem::path(path).filename().string());
            LoadedModel lm;
            lm.weights = load_model(path);
            if (with_accuracy) {
                lm.folder = scan_labeled_folder(config.images_dir, lm.weights->num_classes, lm.weights->labels,
                                                config.ground_truth_csv);
            }
            it = loaded.emplace(path, std::move(lm)).first;
        }
        return it->second;
    };
    // The int8 form of a float model, calibrated once per sweep at its native resolution.
    auto calibrated_weights = [&](const std::string& path,
                                  const std::string& name) -> std::shared_ptr<const ModelWeights> {
        auto it = calibrated.find(path);
        if (it != calibrated.end()) return it->second;
        const auto& w = load(path, name).weights;
        report(name + ": calibrating int8");
        CalibrationOptions opt{.max_images = config.calibration_images, .threads = config.threads, .crop = config.crop};
        auto files = calibration_images(config.calibration_dir);
        CalibratedModel cm = calibrate_int8(runtime, w, files, opt, {}, cancel);
        return calibrated[path] = cm.weights;  // nullptr when cancelled
    };

    for (const double alpha : config.alphas) {
        std::shared_ptr<const ModelWeights> random, random_int8;  // per α: shapes do not depend on the resolution
        for (const int resolution : config.resolutions) {
            for (const Precision precision : config.precisions) {
                if (cancelled.load()) return points;
                const bool int8 = precision == Precision::Int8;
                const std::string name =
                    point_name(alpha, resolution) +
                    (config.precisions.size() > 1 ? std::string(int8 ? " int8" : " fp32") : "");  // as the app says it
                const ArchConfig arch{.alpha = alpha, .resolution = resolution, .num_classes = 1000};
                // int8 needs weights with quantization even for latency: the release (or a
                // calibrated float model) whenever one exists, images or not.
                const std::optional<ModelEntry> model =
                    int8 ? int8_weights_for(config.models, alpha, resolution, can_calibrate)
                         : (with_accuracy ? weights_for(config.models, alpha, resolution) : std::nullopt);
                const bool calibrate = int8 && model && !model->quantized;
                std::string weights_id = model ? detail::weights_identity(model->path) : std::string();
                if (calibrate) weights_id += " calibrated=" + calibration_id;
                const std::string key = detail::sweep_cache_key(config, alpha, resolution, precision, weights_id,
                                                                model && with_accuracy ? images_id : std::string(),
                                                                machine);

                SweepPoint p;
                if (!config.cache_dir.empty()) {
                    if (auto hit = detail::read_cached_point(config.cache_dir, key)) {
                        p = *hit;
                        if (p.weights && model) p.weights = model->path;  // the same contents, maybe moved
                    }
                }
                p.alpha = alpha;
                p.resolution = resolution;
                p.precision = precision;
                p.threads = config.threads;
                p.batch = config.batch;
                if (p.from_cache) {
                    report(name + ": cached");
                    finish(p);
                    continue;
                }

                const CostSummary cost = summarize(layer_table(arch));  // the paper's count
                p.macs = cost.macs;
                p.params = cost.params;

                // The weights this point runs: random for fp32 latency; at int8 the model's
                // int8 form, or random weights calibrated on synthetic images.
                std::shared_ptr<const ModelWeights> model_weights;
                if (model) {
                    model_weights = calibrate ? calibrated_weights(model->path, name) : load(model->path, name).weights;
                    if (!model_weights) return points;  // calibration cancelled
                }
                if (!random) random = random_weights(arch);
                std::shared_ptr<const ModelWeights> timed = random;
                if (int8) {
                    if (model_weights) {
                        timed = model_weights;
                    } else {
                        if (!random_int8) random_int8 = calibrate_int8(runtime, random, {}, {.threads = config.threads}).weights;
                        timed = random_int8;
                    }
                }
                report(name + ": timing");
                {
                    ExecutionContext ctx(runtime.compile(timed, {.resolution = resolution,
                                                                 .batch = config.batch,
                                                                 .threads = config.threads,
                                                                 .precision = precision}));
                    fill_input(ctx);
                    const auto latency = benchmark_forward(ctx, config.timing, cancelled);
                    if (!latency) return points;
                    p.latency = *latency;
                }

                if (model && with_accuracy) {
                    const LoadedModel& lm = load(model->path, name);
                    ExecutionContext ctx(runtime.compile(model_weights, {.resolution = resolution,
                                                                         .batch = config.eval_batch,
                                                                         .threads = config.threads,
                                                                         .precision = precision}));
                    const EvalResult r = evaluate(
                        ctx, config.images_dir, lm.folder.images, config.crop,
                        [&](std::size_t done, std::size_t total, const EvalResult&) {
                            report(name + ": " + std::to_string(done) + "/" + std::to_string(total) + " images");
                        },
                        &cancelled);
                    if (r.cancelled) return points;
                    p.weights = model->path;
                    p.calibrated = calibrate;
                    p.native_resolution = model->native_resolution;
                    p.images = r.images;
                    if (r.images > 0) {
                        p.top1 = r.top1();
                        p.top5 = r.top5();
                    }
                }
                if (!config.cache_dir.empty()) detail::write_cached_point(config.cache_dir, key, p);
                finish(p);
            }
        }
    }
    report("done");
    return points;
}

std::string sweep_csv(const std::vector<SweepPoint>& points) {
    std::ostringstream os;
    os.precision(10);
    os << "alpha,resolution,precision,threads,batch,macs,params,median_ms,p10_ms,p90_ms,weights,"
          "native_resolution,top1,top5,images,from_cache\n";
    auto optional = [&](const std::optional<double>& v) {
        if (v) os << *v;
    };
    for (const SweepPoint& p : points) {
        os << format_alpha(p.alpha) << "," << p.resolution << "," << to_string(p.precision) << "," << p.threads << ","
           << p.batch << "," << p.macs << "," << p.params << "," << p.latency.median_ms << "," << p.latency.p10_ms
           << "," << p.latency.p90_ms << ",";
        // Quote the path only when it needs it (csv_fields reads both forms).
        if (p.weights) {
            const bool quote = p.weights->find_first_of(",\"\n") != std::string::npos;
            if (!quote) os << *p.weights;
            else {
                os << '"';
                for (const char c : *p.weights) os << (c == '"' ? "\"\"" : std::string(1, c));
                os << '"';
            }
        }
        os << "," << p.native_resolution << ",";
        optional(p.top1);
        os << ",";
        optional(p.top5);
        os << "," << p.images << "," << (p.from_cache ? 1 : 0) << "\n";
    }
    return os.str();
}

void write_sweep_csv(const std::string& path, const std::vector<SweepPoint>& points) {
    detail::write_file_atomically(path, sweep_csv(points));
}

}  // namespace mnv1
