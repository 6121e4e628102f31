#include "mobilenet/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mnv1 {

std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                cur += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (ch != '\r') {
            cur += ch;
        }
    }
    out.push_back(cur);
    return out;
}

namespace {

int parse_index(const std::vector<std::string>& f, int col) {
    if (col < 0 || col >= static_cast<int>(f.size())) return -1;
    const std::string& s = f[static_cast<std::size_t>(col)];
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 6) return -1;
    return std::stoi(s);
}

}  // namespace

std::vector<LabeledImage> read_ground_truth(const std::string& path, int num_classes) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open ground-truth CSV");
    std::string line;
    if (!std::getline(in, line)) throw std::runtime_error(path + ": empty ground-truth CSV");
    const auto header = csv_fields(line);
    auto col = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        return it == header.end() ? -1 : static_cast<int>(it - header.begin());
    };
    const int c_file = col("file"), c1001 = col("index_1001"), c1000 = col("index_1000");
    if (c_file < 0 || (c1001 < 0 && c1000 < 0)) {
        throw std::runtime_error(path + ": needs columns 'file' and 'index_1001' or 'index_1000'");
    }
    std::vector<LabeledImage> out;
    int lineno = 1;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty() || line == "\r") continue;
        const auto f = csv_fields(line);
        const int i1001 = parse_index(f, c1001), i1000 = parse_index(f, c1000);
        LabeledImage t;
        t.file = c_file < static_cast<int>(f.size()) ? f[static_cast<std::size_t>(c_file)] : "";
        if (num_classes == 1001) t.index = i1001 >= 0 ? i1001 : (i1000 >= 0 ? i1000 + 1 : -1);
        else t.index = i1000 >= 0 ? i1000 : (i1001 >= 1 ? i1001 - 1 : -1);
        if (t.file.empty() || t.index < 0 || t.index >= num_classes) {
            throw std::runtime_error(path + ":" + std::to_string(lineno) + ": bad row (file or class index)");
        }
        out.push_back(std::move(t));
    }
    return out;
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
        try {
            pending.push_back(load_image((std::filesystem::path(images_dir) / images[n].file).string()));
            pending_truth.push_back(&images[n]);
        } catch (const ImageError& e) {
            r.skipped.push_back(e.what());
        }
        if (pending.size() == batch) flush();
        if (progress) progress(n + 1, images.size(), r);
    }
    if (!r.cancelled) flush();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace mnv1
