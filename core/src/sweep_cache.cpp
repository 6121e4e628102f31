#include "sweep_cache.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "image_set.hpp"
#include "mobilenet/errors.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace mnv1 {

std::string machine_fingerprint() {
    std::string cpu = "unknown cpu";
    std::ifstream info("/proc/cpuinfo");
    for (std::string line; std::getline(info, line);) {
        if (line.rfind("model name", 0) != 0) continue;
        const auto colon = line.find(':');
        if (colon != std::string::npos) cpu = line.substr(line.find_first_not_of(' ', colon + 1));
        break;
    }
    return cpu + " | isa " + onednn_cpu_isa() + " | " + std::to_string(hardware_threads()) + " threads | oneDNN " +
           onednn_version();
}

namespace detail {

std::string weights_identity(const std::string& model_path) {
    const fs::path path(model_path);
    std::error_code ec;
    const fs::path tfjs_dir = fs::is_directory(path, ec)             ? path
                              : path.filename() == "model.json"      ? path.parent_path()
                                                                     : fs::path();
    if (tfjs_dir.empty()) return file_identity(path);
    std::string id;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(tfjs_dir, ec), end; !ec && it != end; it.increment(ec))
        if (std::error_code sec; it->is_regular_file(sec)) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) id += f.filename().string() + "=" + file_identity(f) + ";";
    return hex64(fnv1a(id));
}

std::string image_set_identity(const std::string& images_dir, const std::string& csv_path) {
    std::uint64_t h = kFnvOffset;
    for (const auto& f : list_image_files(images_dir)) h = fnv1a(f.file + ":" + std::to_string(f.bytes) + "\n", h);
    const std::string csv = csv_path.empty() ? find_truth_csv(images_dir) : csv_path;
    return hex64(h) + (csv.empty() ? "" : "+csv" + hex64(hash_file(csv)));
}

std::string sweep_cache_key(const SweepConfig& c, double alpha, int resolution, Precision precision,
                            const std::string& weights, const std::string& images, const std::string& machine) {
    std::ostringstream os;
    os.precision(17);
    // v2: several threads split a batch-1 pass by rows (NetworkConfig::row_split), so
    // latencies timed by earlier versions are not reused. v3: int8 on CPUs without VNNI is
    // mapped anew (exact, slower); its earlier accuracy and latency are not reused.
    // v3 also: the f32 pool no longer runs oneDNN's reference kernel. v4: without VNNI
    // most int8 pointwise layers run as one matmul (pair-safe channel order): faster.
    // v5: without VNNI the first int8 layers run in the exact f32 form: faster again.
    // v6: without VNNI the int8 recomputed outputs run as int8 parts: faster again.
    // v7: depthwise layers take the faster of oneDNN's two kernels, timed at build time.
    os << "sweep-v7 alpha=" << alpha << " resolution=" << resolution << " precision=" << to_string(precision)
       << " threads=" << c.threads << " batch=" << c.batch << " warmup=" << c.timing.warmup_runs
       << " runs=" << c.timing.runs;
    if (!weights.empty()) {
        os << " crop=" << to_string(c.crop) << " eval_batch=" << c.eval_batch << " weights=" << weights
           << " images=" << images;
    }
    os << " machine=" << machine;
    return os.str();
}

namespace {

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
std::optional<double> optional_from(const json& v) {
    return v.is_null() ? std::nullopt : std::optional<double>(v.get<double>());
}

}  // namespace

std::optional<SweepPoint> read_cached_point(const std::string& cache_dir, const std::string& key) {
    const std::optional<json> entry = read_cache_entry(cache_dir, key);
    if (!entry) return std::nullopt;
    try {
        const json& j = *entry;
        SweepPoint p;
        p.macs = j.at("macs").get<std::int64_t>();
        p.params = j.at("params").get<std::int64_t>();
        const json& l = j.at("latency");
        p.latency = {.runs = l.at("runs").get<int>(),
                     .median_ms = l.at("median_ms").get<double>(),
                     .p10_ms = l.at("p10_ms").get<double>(),
                     .p90_ms = l.at("p90_ms").get<double>(),
                     .min_ms = l.at("min_ms").get<double>(),
                     .max_ms = l.at("max_ms").get<double>(),
                     .mean_ms = l.at("mean_ms").get<double>()};
        if (!j.at("weights").is_null()) p.weights = j.at("weights").get<std::string>();
        p.native_resolution = j.at("native_resolution").get<int>();
        p.top1 = optional_from(j.at("top1"));
        p.top5 = optional_from(j.at("top5"));
        p.images = j.at("images").get<int>();
        p.calibrated = j.value("calibrated", false);
        if (p.latency.runs < 1 || p.macs <= 0) return std::nullopt;
        p.from_cache = true;
        return p;
    } catch (const json::exception&) {
        return std::nullopt;  // fields missing or of another type: measure again
    }
}

bool write_cached_point(const std::string& cache_dir, const std::string& key, const SweepPoint& p) {
    const json j = {{"alpha", p.alpha},
                    {"resolution", p.resolution},
                    {"macs", p.macs},
                    {"params", p.params},
                    {"latency",
                     {{"runs", p.latency.runs},
                      {"median_ms", p.latency.median_ms},
                      {"p10_ms", p.latency.p10_ms},
                      {"p90_ms", p.latency.p90_ms},
                      {"min_ms", p.latency.min_ms},
                      {"max_ms", p.latency.max_ms},
                      {"mean_ms", p.latency.mean_ms}}},
                    {"weights", p.weights ? json(*p.weights) : json(nullptr)},
                    {"native_resolution", p.native_resolution},
                    {"top1", optional_json(p.top1)},
                    {"top5", optional_json(p.top5)},
                    {"images", p.images},
                    {"calibrated", p.calibrated}};
    return write_cache_entry(cache_dir, key, j);
}

}  // namespace detail
}  // namespace mnv1
