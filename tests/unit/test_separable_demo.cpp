// The spatially separable demo: the full 3x3 pass agrees with OpenCV's filter2D (same
// correlation convention, replicated border), the two 1-D passes agree with it up to the
// float rounding bound, the multiplications counted are 9·W·H and 6·W·H, and the rank-one
// test separates Sobel / Gaussian from the Laplacian with factors that rebuild the kernel.
#include <QtTest>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <stdexcept>

#include "mobilenet/separable_demo.hpp"

using namespace mnv1;

namespace {

const NamedKernel& example(const std::string& prefix) {
    for (const NamedKernel& k : example_kernels()) {
        if (k.name.rfind(prefix, 0) == 0) return k;
    }
    throw std::out_of_range(prefix);
}

// A reproducible image with values in [0, 1], odd sizes so no loop hides behind a power of two.
cv::Mat random_image(int w, int h) {
    cv::Mat img(h, w, CV_32F);
    cv::RNG rng(12345);
    rng.fill(img, cv::RNG::UNIFORM, 0.0, 1.0);
    return img;
}

double max_abs_diff(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat d;
    cv::absdiff(a, b, d);
    double mx = 0;
    cv::minMaxLoc(d, nullptr, &mx);
    return mx;
}

double max_abs(const Kernel3x3& k) {
    double m = 0;
    for (float v : k) m = std::max(m, std::fabs(static_cast<double>(v)));
    return m;
}

}  // namespace

class TestSeparableDemo : public QObject {
    Q_OBJECT

private slots:
    void examplesAreWhatTheySay() {
        // Sobel x = [1 2 1]ᵀ ⊗ [-1 0 1], Gaussian = [1 2 1]ᵀ ⊗ [1 2 1] / 16, exactly.
        const Kernel3x3 sobel_x{-1, 0, 1, -2, 0, 2, -1, 0, 1};
        QVERIFY(example("Sobel x").kernel == sobel_x);
        const Kernel3x3 gauss{1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 1 / 16.f};
        QVERIFY(example("Gaussian").kernel == gauss);
        for (const NamedKernel& k : example_kernels()) {
            QCOMPARE(k.column.has_value(), k.row.has_value());
            if (k.column) QVERIFY(outer_product(*k.column, *k.row) == k.kernel);
        }
        QVERIFY(!example("Laplacian").column);
    }

    void rankOneTest() {
        for (const char* name : {"Sobel x", "Sobel y", "Gaussian"}) {
            const NamedKernel& k = example(name);
            const KernelFactors f = factor_kernel(k.kernel);
            QVERIFY2(f.separable, name);
            QVERIFY(f.singular[1] <= kRankOneTolerance * f.singular[0]);
            // The factors rebuild the kernel to float precision.
            QVERIFY2(f.max_residual <= 1e-6 * max_abs(k.kernel), name);
            const Kernel3x3 rebuilt = outer_product(f.column, f.row);
            for (std::size_t i = 0; i < 9; ++i) QVERIFY(std::fabs(rebuilt[i] - k.kernel[i]) <= 1e-6 * max_abs(k.kernel));
            // Up to scale and sign, the factors are the known ones: the column's largest tap is positive.
            QVERIFY(*std::max_element(f.column.begin(), f.column.end()) > 0);
        }
        // Sobel x's column is a multiple of [1 2 1].
        const KernelFactors sx = factor_kernel(example("Sobel x").kernel);
        QVERIFY(std::fabs(sx.column[1] - 2 * sx.column[0]) < 1e-6);
        QVERIFY(std::fabs(sx.column[2] - sx.column[0]) < 1e-6);

        const KernelFactors lap = factor_kernel(example("Laplacian").kernel);
        QVERIFY(!lap.separable);
        // Rank 2: rows 1 and 3 are equal; on (a, b, a) it acts as [[0, 1], [2, -4]], whose
        // eigenvalues are -2 ± √6, so the singular values are 2 + √6, √6 - 2 and 0.
        QVERIFY(std::fabs(lap.singular[0] - (2 + std::sqrt(6.0))) < 1e-9);
        QVERIFY(std::fabs(lap.singular[1] - (std::sqrt(6.0) - 2)) < 1e-9);
        QVERIFY(lap.singular[2] < 1e-9);
        QVERIFY(lap.max_residual > 0.1);  // no outer product gets close

        // An arbitrary outer product is found; a generic kernel is not.
        const Kernel3x3 product = outer_product({0.3f, -1.7f, 0.9f}, {2.5f, 0.1f, -0.4f});
        QVERIFY(factor_kernel(product).separable);
        QVERIFY(!factor_kernel({1, 2, 3, 4, 5, 6, 7, 8, 10}).separable);
        QVERIFY(!factor_kernel(Kernel3x3{}).separable);  // zero kernel: nothing to factor
    }

    void fullPassMatchesOpenCv() {
        // Same convention as filter2D (no flip) and the same border (replicate).
        const cv::Mat img = random_image(37, 23);
        for (const NamedKernel& k : example_kernels()) {
            std::int64_t count = 0;
            const cv::Mat mine = convolve_full_3x3(img, k.kernel, count);
            cv::Mat kmat(3, 3, CV_32F, const_cast<float*>(k.kernel.data()));
            cv::Mat ref;
            cv::filter2D(img, ref, CV_32F, kmat, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
            QVERIFY2(max_abs_diff(mine, ref) < 1e-5, k.name.c_str());
        }
    }

    void twoPassEqualsFullWithCountedMultiplications() {
        const int w = 37, h = 23;
        const cv::Mat img = random_image(w, h);
        for (const char* name : {"Sobel x", "Sobel y", "Gaussian"}) {
            const NamedKernel& k = example(name);
            const SeparableDemoResult r = run_separable_demo(img, k.kernel, *k.column, *k.row, 3);
            QCOMPARE(r.width, w);
            QCOMPARE(r.height, h);
            QCOMPARE(r.full_multiplications, std::int64_t{9} * w * h);
            QCOMPARE(r.two_pass_multiplications, std::int64_t{6} * w * h);
            QCOMPARE(r.full.size(), img.size());
            QCOMPARE(r.two_pass.size(), img.size());
            // Tolerance: the float rounding bound of the two computations (see the header:
            // γ9 Σ|K| + (2 + γ3) γ3 Σ|col| Σ|row| with inputs in [0, 1]); for these kernels,
            // Σ|K| <= 8, it is below 1e-5, far under the outputs' scale.
            QVERIFY2(r.max_abs_difference <= r.difference_bound, name);
            QVERIFY(r.difference_bound < 1e-5);
            QVERIFY(r.mean_abs_difference <= r.max_abs_difference);
            QVERIFY(r.max_abs_output > 0.1);
            QCOMPARE(r.repeats, 3);
            QVERIFY(r.full_ms > 0 && r.two_pass_ms > 0);
        }
    }

    void notSeparableShowsADifference() {
        // The Laplacian through its best rank-one factors: the two passes compute another
        // kernel, and the difference is far above the rounding bound's rounding part.
        const cv::Mat img = random_image(41, 29);
        const NamedKernel& lap = example("Laplacian");
        const KernelFactors f = factor_kernel(lap.kernel);
        const SeparableDemoResult r = run_separable_demo(img, lap.kernel, f.column, f.row, 1);
        QVERIFY(r.max_abs_difference > 0.1);
        QVERIFY(r.max_abs_difference <= r.difference_bound);  // the residual term covers it
    }

    void separateCounters() {
        const cv::Mat img = random_image(10, 7);
        std::int64_t full = 5, two = 0;  // counters add to what they hold
        convolve_full_3x3(img, example("Gaussian").kernel, full);
        convolve_two_pass(img, *example("Gaussian").column, *example("Gaussian").row, two);
        QCOMPARE(full, std::int64_t{5 + 9 * 70});
        QCOMPARE(two, std::int64_t{6 * 70});
    }

    void borderIsReplicated() {
        // A constant image stays constant under a blur, edges included (a zero border would darken them).
        const cv::Mat flat(9, 11, CV_32F, cv::Scalar(0.5));
        const NamedKernel& g = example("Gaussian");
        std::int64_t n = 0;
        const cv::Mat full = convolve_full_3x3(flat, g.kernel, n);
        const cv::Mat two = convolve_two_pass(flat, *g.column, *g.row, n);
        QVERIFY(max_abs_diff(full, flat) < 1e-7);
        QVERIFY(max_abs_diff(two, flat) < 1e-7);
    }

    void imagesAndErrors() {
        // Luminance of pure blue, green and red (BGR order), in [0, 1].
        cv::Mat bgr(1, 3, CV_8UC3);
        bgr.at<cv::Vec3b>(0, 0) = {255, 0, 0};
        bgr.at<cv::Vec3b>(0, 1) = {0, 255, 0};
        bgr.at<cv::Vec3b>(0, 2) = {0, 0, 255};
        const cv::Mat y = luminance01(bgr);
        QCOMPARE(y.type(), CV_32FC1);
        QVERIFY(std::fabs(y.at<float>(0, 0) - 0.114f) < 1e-3);
        QVERIFY(std::fabs(y.at<float>(0, 1) - 0.587f) < 1e-3);
        QVERIFY(std::fabs(y.at<float>(0, 2) - 0.299f) < 1e-3);
        QVERIFY(luminance01(cv::Mat()).empty());

        const cv::Mat board = checkerboard(8, 6, 2);
        QCOMPARE(board.size(), cv::Size(8, 6));
        QCOMPARE(board.at<float>(0, 0), 0.0f);
        QCOMPARE(board.at<float>(0, 2), 1.0f);
        QCOMPARE(board.at<float>(2, 2), 0.0f);
        QCOMPARE(cv::sum(board)[0], 24.0);

        const NamedKernel& g = example("Gaussian");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_separable_demo(cv::Mat(), g.kernel, *g.column, *g.row));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 run_separable_demo(cv::Mat(4, 4, CV_8UC1, cv::Scalar(1)), g.kernel, *g.column, *g.row));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_separable_demo(board, g.kernel, *g.column, *g.row, 0));
    }
};

QTEST_APPLESS_MAIN(TestSeparableDemo)
#include "test_separable_demo.moc"
