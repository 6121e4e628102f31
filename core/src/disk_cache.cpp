#include "disk_cache.hpp"

#include <unistd.h>

#include <fstream>

#include "image_set.hpp"
#include "mobilenet/errors.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace mnv1::detail {

fs::path cache_entry_path(const std::string& cache_dir, const std::string& key) {
    return fs::path(cache_dir) / (hex64(fnv1a(key)) + ".json");
}

std::optional<json> read_cache_entry(const std::string& cache_dir, const std::string& key) {
    std::ifstream in(cache_entry_path(cache_dir, key));
    if (!in) return std::nullopt;
    try {
        json j = json::parse(in);
        if (!j.is_object() || j.at("key").get<std::string>() != key) return std::nullopt;
        return j;
    } catch (const json::exception&) {
        return std::nullopt;  // corrupt or from another version: measure again
    }
}

bool write_cache_entry(const std::string& cache_dir, const std::string& key, json entry) {
    entry["key"] = key;
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    try {
        write_file_atomically(cache_entry_path(cache_dir, key).string(), entry.dump(1) + "\n");
        return true;
    } catch (const Error&) {
        return false;
    }
}

void write_file_atomically(const std::string& path, const std::string& text) {
    const fs::path target(path);
    // Same folder, so the rename is atomic; the pid keeps two writers' temps apart.
    std::string temp_name(1, '.');
    temp_name += target.filename().string();
    temp_name += ".tmp";
    temp_name += std::to_string(getpid());
    const fs::path temp = target.parent_path() / temp_name;
    std::error_code ec;
    {
        std::ofstream out(temp, std::ios::trunc);
        out << text;
        if (!out.flush()) {
            out.close();
            fs::remove(temp, ec);
            throw Error(path, "cannot write");
        }
    }
    fs::rename(temp, target, ec);
    if (ec) {
        const std::string problem = "cannot write (" + ec.message() + ")";
        fs::remove(temp, ec);
        throw Error(path, problem);
    }
}

}  // namespace mnv1::detail
