// Input-channel orders under which an int8 matmul or 1x1 convolution is exact on CPUs without VNNI.
//
// There oneDNN 2.6's u8 x s8 kernels (vpmaddubsw) add the products of input channels
// 2i and 2i + 1 in 16 bits with saturation before widening. For u8 inputs x in [0, 255]
// and s8 weights d, the pair (a, b) of output n can leave [-32768, 32767] only when
// d_a and d_b have the same sign and |d_a| + |d_b| > 128 (255 x 128 = 32640 fits; opposite
// signs stay within 255 x 128). In the released models almost every pointwise layer has
// such pairs in its own channel order, but an order without them exists: the large
// weights are few (0.01-0.7% above 64 in magnitude), so each channel with large weights
// can sit beside one whose weights there are small or of the other sign.
//
// Weights are [n][k] row-major (one row of k input-channel weights per output), as the
// canonical oihw layout of a 1x1 convolution or a fully connected layer. Any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mnv1 {

// True when no adjacent pair (2i, 2i + 1) of input channels can saturate for any output.
// An odd last channel is paired with the kernel's zero padding: always safe.
bool pair_sums_fit_16_bits(const std::vector<std::int8_t>& weights, int k, int n);

// Outputs (ascending) with a pair of adjacent input channels that may saturate.
std::vector<int> saturating_outputs(const std::vector<std::int8_t>& weights, int k, int n);

// An order of the k input channels: order[j] is the channel placed at position j.
struct PairOrder {
    std::vector<int> order;
    // pair_sums_fit_16_bits holds in this order. Otherwise some channels fit beside no
    // other (one large weight where every other channel has a same-signed one: 1-2 per
    // layer in the releases' stubborn pointwise layers); they are paired with what was
    // left, and their pairs' outputs saturate (saturating_outputs tells which).
    bool safe = false;
};

// The order with fewest saturating pairs found, or nothing when the conflicts are too
// many to search (a layer whose weights spread over the whole s8 range). Greedy: the
// channel with the fewest possible partners first, paired with its partner of fewest
// partners, then augmenting paths for channels left alone. O(k^2 + large weights x k).
std::optional<PairOrder> pair_order(const std::vector<std::int8_t>& weights, int k, int n);

}  // namespace mnv1
