#include "mobilenet/classify.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace mnv1 {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

const char* to_string(CropMode mode) { return mode == CropMode::Whole ? "whole" : "central"; }

CropRect crop_rect(int w, int h, CropMode mode) {
    if (mode == CropMode::Whole) return {0, 0, w, h};
    // TF's central_crop(0.875): start = int((n - 0.875 n) / 2), size = n - 2 * start,
    // so the crop stays exactly centred.
    const int x = static_cast<int>((w - w * 0.875) / 2);
    const int y = static_cast<int>((h - h * 0.875) / 2);
    return {x, y, w - 2 * x, h - 2 * y};
}

void preprocess(const cv::Mat& bgr, CropMode mode, int resolution, float mean, float std, float* dst) {
    if (bgr.empty() || bgr.type() != CV_8UC3) throw std::invalid_argument("preprocess expects a BGR8 image");
    const CropRect r = crop_rect(bgr.cols, bgr.rows, mode);
    const cv::Mat roi = bgr(cv::Rect(r.x, r.y, r.width, r.height));
    cv::Mat rgb, resized;
    cv::cvtColor(roi, rgb, cv::COLOR_BGR2RGB);
    if (rgb.cols == resolution && rgb.rows == resolution) {
        resized = rgb;
    } else {
        cv::resize(rgb, resized, cv::Size(resolution, resolution), 0, 0, cv::INTER_LINEAR);
    }
    const float inv = 1.0f / std;
    for (int y = 0; y < resolution; ++y) {
        const unsigned char* row = resized.ptr<unsigned char>(y);
        float* out = dst + static_cast<std::size_t>(y) * static_cast<std::size_t>(resolution) * 3;
        for (int i = 0; i < resolution * 3; ++i) out[i] = (static_cast<float>(row[i]) - mean) * inv;
    }
}

std::vector<Prediction> top_k(const float* probs, int num_classes, int k,
                              const std::vector<std::string>& labels) {
    k = std::clamp(k, 0, num_classes);
    std::vector<int> idx(static_cast<std::size_t>(num_classes));
    std::iota(idx.begin(), idx.end(), 0);
    // Equal probabilities by lowest class index, as TFLite orders its uint8 output (an
    // Int8 network's probabilities are that output, so ties are common); stable for f32.
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) {
        return probs[a] > probs[b] || (probs[a] == probs[b] && a < b);
    });
    std::vector<Prediction> out;
    out.reserve(static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i) out.push_back(prediction_of(probs, idx[static_cast<std::size_t>(i)], labels));
    return out;
}

Prediction prediction_of(const float* probs, int cls, const std::vector<std::string>& labels) {
    return {cls, cls < static_cast<int>(labels.size()) ? labels[static_cast<std::size_t>(cls)] : "", probs[cls]};
}

int class_rank(const float* probs, int num_classes, int cls) {
    if (cls < 0 || cls >= num_classes) return 0;
    int ahead = 0;
    for (int c = 0; c < num_classes; ++c) {
        ahead += probs[c] > probs[cls] || (probs[c] == probs[cls] && c < cls) ? 1 : 0;
    }
    return ahead + 1;
}

std::vector<cv::Mat> class_activation_maps(const ExecutionContext& ctx, const std::vector<int>& classes, int image) {
    const CompiledNetwork& net = ctx.network();
    for (int cls : classes) {
        if (cls < 0 || cls >= net.num_classes()) {
            throw std::out_of_range("class index " + std::to_string(cls) + " out of range");
        }
    }
    const int fl = net.feature_layer();
    const LayerSpec& l = net.layers()[static_cast<std::size_t>(fl)];
    std::vector<float> feat;
    ctx.copy_activation(fl, image, feat);
    const LayerWeights& fc = net.weights().layers.back();  // [classes][channels]
    std::vector<cv::Mat> maps;
    maps.reserve(classes.size());
    for (int cls : classes) {
        const float* w = fc.weights.data() + static_cast<std::size_t>(cls) * static_cast<std::size_t>(l.out_c);
        cv::Mat cam(l.out_h, l.out_w, CV_32F);
        for (int y = 0; y < l.out_h; ++y) {
            for (int x = 0; x < l.out_w; ++x) {
                const float* f = feat.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(l.out_w) +
                                                static_cast<std::size_t>(x)) *
                                                   static_cast<std::size_t>(l.out_c);
                double acc = 0;
                for (int c = 0; c < l.out_c; ++c) acc += static_cast<double>(f[c]) * w[c];
                cam.at<float>(y, x) = static_cast<float>(acc);
            }
        }
        maps.push_back(cam);
    }
    return maps;
}

cv::Mat class_activation_map(const ExecutionContext& ctx, int cls, int image) {
    return class_activation_maps(ctx, {cls}, image).front();
}

std::vector<Classification> classify(ExecutionContext& ctx, const std::vector<cv::Mat>& images, CropMode mode, int k) {
    const CompiledNetwork& net = ctx.network();
    const NetworkConfig& cfg = net.config();
    if (images.empty()) return {};
    if (static_cast<int>(images.size()) > cfg.batch) {
        throw std::invalid_argument("got " + std::to_string(images.size()) + " images for a batch of " +
                                    std::to_string(cfg.batch));
    }
    const ModelWeights& w = net.weights();
    const std::size_t per_image = static_cast<std::size_t>(cfg.resolution) *
                                  static_cast<std::size_t>(cfg.resolution) * 3;
    std::vector<Classification> out(images.size());
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < images.size(); ++i) {
        const cv::Mat bgr = images[i].type() == CV_8UC3 ? images[i] : to_bgr8(images[i]);
        preprocess(bgr, mode, cfg.resolution, w.input_mean, w.input_std, ctx.input() + i * per_image);
        out[i].crop = crop_rect(bgr.cols, bgr.rows, mode);
    }
    const double pre_ms = ms_since(t0);
    const auto t1 = Clock::now();
    ctx.forward();
    const double fwd_ms = ms_since(t1);
    for (std::size_t i = 0; i < images.size(); ++i) {
        out[i].top = top_k(ctx.probabilities() + i * static_cast<std::size_t>(net.num_classes()),
                           net.num_classes(), k, w.labels);
        out[i].latency_ms = fwd_ms;
        out[i].preprocess_ms = pre_ms / static_cast<double>(images.size());
    }
    return out;
}

}  // namespace mnv1
