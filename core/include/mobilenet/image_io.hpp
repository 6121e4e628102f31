// Image decoding: any format OpenCV reads, to the 8-bit BGR the preprocessing expects.
//
// All functions are thread-safe (no shared state) and return Mats that own their
// pixels. Errors are thrown as ImageError (mobilenet/errors.hpp): "<path>: <problem>".
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "mobilenet/errors.hpp"

namespace mnv1 {

// Decodes any image OpenCV reads (JPEG, PNG, BMP, WebP, TIFF, ...), applying EXIF
// orientation, converting grayscale / alpha / 16-bit to 8-bit BGR. Throws
// ImageError for a missing, unreadable, corrupt or oversized (> 100 Mpixel) file.
// Only a regular file is opened, without blocking: a FIFO, a device (/dev/zero), a
// socket or a directory is refused by its status. The dimensions are read from the
// header and an oversized image refused before any decoding (a 1 MB PNG bomb costs
// no memory); a damaged PNG or JPEG structure is refused before libpng/libjpeg run.
cv::Mat load_image(const std::string& path);
// Same for an encoded image in memory (`name` is used in error messages).
cv::Mat decode_image(const std::vector<unsigned char>& bytes, const std::string& name);
// Converts any 8/16-bit 1/3/4-channel Mat to 8-bit BGR (alpha dropped as imread does).
// Throws std::invalid_argument for another channel count.
cv::Mat to_bgr8(const cv::Mat& img);

}  // namespace mnv1
