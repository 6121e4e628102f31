#include "engine/pair_order.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <utility>

namespace mnv1 {
namespace {

// Same sign and more than 128 in magnitude together: 255 x (|a| + |b|) > 32767.
bool pair_may_saturate(int a, int b) { return ((a > 0 && b > 0) || (a < 0 && b < 0)) && std::abs(a) + std::abs(b) > 128; }

// Which channels must not share a pair: a k x k bit matrix.
class Conflicts {
public:
    explicit Conflicts(int k) : k_(k), words_((static_cast<std::size_t>(k) + 63) / 64), bits_(words_ * static_cast<std::size_t>(k)) {}
    void mark(int a, int b) {
        set(a, b);
        set(b, a);
    }
    bool compatible(int a, int b) const {
        return a != b && !((bits_[row(a) + static_cast<std::size_t>(b) / 64] >> (b % 64)) & 1u);
    }
    int partners(int a) const {  // channels a may share a pair with
        int conflicts = 0;
        for (std::size_t w = 0; w < words_; ++w) conflicts += std::popcount(bits_[row(a) + w]);
        return k_ - 1 - conflicts;
    }

private:
    std::size_t row(int a) const { return static_cast<std::size_t>(a) * words_; }
    void set(int a, int b) { bits_[row(a) + static_cast<std::size_t>(b) / 64] |= std::uint64_t{1} << (b % 64); }
    int k_;
    std::size_t words_;
    std::vector<std::uint64_t> bits_;
};

// Every conflicting pair, or nothing when marking them would take more than `budget` steps.
// A conflict needs one weight above 64 in magnitude; per output, its partners are the
// same-signed weights above 128 minus it: a prefix of that output's weights sorted by size.
std::optional<Conflicts> find_conflicts(const std::vector<std::int8_t>& weights, int k, int n, long long budget) {
    Conflicts c(k);
    std::vector<std::pair<int, int>> same_sign;  // (|d|, channel), largest first
    for (int o = 0; o < n; ++o) {
        const std::int8_t* row = weights.data() + static_cast<std::size_t>(o) * static_cast<std::size_t>(k);
        for (const int sign : {1, -1}) {
            int largest = 0;
            for (int ch = 0; ch < k; ++ch) largest = std::max(largest, sign * row[ch]);
            if (largest <= 64) continue;  // no conflict in this output (most of them)
            same_sign.clear();  // only weights that conflict with the largest one, or it
            for (int ch = 0; ch < k; ++ch) {
                const int v = sign * row[ch];
                if (v > 128 - largest) same_sign.emplace_back(v, ch);
            }
            std::sort(same_sign.begin(), same_sign.end(), std::greater<>());
            for (std::size_t i = 0; i < same_sign.size() && same_sign[i].first > 64; ++i) {
                const int limit = 128 - same_sign[i].first;
                for (std::size_t j = 0; j < same_sign.size() && same_sign[j].first > limit; ++j) {
                    if (j != i) c.mark(same_sign[i].second, same_sign[j].second);
                    if (--budget < 0) return std::nullopt;
                }
            }
        }
    }
    return c;
}

}  // namespace

bool pair_sums_fit_16_bits(const std::vector<std::int8_t>& weights, int k, int n) {
    for (int o = 0; o < n; ++o) {
        const std::int8_t* row = weights.data() + static_cast<std::size_t>(o) * static_cast<std::size_t>(k);
        for (int i = 0; i + 1 < k; i += 2) {
            if (pair_may_saturate(row[i], row[i + 1])) return false;
        }
    }
    return true;
}

std::optional<PairOrder> pair_order(const std::vector<std::int8_t>& weights, int k, int n) {
    // Conflicts need weights above 64 in magnitude. In the releases' pointwise layers that
    // have an order they are at most 1.8% of the weights; where they are many (a
    // classifier whose weights fill the s8 range: 22%) there is none, and searching
    // would cost more than the build (small layers are searched whatever they hold).
    const auto large = std::count_if(weights.begin(), weights.end(), [](std::int8_t d) { return std::abs(d) > 64; });
    if (weights.size() >= (std::size_t{1} << 16) && 16 * static_cast<std::size_t>(large) > weights.size()) {
        return std::nullopt;
    }
    const std::optional<Conflicts> conflicts =
        find_conflicts(weights, k, n, 16LL * static_cast<long long>(k) * static_cast<long long>(n));
    if (!conflicts) return std::nullopt;
    const Conflicts& c = *conflicts;

    // Greedy matching: the unused channel with the fewest unused partners first, paired
    // with its unused partner that has the fewest.
    std::vector<int> partners(static_cast<std::size_t>(k)), mate(static_cast<std::size_t>(k), -1);
    for (int a = 0; a < k; ++a) partners[static_cast<std::size_t>(a)] = c.partners(a);
    std::vector<char> used(static_cast<std::size_t>(k), 0);
    auto take = [&](int a) {
        used[static_cast<std::size_t>(a)] = 1;
        for (int b = 0; b < k; ++b) {
            if (!used[static_cast<std::size_t>(b)] && c.compatible(a, b)) --partners[static_cast<std::size_t>(b)];
        }
    };
    auto fewest = [&](auto&& eligible) {
        int best = -1;
        for (int b = 0; b < k; ++b) {
            if (used[static_cast<std::size_t>(b)] || !eligible(b)) continue;
            if (best < 0 || partners[static_cast<std::size_t>(b)] < partners[static_cast<std::size_t>(best)]) best = b;
        }
        return best;
    };
    std::vector<int> alone;
    for (int left = k; left > 0;) {
        const int a = fewest([](int) { return true; });
        take(a);
        --left;
        const int b = fewest([&](int x) { return c.compatible(a, x); });
        if (b < 0) {
            alone.push_back(a);
            continue;
        }
        take(b);
        --left;
        mate[static_cast<std::size_t>(a)] = b;
        mate[static_cast<std::size_t>(b)] = a;
    }

    // Channels left alone: an augmenting path from each, u - y1 = z1 - y2 = z2 ... - v
    // (= a pair, - compatible), to another channel v left alone; then u - y1, z1 - y2,
    // ..., z_m - v become the pairs. Breadth first over pairs, each entered once.
    std::vector<int> reached_from(static_cast<std::size_t>(k));
    auto augment = [&](int u) {
        std::vector<char> entered(static_cast<std::size_t>(k), 0);
        std::vector<int> frontier{u};
        for (std::size_t f = 0; f < frontier.size(); ++f) {
            const int x = frontier[f];
            for (int y = 0; y < k; ++y) {
                if (y == u || !c.compatible(x, y) || entered[static_cast<std::size_t>(y)]) continue;
                const int z = mate[static_cast<std::size_t>(y)];
                if (z < 0) {  // y is alone too: pair it with x, and re-pair back to u
                    for (int a = x, b = y;;) {
                        const int next_b = a == u ? -1 : mate[static_cast<std::size_t>(a)];
                        const int next_a = next_b < 0 ? -1 : reached_from[static_cast<std::size_t>(next_b)];
                        mate[static_cast<std::size_t>(a)] = b;
                        mate[static_cast<std::size_t>(b)] = a;
                        if (next_b < 0) break;
                        a = next_a;
                        b = next_b;
                    }
                    return y;
                }
                entered[static_cast<std::size_t>(y)] = entered[static_cast<std::size_t>(z)] = 1;
                reached_from[static_cast<std::size_t>(y)] = x;
                frontier.push_back(z);
            }
        }
        return -1;  // no path: u stays alone
    };
    for (const int u : alone) {
        if (mate[static_cast<std::size_t>(u)] < 0) augment(u);  // else paired on another's path
    }
    // What is left (channels that fit beside no other, and whoever they left alone) is
    // paired as it comes: those pairs may saturate in some outputs (saturating_outputs).
    PairOrder r;
    r.order.reserve(static_cast<std::size_t>(k));
    alone.clear();
    for (int a = 0; a < k; ++a) {
        const int b = mate[static_cast<std::size_t>(a)];
        if (b < 0) alone.push_back(a);
        if (a < b) {
            r.order.push_back(a);
            r.order.push_back(b);
        }
    }
    r.safe = alone.size() <= static_cast<std::size_t>(k % 2);
    r.order.insert(r.order.end(), alone.begin(), alone.end());  // odd k: the last one, beside the padding
    return r;
}

std::vector<int> saturating_outputs(const std::vector<std::int8_t>& weights, int k, int n) {
    std::vector<int> outputs;
    for (int o = 0; o < n; ++o) {
        const std::int8_t* row = weights.data() + static_cast<std::size_t>(o) * static_cast<std::size_t>(k);
        for (int i = 0; i + 1 < k; i += 2) {
            if (pair_may_saturate(row[i], row[i + 1])) {
                outputs.push_back(o);
                break;
            }
        }
    }
    return outputs;
}

}  // namespace mnv1
