// The one place where OpenCV images become Qt images and back, plus the class activation
// map heat map. Pure functions on values: any thread may call them (no oneDNN here).
#pragma once

#include <QImage>
#include <QSize>

#include <opencv2/core.hpp>

namespace studio {

// 8-bit BGR (or gray / BGRA) Mat -> QImage (RGB32 / Grayscale8 / ARGB32). Deep copy.
// An empty Mat gives a null QImage.
QImage mat_to_qimage(const cv::Mat& mat);

// Any QImage -> 8-bit BGR Mat (alpha dropped). Deep copy. A null QImage gives an empty Mat.
cv::Mat qimage_to_mat(const QImage& image);

// Downscaled copy whose longer side is at most `max_side` pixels (never upscaled),
// for gallery thumbnails.
QImage thumbnail(const cv::Mat& bgr, int max_side);

// Colours a class activation map (feature_h x feature_w, CV_32F, any range) as a JET
// heat map of `size` pixels: min-max normalized, bilinearly upsampled, ARGB32 whose
// alpha rises with the activation (10 % where it is lowest, 75 % at the peak).
// Returns a null QImage for an empty map or size.
QImage activation_heatmap(const cv::Mat& cam, QSize size);

}  // namespace studio
