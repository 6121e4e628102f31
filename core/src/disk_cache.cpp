#include "disk_cache.hpp"

#include <fstream>

#include "image_set.hpp"
#include "mobilenet/errors.hpp"
#include "mobilenet/file_output.hpp"

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
        // Non-UTF-8 bytes (a weights path) become U+FFFD instead of throwing: at worst a miss.
        write_file_atomically(cache_entry_path(cache_dir, key).string(),
                              entry.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
        return true;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace mnv1::detail
