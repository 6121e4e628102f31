// Image decoding with OpenCV, hardened against files that decode "successfully" into
// garbage (truncated JPEGs) or into huge allocations.
#include "mobilenet/image_io.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

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

constexpr double kMaxPixels = 100e6;  // refuse to decode images larger than this

// libjpeg only warns on a premature end of data and returns a partly grey image;
// a JPEG must end with its EOI marker (FF D9). Entropy-coded data never contains
// FF D9 (0xFF bytes are stuffed), so it is searched near the end, allowing for
// trailing bytes some cameras append.
bool jpeg_truncated(const std::vector<unsigned char>& b) {
    if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;  // not a JPEG
    const std::size_t from = b.size() > 4096 ? b.size() - 4096 : 2;
    for (std::size_t i = b.size() - 1; i > from; --i) {
        if (b[i - 1] == 0xFF && b[i] == 0xD9) return false;
    }
    return true;
}

}  // namespace

cv::Mat decode_image(const std::vector<unsigned char>& bytes, const std::string& name) {
    if (bytes.empty()) throw ImageError(name, "empty file");
    if (jpeg_truncated(bytes)) throw ImageError(name, "truncated JPEG (no end-of-image marker)");
    cv::Mat img;
    try {
        // IMREAD_COLOR applies EXIF orientation and converts gray / alpha / 16-bit to BGR8,
        // exactly as the TFLite reference predictions were made.
        img = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        throw ImageError(name, std::string("cannot decode image (") + e.err + ")");
    }
    if (img.empty()) throw ImageError(name, "not an image OpenCV can decode, or the file is corrupt");
    if (static_cast<double>(img.total()) > kMaxPixels) {
        throw ImageError(name, "image too large (" + std::to_string(img.cols) + "x" +
                                   std::to_string(img.rows) + ")");
    }
    return to_bgr8(img);
}

cv::Mat load_image(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw ImageError(path, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw ImageError(path, "is a directory, not an image");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ImageError(path, "cannot open for reading");
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw ImageError(path, "read error");
    return decode_image(bytes, path);
}

}  // namespace mnv1
