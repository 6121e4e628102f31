#include "cli_common.hpp"

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace fs = std::filesystem;

namespace cli {

std::string fmt(double v, int prec) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(prec) << v;
    return os.str();
}

std::string millions(std::int64_t v, int prec) { return fmt(static_cast<double>(v) / 1e6, prec); }

mnv1::ArchConfig arch_from(const Args& a) {
    mnv1::ArchConfig cfg;
    cfg.alpha = a.number("--alpha", 1.0);
    cfg.resolution = a.integer("--resolution", 224, -1000000, 1000000);
    cfg.num_classes = a.integer("--classes", 1000, 1, 100000);
    cfg.standard_conv = a.flag("--standard-conv");
    try {
        mnv1::validate(cfg);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    return cfg;
}

mnv1::CropMode crop_from(const Args& a) {
    const std::string c = a.str("--crop", "whole");
    if (c == "whole") return mnv1::CropMode::Whole;
    if (c == "central") return mnv1::CropMode::Central;
    throw UsageError("option '--crop' must be 'whole' or 'central', got '" + c + "'");
}

std::string default_cache_dir(const std::string& sub) {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/mobilenet-studio/" + sub;
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/mobilenet-studio/" + sub;
    return {};
}

// <prefix>/share/mobilenet-studio of the tree this executable is installed in
// (<prefix>/bin/mobilenet-cli), found from the running executable, not from the build.
static std::string install_tree_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec || exe.empty()) return {};
    return (exe.parent_path().parent_path() / "share" / "mobilenet-studio").lexically_normal().string();
}

std::vector<std::string> search_dirs(const Args& a) {
    const std::vector<std::string> trees = {MOBILENET_SOURCE_DIR, install_tree_dir(), fs::current_path().string()};
    return mnv1::model_search_dirs(a.str("--models-dir"), "", "", trees);
}

std::vector<mnv1::ModelEntry> search_path_models(const Args& a, std::vector<std::string>* problems) {
    return mnv1::discover_models(search_dirs(a), problems);
}

}  // namespace cli
