#include "mobilenet/separable_demo.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "mobilenet/benchmark.hpp"

namespace mnv1 {

namespace {

// Column indices of the left and right neighbours, clamped to the image (replicated border).
struct ClampedColumns {
    std::vector<int> left, right;
    explicit ClampedColumns(int width) : left(static_cast<std::size_t>(width)), right(static_cast<std::size_t>(width)) {
        for (int x = 0; x < width; ++x) {
            left[static_cast<std::size_t>(x)] = std::max(x - 1, 0);
            right[static_cast<std::size_t>(x)] = std::min(x + 1, width - 1);
        }
    }
};

void check_image(const cv::Mat& image) {
    if (image.empty() || image.type() != CV_32FC1) {
        throw std::invalid_argument("separable demo: expected a non-empty single-channel float image (CV_32FC1)");
    }
}

// γn of the standard floating-point error analysis for float (unit roundoff u = 2^-24).
double gamma_n(int n) {
    const double u = std::ldexp(1.0, -24);
    return n * u / (1.0 - n * u);
}

template <std::size_t N>
double abs_sum(const std::array<float, N>& v) {
    double s = 0;
    for (float x : v) s += std::fabs(static_cast<double>(x));
    return s;
}

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

Kernel3x3 outer_product(const Taps3& column, const Taps3& row) {
    Kernel3x3 k{};
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) k[static_cast<std::size_t>(3 * r + c)] = column[static_cast<std::size_t>(r)] * row[static_cast<std::size_t>(c)];
    }
    return k;
}

KernelFactors factor_kernel(const Kernel3x3& kernel) {
    cv::Mat k(3, 3, CV_64F);
    for (int i = 0; i < 9; ++i) k.at<double>(i / 3, i % 3) = kernel[static_cast<std::size_t>(i)];
    cv::Mat w, u, vt;
    cv::SVD::compute(k, w, u, vt, cv::SVD::FULL_UV);
    KernelFactors f;
    for (int i = 0; i < 3; ++i) f.singular[static_cast<std::size_t>(i)] = w.at<double>(i);
    const double s0 = f.singular[0];
    f.separable = s0 > 0 && f.singular[1] <= kRankOneTolerance * s0;

    // Sign: the column's largest-magnitude tap positive (the SVD's sign is arbitrary).
    int largest = 0;
    for (int i = 1; i < 3; ++i) {
        if (std::fabs(u.at<double>(i, 0)) > std::fabs(u.at<double>(largest, 0))) largest = i;
    }
    const double sign = u.at<double>(largest, 0) < 0 ? -1.0 : 1.0;
    const double root = std::sqrt(s0);
    for (int i = 0; i < 3; ++i) {
        f.column[static_cast<std::size_t>(i)] = static_cast<float>(sign * root * u.at<double>(i, 0));
        f.row[static_cast<std::size_t>(i)] = static_cast<float>(sign * root * vt.at<double>(0, i));
    }
    const Kernel3x3 approx = outer_product(f.column, f.row);
    for (std::size_t i = 0; i < 9; ++i) {
        f.max_residual = std::max(f.max_residual, std::fabs(static_cast<double>(kernel[i]) - approx[i]));
    }
    return f;
}

const std::vector<NamedKernel>& example_kernels() {
    static const std::vector<NamedKernel> kernels = [] {
        std::vector<NamedKernel> out;
        const Taps3 smooth{1, 2, 1}, derivative{-1, 0, 1};
        out.push_back({"Sobel x (vertical edges)",
                       "Brightness change from left to right: bright where a vertical edge is.",
                       outer_product(smooth, derivative), smooth, derivative});
        out.push_back({"Sobel y (horizontal edges)",
                       "Brightness change from top to bottom: bright where a horizontal edge is.",
                       outer_product(derivative, smooth), derivative, smooth});
        const Taps3 quarter{0.25f, 0.5f, 0.25f};  // [1 2 1] / 4, exact in float
        out.push_back({"Gaussian blur", "A small blur: each pixel becomes a weighted average of its 3x3 neighbours.",
                       outer_product(quarter, quarter), quarter, quarter});
        out.push_back({"Laplacian (not separable)",
                       "Responds to spots and thin lines in every direction; it is no outer product of two 1-D "
                       "kernels.",
                       Kernel3x3{0, 1, 0, 1, -4, 1, 0, 1, 0}, std::nullopt, std::nullopt});
        return out;
    }();
    return kernels;
}

cv::Mat luminance01(const cv::Mat& image) {
    if (image.empty()) return {};
    cv::Mat f;
    const double scale = image.depth() == CV_8U ? 1.0 / 255.0 : 1.0;
    image.convertTo(f, CV_32F, scale);
    if (f.channels() == 1) return f;
    cv::Mat grey;
    if (f.channels() == 3) {
        cv::cvtColor(f, grey, cv::COLOR_BGR2GRAY);
    } else if (f.channels() == 4) {
        cv::cvtColor(f, grey, cv::COLOR_BGRA2GRAY);
    } else {
        cv::extractChannel(f, grey, 0);
    }
    return grey;
}

cv::Mat checkerboard(int width, int height, int square) {
    cv::Mat out(std::max(height, 1), std::max(width, 1), CV_32F);
    square = std::max(square, 1);
    for (int y = 0; y < out.rows; ++y) {
        float* o = out.ptr<float>(y);
        for (int x = 0; x < out.cols; ++x) o[x] = ((x / square + y / square) % 2) ? 1.0f : 0.0f;
    }
    return out;
}

// Both convolutions are written the same way: the interior columns (1 .. W-2) read their
// neighbours at fixed offsets, which the compiler can vectorise alike; the two border
// columns clamp their neighbour's index. Every multiplication increments the counter.
cv::Mat convolve_full_3x3(const cv::Mat& image, const Kernel3x3& kernel, std::int64_t& multiplications) {
    check_image(image);
    const int h = image.rows, w = image.cols;
    const ClampedColumns cols(w);
    const float* k = kernel.data();
    cv::Mat out(h, w, CV_32F);
    for (int y = 0; y < h; ++y) {
        const float* rows[3] = {image.ptr<float>(std::max(y - 1, 0)), image.ptr<float>(y),
                                image.ptr<float>(std::min(y + 1, h - 1))};
        float* o = out.ptr<float>(y);
        std::int64_t count = 0;
        const auto at_border = [&](int x) {
            const int xs[3] = {cols.left[static_cast<std::size_t>(x)], x, cols.right[static_cast<std::size_t>(x)]};
            float acc = 0;
            for (int r = 0; r < 3; ++r) {
                for (int c = 0; c < 3; ++c) {
                    acc += k[3 * r + c] * rows[r][xs[c]];
                    ++count;
                }
            }
            o[x] = acc;
        };
        at_border(0);
        for (int x = 1; x < w - 1; ++x) {
            float acc = 0;
            for (int r = 0; r < 3; ++r) {
                for (int c = 0; c < 3; ++c) {
                    acc += k[3 * r + c] * rows[r][x + c - 1];
                    ++count;
                }
            }
            o[x] = acc;
        }
        if (w > 1) at_border(w - 1);
        multiplications += count;
    }
    return out;
}

cv::Mat convolve_two_pass(const cv::Mat& image, const Taps3& column, const Taps3& row,
                          std::int64_t& multiplications) {
    check_image(image);
    const int h = image.rows, w = image.cols;
    const ClampedColumns cols(w);
    // Vertical pass: column taps over the rows above and below (no column neighbours).
    cv::Mat vertical(h, w, CV_32F);
    for (int y = 0; y < h; ++y) {
        const float* rows[3] = {image.ptr<float>(std::max(y - 1, 0)), image.ptr<float>(y),
                                image.ptr<float>(std::min(y + 1, h - 1))};
        float* o = vertical.ptr<float>(y);
        std::int64_t count = 0;
        for (int x = 0; x < w; ++x) {
            float acc = 0;
            for (int r = 0; r < 3; ++r) {
                acc += column[static_cast<std::size_t>(r)] * rows[r][x];
                ++count;
            }
            o[x] = acc;
        }
        multiplications += count;
    }
    // Horizontal pass: row taps over the left and right neighbours of the vertical result.
    cv::Mat out(h, w, CV_32F);
    for (int y = 0; y < h; ++y) {
        const float* v = vertical.ptr<float>(y);
        float* o = out.ptr<float>(y);
        std::int64_t count = 0;
        const auto at_border = [&](int x) {
            const int xs[3] = {cols.left[static_cast<std::size_t>(x)], x, cols.right[static_cast<std::size_t>(x)]};
            float acc = 0;
            for (int c = 0; c < 3; ++c) {
                acc += row[static_cast<std::size_t>(c)] * v[xs[c]];
                ++count;
            }
            o[x] = acc;
        };
        at_border(0);
        for (int x = 1; x < w - 1; ++x) {
            float acc = 0;
            for (int c = 0; c < 3; ++c) {
                acc += row[static_cast<std::size_t>(c)] * v[x + c - 1];
                ++count;
            }
            o[x] = acc;
        }
        if (w > 1) at_border(w - 1);
        multiplications += count;
    }
    return out;
}

SeparableDemoResult run_separable_demo(const cv::Mat& image, const Kernel3x3& kernel, const Taps3& column,
                                       const Taps3& row, int repeats) {
    check_image(image);
    if (repeats < 1) throw std::invalid_argument("separable demo: repeats must be at least 1");
    SeparableDemoResult r;
    r.width = image.cols;
    r.height = image.rows;
    r.repeats = repeats;
    r.full = convolve_full_3x3(image, kernel, r.full_multiplications);
    r.two_pass = convolve_two_pass(image, column, row, r.two_pass_multiplications);

    std::vector<double> full_ms, two_pass_ms;
    std::int64_t ignored = 0;
    for (int i = 0; i < repeats; ++i) {
        auto start = Clock::now();
        cv::Mat a = convolve_full_3x3(image, kernel, ignored);
        full_ms.push_back(ms_since(start));
        start = Clock::now();
        cv::Mat b = convolve_two_pass(image, column, row, ignored);
        two_pass_ms.push_back(ms_since(start));
    }
    r.full_ms = percentile(full_ms, 0.5);
    r.two_pass_ms = percentile(two_pass_ms, 0.5);

    cv::Mat diff;
    cv::absdiff(r.full, r.two_pass, diff);
    double max_diff = 0, max_out = 0, max_in = 0, min_v = 0;
    cv::minMaxLoc(diff, nullptr, &max_diff);
    r.max_abs_difference = max_diff;
    r.mean_abs_difference = cv::mean(diff)[0];
    cv::minMaxLoc(r.full, &min_v, &max_out);
    r.max_abs_output = std::max(std::fabs(min_v), std::fabs(max_out));
    cv::minMaxLoc(image, &min_v, &max_in);
    max_in = std::max(std::fabs(min_v), std::fabs(max_in));

    const Kernel3x3 product = outer_product(column, row);
    double residual = 0;
    for (std::size_t i = 0; i < 9; ++i) residual += std::fabs(static_cast<double>(kernel[i]) - product[i]);
    r.difference_bound =
        (gamma_n(9) * abs_sum(kernel) + (2 + gamma_n(3)) * gamma_n(3) * abs_sum(column) * abs_sum(row) + residual) *
        max_in;
    return r;
}

}  // namespace mnv1
