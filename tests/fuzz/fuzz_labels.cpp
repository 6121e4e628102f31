// libFuzzer target for the labels parser: one label per line (BOM, CRLF, blank lines)
// or a TF.js metadata.json {"labels": [...]}. Any input must parse or throw
// mnv1::ModelError; then the count adaptation load_labels applies is checked against
// what was parsed. Any other exception, a crash, a sanitizer report or a leak is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "input_parsers.hpp"
#include "mobilenet/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto labels = mnv1::detail::parse_labels(text, "fuzz-labels.txt");
        // Lines are split on '\n': no label may hold one.
        for (const std::string& l : labels)
            if (l.find('\n') != std::string::npos) std::abort();
    } catch (const mnv1::ModelError&) {
        // expected for malformed input
    }
    return 0;
}
