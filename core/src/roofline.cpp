// Machine peaks (an FMA throughput kernel, a oneDNN matmul and a STREAM triad, cached) and
// the per-layer roofline.
#include "mobilenet/roofline.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>
#include <oneapi/dnnl/dnnl.hpp>

#include "disk_cache.hpp"
#include "mobilenet/benchmark.hpp"
#include "mobilenet/sweep.hpp"

using json = nlohmann::json;

namespace mnv1 {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

int resolve_threads(int threads) {
    if (threads < 0 || threads > 1024) throw std::invalid_argument("threads must be in [0, 1024]");
    return threads == 0 ? hardware_threads() : threads;
}

void validate(const PeakOptions& o) {
    if (o.fma_iterations < 1 || o.fma_runs < 1 || o.m_per_thread < 1 || o.n < 1 || o.k < 1 || o.matmul_runs < 1 ||
        o.stream_runs < 1 || o.stream_bytes < 3 * sizeof(float))
        throw std::invalid_argument("peak options: sizes and runs must be positive");
}

// The FMA throughput kernels: kChains independent chains acc = acc * a + b kept in
// registers, enough to cover the FMA latency on every port (4-5 cycles x 2 ports). The
// chains converge to b / (1 - a) = 1, so no value overflows or turns denormal; the sum
// is returned so the compiler cannot drop the work. FLOPs per iteration: 2 x lanes x
// kChains (SSE: a multiply and an add per lane, also 2 FLOPs).
constexpr int kChains = 12;

__attribute__((target("avx512f"))) float fma_chains_avx512(long iterations) {
    __m512 acc[kChains];
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    }
    __m512 total = acc[0];
    for (int c = 1; c < kChains; ++c) total = _mm512_add_ps(total, acc[c]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, total);
    float sum = 0;
    for (float v : lanes) sum += v;
    return sum;
}

__attribute__((target("avx2,fma"))) float fma_chains_avx2(long iterations) {
    __m256 acc[kChains];
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c));
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    }
    __m256 total = acc[0];
    for (int c = 1; c < kChains; ++c) total = _mm256_add_ps(total, acc[c]);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, total);
    float sum = 0;
    for (float v : lanes) sum += v;
    return sum;
}

float mul_add_chains_sse(long iterations) {
    __m128 acc[kChains];
    const __m128 a = _mm_set1_ps(0.999f), b = _mm_set1_ps(0.001f);
    for (int c = 0; c < kChains; ++c) acc[c] = _mm_set1_ps(static_cast<float>(c));
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int c = 0; c < kChains; ++c) acc[c] = _mm_add_ps(_mm_mul_ps(acc[c], a), b);
    }
    __m128 total = acc[0];
    for (int c = 1; c < kChains; ++c) total = _mm_add_ps(total, acc[c]);
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, total);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// Best pass of the widest FMA kernel oneDNN's ISA allows (and the CPU has), every thread
// running it at once; GFLOP/s over all threads. `kernel` says which ran.
double fma_gflops(int threads, const PeakOptions& o, const std::string& isa, std::string& kernel) {
    int lanes = 4;
    float (*run)(long) = mul_add_chains_sse;
    if (isa.find("avx512") != std::string::npos && __builtin_cpu_supports("avx512f")) {
        lanes = 16;
        run = fma_chains_avx512;
    } else if (isa.find("avx2") != std::string::npos && __builtin_cpu_supports("avx2") &&
               __builtin_cpu_supports("fma")) {
        lanes = 8;
        run = fma_chains_avx2;
    }
    kernel = "FMA throughput, " + std::to_string(lanes * 32) + "-bit x " + std::to_string(kChains) + " chains";
    std::vector<double> samples;
    float sink = 0;
    for (int r = -2; r < o.fma_runs; ++r) {
        const auto t0 = Clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
        sink += run(o.fma_iterations);
        if (r >= 0) samples.push_back(ms_since(t0));
    }
    if (!(sink > 0)) throw std::runtime_error("FMA kernel: wrong result");  // keeps the work alive
    const double flops = 2.0 * lanes * kChains * static_cast<double>(o.fma_iterations) * threads;
    return flops / (latency_stats(samples).min_ms * 1e6);
}

// Best pass of an f32 oneDNN matmul, in GFLOP/s.
double matmul_gflops(int threads, const PeakOptions& o, std::int64_t m) {
    using dnnl::memory;
    const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    const memory::desc a_md({m, o.k}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc b_md({o.k, o.n}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc c_md({m, o.n}, memory::data_type::f32, memory::format_tag::ab);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), eng);
    const dnnl::matmul mm(pd);
    memory a(a_md, eng), b(b_md, eng), c(c_md, eng);
    // Values do not change the time of f32 FMAs; fill once so no denormals appear.
    std::fill_n(static_cast<float*>(a.get_data_handle()), m * o.k, 0.5f);
    std::fill_n(static_cast<float*>(b.get_data_handle()), std::int64_t{o.k} * o.n, 0.25f);
    const std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
    omp_set_num_threads(threads);
    std::vector<double> samples;
    for (int i = -3; i < o.matmul_runs; ++i) {
        const auto t0 = Clock::now();
        mm.execute(strm, args);
        strm.wait();
        if (i >= 0) samples.push_back(ms_since(t0));
    }
    const double flops = kFlopsPerMac * static_cast<double>(m) * o.n * o.k;
    return flops / (latency_stats(samples).min_ms * 1e6);
}

// Best pass of the STREAM triad a = b + s * c, in GB/s (3 x 4 bytes per element).
double triad_gbs(int threads, const PeakOptions& o) {
    const std::size_t n = o.stream_bytes / (3 * sizeof(float));
    const auto ni = static_cast<std::int64_t>(n);
    const std::unique_ptr<float[]> a(new float[n]), b(new float[n]), c(new float[n]);
    float* pa = a.get();
    float* pb = b.get();
    float* pc = c.get();
    // First touch with the same static schedule as the timed loop: pages land on the
    // threads (and NUMA nodes) that stream them, and page faults stay out of the timing.
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::int64_t i = 0; i < ni; ++i) {
        pa[i] = 0.0f;
        pb[i] = 1.0f;
        pc[i] = 2.0f;
    }
    std::vector<double> samples;
    const float s = 3.0f;
    for (int r = 0; r < o.stream_runs; ++r) {
        const auto t0 = Clock::now();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (std::int64_t i = 0; i < ni; ++i) pa[i] = pb[i] + s * pc[i];
        samples.push_back(ms_since(t0));
    }
    if (pa[ni / 2] != 7.0f) throw std::runtime_error("stream triad: wrong result");  // keeps the loop alive
    return 3.0 * sizeof(float) * static_cast<double>(n) / (latency_stats(samples).min_ms * 1e6);
}

std::string peaks_cache_key(int threads, const PeakOptions& o) {
    std::ostringstream os;
    os << "roofline-peaks-v2 threads=" << threads << " fma=" << o.fma_iterations << "x" << o.fma_runs
       << " matmul=" << o.m_per_thread << "/thread x" << o.n << "x" << o.k << " runs=" << o.matmul_runs << " stream_bytes=" << o.stream_bytes << " stream_runs=" << o.stream_runs
       << " machine=" << machine_fingerprint();
    return os.str();
}

}  // namespace

std::string MachinePeaks::matmul_kernel() const {
    return "f32 matmul " + std::to_string(matmul_m) + "x" + std::to_string(matmul_n) + "x" + std::to_string(matmul_k);
}

MachinePeaks measure_machine_peaks(int threads, const PeakOptions& options) {
    validate(options);
    const int t = resolve_threads(threads);
    const auto t0 = Clock::now();
    MachinePeaks p;
    p.threads = t;
    p.isa = onednn_cpu_isa();
    p.matmul_m = std::int64_t{options.m_per_thread} * t;
    p.matmul_n = options.n;
    p.matmul_k = options.k;
    p.stream_bytes = options.stream_bytes;
    p.fma_gflops = fma_gflops(t, options, p.isa, p.peak_kernel);
    try {
        p.matmul_gflops = matmul_gflops(t, options, p.matmul_m);
    } catch (const dnnl::error& e) {
        throw std::runtime_error(std::string("peak matmul: ") + e.what());
    }
    p.peak_gflops = p.fma_gflops;
    if (p.matmul_gflops > p.fma_gflops) {
        p.peak_gflops = p.matmul_gflops;
        p.peak_kernel = p.matmul_kernel();
    }
    p.peak_gflops_per_core = p.peak_gflops / t;
    p.bandwidth_gbs = triad_gbs(t, options);
    p.seconds = ms_since(t0) / 1000.0;
    return p;
}

std::string machine_peaks_cache_path(const std::string& cache_dir, int threads, const PeakOptions& options) {
    return detail::cache_entry_path(cache_dir, peaks_cache_key(resolve_threads(threads), options)).string();
}

MachinePeaks load_or_measure_machine_peaks(const std::string& cache_dir, int threads, const PeakOptions& options) {
    if (cache_dir.empty()) return measure_machine_peaks(threads, options);
    validate(options);
    const int t = resolve_threads(threads);
    const std::string key = peaks_cache_key(t, options);
    if (const auto entry = detail::read_cache_entry(cache_dir, key)) {
        try {
            MachinePeaks p;
            p.threads = t;
            p.isa = entry->at("isa").get<std::string>();
            p.peak_gflops = entry->at("peak_gflops").get<double>();
            p.peak_gflops_per_core = p.peak_gflops / t;
            p.peak_kernel = entry->at("peak_kernel").get<std::string>();
            p.fma_gflops = entry->at("fma_gflops").get<double>();
            p.matmul_gflops = entry->at("matmul_gflops").get<double>();
            p.bandwidth_gbs = entry->at("bandwidth_gbs").get<double>();
            p.matmul_m = std::int64_t{options.m_per_thread} * t;
            p.matmul_n = options.n;
            p.matmul_k = options.k;
            p.stream_bytes = options.stream_bytes;
            p.from_cache = true;
            if (p.peak_gflops > 0 && p.bandwidth_gbs > 0) return p;
        } catch (const json::exception&) {
            // fields missing or of another type: measure again
        }
    }
    MachinePeaks p = measure_machine_peaks(t, options);
    detail::write_cache_entry(cache_dir, key,
                              {{"isa", p.isa},
                               {"threads", p.threads},
                               {"peak_gflops", p.peak_gflops},
                               {"peak_kernel", p.peak_kernel},
                               {"fma_gflops", p.fma_gflops},
                               {"matmul_gflops", p.matmul_gflops},
                               {"bandwidth_gbs", p.bandwidth_gbs},
                               {"seconds", p.seconds}});
    return p;
}

std::int64_t layer_bytes(const LayerSpec& l, int batch) {
    const std::int64_t activations = std::int64_t{l.in_c} * l.in_h * l.in_w + std::int64_t{l.out_c} * l.out_h * l.out_w;
    const std::int64_t weights = l.has_weights() ? l.params + l.out_c : 0;
    return static_cast<std::int64_t>(sizeof(float)) * (std::int64_t{batch} * activations + weights);
}

double layer_intensity(const LayerSpec& l, int batch) {
    const std::int64_t bytes = layer_bytes(l, batch);
    return bytes > 0 ? kFlopsPerMac * static_cast<double>(l.macs) * batch / static_cast<double>(bytes) : 0.0;
}

const char* to_string(RoofBound b) { return b == RoofBound::Compute ? "compute" : "memory"; }

std::vector<RooflinePoint> roofline_points(const CompiledNetwork& network,
                                           const std::vector<LayerProfile>& per_step_medians,
                                           const MachinePeaks& peaks) {
    const int batch = network.config().batch;
    std::vector<RooflinePoint> points;
    for (const LayerSpec& l : network.layers()) {
        RooflinePoint p;
        p.layer = l.index;
        p.name = l.name;
        p.kind = l.kind;
        p.macs = l.macs * batch;
        p.bytes = layer_bytes(l, batch);
        p.intensity = layer_intensity(l, batch);
        for (const LayerProfile& s : per_step_medians)
            if (s.layer == l.index) p.ms += s.ms;
        p.gflops = p.ms > 0 ? kFlopsPerMac * static_cast<double>(p.macs) / (p.ms * 1e6) : 0.0;
        const double memory_roof = peaks.bandwidth_gbs * p.intensity;
        p.bound = memory_roof < peaks.peak_gflops ? RoofBound::Memory : RoofBound::Compute;
        p.roof_gflops = std::min(peaks.peak_gflops, memory_roof);
        points.push_back(std::move(p));
    }
    return points;
}

}  // namespace mnv1
