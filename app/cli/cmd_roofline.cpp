// mobilenet-cli roofline: this machine's compute and memory roofs (measured, cached) and
// every layer of a random-weights MobileNet as a point under them.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <iomanip>
#include <iostream>

#include "cli_common.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/roofline.hpp"

using json = nlohmann::json;

namespace cli {

namespace {

// The four groups the issue compares: the stem, depthwise, pointwise, and the rest.
const char* kind_group(mnv1::LayerKind k) {
    switch (k) {
        case mnv1::LayerKind::ConvFull: return "conv0";
        case mnv1::LayerKind::Depthwise: return "depthwise";
        case mnv1::LayerKind::Pointwise: return "pointwise";
        default: return "pool/fc";
    }
}

struct GroupTotal {
    const char* name;
    std::int64_t macs = 0, bytes = 0;
    double ms = 0;
};

std::vector<GroupTotal> group_totals(const std::vector<mnv1::RooflinePoint>& points) {
    std::vector<GroupTotal> groups;
    for (const char* g : {"conv0", "depthwise", "pointwise", "pool/fc"}) groups.push_back({g});
    for (const auto& p : points) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const GroupTotal& t) { return std::string(t.name) == kind_group(p.kind); });
        it->macs += p.macs;
        it->bytes += p.bytes;
        it->ms += p.ms;
    }
    std::erase_if(groups, [](const GroupTotal& t) { return t.macs == 0 && t.ms == 0; });
    return groups;
}

double gflops_of(std::int64_t macs, double ms) {
    return ms > 0 ? mnv1::kFlopsPerMac * static_cast<double>(macs) / (ms * 1e6) : 0.0;
}

}  // namespace

int cmd_roofline(const std::vector<std::string>& argv) {
    const Args a(argv, {"--alpha", "--resolution", "--threads", "--batch", "--runs", "--cache"}, {"--json", "--no-cache"});
    a.reject_positionals();
    const mnv1::ArchConfig arch = arch_from(a);
    mnv1::NetworkConfig cfg;
    cfg.resolution = arch.resolution;
    cfg.threads = a.integer("--threads", 1, 1, 1024);
    cfg.batch = a.integer("--batch", 1, 1, 1024);
    const int runs = a.integer("--runs", 30, 1, 1000000);
    if (a.has("--cache") && a.flag("--no-cache")) throw UsageError("give --cache DIR or --no-cache, not both");
    const std::string cache_dir = a.flag("--no-cache") ? std::string() : a.str("--cache", default_cache_dir("roofline"));

    // The roofs first, alone on the machine; then the network (costs do not depend on
    // the weights' values, so random ones do).
    const mnv1::MachinePeaks peaks = mnv1::load_or_measure_machine_peaks(cache_dir, cfg.threads);
    mnv1::Runtime rt;
    mnv1::ExecutionContext ctx(rt.compile(mnv1::random_weights(arch), cfg));
    std::fill(ctx.input(), ctx.input() + ctx.input_floats(), 0.0f);
    const auto per_step = mnv1::profile_layers(ctx, runs);
    const auto points = mnv1::roofline_points(ctx.network(), per_step, peaks);
    const auto groups = group_totals(points);
    std::int64_t total_macs = 0;
    double total_ms = 0;
    for (const auto& g : groups) {
        total_macs += g.macs;
        total_ms += g.ms;
    }
    const double ridge = peaks.peak_gflops / peaks.bandwidth_gbs;  // FLOP/byte where the roofs meet

    if (a.flag("--json")) {
        json j = {{"peak_gflops", peaks.peak_gflops},
                  {"peak_gflops_per_core", peaks.peak_gflops_per_core},
                  {"bandwidth_gbs", peaks.bandwidth_gbs},
                  {"ridge_intensity", ridge},
                  {"isa", peaks.isa},
                  {"threads", peaks.threads},
                  {"peaks_from_cache", peaks.from_cache},
                  {"peak_kernel", peaks.peak_kernel},
                  {"fma_gflops", peaks.fma_gflops},
                  {"matmul_gflops", peaks.matmul_gflops},
                  {"matmul_kernel", peaks.matmul_kernel()},
                  {"bandwidth_kernel", "stream triad over " + std::to_string(peaks.stream_bytes >> 20) + " MiB"},
                  {"flops_per_mac", mnv1::kFlopsPerMac},
                  {"intensity_unit", "flop/byte"},
                  {"alpha", arch.alpha},
                  {"resolution", arch.resolution},
                  {"batch", cfg.batch},
                  {"runs", runs},
                  {"onednn", mnv1::onednn_version()},
                  {"layers", json::array()},
                  {"by_kind", json::array()}};
        for (const auto& p : points) {
            j["layers"].push_back({{"name", p.name},
                                   {"kind", mnv1::to_string(p.kind)},
                                   {"macs", p.macs},
                                   {"bytes", p.bytes},
                                   {"intensity", p.intensity},
                                   {"ms", p.ms},
                                   {"gflops", p.gflops},
                                   {"roof_gflops", p.roof_gflops},
                                   {"roof_pct", p.roof_pct()},
                                   {"bound", mnv1::to_string(p.bound)}});
        }
        for (const auto& g : groups) {
            j["by_kind"].push_back({{"kind", g.name},
                                    {"macs", g.macs},
                                    {"bytes", g.bytes},
                                    {"ms", g.ms},
                                    {"gflops", gflops_of(g.macs, g.ms)},
                                    {"macs_pct", 100.0 * static_cast<double>(g.macs) / static_cast<double>(total_macs)},
                                    {"time_pct", 100.0 * g.ms / total_ms}});
        }
        print_json(j);
        return 0;
    }

    std::cout << "oneDNN " << mnv1::onednn_version() << " (" << peaks.isa << ")  alpha " << mnv1::format_alpha(arch.alpha)
              << "  resolution " << arch.resolution << "  threads " << peaks.threads << "  batch " << cfg.batch
              << "  median of " << runs << " profiled passes\n";
    std::cout << "peak compute      " << fmt(peaks.peak_gflops, 1) << " GFLOP/s (" << fmt(peaks.peak_gflops_per_core, 1)
              << " per core, " << peaks.isa << ")  " << peaks.peak_kernel << "; oneDNN " << peaks.matmul_kernel()
              << ": " << fmt(peaks.matmul_gflops, 1) << "\n";
    std::cout << "memory bandwidth  " << fmt(peaks.bandwidth_gbs, 1) << " GB/s  STREAM triad over "
              << (peaks.stream_bytes >> 20) << " MiB" << (peaks.from_cache ? "  (both cached)" : "") << "\n";
    std::cout << "ridge point       " << fmt(ridge, 2) << " FLOP/byte\n";
    std::cout << "FLOPs = 2 x mult-adds; bytes = compulsory f32 traffic (inputs + outputs + weights + bias);"
                 " intensity = FLOPs / byte\n\n";
    std::cout << std::left << std::setw(9) << "name" << std::setw(14) << "type" << std::right << std::setw(10)
              << "M-MACs" << std::setw(9) << "MB" << std::setw(9) << "FLOP/B" << std::setw(9) << "ms" << std::setw(9)
              << "GFLOP/s" << std::setw(8) << "% roof" << "  bound\n";
    for (const auto& p : points) {
        std::cout << std::left << std::setw(9) << p.name << std::setw(14) << mnv1::to_string(p.kind) << std::right
                  << std::setw(10) << millions(p.macs, 2) << std::setw(9) << fmt(static_cast<double>(p.bytes) / 1e6, 3)
                  << std::setw(9) << fmt(p.intensity, 2) << std::setw(9) << fmt(p.ms, 3) << std::setw(9)
                  << fmt(p.gflops, 1) << std::setw(8) << fmt(p.roof_pct(), 1) << "  " << mnv1::to_string(p.bound)
                  << "\n";
    }
    std::cout << "\nby kind          M-MACs   % MACs   ms      % time  GFLOP/s\n";
    for (const auto& g : groups) {
        std::cout << "  " << std::left << std::setw(11) << g.name << std::right << std::setw(10) << millions(g.macs, 1)
                  << std::setw(8) << fmt(100.0 * static_cast<double>(g.macs) / static_cast<double>(total_macs), 1)
                  << std::setw(9) << fmt(g.ms, 3) << std::setw(8) << fmt(100.0 * g.ms / total_ms, 1) << std::setw(9)
                  << fmt(gflops_of(g.macs, g.ms), 1) << "\n";
    }
    std::cout << "  " << std::left << std::setw(11) << "total" << std::right << std::setw(10) << millions(total_macs, 1)
              << std::setw(8) << "100.0" << std::setw(9) << fmt(total_ms, 3) << std::setw(8) << "100.0" << std::setw(9)
              << fmt(gflops_of(total_macs, total_ms), 1) << "\n";
    return 0;
}

}  // namespace cli
