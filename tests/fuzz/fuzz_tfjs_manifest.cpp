// libFuzzer target for the TF.js layers-model importer's model.json: JSON parsing, the
// Keras topology walk and the weights manifest (shard list, dtypes, shapes, sizes).
// The shards' bytes are not read: the manifest is parsed as the probe does, without
// touching any file. Any input must parse or throw mnv1::ModelError; any other
// exception, a crash, a sanitizer report or a leak is a bug. tests/fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "formats.hpp"
#include "mobilenet/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto summary = mnv1::detail::parse_tfjs_model_json(text, "/nonexistent-fuzz-dir/model.json");
        (void)summary;
    } catch (const mnv1::ModelError&) {
        // expected for malformed input
    }
    return 0;
}
