// Image decoding with OpenCV, hardened against files that decode "successfully" into
// garbage (truncated JPEGs) or into huge allocations.
#include "mobilenet/image_io.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <stdexcept>

#include "image_header.hpp"
#include "regular_file.hpp"

namespace mnv1 {

cv::Mat to_bgr8(const cv::Mat& img) {
    cv::Mat m = img;
    if (m.depth() == CV_16U) {
        m.convertTo(m, CV_8U, 1.0 / 257.0);
    } else if (m.depth() == CV_32F || m.depth() == CV_64F) {
        m.convertTo(m, CV_8U, 255.0);
    } else if (m.depth() != CV_8U) {
        m.convertTo(m, CV_8U);
    }
    cv::Mat out;
    switch (m.channels()) {
        case 1: cv::cvtColor(m, out, cv::COLOR_GRAY2BGR); break;
        case 3: out = m; break;
        case 4: cv::cvtColor(m, out, cv::COLOR_BGRA2BGR); break;
        default: throw std::invalid_argument("unsupported channel count " + std::to_string(m.channels()));
    }
    return out;
}

namespace {

constexpr std::uint64_t kMaxPixels = 100'000'000;  // refuse to decode images larger than this
// The largest file an image within kMaxPixels needs (16-bit RGBA uncompressed is 800 MB).
constexpr std::uint64_t kMaxImageFileBytes = 1ull << 30;
// Enough for the header of every format read_image_header knows, unless a JPEG carries
// large metadata segments before its frame header or a TIFF puts its directory late.
constexpr std::size_t kHeaderProbeBytes = 256 * 1024;

// Refuses an image whose header says it is too large, before any decoder allocates.
void check_header(const detail::ImageHeader& h, const std::string& name) {
    using Status = detail::ImageHeader::Status;
    if (h.status == Status::Unknown) throw ImageError(name, "not an image OpenCV can decode, or the file is corrupt");
    if (h.status != Status::Ok) throw ImageError(name, h.problem);
    const long double pixels = static_cast<long double>(h.width) * static_cast<long double>(h.height);
    if (pixels > static_cast<long double>(kMaxPixels)) {
        throw ImageError(name, "image too large (" + h.format + " of " + std::to_string(h.width) + "x" +
                                   std::to_string(h.height) + " pixels, at most " + std::to_string(kMaxPixels / 1'000'000) +
                                   " Mpixel are decoded)");
    }
}

// Decodes `size` encoded bytes at `data` (not copied).
cv::Mat decode_bytes(const unsigned char* data, std::size_t size, const std::string& name) {
    if (size == 0) throw ImageError(name, "empty file");
    if (size > kMaxImageFileBytes) throw ImageError(name, "too large for an image (" + std::to_string(size) + " bytes)");
    // Header first (dimensions before any allocation), then the structure libpng and
    // libjpeg would complain about on stderr: refused here with one line naming the file.
    check_header(detail::read_image_header(data, size, true), name);
    if (const std::string problem = detail::image_structure_problem(data, size); !problem.empty())
        throw ImageError(name, problem);
    cv::Mat img;
    try {
        // IMREAD_COLOR applies EXIF orientation and converts gray / alpha / 16-bit to BGR8,
        // exactly as the TFLite reference predictions were made.
        const cv::Mat encoded(1, static_cast<int>(size), CV_8U, const_cast<unsigned char*>(data));
        img = cv::imdecode(encoded, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        throw ImageError(name, std::string("cannot decode image (") + e.err + ")");
    }
    if (img.empty()) throw ImageError(name, "not an image OpenCV can decode, or the file is corrupt");
    if (img.total() > kMaxPixels) {  // a header that understated the size
        throw ImageError(name, "image too large (" + std::to_string(img.cols) + "x" + std::to_string(img.rows) + ")");
    }
    return to_bgr8(img);
}

}  // namespace

cv::Mat decode_image(const std::vector<unsigned char>& bytes, const std::string& name) {
    return decode_bytes(bytes.data(), bytes.size(), name);
}

cv::Mat load_image(const std::string& path) {
    // Only a regular file is opened, without blocking (a FIFO or /dev/zero is refused).
    detail::RegularFile file(path, detail::FileRole::Image);
    if (file.size() == 0) throw ImageError(path, "empty file");
    if (file.size() > kMaxImageFileBytes) {
        throw ImageError(path, "file too large for an image (" + std::to_string(file.size()) + " bytes)");
    }
    // A large file's dimensions are checked on its first bytes before all of it is read.
    if (file.size() > kHeaderProbeBytes) {
        const std::string head = file.read_at(0, kHeaderProbeBytes);
        const auto h = detail::read_image_header(reinterpret_cast<const unsigned char*>(head.data()), head.size(), false);
        if (h.status != detail::ImageHeader::Status::NeedMore) check_header(h, path);
    }
    const std::string bytes = file.read_all(kMaxImageFileBytes);
    return decode_bytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), path);
}

}  // namespace mnv1
