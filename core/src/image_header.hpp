// Internal: an image's format and dimensions from its first bytes, read before any
// decoder runs, so that an image too large to decode (a decompression bomb: a 1 MB
// PNG of 30000x30000) is refused before a large allocation, and so that a damaged
// file is refused with our own message before libpng/libjpeg print theirs.
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mnv1::detail {

struct ImageHeader {
    enum class Status {
        Ok,          // format and width x height known
        NeedMore,    // the header goes past the bytes given: call again with more of the file
        Unknown,     // no signature of a format OpenCV decodes here
        Corrupt,     // a known signature but an impossible or damaged header (`problem` says why)
    };
    Status status = Status::Unknown;
    std::string format;        // "PNG", "JPEG", "GIF", "BMP", "WebP", "TIFF", "PNM", "PFM", ...
    std::uint64_t width = 0, height = 0;
    std::string problem;       // for Corrupt
};

// Parses the header of the image in `data[0, size)`. `whole_file` says the bytes are
// the whole file (then a header running past them is Corrupt "truncated", never
// NeedMore). Formats: PNG (IHDR), JPEG (SOFn), GIF, BMP, WebP (VP8/VP8L/VP8X), TIFF and
// BigTIFF (first IFD), PNM/PAM, PFM, Sun raster, Radiance HDR, JPEG 2000 (codestream
// SIZ and JP2 ihdr), OpenEXR (dataWindow).
ImageHeader read_image_header(const unsigned char* data, std::size_t size, bool whole_file);

// Structural checks of a whole PNG or JPEG file that libpng/libjpeg would otherwise
// report on stderr (or decode into grey): PNG chunks walked to IEND with their CRCs
// (critical chunks) and the IDAT zlib stream inflated into a scratch buffer;
// JPEG marker segments walked to the scan and an end-of-image marker present. ""
// when sound (or another format), else the problem.
std::string image_structure_problem(const unsigned char* data, std::size_t size);

}  // namespace mnv1::detail
