// Accuracy evaluation over a labelled image folder, as plain data (for the CLI,
// the tests and trade-off sweeps). Same threading rule as ExecutionContext: one thread.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "mobilenet/classify.hpp"

namespace mnv1 {

// Splits one CSV line, honouring double-quoted fields ("a, b" and "" escapes).
std::vector<std::string> csv_fields(const std::string& line);

struct LabeledImage {
    std::string file;   // relative to the images folder
    int index = -1;     // true class in the model's convention
};

// Reads a ground-truth CSV with columns `file` and `index_1001` and/or `index_1000`
// (or `wnid`), converting to `num_classes` (1001: background at 0, or 1000). Only a
// regular file is read (a FIFO or device is refused without blocking); a UTF-8 BOM is
// accepted. Throws mnv1::Error (a std::runtime_error) naming the file (and line) on an
// unreadable file, a missing column, a bad row, index_1001 != index_1000 + 1, or no
// rows at all. Rows whose file is absolute or leaves the images folder ("../x") are
// returned; evaluate() skips, counts and names them without reading them.
std::vector<LabeledImage> read_ground_truth(const std::string& csv_path, int num_classes);

struct ImageOutcome {
    std::string file;
    int truth = -1;
    std::vector<Prediction> top;   // top-5
};

// The 95 % Wilson score interval of a proportion (`proportion` in [0, 1]) measured on
// `trials` samples, as fractions in [0, 1]: 70 % of 30 images spans 0.521-0.833, so a
// small evaluation is shown with the width it has. {0, 1} when `trials` is 0.
struct ProportionInterval {
    double lower = 0, upper = 1;
};
ProportionInterval wilson_interval_95(double proportion, int trials);

struct EvalResult {
    int images = 0;                       // classified
    std::vector<std::string> skipped;     // "path: problem" for unreadable / corrupt files
    int top1_correct = 0, top5_correct = 0;
    double seconds = 0;                   // wall time including decoding
    bool cancelled = false;               // stopped early by `cancel`: counts cover a prefix only
    std::vector<ImageOutcome> outcomes;   // one per classified image, input order
    double top1() const { return images ? 100.0 * top1_correct / images : 0; }
    double top5() const { return images ? 100.0 * top5_correct / images : 0; }
    double images_per_s() const { return seconds > 0 ? images / seconds : 0; }
    ProportionInterval top1_interval() const {
        return wilson_interval_95(images ? double(top1_correct) / images : 0, images);
    }
};

// Classifies every listed image (batched by the network's batch). Unreadable files
// (missing, not regular files such as /dev/zero or a FIFO, corrupt, too large) and
// files outside `images_dir` (absolute, or "../" leading out) are skipped unread,
// counted and listed; the run goes on. Throws mnv1::Error "nothing evaluated:
// ..." naming `images_dir` when `images` is empty or every image was skipped (unless
// cancelled). `progress(done, total, result_so_far)`
// is called after each file when given. `cancel` (optional, may be set from any thread)
// is checked before each image: once set, the run stops and returns with `cancelled`.
EvalResult evaluate(ExecutionContext& ctx, const std::string& images_dir, const std::vector<LabeledImage>& images,
                    CropMode crop,
                    const std::function<void(std::size_t, std::size_t, const EvalResult&)>& progress = {},
                    const std::atomic<bool>* cancel = nullptr);

}  // namespace mnv1
