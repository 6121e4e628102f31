// libFuzzer target for the TFLite importer: any input must either load or throw
// mnv1::ModelError. Any other exception, a crash, a sanitizer report or a leak is a bug.
// Build and run: tests/fuzz/README.md.
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
