#include "mobilenet/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "image_set.hpp"
#include "input_parsers.hpp"

namespace mnv1 {

namespace {

// Ground truth for ImageNet's 50,000 validation images is ~2 MB; far more is no CSV of ours.

}  // namespace

std::vector<LabeledImage> read_ground_truth(const std::string& path, int num_classes) {
    detail::GroundTruthTable table = detail::read_truth_csv(path, num_classes);
    if (!table.unknown_wnid.empty())
        throw Error(path, "the wnid of '" + table.unknown_wnid.front() + "' is no ImageNet class");
    if (table.rows.empty()) throw Error(path, "lists no images (header only)");
    return std::move(table.rows);
}

ProportionInterval wilson_interval_95(double proportion, int trials) {
    if (trials <= 0) return {};
    constexpr double z = 1.959964;  // two-sided 95 % of the normal distribution
    const double n = trials, p = std::clamp(proportion, 0.0, 1.0);
    const double denom = 1 + z * z / n;
    const double centre = (p + z * z / (2 * n)) / denom;
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

EvalResult evaluate(ExecutionContext& ctx, const std::string& images_dir, const std::vector<LabeledImage>& images,
                    CropMode crop, const std::function<void(std::size_t, std::size_t, const EvalResult&)>& progress,
                    const std::atomic<bool>* cancel) {
    EvalResult r;
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t batch = static_cast<std::size_t>(ctx.network().config().batch);
    std::vector<cv::Mat> pending;
    std::vector<const LabeledImage*> pending_truth;
    pending.reserve(batch);
    auto flush = [&] {
        if (pending.empty()) return;
        const auto results = classify(ctx, pending, crop, 5);
        for (std::size_t i = 0; i < results.size(); ++i) {
            const int truth = pending_truth[i]->index;
            const auto& top = results[i].top;
            r.top1_correct += top.front().index == truth;
            r.top5_correct += std::any_of(top.begin(), top.end(), [&](const Prediction& p) { return p.index == truth; });
            ++r.images;
            r.outcomes.push_back({pending_truth[i]->file, truth, top});
        }
        pending.clear();
        pending_truth.clear();
    };
    for (std::size_t n = 0; n < images.size(); ++n) {
        if (cancel && cancel->load()) {
            r.cancelled = true;
            break;
        }
        const std::string outside = detail::outside_images_folder(images[n].file);
        if (!outside.empty()) {
            r.skipped.push_back(images[n].file + ": " + outside);
        } else {
            try {
                pending.push_back(load_image((std::filesystem::path(images_dir) / images[n].file).string()));
                pending_truth.push_back(&images[n]);
            } catch (const ImageError& e) {
                r.skipped.push_back(e.what());
            }
        }
        if (pending.size() == batch) flush();
        if (progress) progress(n + 1, images.size(), r);
    }
    if (!r.cancelled) flush();
    // Top-1 0.00% of nothing is no result: say why nothing was evaluated instead.
    if (!r.cancelled && r.images == 0) {
        if (images.empty()) throw Error(images_dir, "nothing evaluated: the ground truth lists no images");
        throw Error(images_dir, "nothing evaluated: all " + std::to_string(images.size()) +
                                    " listed images were skipped (first: " + r.skipped.front() + ")");
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace mnv1
