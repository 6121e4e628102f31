// libFuzzer target for the Keras HDF5 importer (model_config, weight_names, datasets).
// libhdf5 reads from a path, so each input is written to a private temp file first;
// libhdf5 itself is not instrumented (coverage is the importer's), but ASan still
// catches its crashes and impossible allocations. Any input must load or throw
// mnv1::ModelError. Used by tests/fuzz/mutate_models.sh as a fast runner too.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "formats.hpp"
#include "mobilenet/errors.hpp"

namespace {

std::string temp_path() {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/fuzz_keras_h5." + std::to_string(getpid()) + ".h5";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = temp_path();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    try {
        auto w = mnv1::detail::load_keras_h5(path);
        (void)w;
    } catch (const mnv1::ModelError&) {
        // expected for malformed input
    }
    std::remove(path.c_str());
    return 0;
}
