// libFuzzer target for the TFLite importer: any input must either load or throw
// mnv1::ModelError. Any other exception, a crash, a sanitizer report or a leak is a bug.
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMOBILENET_FUZZ=ON \
//       -DMOBILENET_BUILD_GUI=OFF -DMOBILENET_BUILD_TESTS=OFF
//   (MOBILENET_FUZZ instruments the whole core with fuzzer-no-link, ASan and UBSan.)
//   cmake --build build-fuzz --target fuzz_tflite
//   mkdir -p /tmp/tflite-corpus && cp ../shared/models/tflite/*.tflite /tmp/tflite-corpus/
//   build-fuzz/bin/fuzz_tflite -max_len=3000000 -rss_limit_mb=4096 /tmp/tflite-corpus
#include <cstddef>
#include <cstdint>

#include "formats.hpp"
#include "mobilenet/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        auto w = mnv1::detail::load_tflite_buffer(data, size, "fuzz-input");
        (void)w;
    } catch (const mnv1::ModelError&) {
        // expected for malformed input
    }
    return 0;
}
