#include "image_convert.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

namespace studio {

QImage mat_to_qimage(const cv::Mat& mat) {
    if (mat.empty()) return {};
    cv::Mat src = mat;
    if (src.depth() != CV_8U) src.convertTo(src, CV_8U);
    switch (src.channels()) {
        case 1: {
            QImage out(src.cols, src.rows, QImage::Format_Grayscale8);
            cv::Mat dst(src.rows, src.cols, CV_8UC1, out.bits(), static_cast<size_t>(out.bytesPerLine()));
            src.copyTo(dst);
            return out;
        }
        case 3: {
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
            // RGB32 is B,G,R,0xff in memory here: one cvtColor straight into the QImage's
            // buffer, and the format the raster engine paints fastest (video frames).
            QImage out(src.cols, src.rows, QImage::Format_RGB32);
            cv::Mat dst(src.rows, src.cols, CV_8UC4, out.bits(), static_cast<size_t>(out.bytesPerLine()));
            cv::cvtColor(src, dst, cv::COLOR_BGR2BGRA);
#else
            QImage out(src.cols, src.rows, QImage::Format_RGB888);
            cv::Mat dst(src.rows, src.cols, CV_8UC3, out.bits(), static_cast<size_t>(out.bytesPerLine()));
            cv::cvtColor(src, dst, cv::COLOR_BGR2RGB);
#endif
            return out;
        }
        case 4: {
            // QImage::Format_ARGB32 is B,G,R,A in memory on little-endian: the BGRA order.
            QImage out(src.cols, src.rows, QImage::Format_ARGB32);
            cv::Mat dst(src.rows, src.cols, CV_8UC4, out.bits(), static_cast<size_t>(out.bytesPerLine()));
            src.copyTo(dst);
            return out;
        }
        default: return {};
    }
}

cv::Mat qimage_to_mat(const QImage& image) {
    if (image.isNull()) return {};
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    const cv::Mat view(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()),
                       static_cast<size_t>(rgb.bytesPerLine()));
    cv::Mat bgr;
    cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);  // allocates: the result owns its pixels
    return bgr;
}

QImage thumbnail(const cv::Mat& bgr, int max_side) {
    if (bgr.empty() || max_side <= 0) return {};
    const int longer = std::max(bgr.cols, bgr.rows);
    if (longer <= max_side) return mat_to_qimage(bgr);
    const double scale = static_cast<double>(max_side) / longer;
    cv::Mat small;
    cv::resize(bgr, small,
               cv::Size(std::max(1, static_cast<int>(bgr.cols * scale + 0.5)),
                        std::max(1, static_cast<int>(bgr.rows * scale + 0.5))),
               0, 0, cv::INTER_AREA);
    return mat_to_qimage(small);
}

QImage activation_heatmap(const cv::Mat& cam, QSize size) {
    if (cam.empty() || size.isEmpty()) return {};
    cv::Mat f;
    cam.convertTo(f, CV_32F);
    double lo = 0, hi = 0;
    cv::minMaxLoc(f, &lo, &hi);
    cv::Mat u8;
    // A flat map (e.g. all zeros) has no peak to show: paint it uniformly cold.
    const double range = hi - lo;
    f.convertTo(u8, CV_8U, range > 1e-12 ? 255.0 / range : 0.0, range > 1e-12 ? -lo * 255.0 / range : 0.0);
    cv::Mat up;
    cv::resize(u8, up, cv::Size(size.width(), size.height()), 0, 0, cv::INTER_LINEAR);
    cv::Mat colored;
    cv::applyColorMap(up, colored, cv::COLORMAP_JET);
    // Opacity follows the activation: the photo stays readable where the class is not,
    // and the hot regions stand out. 0 -> 10 % opaque, peak -> 75 %.
    cv::Mat alpha;
    up.convertTo(alpha, CV_8U, (191.0 - 26.0) / 255.0, 26.0);
    cv::Mat bgra;
    cv::merge(std::vector<cv::Mat>{colored, alpha}, bgra);
    return mat_to_qimage(bgra);
}

}  // namespace studio
