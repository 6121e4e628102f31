// The five uint8 TFLite releases under ../shared/models/tflite, with the names their
// golden tensors and TFLite predictions carry under ../shared/reference, for the int8 tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mnv1::test {

struct Uint8Release {
    const char* key;   // golden / tflite_predictions name
    const char* file;  // under models/tflite
};

inline const Uint8Release kUint8Releases[] = {
    {"mobilenet_v1_1.0_224_quant_merged", "mobilenet_v1_1.0_224_quant.tflite"},
    {"mobilenet_v1_0.75_192_quant", "mobilenet_v1_0.75_192_quant.tflite"},
    {"mobilenet_v1_0.5_160_quant", "mobilenet_v1_0.5_160_quant.tflite"},
    {"mobilenet_v1_0.25_224_quant", "mobilenet_v1_0.25_224_quant.tflite"},
    {"mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.25_128_quant.tflite"},
};

// A golden tensor file's bytes (empty when it cannot be read: the caller's size check fails).
inline std::vector<std::uint8_t> read_u8(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace mnv1::test
