// mobilenet-cli sweep: the α × resolution trade-off table (costs, latency, accuracy
// where weights exist), streamed as points finish, cached on disk between runs.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli_common.hpp"
#include "mobilenet/file_output.hpp"
#include "mobilenet/quantize.hpp"
#include "mobilenet/sweep.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace cli {

namespace {

// "1.0,0.75" -> {1.0, 0.75}; every item must parse completely.
template <typename T>
std::vector<T> parse_list(const Args& a, const std::string& flag, const std::vector<T>& def) {
    if (!a.has(flag)) return def;
    const std::string text = a.str(flag);
    std::vector<T> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, comma - start);
        char* end = nullptr;
        const double v = item.empty() ? 0 : std::strtod(item.c_str(), &end);
        const bool whole = std::is_integral_v<T> ? v == static_cast<double>(static_cast<long long>(v)) : true;
        if (item.empty() || *end != '\0' || !whole || !std::isfinite(v))
            throw UsageError("option '" + flag + "' expects a comma-separated list of " +
                             (std::is_integral_v<T> ? "integers" : "numbers") + ", got '" + text + "'");
        out.push_back(static_cast<T>(v));
        start = comma + 1;
    }
    return out;
}

// Ctrl+C cancels the sweep cooperatively: finished points are still printed and cached.
mnv1::CancelToken* g_cancel = nullptr;
extern "C" void on_interrupt(int) {
    if (g_cancel) g_cancel->cancelled.store(true);  // lock-free atomic store: signal-safe
}

std::string or_dash(const std::optional<double>& v) { return v ? fmt(*v, 1) : "-"; }

void print_header() {
    std::cout << std::right << std::setw(5) << "alpha" << std::setw(5) << "res" << std::setw(9) << "M-MACs"
              << std::setw(8) << "M-par" << std::setw(9) << "med ms" << std::setw(9) << "p10 ms" << std::setw(9)
              << "p90 ms" << std::setw(5) << "prec" << std::setw(4) << "thr" << "  " << std::left << std::setw(38) << "weights" << std::right
              << std::setw(7) << "native" << std::setw(7) << "top-1" << std::setw(7) << "top-5" << "  cached\n";
}

void print_point(const mnv1::SweepPoint& p) {
    const std::string weights =
        p.weights ? fs::path(*p.weights).filename().string() + (p.calibrated ? " (calibrated)" : "") : "random";
    std::cout << std::right << std::setw(5) << mnv1::format_alpha(p.alpha) << std::setw(5) << p.resolution
              << std::setw(9) << millions(p.macs, 1) << std::setw(8) << millions(p.params, 2) << std::setw(9)
              << fmt(p.latency.median_ms, 2) << std::setw(9) << fmt(p.latency.p10_ms, 2) << std::setw(9)
              << fmt(p.latency.p90_ms, 2) << std::setw(5) << mnv1::to_string(p.precision) << std::setw(4) << p.threads
              << "  " << std::left << std::setw(38)
              << weights << std::right << std::setw(7)
              << (p.weights ? std::to_string(p.native_resolution) + (p.at_native_resolution() ? "*" : "") : "-")
              << std::setw(7) << or_dash(p.top1) << std::setw(7) << or_dash(p.top5) << "  "
              << (p.from_cache ? "yes" : "no") << std::endl;  // flush: the table streams
}

json point_json(const mnv1::SweepPoint& p) {
    auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    return {{"alpha", p.alpha},
            {"resolution", p.resolution},
            {"precision", mnv1::to_string(p.precision)},
            {"threads", p.threads},
            {"batch", p.batch},
            {"macs", p.macs},
            {"params", p.params},
            {"median_ms", p.latency.median_ms},
            {"p10_ms", p.latency.p10_ms},
            {"p90_ms", p.latency.p90_ms},
            {"runs", p.latency.runs},
            {"weights", p.weights ? json(*p.weights) : json(nullptr)},
            {"calibrated", p.calibrated},
            {"native_resolution", p.native_resolution},
            {"at_native_resolution", p.at_native_resolution()},
            {"top1", opt(p.top1)},
            {"top5", opt(p.top5)},
            {"images", p.images},
            {"from_cache", p.from_cache}};
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& argv) {
    const Args a(argv,
                 {"--alphas", "--resolutions", "--models-dir", "--images", "--ground-truth", "--threads", "--batch",
                  "--runs", "--crop", "--eval-batch", "--cache", "--csv", "--precisions", "--calibrate",
                  "--calibration-images"},
                 {"--no-cache", "--json"});
    a.reject_positionals();
    check_models_dir(a);
    // Checked now, written when the sweep ends (atomically): a typo fails before the runs.
    if (a.has("--csv")) mnv1::check_output_path(a.str("--csv"));
    mnv1::SweepConfig config;
    config.alphas = parse_list(a, "--alphas", config.alphas);
    config.resolutions = parse_list(a, "--resolutions", config.resolutions);
    try {
        for (const double alpha : config.alphas) mnv1::validate(mnv1::ArchConfig{.alpha = alpha});
        for (const int res : config.resolutions) mnv1::validate(mnv1::ArchConfig{.resolution = res});
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (a.has("--precisions")) {
        config.precisions.clear();
        const std::string text = a.str("--precisions");
        for (std::size_t start = 0; start <= text.size();) {
            const std::size_t comma = std::min(text.find(',', start), text.size());
            const auto c = mnv1::parse_precision_choice(text.substr(start, comma - start));
            if (!c || *c == mnv1::PrecisionChoice::Auto) {
                throw UsageError("option '--precisions' expects a comma-separated list of fp32 and int8, got '" + text +
                                 "'");
            }
            config.precisions.push_back(*c == mnv1::PrecisionChoice::Int8 ? mnv1::Precision::Int8 : mnv1::Precision::F32);
            start = comma + 1;
        }
    }
    const bool any_int8 = std::find(config.precisions.begin(), config.precisions.end(), mnv1::Precision::Int8) !=
                          config.precisions.end();
    if (a.has("--calibration-images") && !a.has("--calibrate")) throw UsageError("--calibration-images needs --calibrate DIR");
    if (a.has("--calibrate")) {
        if (!any_int8) throw UsageError("--calibrate is for --precisions with int8");
        config.calibration_dir = a.str("--calibrate");
        config.calibration_images = a.integer("--calibration-images", 100, 1, 1000000);
        std::error_code ec;
        if (!fs::is_directory(config.calibration_dir, ec)) {
            throw std::runtime_error(config.calibration_dir + ": not a directory");
        }
    }
    config.threads = a.integer("--threads", 1, 1, 1024);
    config.batch = a.integer("--batch", 1, 1, 1024);
    config.timing.runs = a.integer("--runs", config.timing.runs, 1, 1000000);
    config.crop = crop_from(a);
    config.eval_batch = a.integer("--eval-batch", config.eval_batch, 1, 1024);
    if (a.has("--cache") && a.flag("--no-cache")) throw UsageError("give --cache DIR or --no-cache, not both");
    if (a.has("--ground-truth") && !a.has("--images")) throw UsageError("--ground-truth needs --images DIR");
    config.cache_dir = a.flag("--no-cache") ? std::string() : a.str("--cache", default_cache_dir("sweep"));
    if (a.has("--images")) {
        config.images_dir = a.str("--images");
        std::error_code ec;
        if (!fs::is_directory(config.images_dir, ec)) throw std::runtime_error(config.images_dir + ": not a directory");
        config.ground_truth_csv = a.str("--ground-truth");
        config.models = search_path_models(a);  // weights matter for accuracy
    } else if (any_int8) {
        config.models = search_path_models(a);  // and for int8 latency (the uint8 releases)
    }
    const bool as_json = a.flag("--json");
    const bool progress_line = !as_json && isatty(fileno(stderr));

    mnv1::CancelToken cancel;
    g_cancel = &cancel;
    std::signal(SIGINT, on_interrupt);
    mnv1::SweepCallbacks callbacks;
    if (!as_json) {
        print_header();
        callbacks.point = [&](const mnv1::SweepPoint& p) {
            if (progress_line) std::fprintf(stderr, "\r\033[K");
            print_point(p);
        };
    }
    if (progress_line) {
        callbacks.progress = [](const mnv1::SweepProgress& s) {
            std::fprintf(stderr, "\r\033[K[%d/%d] %s", s.done, s.total, s.stage.c_str());
        };
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto points = mnv1::run_sweep(config, callbacks, &cancel);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::signal(SIGINT, SIG_DFL);
    g_cancel = nullptr;
    if (progress_line) std::fprintf(stderr, "\r\033[K");

    if (a.has("--csv")) mnv1::write_sweep_csv(a.str("--csv"), points);
    const bool interrupted = cancel.cancelled.load();
    if (as_json) {
        json j = {{"machine", mnv1::machine_fingerprint()},
                  {"seconds", seconds},
                  {"cache_dir", config.cache_dir.empty() ? json(nullptr) : json(config.cache_dir)},
                  {"cancelled", interrupted},
                  {"points", json::array()}};
        for (const auto& p : points) j["points"].push_back(point_json(p));
        print_json(j);
    } else {
        std::cout << points.size() << " point(s) in " << fmt(seconds, 1) << " s"
                  << (interrupted ? " (interrupted)" : "") << "  [" << mnv1::machine_fingerprint() << "]\n";
    }
    return interrupted ? 130 : 0;
}

}  // namespace cli
