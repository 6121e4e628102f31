// libFuzzer target for the ground-truth CSV parser (header, quoting, BOM, CRLF, index
// and wnid columns), at both class conventions. Any input must parse or throw
// mnv1::Error; every returned row must carry a class index inside the model's classes
// and a non-empty file name. Any other exception, a crash, a sanitizer report or a
// leak is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "input_parsers.hpp"
#include "mobilenet/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)mnv1::detail::csv_header(text);
    for (const int classes : {1001, 1000}) {
        try {
            const auto table = mnv1::detail::parse_ground_truth_csv(text, classes, "fuzz-ground-truth.csv");
            for (const auto& row : table.rows) {
                if (row.file.empty() || row.index < 0 || row.index >= classes) std::abort();
                (void)mnv1::detail::outside_images_folder(row.file);
            }
        } catch (const mnv1::Error&) {
            // expected for malformed input
        }
    }
    return 0;
}
