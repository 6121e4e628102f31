// The roofline of this machine (Williams, Waterman & Patterson 2009) and where every
// MobileNet layer lands under it.
//
// Conventions (used everywhere here, in the CLI's text and JSON):
//  - FLOPs = 2 x mult-adds (one multiply + one add). GFLOP/s = 1e9 FLOP per second.
//  - Bytes are the compulsory f32 traffic of a layer (layer_bytes below); GB/s = 1e9
//    bytes per second.
//  - Arithmetic intensity = FLOPs / byte (so that the memory roof is simply
//    bandwidth x intensity); the mult-adds per byte are half of it.
//
// Threading: measure_machine_peaks and load_or_measure_machine_peaks run the calling
// thread's OpenMP team (`threads` threads) and should not run concurrently with other
// timing on this machine; several callers may share a cache folder (writes are atomic).
// layer_bytes, layer_intensity and roofline_points are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mobilenet/arch.hpp"
#include "mobilenet/network.hpp"

namespace mnv1 {

inline constexpr double kFlopsPerMac = 2.0;

// What the microbenchmarks run. The defaults take well under 2 s on one core.
struct PeakOptions {
    // Compute roof: the FMA throughput of the widest vectors oneDNN uses here (AVX-512,
    // AVX2+FMA, else SSE multiply + add), independent register-only chains on every thread:
    // what no layer can beat. fma_iterations per thread and pass (each one FMA per chain).
    long fma_iterations = 1000000;
    int fma_runs = 20;             // timed passes after 2 warm-up ones (the best counts: noisy hosts)
    // For comparison (and as the roof should the register kernel ever measure lower): an
    // f32 oneDNN matmul (M x K) * (K x N), M = m_per_thread x threads, small enough to
    // stay in cache. Its GEMM kernels reach 60-95% of the FMA throughput depending on
    // the ISA, so it alone understates the roof (layers ran above it on AVX2).
    int m_per_thread = 256;
    int n = 512;
    int k = 512;
    int matmul_runs = 20;          // timed passes after 3 warm-up ones
    // Memory roof: the STREAM triad a[i] = b[i] + s * c[i] over three f32 arrays whose
    // total size is stream_bytes, far larger than any last-level cache.
    std::size_t stream_bytes = std::size_t{256} << 20;
    int stream_runs = 5;           // timed passes after the first touch of every page
};

struct MachinePeaks {
    int threads = 1;                  // OpenMP threads both kernels ran on
    std::string isa;                  // onednn_cpu_isa(): which vector width the kernels use
    double peak_gflops = 0;           // the compute roof, GFLOP/s over all threads: the higher
                                      // of fma_gflops and matmul_gflops
    double peak_gflops_per_core = 0;  // peak_gflops / threads
    std::string peak_kernel;          // what set it, e.g. "FMA throughput, 256-bit x 12 chains"
    double fma_gflops = 0;            // best pass of the register FMA kernel, GFLOP/s
    double matmul_gflops = 0;         // best pass of the oneDNN matmul, GFLOP/s
    double bandwidth_gbs = 0;         // best triad pass, GB/s (2 reads + 1 write counted;
                                      // write-allocate traffic is not, as in STREAM)
    std::int64_t matmul_m = 0, matmul_n = 0, matmul_k = 0;
    std::string matmul_kernel() const;  // "f32 matmul MxNxK"
    std::size_t stream_bytes = 0;
    double seconds = 0;               // wall time the measurement took (0 from the cache)
    bool from_cache = false;
};

// Runs both microbenchmarks now (threads >= 1; 0 = all hardware threads). Throws
// std::invalid_argument for a bad thread count or options, std::runtime_error when
// oneDNN fails.
MachinePeaks measure_machine_peaks(int threads, const PeakOptions& options = {});

// The peaks cached in `cache_dir` for this machine (machine_fingerprint()), thread count
// and options; measured and stored (atomically) on a miss, an unreadable or corrupt file.
// An empty cache_dir measures without caching. from_cache tells which happened.
MachinePeaks load_or_measure_machine_peaks(const std::string& cache_dir, int threads,
                                           const PeakOptions& options = {});
// The file load_or_measure_machine_peaks reads and writes for these arguments.
std::string machine_peaks_cache_path(const std::string& cache_dir, int threads, const PeakOptions& options = {});

// Compulsory traffic of one layer for `batch` images, in bytes, all f32 (4 bytes):
//   batch x (in_c x in_h x in_w + out_c x out_h x out_w)   activations read and written
// + params + bias (out_c, for layers with weights: BN is folded into a bias)   weights
// Each tensor is counted once, as if every cache were large enough to hold whatever is
// reused; the real traffic (padding, blocked layouts, spills, reorders) can only be
// higher, so intensities here are upper bounds.
std::int64_t layer_bytes(const LayerSpec& layer, int batch);
// FLOPs per byte: kFlopsPerMac x macs x batch / layer_bytes(layer, batch); 0 for a layer
// without mult-adds.
double layer_intensity(const LayerSpec& layer, int batch);

enum class RoofBound { Compute, Memory };
const char* to_string(RoofBound b);   // "compute", "memory"

struct RooflinePoint {
    int layer = 0;                  // index into the network's layers()
    std::string name;               // "conv0", "dw1", ...
    LayerKind kind = LayerKind::ConvFull;
    std::int64_t macs = 0;          // mult-adds for the whole batch
    std::int64_t bytes = 0;         // layer_bytes for the whole batch
    double intensity = 0;           // FLOPs per byte
    double ms = 0;                  // measured time (sum of the layer's profiled steps)
    double gflops = 0;              // achieved: kFlopsPerMac x macs / ms, in GFLOP/s
    double roof_gflops = 0;         // min(peak, bandwidth x intensity), GFLOP/s
    RoofBound bound = RoofBound::Compute;  // the roof that is lower at this intensity
    double roof_pct() const { return roof_gflops > 0 ? 100.0 * gflops / roof_gflops : 0; }
};

// One point per layer of `network` (softmax included, with 0 mult-adds) from per-step
// times such as profile_layers() returns (steps not belonging to a layer, like the input
// reorder, are left out; several steps of one layer are summed).
std::vector<RooflinePoint> roofline_points(const CompiledNetwork& network,
                                           const std::vector<LayerProfile>& per_step_medians,
                                           const MachinePeaks& peaks);

}  // namespace mnv1
