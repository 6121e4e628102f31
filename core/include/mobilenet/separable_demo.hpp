// The spatially separable convolution, the other factorised convolution the paper discusses
// beside its own (Howard et al. 2017, §2, e.g. Flattened networks): a 3x3 kernel that is the
// outer product of a vertical and a horizontal 3-tap kernel, K = column ⊗ row, gives the
// same output as the two 1-D passes, with 3 + 3 = 6 instead of 9 multiplications per pixel.
// MobileNet factorises across channels instead (depthwise + pointwise); this module shows
// the spatial kind on a real image so the two can be compared.
//
// Conventions:
//  - "Convolution" is the cross-correlation CNNs and cv::filter2D compute (the kernel is
//    not flipped): out(y, x) = sum_{r,c} K[r][c] * in(y + r - 1, x + c - 1).
//  - Borders replicate the edge pixel (clamped coordinates, OpenCV's BORDER_REPLICATE) in
//    both the full and the two-pass convolution; clamping is per axis, so both compute
//    exactly the same sum and only float rounding can tell them apart.
//  - Both are plain loops, single-threaded, written here (no cv::filter2D) so that the
//    multiplications are counted as they are performed.
//
// Threading: every function is pure (no shared state) and may run on any thread; the
// demo is meant for a background thread (it takes a few tens of ms on a photo).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace mnv1 {

// A 3x3 kernel, row-major: k[3 * r + c] weights in(y + r - 1, x + c - 1).
using Kernel3x3 = std::array<float, 9>;
// A 3-tap 1-D kernel: taps[i] weights offset i - 1.
using Taps3 = std::array<float, 3>;

// column ⊗ row: K[r][c] = column[r] * row[c] (computed in float, as the full pass uses it).
Kernel3x3 outer_product(const Taps3& column, const Taps3& row);

// Relative tolerance of is-it-rank-one: the second singular value over the first. Kernels
// are float (about 7 significant digits) and the SVD runs in double, so a ratio below
// 1e-6 is rounding noise; a genuinely two-dimensional kernel such as the Laplacian has
// a ratio of order 1.
inline constexpr double kRankOneTolerance = 1e-6;

// Whether a 3x3 kernel is (numerically) rank one, and its factors. From cv::SVD in double:
// K = U diag(s) Vᵀ; the best rank-one approximation is s0 u0 v0ᵀ, split as
// column = sqrt(s0) u0, row = sqrt(s0) v0 (sign chosen so the column's largest-magnitude
// tap is positive). For a non-separable kernel the factors are that best approximation.
struct KernelFactors {
    bool separable = false;         // singular[1] <= kRankOneTolerance * singular[0] (and K != 0)
    Taps3 column{};                 // vertical taps
    Taps3 row{};                    // horizontal taps
    std::array<double, 3> singular{};  // singular values, largest first
    double max_residual = 0;        // max |K - column ⊗ row| over the 9 entries
};
KernelFactors factor_kernel(const Kernel3x3& kernel);

// Example kernels for teaching. Separable ones carry their exact small-integer factors
// (so column ⊗ row == kernel exactly in float); the Laplacian carries none.
struct NamedKernel {
    std::string name;         // "Sobel x (vertical edges)"
    std::string description;  // one plain sentence: what it does
    Kernel3x3 kernel{};
    std::optional<Taps3> column, row;  // exact factors when separable
};
// Sobel x = [1 2 1]ᵀ ⊗ [-1 0 1], Sobel y = [-1 0 1]ᵀ ⊗ [1 2 1], Gaussian blur
// [1 2 1]ᵀ ⊗ [1 2 1] / 16, and the Laplacian [0 1 0; 1 -4 1; 0 1 0] (rank 2: not separable).
const std::vector<NamedKernel>& example_kernels();

// A BGR (CV_8UC3), grey (CV_8UC1) or float image as one float channel in [0, 1]:
// luminance Y = 0.299 R + 0.587 G + 0.114 B (cv::cvtColor's BGR2GRAY), divided by 255
// for 8-bit input. Float input is copied as is (first channel). Empty for empty input.
cv::Mat luminance01(const cv::Mat& image);

// A black-and-white checkerboard (CV_32F, values 0 and 1) with `square`-pixel squares:
// the built-in input when there is no image.
cv::Mat checkerboard(int width, int height, int square);

// The full 3x3 pass and the two 1-D passes (vertical first, then horizontal) on one float
// image. CV_32FC1 in, same-size CV_32FC1 out. `multiplications` is incremented once per
// multiplication performed (so it ends at 9·W·H, resp. 3·W·H per 1-D pass).
cv::Mat convolve_full_3x3(const cv::Mat& image, const Kernel3x3& kernel, std::int64_t& multiplications);
cv::Mat convolve_two_pass(const cv::Mat& image, const Taps3& column, const Taps3& row,
                          std::int64_t& multiplications);

struct SeparableDemoResult {
    int width = 0, height = 0;
    cv::Mat full;       // CV_32F: the 3x3 kernel (`kernel` as given) in one pass
    cv::Mat two_pass;   // CV_32F: `column` vertically, then `row` horizontally
    std::int64_t full_multiplications = 0;      // counted in one run (9·W·H)
    std::int64_t two_pass_multiplications = 0;  // counted in one run (6·W·H)
    int repeats = 0;                            // timed runs of each
    double full_ms = 0, two_pass_ms = 0;        // median wall time of one run, milliseconds
    double max_abs_difference = 0;              // max |full - two_pass| over all pixels
    double mean_abs_difference = 0;
    double max_abs_output = 0;                  // max |full|: the scale the difference is compared to
    // The largest difference float rounding can explain (standard dot-product error
    // bounds, u = 2^-24, γn = n·u / (1 - n·u)), plus what the factors miss:
    //   (γ9 Σ|K| + (2 + γ3) γ3 Σ|column| Σ|row| + Σ|K - column ⊗ row|) · max|input|
    // (the full pass is one 9-term dot product; the two-pass result is a 3-term one over
    // 3-term ones, whose own error the second pass carries along).
    // With exact factors the last term is 0, and a max difference under this bound
    // means "equal up to float rounding".
    double difference_bound = 0;
};

// Runs both on `image` (CV_32FC1): one counted run of each, then `repeats` timed runs of
// each, interleaved (full, two-pass, full, ...) so both see the same machine state; the
// times are medians. Throws std::invalid_argument on an empty or non-CV_32FC1 image or
// repeats < 1.
SeparableDemoResult run_separable_demo(const cv::Mat& image, const Kernel3x3& kernel, const Taps3& column,
                                       const Taps3& row, int repeats = 5);

}  // namespace mnv1
