// mobilenet-cli: cost tables, benchmarks, classification and evaluation from the
// command line. Usage errors print one line and exit with status 2; runtime
// failures (unreadable model, ...) exit with status 1.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <streambuf>

#include "args.hpp"
#include "busy_load.hpp"
#include "cli_common.hpp"
#include "cli_precision.hpp"
#include "mobilenet/labeled_folder.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/classify.hpp"
#include "mobilenet/evaluate.hpp"
#include "mobilenet/file_output.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/quantize.hpp"
#include "mobilenet/threading.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using cli::Args;
using cli::arch_from;
using cli::crop_from;
using cli::fmt;
using cli::millions;
using cli::UsageError;

namespace {

constexpr const char* kUsage =
    "usage: mobilenet-cli <command> [options]\n"
    "commands:\n"
    "  info      --alpha A --resolution R [--classes N] [--standard-conv] [--json]\n"
    "  bench     --alpha A --resolution R [--threads auto|T] [--batch B] [--runs N] [--standard-conv]\n"
    "            [--precision fp32|int8|auto [--model PATH | --models-dir DIR] [--calibrate DIR]]\n"
    "            [--per-layer] [--keep-activations] [--busy N] [--parallel rows|primitives] [--json]\n"
    "            (--threads auto, the default: the thread count follows the machine's load pass by pass;\n"
    "             --busy N: N busy-loop processes compete for the CPU during the run;\n"
    "             --parallel: threads split each layer's rows (default) or oneDNN's own threading)\n"
    "  classify  [--model PATH | --alpha A] [--models-dir DIR] [--labels PATH] [--resolution R]\n"
    "            [--crop whole|central] [--top K] [--threads T] [--json]\n"
    "            [--precision fp32|int8|auto [--calibrate DIR [--calibration-images N]]] IMAGE...\n"
    "  eval      [--model PATH | --alpha A] --images DIR [--ground-truth CSV] [--resolution R]\n"
    "            [--crop whole|central] [--threads T] [--batch B] [--per-image OUT.csv] [--json]\n"
    "            [--precision fp32|int8|auto [--calibrate DIR [--calibration-images N]]]\n"
    "            (without --ground-truth: a ground_truth.csv, wnids in file names or class subfolders;\n"
    "             int8 of a float model reports the accuracy change against its fp32 run)\n"
    "  sweep     [--alphas 1.0,0.75,...] [--resolutions 224,192,...] [--precisions fp32,int8] [--models-dir DIR]\n"
    "            [--images DIR [--ground-truth CSV]] [--threads T] [--batch B] [--runs N]\n"
    "            [--crop whole|central] [--eval-batch B] [--cache DIR | --no-cache] [--csv OUT] [--json]\n"
    "  roofline  --alpha A --resolution R [--threads T] [--batch B] [--runs N] [--cache DIR | --no-cache]\n"
    "            [--json]     this machine's peak GFLOP/s and GB/s, every layer under the roof\n"
    "  models    [--models-dir DIR] [--json]     list the models found on the search path\n"
    "  version\n"
    "precision: fp32 (default); int8 runs a uint8 release as released, or a float model (Keras,\n"
    "  TF.js, TFLite float) quantized after training: --calibrate DIR gives the images its\n"
    "  activation ranges come from (the first --calibration-images N, default 100; per-channel\n"
    "  int8 weights, per-tensor uint8 activations); auto times both for the configuration\n"
    "  and runs the faster. A float model at int8 without --calibrate is an error (status 2).\n"
    "exit status: 0 done, 1 runtime failure (unreadable input, failed write, nothing evaluated),\n"
    "  2 bad arguments. Output files are written whole or not at all (temp file + rename).\n";

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

json layer_json(const mnv1::LayerSpec& l) {
    return {{"index", l.index},       {"name", l.name},       {"kind", mnv1::to_string(l.kind)},
            {"type", l.type_label()}, {"filter", l.filter_label()}, {"stride", l.stride},
            {"in", {l.in_h, l.in_w, l.in_c}}, {"out", {l.out_h, l.out_w, l.out_c}},
            {"macs", l.macs},         {"params", l.params}};
}

int cmd_info(const std::vector<std::string>& argv) {
    const Args a(argv, {"--alpha", "--resolution", "--classes"}, {"--standard-conv", "--json"});
    a.reject_positionals();
    const mnv1::ArchConfig cfg = arch_from(a);
    const auto layers = mnv1::layer_table(cfg);
    const mnv1::CostSummary sum = mnv1::summarize(layers);
    if (a.flag("--json")) {
        json j = {{"alpha", cfg.alpha},           {"resolution", cfg.resolution},
                  {"classes", cfg.num_classes},   {"standard_conv", cfg.standard_conv},
                  {"macs", sum.macs},             {"params", sum.params}};
        j["layers"] = json::array();
        for (const auto& l : layers) j["layers"].push_back(layer_json(l));
        j["breakdown"] = json::array();
        for (const auto& k : sum.by_kind) {
            j["breakdown"].push_back({{"kind", mnv1::to_string(k.kind)}, {"macs", k.macs},
                                      {"params", k.params}, {"macs_pct", k.macs_pct},
                                      {"params_pct", k.params_pct}});
        }
        cli::print_json(j);
        return 0;
    }
    std::cout << "MobileNet v1  alpha " << cfg.alpha << "  resolution " << cfg.resolution << " (rho "
              << fmt(cfg.resolution / 224.0, 3) << ")  classes " << cfg.num_classes
              << (cfg.standard_conv ? "  [standard convolutions, Table 4 counterfactual]" : "") << "\n\n";
    std::cout << std::left << std::setw(4) << "#" << std::setw(9) << "name" << std::setw(15) << "Type / Stride"
              << std::setw(18) << "Filter Shape" << std::setw(18) << "Input Size" << std::right
              << std::setw(12) << "Mult-Adds" << std::setw(12) << "Params" << "\n";
    for (const auto& l : layers) {
        const std::string in = std::to_string(l.in_h) + "x" + std::to_string(l.in_w) + "x" + std::to_string(l.in_c);
        std::cout << std::left << std::setw(4) << l.index << std::setw(9) << l.name << std::setw(15)
                  << l.type_label() << std::setw(18) << l.filter_label() << std::setw(18) << in << std::right
                  << std::setw(12) << l.macs << std::setw(12) << l.params << "\n";
    }
    std::cout << "\nTotal: " << millions(sum.macs) << " M mult-adds, " << millions(sum.params)
              << " M parameters\n\nBreakdown by layer type (Table 2):\n";
    for (const auto& k : sum.by_kind) {
        std::cout << "  " << std::left << std::setw(14) << mnv1::to_string(k.kind) << std::right << std::setw(9)
                  << fmt(k.macs_pct, 2) << "% mult-adds" << std::setw(9) << fmt(k.params_pct, 2)
                  << "% parameters\n";
    }
    return 0;
}

// The weights bench runs at int8: --model PATH (a uint8 release, or a float model with
// --calibrate DIR), else the search path's uint8 release of this alpha (native resolution
// closest to --resolution), else nullptr.
std::shared_ptr<const mnv1::ModelWeights> int8_bench_model(const Args& a, double alpha) {
    if (a.has("--model")) return mnv1::load_model(a.str("--model"));
    std::vector<mnv1::ModelEntry> quantized;
    for (const auto& e : cli::search_path_models(a)) {
        if (e.quantized) quantized.push_back(e);
    }
    const mnv1::ModelEntry* e = mnv1::pick_model(quantized, alpha, a.integer("--resolution", 224, 32, 1024));
    return e ? mnv1::load_model(e->path) : nullptr;
}

int cmd_bench(const std::vector<std::string>& argv) {
    const Args a(argv,
                 {"--alpha", "--resolution", "--threads", "--batch", "--runs", "--warmup", "--classes", "--precision",
                  "--model", "--models-dir", "--calibrate", "--calibration-images", "--busy", "--parallel"},
                 {"--per-layer", "--json", "--standard-conv", "--keep-activations"});
    a.reject_positionals();
    cli::check_models_dir(a);
    mnv1::ArchConfig arch = arch_from(a);
    arch.num_classes = a.integer("--classes", 1001, 1, 100000);
    mnv1::NetworkConfig cfg;
    cfg.resolution = arch.resolution;
    // --threads auto (default): the threading policy picks the count per pass; a number fixes it.
    const bool adaptive = a.str("--threads", "auto") == "auto";
    cfg.threads = adaptive ? 0 : a.integer("--threads", 0, 0, 1024);
    const int busy = a.integer("--busy", 0, 0, 64);
    cfg.batch = a.integer("--batch", 1, 1, 1024);
    // --parallel rows (default): threads split each layer's rows; primitives: oneDNN's own
    // threading inside each primitive (to compare the two).
    const std::string parallel = a.str("--parallel", "rows");
    if (parallel != "rows" && parallel != "primitives") {
        throw UsageError("--parallel must be rows or primitives, got '" + parallel + "'");
    }
    cfg.row_split = parallel == "rows";
    const mnv1::PrecisionChoice choice = cli::precision_choice_from(a);
    const int runs = a.integer("--runs", 100, 1, 1000000);
    const int warmup = a.integer("--warmup", std::max(3, std::min(runs / 10, 20)), 0, 100000);

    mnv1::Runtime rt;
    // fp32 times random weights of any shape; int8 runs a released uint8 model (its
    // scales and zero points are what the int8 path executes): --model, or the uint8
    // model of this alpha on the search path; a float --model with --calibrate DIR is
    // quantized first. Without either, random weights calibrated on synthetic images
    // (timing only: their ranges say nothing about accuracy).
    std::shared_ptr<const mnv1::ModelWeights> weights = mnv1::random_weights(arch);
    std::string int8_note;
    std::optional<mnv1::PrecisionDecision> decision;  // --precision auto
    if (choice != mnv1::PrecisionChoice::F32) {
        if (arch.standard_conv) throw UsageError("--standard-conv has no int8 form");
        const auto int8_model = int8_bench_model(a, arch.alpha);
        if (int8_model) {
            const cli::PrecisionPlan plan = cli::plan_precision(rt, a, int8_model, cfg, nullptr);
            if (plan.decision) {
                // auto against the model's own fp32 form (same shapes as random weights)
                cfg.precision = plan.precision;
                weights = plan.weights();
                int8_note = plan.decision->reason;
                decision = plan.decision;
            } else {
                cfg.precision = mnv1::Precision::Int8;
                weights = plan.int8;
            }
        } else {
            if (a.has("--calibrate")) throw UsageError("--calibrate needs a float --model PATH to quantize");
            const auto synthetic = mnv1::calibrate_int8(rt, weights, {}, {.resolution = cfg.resolution});
            const auto d = *mnv1::resolve_precision(rt, choice, weights, synthetic.weights, cfg);  // int8 exists
            cfg.precision = d.precision;
            if (choice == mnv1::PrecisionChoice::Auto) {
                int8_note = d.reason;
                decision = d;
            }
            if (cfg.precision == mnv1::Precision::Int8) weights = synthetic.weights;
        }
    } else if (a.has("--model") || a.has("--calibrate")) {
        throw UsageError(std::string(a.has("--model") ? "--model" : "--calibrate") +
                         " is for --precision int8 or auto (fp32 times random weights)");
    }
    const mnv1::CompiledNetworkPtr compiled = rt.compile(weights, cfg);
    const mnv1::CompiledNetwork& net = *compiled;
    const auto t_cached = Clock::now();
    rt.compile(weights, cfg);  // second lookup: what "changing the configuration back" costs
    const double cached_ms = ms_since(t_cached);

    const mnv1::ContextOptions ctx_options{.keep_activations = a.flag("--keep-activations")};
    mnv1::ExecutionContext fixed_ctx(compiled, ctx_options);
    std::fill(fixed_ctx.input(), fixed_ctx.input() + fixed_ctx.input_floats(), 0.0f);
    mnv1::AdaptiveExecution adaptive_exec(rt, weights, cfg, ctx_options);
    const cli::BusyLoad busy_load(busy);  // stopped when this function returns or throws
    mnv1::LatencyStats stats;
    std::map<int, int> passes_by_threads;
    std::string policy = "fixed";
    if (adaptive) {
        const mnv1::AdaptiveLatency r = mnv1::benchmark_adaptive(adaptive_exec, {.warmup_runs = warmup, .runs = runs});
        stats = r.stats;
        passes_by_threads = r.passes_by_threads;
        policy = "auto (last: " + r.last.reason() + ", " + fmt(r.last.others_runnable, 2) + " runnable elsewhere)";
    } else {
        stats = mnv1::benchmark_forward(fixed_ctx, {.warmup_runs = warmup, .runs = runs});
        passes_by_threads[net.threads()] = runs;
    }
    // The per-layer table profiles the context the last pass used.
    mnv1::ExecutionContext& ctx = adaptive ? *adaptive_exec.current() : fixed_ctx;
    const double med = stats.median_ms, p10 = stats.p10_ms, p90 = stats.p90_ms;
    const auto sum = mnv1::summarize(net.layers());
    // The thread count most passes ran with (the only one unless adaptive).
    const int threads = std::max_element(passes_by_threads.begin(), passes_by_threads.end(),
                                         [](const auto& x, const auto& y) { return x.second < y.second; })->first;
    json passes_json = json::object();  // {"2": 87, "1": 13}
    for (const auto& [t, n] : passes_by_threads) passes_json[std::to_string(t)] = n;
    std::ostringstream mix;  // "1x13,2x87": passes per thread count
    for (const auto& [t, n] : passes_by_threads) mix << (mix.tellp() > 0 ? "," : "") << t << "x" << n;
    const std::string threads_mix = mix.str();
    const mnv1::WaitPolicy wait = mnv1::wait_policy();

    // Per-layer: separate profiled passes (each step synchronised), medians per step.
    std::vector<mnv1::LayerProfile> per_layer;
    if (a.flag("--per-layer")) per_layer = mnv1::profile_layers(ctx, std::max(5, std::min(runs, 50)));

    if (a.flag("--json")) {
        json j = {{"engine", "onednn"},         {"onednn", mnv1::onednn_version()},
                  {"precision", mnv1::to_string(cfg.precision)}, {"weights", weights->source},
                  {"weights_description", weights->description}, {"precision_choice", mnv1::to_string(choice)},
                  {"precision_reason", int8_note},
                  {"isa", mnv1::onednn_cpu_isa()}, {"alpha", arch.alpha},
                  {"resolution", arch.resolution}, {"threads", threads},
                  {"batch", cfg.batch},         {"runs", runs},
                  {"standard_conv", arch.standard_conv},
                  {"median_ms", med},           {"p10_ms", p10},
                  {"p90_ms", p90},              {"images_per_s", 1000.0 * cfg.batch / med},
                  {"build_ms", net.build_ms()}, {"cached_lookup_ms", cached_ms},
                  {"macs", sum.macs},           {"params", sum.params},
                  {"gmacs_per_s", static_cast<double>(sum.macs) * cfg.batch / (med * 1e6)},
                  {"threads_policy", adaptive ? "auto" : "fixed"}, {"policy", policy}, {"parallel", parallel},
                  {"passes_by_threads", passes_json}, {"wait_policy", wait.describe()},
                  {"busy", busy}};
        if (decision) {
            j["auto"] = {{"measured", decision->measured}, {"f32_ms", decision->f32_ms},
                         {"int8_ms", decision->int8_ms}, {"chosen", mnv1::to_string(decision->precision)}};
        }
        if (!per_layer.empty()) {
            j["layers"] = json::array();
            for (const auto& p : per_layer) {
                j["layers"].push_back({{"name", p.name}, {"layer", p.layer}, {"median_ms", p.ms}, {"impl", p.impl}});
            }
        }
        cli::print_json(j);
        return 0;
    }
    std::cout << "oneDNN " << mnv1::onednn_version() << " (" << mnv1::onednn_cpu_isa() << ")  alpha "
              << arch.alpha << "  resolution " << arch.resolution << "  threads " << threads << "  batch "
              << cfg.batch << "  precision " << mnv1::to_string(cfg.precision)
              << (arch.standard_conv ? "  standard-conv" : "") << "\n";
    if (cfg.precision == mnv1::Precision::Int8) std::cout << "weights " << weights->description << "\n";
    if (!int8_note.empty()) std::cout << "precision auto -> " << int8_note << "\n";
    const int parts = ctx.network().row_parts();  // of the network the last pass ran
    std::cout << "threads " << policy << "; passes per thread count " << threads_mix << "; parallel " << parallel
              << (parts > 1 ? " (" + std::to_string(parts) + " parts)" : std::string(" (whole layers)"))
              << "; OpenMP wait "
              << wait.describe();
    if (busy) std::cout << "; " << busy << " busy loop(s) running";
    std::cout << "\n";
    std::cout << "median " << fmt(med, 3) << " ms  p10 " << fmt(p10, 3) << " ms  p90 " << fmt(p90, 3) << " ms\n";
    std::cout << "build " << fmt(net.build_ms(), 1) << " ms, cached lookup " << fmt(cached_ms * 1000, 1)
              << " us, " << millions(sum.macs, 1) << " M mult-adds\n";
    if (!per_layer.empty()) {
        double total = 0;
        for (const auto& p : per_layer) total += p.ms;
        std::cout << std::left << std::setw(15) << "step" << std::right << std::setw(10) << "ms" << std::setw(8)
                  << "%" << "  implementation\n";
        for (const auto& p : per_layer) {
            std::cout << std::left << std::setw(15) << p.name << std::right << std::setw(10) << fmt(p.ms, 3)
                      << std::setw(8) << fmt(100 * p.ms / total, 1) << "  " << p.impl << "\n";
        }
        std::cout << std::left << std::setw(15) << "sum" << std::right << std::setw(10) << fmt(total, 3) << "\n";
    }
    std::cout << "RESULT engine=onednn" << (cfg.precision == mnv1::Precision::Int8 ? "-int8" : "")
              << " alpha=" << arch.alpha << " res=" << arch.resolution << " threads=" << threads
              << " batch=" << cfg.batch << " runs=" << runs << " median_ms=" << fmt(med, 3)
              << " p10_ms=" << fmt(p10, 3) << " p90_ms=" << fmt(p90, 3) << " policy=" << (adaptive ? "auto" : "fixed")
              << " thread_mix=" << threads_mix << " parallel=" << parallel << " wait=" << wait.setting
              << " busy=" << busy << "\n";
    return 0;
}

// --- model selection shared by classify / eval -------------------------------

// With --precision int8|auto and no --calibrate, the uint8 release of the alpha is
// preferred (it runs int8 as released); otherwise the float model.
std::shared_ptr<const mnv1::ModelWeights> resolve_model(const Args& a) {
    if (a.has("--model")) return mnv1::load_model(a.str("--model"), a.str("--labels"));
    auto models = cli::search_path_models(a);
    if (cli::precision_choice_from(a) != mnv1::PrecisionChoice::F32 && !a.has("--calibrate")) {
        std::vector<mnv1::ModelEntry> quantized;
        for (const auto& m : models) {
            if (m.quantized) quantized.push_back(m);
        }
        const double alpha = a.number("--alpha", models.empty() ? 0.0 : models.back().alpha);
        if (mnv1::pick_model(quantized, alpha, a.integer("--resolution", 224, 32, 1024))) models = quantized;
    }
    if (models.empty()) {
        throw std::runtime_error(
            "no model found: pass --model PATH, --models-dir DIR or set MOBILENET_MODELS "
            "(models/fetch_models.sh downloads the official release)");
    }
    const double alpha = a.number("--alpha", models.back().alpha);
    const mnv1::ModelEntry* e = mnv1::pick_model(models, alpha, a.integer("--resolution", 224, 32, 1024));
    if (!e) throw std::runtime_error("no model with alpha " + fmt(alpha, 2) + " on the search path");
    return mnv1::load_model(e->path, a.str("--labels"));
}

std::string model_line(const mnv1::ModelWeights& w, const mnv1::NetworkConfig& cfg) {
    return w.description + "  alpha " + fmt(w.alpha, 2) + "  native " + std::to_string(w.native_resolution) +
           "  running at " + std::to_string(cfg.resolution) + "  " + mnv1::to_string(w.activation) + "  " +
           std::to_string(w.num_classes) + " classes  padding " + mnv1::to_string(w.padding) + "  precision " +
           mnv1::to_string(cfg.precision);
}

std::string signed_fmt(double v) { return (v >= 0 ? "+" : "") + fmt(v, 2); }

json precision_json(const cli::PrecisionPlan& plan) {
    json j = {{"precision", mnv1::to_string(plan.precision)}};
    if (plan.calibrated) {
        j["calibration"] = {{"dir", plan.calibration_dir}, {"images", plan.calibration.images},
                            {"skipped", plan.calibration.skipped}};
    }
    if (plan.decision) {
        j["auto"] = {{"measured", plan.decision->measured}, {"f32_ms", plan.decision->f32_ms},
                     {"int8_ms", plan.decision->int8_ms}, {"reason", plan.decision->reason}};
    }
    return j;
}

int cmd_classify(const std::vector<std::string>& argv) {
    const Args a(argv, {"--model", "--labels", "--resolution", "--top", "--threads", "--crop", "--alpha", "--models-dir",
                        "--precision", "--calibrate", "--calibration-images"},
                 {"--json"});
    if (a.positional().empty()) throw UsageError("classify needs at least one IMAGE");
    cli::check_models_dir(a);
    const int top = a.integer("--top", 5, 1, 100000);
    const mnv1::CropMode crop = crop_from(a);
    const int threads = a.integer("--threads", 0, 0, 1024);
    if (a.has("--resolution")) a.integer("--resolution", 224, 32, 1024);
    const auto weights = resolve_model(a);
    mnv1::NetworkConfig cfg;
    cfg.resolution = a.integer("--resolution", weights->native_resolution, 32, 1024);
    cfg.threads = threads;
    mnv1::Runtime rt;
    const cli::PrecisionPlan plan = cli::plan_precision(rt, a, weights, cfg, a.flag("--json") ? nullptr : &std::cout);
    cfg.precision = plan.precision;
    mnv1::ExecutionContext ctx(rt.compile(plan.weights(), cfg));

    json results = json::array();
    int failures = 0;
    if (!a.flag("--json")) std::cout << model_line(*plan.weights(), cfg) << "\n";
    const int num_classes = ctx.network().num_classes();
    mnv1::ImageLabelLookup labels(num_classes);  // a class named by the file, its folder or their CSV
    for (const std::string& path : a.positional()) {
        try {
            const cv::Mat img = mnv1::load_image(path);
            const auto r = mnv1::classify(ctx, {img}, crop, top).front();
            const mnv1::ImageLabel label = labels.find(path);
            const int rank = mnv1::class_rank(ctx.probabilities(), num_classes, label.index);
            const mnv1::Prediction labelled =
                rank > 0 ? mnv1::prediction_of(ctx.probabilities(), label.index, weights->labels) : mnv1::Prediction{};
            if (a.flag("--json")) {
                json preds = json::array();
                for (const auto& p : r.top) preds.push_back({{"index", p.index}, {"label", p.label}, {"probability", p.probability}});
                json row = {{"image", path}, {"latency_ms", r.latency_ms}, {"preprocess_ms", r.preprocess_ms},
                            {"crop", {r.crop.x, r.crop.y, r.crop.width, r.crop.height}}, {"top", preds}};
                if (rank > 0) {
                    row["labelled"] = {{"index", labelled.index}, {"label", labelled.label}, {"source", label.source},
                                       {"rank", rank}, {"probability", labelled.probability}};
                }
                results.push_back(row);
            } else {
                std::cout << path << "  (" << fmt(r.latency_ms, 2) << " ms)\n";
                for (const auto& p : r.top) {
                    // Exact zeros tie (an int8 network's uint8 output has steps of 1/256), so the
                    // rest of the top-k would be classes in index order: one line says so instead.
                    // --json keeps every row.
                    if (p.probability == 0.0f) {
                        std::cout << "  (every other class: 0.00%)\n";
                        break;
                    }
                    std::cout << "  " << std::setw(5) << p.index << "  " << std::setw(6) << fmt(100 * p.probability, 2)
                              << "%  " << p.label << "\n";
                }
                if (rank > 0) {
                    std::cout << "  labelled " << labelled.index << " " << labelled.label << " (" << label.source << "): rank "
                              << rank << ", " << fmt(100 * labelled.probability, 2) << "%\n";
                }
            }
        } catch (const mnv1::ImageError& e) {
            ++failures;
            if (a.flag("--json")) results.push_back({{"image", path}, {"error", e.what()}});
            else std::cerr << "error: " << e.what() << "\n";
        }
    }
    if (a.flag("--json")) {
        json j = {{"model", weights->source}, {"description", weights->description}, {"alpha", weights->alpha},
                  {"resolution", cfg.resolution}, {"classes", weights->num_classes}, {"results", results}};
        j.update(precision_json(plan));
        cli::print_json(j);
    }
    return failures ? 1 : 0;
}

int cmd_eval(const std::vector<std::string>& argv) {
    const Args a(argv, {"--model", "--labels", "--images", "--ground-truth", "--resolution", "--crop", "--threads",
                        "--batch", "--per-image", "--alpha", "--models-dir", "--limit", "--precision", "--calibrate",
                        "--calibration-images"},
                 {"--json"});
    a.reject_positionals();
    if (!a.has("--images")) throw UsageError("eval needs --images DIR");
    cli::check_models_dir(a);
    // Checked now, written at the end (write_file_atomically): a typo fails before the
    // evaluation, a failed or killed run leaves any old file as it was.
    if (a.has("--per-image")) mnv1::check_output_path(a.str("--per-image"));
    const mnv1::CropMode crop = crop_from(a);
    const int threads = a.integer("--threads", 0, 0, 1024);
    const int batch = a.integer("--batch", 8, 1, 256);
    const int limit = a.integer("--limit", 0, 0, 100000000);
    if (a.has("--resolution")) a.integer("--resolution", 224, 32, 1024);
    const fs::path dir = a.str("--images");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir.string() + ": not a directory");

    const auto weights = resolve_model(a);
    mnv1::NetworkConfig cfg;
    cfg.resolution = a.integer("--resolution", weights->native_resolution, 32, 1024);
    cfg.threads = threads;
    cfg.batch = batch;
    mnv1::Runtime rt;
    const cli::PrecisionPlan plan = cli::plan_precision(rt, a, weights, cfg, a.flag("--json") ? nullptr : &std::cout);
    if (plan.calibrated && fs::equivalent(plan.calibration_dir, dir, ec)) {
        std::cerr << "warning: calibrating on the evaluation images themselves overstates int8 accuracy\n";
    }
    cfg.precision = plan.precision;
    mnv1::ExecutionContext ctx(rt.compile(plan.weights(), cfg));
    const mnv1::LabeledFolder folder =
        mnv1::scan_labeled_folder(dir.string(), weights->num_classes, weights->labels, a.str("--ground-truth"));
    auto truth = folder.images;
    if (limit > 0 && static_cast<int>(truth.size()) > limit) truth.resize(static_cast<std::size_t>(limit));

    const bool progress = isatty(fileno(stderr)) && !a.flag("--json");
    const auto r = mnv1::evaluate(ctx, dir.string(), truth, crop,
                                  [&](std::size_t n, std::size_t total, const mnv1::EvalResult& so_far) {
        if (!progress) return;
        const std::size_t width = 40, filled = width * n / total;
        std::fprintf(stderr, "\r[%s%s] %zu/%zu  top-1 %.1f%%", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), n, total, so_far.top1());
    });
    if (progress) std::fprintf(stderr, "\n");
    // int8 of a float model: the same images at fp32, for the accuracy change.
    std::optional<mnv1::EvalResult> f32_run;
    int agree_top1 = 0;
    if (plan.calibrated && plan.precision == mnv1::Precision::Int8) {
        mnv1::NetworkConfig f32_cfg = cfg;
        f32_cfg.precision = mnv1::Precision::F32;
        mnv1::ExecutionContext f32_ctx(rt.compile(plan.f32, f32_cfg));
        f32_run = mnv1::evaluate(f32_ctx, dir.string(), truth, crop);
        std::map<std::string, int> f32_top1;
        for (const auto& o : f32_run->outcomes) f32_top1[o.file] = o.top.front().index;
        for (const auto& o : r.outcomes) {
            const auto it = f32_top1.find(o.file);
            agree_top1 += it != f32_top1.end() && it->second == o.top.front().index;
        }
    }
    const double agreement = r.images ? 100.0 * agree_top1 / r.images : 0;
    if (a.has("--per-image") && r.images > 0) {
        std::ostringstream per_image;
        per_image << "file,truth,top1,top2,top3,top4,top5,p1,correct_top1,correct_top5\n";
        for (const auto& o : r.outcomes) {
            per_image << cli::csv_field(o.file) << "," << o.truth;
            for (const auto& p : o.top) per_image << "," << p.index;
            const bool c5 = std::any_of(o.top.begin(), o.top.end(), [&](const auto& p) { return p.index == o.truth; });
            per_image << "," << o.top[0].probability << "," << (o.top[0].index == o.truth) << "," << c5 << "\n";
        }
        mnv1::write_file_atomically(a.str("--per-image"), per_image.str());
    }
    const mnv1::ProportionInterval top1_ci = r.top1_interval();
    if (a.flag("--json")) {
        json j = {{"model", weights->source}, {"description", weights->description}, {"resolution", cfg.resolution},
                  {"crop", mnv1::to_string(crop)}, {"images", r.images}, {"skipped", r.skipped.size()},
                  {"skipped_files", r.skipped}, {"top1", r.top1()}, {"top5", r.top5()},
                  {"top1_ci95", {100 * top1_ci.lower, 100 * top1_ci.upper}},
                  {"images_per_s", r.images_per_s()},
                  {"truth_source", mnv1::to_string(folder.source)}, {"truth_detail", folder.source_detail},
                  {"image_files", folder.image_files},
                  {"matched", folder.matched()},
                  {"listed_missing", folder.listed_missing},
                  {"unmatched", folder.unmatched.size()}, {"unmatched_files", folder.unmatched}};
        j.update(precision_json(plan));
        if (f32_run) {
            j["fp32"] = {{"top1", f32_run->top1()}, {"top5", f32_run->top5()}, {"images", f32_run->images}};
            j["top1_change"] = r.top1() - f32_run->top1();
            j["top5_change"] = r.top5() - f32_run->top5();
            j["top1_agreement"] = agreement;
        }
        cli::print_json(j);
    } else {
        std::cout << model_line(*plan.weights(), cfg) << "\n";
        std::cout << "ground truth: " << folder.source_detail << " (" << mnv1::to_string(folder.source) << "), "
                  << folder.matched() << " matched, "
                  << folder.unmatched.size() << " unmatched of " << folder.image_files << " image files";
        if (folder.listed_missing > 0) std::cout << "; " << folder.listed_missing << " listed file(s) not among them";
        std::cout << "\n";
        for (const auto& u : folder.unmatched) std::cout << "  unmatched: " << u << "\n";
        std::cout << "images " << r.images << "  skipped " << r.skipped.size() << "  top-1 " << fmt(r.top1(), 2)
                  << "% (95% interval " << fmt(100 * top1_ci.lower, 1) << "-" << fmt(100 * top1_ci.upper, 1)
                  << "%)  top-5 " << fmt(r.top5(), 2) << "%  "
                  << fmt(r.images_per_s(), 1) << " images/s (" << mnv1::to_string(crop) << " crop)\n";
        for (const auto& s : r.skipped) std::cout << "  skipped: " << s << "\n";
        if (f32_run) {
            std::cout << "fp32   top-1 " << fmt(f32_run->top1(), 2) << "%  top-5 " << fmt(f32_run->top5(), 2)
                      << "%  (same images)\nint8 - fp32: top-1 " << signed_fmt(r.top1() - f32_run->top1())
                      << "  top-5 " << signed_fmt(r.top5() - f32_run->top5())
                      << " points; top-1 agreement " << fmt(agreement, 2) << "% (" << agree_top1 << "/" << r.images
                      << ")\n";
        }
    }
    if (r.images == 0) {
        // An accuracy over no image is no result: the run fails (and --per-image stays as it was).
        throw mnv1::Error(dir.string(), truth.empty() ? "nothing was evaluated: no image with ground truth"
                                                      : "nothing was evaluated: all " + std::to_string(truth.size()) +
                                                            " listed images were skipped");
    }
    return 0;
}

int cmd_models(const std::vector<std::string>& argv) {
    const Args a(argv, {"--models-dir"}, {"--json"});
    a.reject_positionals();
    const auto dirs = cli::search_dirs(a);  // checks --models-dir
    std::vector<std::string> problems;
    const auto models = mnv1::discover_models(dirs, &problems);
    if (a.flag("--json")) {
        json j = {{"search_path", dirs}, {"problems", problems}, {"models", json::array()}};
        for (const auto& m : models) {
            j["models"].push_back({{"path", m.path}, {"alpha", m.alpha}, {"resolution", m.native_resolution},
                                   {"quantized", m.quantized}, {"format", mnv1::to_string(m.origin)},
                                   {"classes", m.num_classes}, {"name", m.display_name}});
        }
        cli::print_json(j);
        return 0;
    }
    std::cout << "search path:\n";
    for (const auto& d : dirs) std::cout << "  " << d << "\n";
    std::cout << models.size() << " model(s):\n";
    for (const auto& m : models) std::cout << "  " << std::left << std::setw(44) << m.display_name << m.path << "\n";
    for (const auto& p : problems) std::cout << "  skipped: " << p << "\n";
    return 0;
}

// Runs one command; its status, or 2 / 1 for a usage / runtime error (one line on stderr).
int run_command(const std::string& cmd, const std::vector<std::string>& rest) {
    try {
        if (cmd == "info") return cmd_info(rest);
        if (cmd == "bench") return cmd_bench(rest);
        if (cmd == "classify") return cmd_classify(rest);
        if (cmd == "eval") return cmd_eval(rest);
        if (cmd == "models") return cmd_models(rest);
        if (cmd == "sweep") return cli::cmd_sweep(rest);
        if (cmd == "roofline") return cli::cmd_roofline(rest);
        const bool version = cmd == "version" || cmd == "--version";
        const bool help = cmd == "help" || cmd == "--help" || cmd == "-h";
        if ((version || help) && !rest.empty()) throw UsageError("unexpected argument '" + rest.front() + "'");
        if (version) {
            std::cout << "mobilenet-cli " << MOBILENET_VERSION << "  oneDNN " << mnv1::onednn_version() << " ("
                      << mnv1::onednn_cpu_isa() << ")\n";
            return 0;
        }
        if (help) {
            std::cout << kUsage;
            return 0;
        }
        throw UsageError("unknown command '" + cmd + "'");
    } catch (const UsageError& e) {
        std::cerr << "mobilenet-cli: " << e.what() << " (see 'mobilenet-cli help')\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mobilenet-cli: " << e.what() << "\n";
        return 1;
    }
}

// Standard output is a file like any other: std::cout writes through this buffer,
// which keeps the errno of the first failed write (a full disk, an I/O error) so the
// one check at the end of main can say why; later output is dropped, not retried.
class CheckedStdoutBuf : public std::streambuf {
public:
    CheckedStdoutBuf() { setp(buffer_, buffer_ + sizeof buffer_); }
    int error() const { return error_; }

protected:
    int_type overflow(int_type ch) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        const char* p = pbase();
        std::size_t left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0 && error_ == 0) {
            const ssize_t n = ::write(STDOUT_FILENO, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) error_ = errno;
            else {
                p += n;
                left -= static_cast<std::size_t>(n);
            }
        }
        setp(buffer_, buffer_ + sizeof buffer_);
        return error_ == 0;
    }
    char buffer_[1 << 16];
    int error_ = 0;
};

// Flushes what the command printed, once for all commands: a failed write to standard
// output is an error (exit 1), not a silent exit 0.
int finish_stdout(CheckedStdoutBuf& out, int status) {
    std::cout.flush();
    if (out.error() == 0) return status;
    std::cerr << "mobilenet-cli: writing standard output: " << std::strerror(out.error()) << "\n";
    return status == 0 ? 1 : status;
}

}  // namespace

int main(int argc, char** argv) {
    mnv1::apply_wait_policy(argv);  // may re-execute this program once (see mobilenet/threading.hpp)
    if (argc < 2) {
        std::cerr << "mobilenet-cli: missing command (see 'mobilenet-cli help')\n";
        return 2;
    }
    const std::vector<std::string> rest(argv + 2, argv + argc);
    CheckedStdoutBuf checked_stdout;
    std::streambuf* const original = std::cout.rdbuf(&checked_stdout);
    if (isatty(STDOUT_FILENO)) std::cout.setf(std::ios::unitbuf);  // a terminal sees each line at once
    const int status = finish_stdout(checked_stdout, run_command(argv[1], rest));
    std::cout.rdbuf(original);  // before checked_stdout goes: the exit-time flush uses cout
    return status;
}
