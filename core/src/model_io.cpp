// Model loading front end: format detection by content, labels beside the model,
// model search directories and discovery.
#include "mobilenet/model_io.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <new>
#include <set>
#include <sstream>
#include <system_error>


#include "formats/file_read.hpp"
#include "formats/formats.hpp"
#include "input_parsers.hpp"
#include "regular_file.hpp"

namespace mnv1 {
namespace fs = std::filesystem;

namespace {

constexpr char kHdf5Magic[] = "\x89HDF\r\n\x1a\n";
constexpr std::size_t kMaxLabelsBytes = 16u << 20;

enum class Format { TFLite, Hdf5, Tfjs };

Format detect_format(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (fs::is_regular_file(fs::path(path) / "model.json", ec)) return Format::Tfjs;
        throw ModelError(path, "is a directory without a model.json (not a TF.js model)");
    }
    // Why a path is no file ("no such file", "too many levels of symbolic links", "is a
    // FIFO ..."), from its status alone; read_file_prefix checks again on the open file.
    if (const std::string problem = detail::regular_file_problem(path); !problem.empty())
        throw ModelError(path, problem);
    const std::string head = detail::read_file_prefix(path, 2048 + 8);
    if (head.empty()) throw ModelError(path, "empty file");
    if (head.size() >= 8 && head.compare(4, 4, "TFL3") == 0) return Format::TFLite;
    // HDF5 superblock: at 0, or after a user block of 512, 1024, 2048 ... bytes.
    for (std::size_t off : {0u, 512u, 1024u, 2048u}) {
        if (head.size() >= off + 8 && std::memcmp(head.data() + off, kHdf5Magic, 8) == 0) return Format::Hdf5;
    }
    const std::size_t first = head.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    if (first != std::string::npos && head[first] == '{') return Format::Tfjs;
    if (fs::path(path).extension() == ".json") return Format::Tfjs;
    throw ModelError(path, "unrecognized model format (not a TFLite flatbuffer, Keras HDF5 or TF.js model.json)");
}

std::vector<std::string> read_labels_raw(const std::string& path) {
    return detail::parse_labels(detail::read_file_bytes(path, kMaxLabelsBytes), path);
}

// A first line naming the background class of the 1001-class convention.
bool is_background_label(std::string label) {
    for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto b = label.find_first_not_of(" \t"), e = label.find_last_not_of(" \t");
    label = b == std::string::npos ? std::string() : label.substr(b, e - b + 1);
    return label == "background" || label == "???" || label == "__background__" || label == "unused background";
}

// Fits `labels` to the model's class count. Two conventions only (see below); any other
// count is an error naming both counts: dropping a line of a file one line too long would
// shift every class name by one.
std::vector<std::string> adapt_labels(const std::string& path, std::vector<std::string> labels,
                                      int num_classes) {
    if (labels.empty()) throw ModelError(path, "no labels in file");
    if (num_classes <= 0) return labels;
    const auto n = static_cast<long long>(labels.size());
    if (n == num_classes) return labels;
    // A model with a background class at 0 (TF-slim's 1001) takes one label fewer: the
    // background is prepended. The 1000-class ImageNet convention has no background: 999
    // labels there are one missing.
    if (n + 1 == num_classes && num_classes != 1000) {
        labels.insert(labels.begin(), "background");
        return labels;
    }
    // A 1000-class model takes the 1001-line file whose first line is the background.
    if (num_classes == 1000 && n == 1001 && is_background_label(labels.front())) {
        labels.erase(labels.begin());
        return labels;
    }
    throw ModelError(path, "has " + std::to_string(n) + " labels but the model has " + std::to_string(num_classes) +
                               " classes (expected " + std::to_string(num_classes) +
                               (num_classes == 1000 ? ", or 1001 with 'background' first)"
                                                    : ", or " + std::to_string(num_classes - 1) + " without the background)"));
}

bool is_labels_name(const fs::path& p) {
    const std::string name = p.filename().string();
    return p.extension() == ".txt" && name.find("labels") != std::string::npos;
}

// Candidate label files for a model, most specific first.
std::vector<fs::path> label_candidates(const fs::path& model, bool model_is_dir) {
    std::vector<fs::path> out;
    const fs::path dir = model_is_dir ? model : model.parent_path();
    auto add_dir = [&](const fs::path& d) {
        std::error_code ec;
        if (!fs::is_directory(d, ec)) return;
        if (fs::is_regular_file(d / "labels.txt", ec)) out.push_back(d / "labels.txt");
        std::vector<fs::path> more;
        for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
            if (it->is_regular_file(ec) && is_labels_name(it->path()) && it->path().filename() != "labels.txt") {
                more.push_back(it->path());
            }
        }
        std::sort(more.begin(), more.end());
        out.insert(out.end(), more.begin(), more.end());
        if (fs::is_regular_file(d / "metadata.json", ec)) out.push_back(d / "metadata.json");
    };
    const fs::path d = dir.empty() ? fs::path(".") : dir;
    add_dir(d);
    add_dir(d.parent_path() / "labels");
    // A TF.js model dir sits one level deeper: models/tfjs/<name>/ -> models/labels/.
    if (model_is_dir || model.filename() == "model.json") add_dir(d.parent_path().parent_path() / "labels");
    return out;
}

std::vector<std::string> find_labels(const std::string& model_path, int num_classes) {
    std::error_code ec;
    const fs::path model = fs::absolute(fs::path(model_path), ec).lexically_normal();
    const bool is_dir = fs::is_directory(model, ec);
    std::vector<fs::path> candidates = label_candidates(model, is_dir);
    // A link to a model file (a folder of links to the releases): the labels beside the
    // file it points to count too, after those beside the link.
    if (fs::is_symlink(model, ec)) {
        const fs::path target = fs::canonical(model, ec);
        if (!ec) {
            for (const fs::path& c : label_candidates(target, is_dir)) {
                if (std::find(candidates.begin(), candidates.end(), c) == candidates.end()) candidates.push_back(c);
            }
        }
    }
    std::vector<std::pair<fs::path, std::vector<std::string>>> parsed;
    for (const fs::path& c : candidates) {
        try {
            parsed.emplace_back(c, read_labels_raw(c.string()));
        } catch (const std::exception&) {
            // An unreadable candidate is skipped; the model still loads without it.
        }
    }
    for (int slack = 0; slack <= 1; ++slack) {
        for (auto& [p, labels] : parsed) {
            const long long n = static_cast<long long>(labels.size());
            if (std::llabs(n - num_classes) == slack && n > 0) {
                try {
                    return adapt_labels(p.string(), labels, num_classes);
                } catch (const ModelError&) {
                    // One line off but no convention: not this model's labels.
                }
            }
        }
    }
    return {};
}

const char* origin_label(WeightsOrigin o) {
    switch (o) {
        case WeightsOrigin::TFLite: return "TFLite";
        case WeightsOrigin::KerasH5: return "Keras";
        case WeightsOrigin::TfjsLayers: return "TF.js";
        case WeightsOrigin::Random: break;
    }
    return "random";
}

std::string normalized(const fs::path& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(p, ec);
    if (ec) c = fs::absolute(p, ec).lexically_normal();
    return c.string();
}

// Runs the reader for the file's format; any failure ends as ModelError(path, ...).
template <class TfliteReader, class KerasReader, class TfjsReader>
auto read_format(const std::string& path, TfliteReader tflite, KerasReader keras, TfjsReader tfjs) {
    const Format format = detect_format(path);
    try {
        switch (format) {
            case Format::TFLite: return tflite(path);
            case Format::Hdf5: return keras(path);
            case Format::Tfjs: break;
        }
        return tfjs(path);
    } catch (const ModelError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw ModelError(path, "out of memory while loading the model");
    } catch (const std::exception& e) {
        throw ModelError(path, e.what());
    }
}

ModelEntry entry_for(const std::string& path, const detail::ModelSummary& s) {
    ModelEntry m;
    m.path = path;
    m.alpha = s.alpha;
    m.native_resolution = s.native_resolution;
    m.quantized = s.quantized;
    m.origin = s.origin;
    m.num_classes = s.num_classes;
    m.display_name = "MobileNet v1 " + format_alpha(s.alpha) + "-" + std::to_string(s.native_resolution) +
                     (s.quantized ? " uint8" : " float") + " (" + origin_label(s.origin) + ")";
    return m;
}

bool is_model_candidate(const fs::directory_entry& e) {
    std::error_code ec;
    if (e.is_directory(ec)) return fs::is_regular_file(e.path() / "model.json", ec);
    if (!e.is_regular_file(ec)) return false;
    const std::string ext = e.path().extension().string();
    return ext == ".tflite" || ext == ".h5" || ext == ".hdf5";
}

}  // namespace

std::shared_ptr<const ModelWeights> load_model(const std::string& path, const std::string& labels_path) {
    std::shared_ptr<ModelWeights> w = read_format(path, detail::load_tflite, detail::load_keras_h5, detail::load_tfjs);
    if (!w) throw ModelError(path, "loader returned no weights");
    if (!labels_path.empty()) {
        w->labels = load_labels(labels_path, w->num_classes);
    } else if (static_cast<long long>(w->labels.size()) != w->num_classes) {
        std::vector<std::string> found = find_labels(path, w->num_classes);
        if (!found.empty()) {
            w->labels = std::move(found);
        } else if (!w->labels.empty()) {
            try {
                w->labels = adapt_labels(path, std::move(w->labels), w->num_classes);
            } catch (const ModelError&) {
                w->labels.clear();  // labels that fit no convention are dropped, not fatal
            }
        }
    }
    return w;
}

ModelEntry probe_model(const std::string& path) {
    return entry_for(path, read_format(path, detail::probe_tflite, detail::probe_keras_h5, detail::probe_tfjs));
}

ModelEntry describe_model(const ModelWeights& weights, const std::string& path) {
    return entry_for(path, {weights.alpha, weights.native_resolution, weights.num_classes, weights.quantized,
                            weights.origin});
}

std::vector<std::string> load_labels(const std::string& path, int num_classes) {
    return adapt_labels(path, read_labels_raw(path), num_classes);
}

std::vector<std::string> program_tree_dirs(const std::string& exe, const std::string& source_dir,
                                           const std::string& binary_dir) {
    std::vector<std::string> trees;
    if (exe.empty()) return trees;
    std::error_code ec;
    const fs::path program = fs::weakly_canonical(exe, ec);
    const fs::path build = binary_dir.empty() ? fs::path() : fs::weakly_canonical(binary_dir, ec);
    if (!source_dir.empty() && !build.empty()) {
        // inside the build tree: the path relative to it does not climb out of it
        const fs::path rel = program.lexically_relative(build);
        if (!rel.empty() && *rel.begin() != "..") trees.push_back(source_dir);
    }
    trees.push_back((program.parent_path().parent_path() / "share" / "mobilenet-studio").lexically_normal().string());
    return trees;
}

std::vector<std::string> model_search_dirs(const std::string& flag_dir, const std::string& settings_dir,
                                           const std::string& user_data_dir,
                                           const std::vector<std::string>& tree_dirs) {
    std::vector<std::string> candidates;
    candidates.push_back(flag_dir);
    if (const char* env = std::getenv("MOBILENET_MODELS"); env && *env) {
        std::string s(env);
        std::size_t start = 0;
        while (start <= s.size()) {
            std::size_t end = s.find(':', start);
            if (end == std::string::npos) end = s.size();
            candidates.push_back(s.substr(start, end - start));
            start = end + 1;
        }
    }
    candidates.push_back(settings_dir);
    candidates.push_back(user_data_dir);
    for (const std::string& t : tree_dirs) {
        if (!t.empty()) candidates.push_back((fs::path(t) / "models").string());
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const std::string& c : candidates) {
        if (c.empty()) continue;
        std::error_code ec;
        if (!fs::is_directory(c, ec)) continue;
        if (!seen.insert(normalized(c)).second) continue;
        out.push_back(c);
    }
    return out;
}

std::vector<ModelEntry> discover_models(const std::vector<std::string>& dirs, std::vector<std::string>* problems) {
    std::vector<fs::path> found;
    std::set<std::string> seen;
    auto consider = [&](const fs::directory_entry& e) {
        if (is_model_candidate(e) && seen.insert(normalized(e.path())).second) found.push_back(e.path());
    };
    for (const std::string& d : dirs) {
        std::error_code ec;
        if (d.empty() || !fs::is_directory(d, ec)) continue;
        std::vector<fs::directory_entry> level1;
        for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) level1.push_back(*it);
        std::sort(level1.begin(), level1.end());
        for (const auto& e : level1) {
            consider(e);
            std::error_code ec2;
            if (!e.is_directory(ec2) || fs::exists(e.path() / "model.json", ec2)) continue;
            std::vector<fs::directory_entry> level2;
            for (fs::directory_iterator it(e.path(), ec2), end; !ec2 && it != end; it.increment(ec2)) {
                level2.push_back(*it);
            }
            std::sort(level2.begin(), level2.end());
            for (const auto& e2 : level2) consider(e2);
        }
    }

    std::vector<ModelEntry> models;
    for (const fs::path& p : found) {
        try {
            models.push_back(probe_model(p.string()));
        } catch (const std::exception& e) {
            if (problems) problems->push_back(e.what());
        }
    }
    std::stable_sort(models.begin(), models.end(), [](const ModelEntry& a, const ModelEntry& b) {
        if (a.alpha != b.alpha) return a.alpha < b.alpha;
        if (a.native_resolution != b.native_resolution) return a.native_resolution < b.native_resolution;
        if (a.quantized != b.quantized) return !a.quantized;
        if (a.origin != b.origin) return static_cast<int>(a.origin) < static_cast<int>(b.origin);
        return a.path < b.path;
    });
    return models;
}

const ModelEntry* pick_model(const std::vector<ModelEntry>& models, double alpha, int resolution) {
    const ModelEntry* best = nullptr;
    auto better = [&](const ModelEntry& a, const ModelEntry& b) {  // is a better than b?
        if (a.quantized != b.quantized) return !a.quantized;
        const int da = std::abs(a.native_resolution - resolution), db = std::abs(b.native_resolution - resolution);
        if (da != db) return da < db;
        if (a.native_resolution != b.native_resolution) return a.native_resolution > b.native_resolution;
        return static_cast<int>(a.origin) < static_cast<int>(b.origin);
    };
    for (const ModelEntry& m : models) {
        if (std::fabs(m.alpha - alpha) > 1e-6) continue;
        if (!best || better(m, *best)) best = &m;
    }
    return best;
}

}  // namespace mnv1
