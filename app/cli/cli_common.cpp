#include "cli_common.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "mobilenet/errors.hpp"

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

void print_json(const nlohmann::json& j) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

void check_models_dir(const Args& a) {
    if (!a.has("--models-dir")) return;
    const std::string dir = a.str("--models-dir");
    if (dir.empty()) throw mnv1::Error("--models-dir", "empty directory name");
    struct stat st{};
    if (::stat(dir.c_str(), &st) != 0) throw mnv1::Error(dir, std::string("models directory: ") + std::strerror(errno));
    if (!S_ISDIR(st.st_mode)) throw mnv1::Error(dir, "models directory: not a directory");
    DIR* d = ::opendir(dir.c_str());
    if (!d) throw mnv1::Error(dir, std::string("models directory: ") + std::strerror(errno));
    ::closedir(d);
}

// The app's user data folder for models (QStandardPaths::AppDataLocation + "/models" on
// Linux: where the app's and studio.sh's downloads go), so the CLI finds them too.
static std::string user_models_dir() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    fs::path data;
    if (xdg && *xdg == '/') {
        data = xdg;
    } else if (home && *home) {
        data = fs::path(home) / ".local" / "share";
    } else {
        return {};
    }
    return (data / "MobileNetStudio" / "mobilenet-studio" / "models").string();
}

std::vector<std::string> search_dirs(const Args& a) {
    check_models_dir(a);
    std::error_code ec;
    std::vector<std::string> trees =
        mnv1::program_tree_dirs(fs::read_symlink("/proc/self/exe", ec).string(), MOBILENET_SOURCE_DIR, MOBILENET_BINARY_DIR);
    trees.push_back(fs::current_path(ec).string());
    return mnv1::model_search_dirs(a.str("--models-dir"), "", user_models_dir(), trees);
}

std::vector<mnv1::ModelEntry> search_path_models(const Args& a, std::vector<std::string>* problems) {
    return mnv1::discover_models(search_dirs(a), problems);
}

}  // namespace cli
