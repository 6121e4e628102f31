// Pair-safe channel orders (core/src/engine/pair_order.hpp): what makes an int8 matmul
// exact on CPUs without VNNI, where u8 x s8 products of input channels 2i and 2i + 1 are
// summed in 16 bits with saturation. Checked against a brute force of that sum:
//  - pair_sums_fit_16_bits says yes exactly when no u8 input saturates a pair;
//  - saturating_outputs names exactly the outputs with a saturating pair;
//  - pair_order gives a permutation under which no pair saturates, on weights shaped
//    like the releases' pointwise layers (mostly small, a few large ones), and finds one
//    on most of them although their own order has saturating pairs;
//  - where a channel fits beside no other it says the order is not safe, and only that
//    channel's pair saturates (odd k: the padding takes it, and the order is safe).
// The engine's use of it is tested on the releases in tests/model/test_int8_engine.cpp.
#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "engine/pair_order.hpp"

using namespace mnv1;

namespace {

// Does any u8 input push a 16-bit pair sum out of range? The sum is linear in each
// input, so its extremes are at inputs 0 or 255.
bool output_saturates(const std::vector<std::int8_t>& w, int k, int o) {
    for (int i = 0; i + 1 < k; i += 2) {
        const int a = w[static_cast<std::size_t>(o * k + i)], b = w[static_cast<std::size_t>(o * k + i + 1)];
        for (const int xa : {0, 255}) {
            for (const int xb : {0, 255}) {
                const int sum = xa * a + xb * b;
                if (sum > 32767 || sum < -32768) return true;
            }
        }
    }
    return false;
}
bool saturates(const std::vector<std::int8_t>& w, int k, int n) {
    for (int o = 0; o < n; ++o) {
        if (output_saturates(w, k, o)) return true;
    }
    return false;
}

std::vector<std::int8_t> in_order(const std::vector<std::int8_t>& w, int k, const std::vector<int>& order) {
    std::vector<std::int8_t> r(w.size());
    for (std::size_t row = 0; row < w.size() / static_cast<std::size_t>(k); ++row) {
        for (int j = 0; j < k; ++j) r[row * k + j] = w[row * k + static_cast<std::size_t>(order[j])];
    }
    return r;
}

bool is_permutation_of_k(std::vector<int> order, int k) {
    std::sort(order.begin(), order.end());
    std::vector<int> all(static_cast<std::size_t>(k));
    std::iota(all.begin(), all.end(), 0);
    return order == all;
}

// Like a release's pointwise layer stored as w - 128: centred off zero (the weight zero
// point is not 128), mostly small, `large_per_mille` of them out in the tails.
std::vector<std::int8_t> release_like(std::mt19937& rng, int k, int n, int large_per_mille) {
    std::normal_distribution<double> small(-20.0, 14.0);
    std::uniform_int_distribution<int> tail(66, 127), sign(0, 1), per_mille(0, 999);
    std::vector<std::int8_t> w(static_cast<std::size_t>(k) * static_cast<std::size_t>(n));
    for (auto& v : w) {
        const int d = per_mille(rng) < large_per_mille ? (sign(rng) ? 1 : -1) * tail(rng)
                                                       : static_cast<int>(std::lround(small(rng)));
        v = static_cast<std::int8_t>(std::clamp(d, -127, 127));
    }
    return w;
}

}  // namespace

class PairOrderTest : public QObject {
    Q_OBJECT
private slots:
    void fitsMatchesBruteForce();
    void boundaries();
    void ordersAreSafePermutations();
    void noOrderWhereAChannelFitsNowhere();
};

void PairOrderTest::fitsMatchesBruteForce() {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> value(-128, 127);
    int fits = 0;
    for (int trial = 0; trial < 4000; ++trial) {
        const int k = 2 + trial % 5, n = 1 + trial % 3;  // odd k too: the last channel alone
        std::vector<std::int8_t> w(static_cast<std::size_t>(k * n));
        for (auto& v : w) v = static_cast<std::int8_t>(value(rng) / (1 + trial % 4));
        const bool brute = !saturates(w, k, n);
        QCOMPARE(pair_sums_fit_16_bits(w, k, n), brute);
        std::vector<int> outputs;
        for (int o = 0; o < n; ++o) {
            if (output_saturates(w, k, o)) outputs.push_back(o);
        }
        QCOMPARE(saturating_outputs(w, k, n), outputs);
        fits += brute;
    }
    qInfo("%d of 4000 random weight sets fit", fits);
    QVERIFY(fits > 400 && fits < 3600);  // both answers were exercised
}

void PairOrderTest::boundaries() {
    // 255 x 128 = 32640 fits, 255 x 129 = 32895 does not; opposite signs always fit.
    QVERIFY(pair_sums_fit_16_bits({64, 64}, 2, 1));
    QVERIFY(!pair_sums_fit_16_bits({64, 65}, 2, 1));
    QVERIFY(pair_sums_fit_16_bits({-64, -64}, 2, 1));
    QVERIFY(!pair_sums_fit_16_bits({-1, -128}, 2, 1));
    QVERIFY(pair_sums_fit_16_bits({127, -128}, 2, 1));
    QVERIFY(pair_sums_fit_16_bits({0, -128}, 2, 1));
    QVERIFY(pair_sums_fit_16_bits({100, -100, 127}, 3, 1));  // the odd channel sits beside padding
    // Only the second output's pair saturates.
    QVERIFY(!pair_sums_fit_16_bits({1, 1, 2, 2, 100, 100, 1, 1}, 4, 2));
    for (const auto& w : {std::vector<std::int8_t>{64, 65}, std::vector<std::int8_t>{-1, -128}}) {
        QVERIFY(saturates(w, 2, 1));
    }
}

void PairOrderTest::ordersAreSafePermutations() {
    std::mt19937 rng(2024);
    int needed = 0, found = 0;
    for (int trial = 0; trial < 60; ++trial) {
        const int k = 32 + 32 * (trial % 4), n = 64;
        const std::vector<std::int8_t> w = release_like(rng, k, n, 1 + trial % 6);
        if (!saturates(w, k, n)) continue;
        ++needed;
        const auto order = pair_order(w, k, n);
        QVERIFY(order.has_value());  // few large weights: always searched
        QVERIFY(is_permutation_of_k(order->order, k));
        const std::vector<std::int8_t> placed = in_order(w, k, order->order);
        QCOMPARE(!saturates(placed, k, n), order->safe);
        QCOMPARE(pair_sums_fit_16_bits(placed, k, n), order->safe);
        found += order->safe;
    }
    qInfo("own order saturates in %d of 60 weight sets; a pair-safe order found for %d", needed, found);
    QVERIFY(needed >= 40);
    QVERIFY(found >= needed * 9 / 10);
}

void PairOrderTest::noOrderWhereAChannelFitsNowhere() {
    // Channel 0 (127 in output 0) saturates beside any positive weight; channels 1-3 fit
    // each other. Output 1 is small everywhere.
    const std::vector<std::int8_t> w = {127, 2, 3, 4, 1, 1, 1, 1};
    const auto stubborn = pair_order(w, 4, 2);
    QVERIFY(stubborn.has_value());
    QVERIFY(!stubborn->safe);
    QVERIFY(is_permutation_of_k(stubborn->order, 4));
    QCOMPARE(saturating_outputs(in_order(w, 4, stubborn->order), 4, 2), std::vector<int>{0});
    // With three channels it can sit last, beside the padding.
    const auto order = pair_order({127, 2, 3}, 3, 1);
    QVERIFY(order.has_value());
    QVERIFY(order->safe);
    QCOMPARE(order->order.back(), 0);
    QVERIFY(pair_sums_fit_16_bits(in_order({127, 2, 3}, 3, order->order), 3, 1));
    // 0 and 1 both large positive, 2 and 3 both large negative in output 0: the only
    // safe orders pair each large positive with a large negative.
    const std::vector<std::int8_t> mixed_w = {100, 90, -100, -90, 1, 1, 1, 1};
    QVERIFY(!pair_sums_fit_16_bits(mixed_w, 4, 2));
    const auto mixed = pair_order(mixed_w, 4, 2);
    QVERIFY(mixed.has_value());
    QVERIFY(mixed->safe);
    QVERIFY(!saturates(in_order(mixed_w, 4, mixed->order), 4, 2));
}

QTEST_APPLESS_MAIN(PairOrderTest)
#include "test_pair_order.moc"
