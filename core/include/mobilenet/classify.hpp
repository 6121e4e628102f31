// Preprocessing the way the releases expect, and classification on top of an
// ExecutionContext (top-k, latency, crop, class activation maps). Image decoding lives
// in mobilenet/image_io.hpp (included here for existing users).
//
// Free functions are thread-safe, except that those taking an ExecutionContext follow
// its rule: one thread at a time per context.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "mobilenet/image_io.hpp"
#include "mobilenet/network.hpp"

namespace mnv1 {

enum class CropMode {
    Whole,    // resize the whole image to S x S (what the TFLite reference used)
    Central,  // central crop of 87.5% of each side, then resize (TF-slim evaluation)
};
const char* to_string(CropMode mode);

// Pixel rectangle of the source image the network sees.
struct CropRect {
    int x = 0, y = 0, width = 0, height = 0;
};
CropRect crop_rect(int image_width, int image_height, CropMode mode);

// BGR8 image -> RGB, crop, bilinear resize to resolution x resolution, then
// (v - mean) / std, written as NHWC floats to dst (resolution*resolution*3 floats).
void preprocess(const cv::Mat& bgr, CropMode mode, int resolution, float mean, float std, float* dst);

struct Prediction {
    int index = 0;           // class index in the model's convention
    std::string label;       // "" when the model has no labels
    float probability = 0;
};

// Class `cls` as a Prediction: its label ("" beyond `labels`) and probability.
Prediction prediction_of(const float* probs, int cls, const std::vector<std::string>& labels);
// The k most probable classes, most probable first.
std::vector<Prediction> top_k(const float* probs, int num_classes, int k,
                              const std::vector<std::string>& labels);
// Rank of class `cls` in top_k's order (1 = most probable): one more than the classes
// more probable than it or as probable with a lower index. 0 when `cls` is out of range.
int class_rank(const float* probs, int num_classes, int cls);

struct Classification {
    std::vector<Prediction> top;   // top-k
    double latency_ms = 0;         // forward pass only (per batch when batched)
    double preprocess_ms = 0;      // decode excluded; crop + resize + scale
    CropRect crop;                 // in source-image pixels
};

// Class activation map of class `cls` for image `image` of the network's last
// forward(): the final feature map weighted by that class's FC weights, as a
// feature_h x feature_w float Mat (CV_32F, unnormalized).
cv::Mat class_activation_map(const ExecutionContext& ctx, int cls, int image = 0);
// The maps of several classes, reading the feature map out of the network once.
std::vector<cv::Mat> class_activation_maps(const ExecutionContext& ctx, const std::vector<int>& classes,
                                          int image = 0);

// Runs preprocess + forward for up to the network's batch of images.
// Throws std::invalid_argument when images.size() exceeds the batch.
std::vector<Classification> classify(ExecutionContext& ctx, const std::vector<cv::Mat>& bgr_images,
                                     CropMode mode = CropMode::Whole, int k = 5);

}  // namespace mnv1
