// Internal: the small on-disk caches of measurements (sweep points, machine peaks) share
// one shape — a folder of JSON files, one per key, named by a hash of the key, each
// holding its full key so a hash collision reads as a miss — and one atomic write.
// Thread-safe per cache directory as long as one writer writes a given key at a time.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mobilenet/file_output.hpp"

namespace mnv1::detail {

// dir / "<fnv1a64(key) in hex>.json".
std::filesystem::path cache_entry_path(const std::string& cache_dir, const std::string& key);

// The JSON object cached for `key`; nullopt when absent, unreadable, not JSON or stored
// under another key. The caller still validates the fields it reads.
std::optional<nlohmann::json> read_cache_entry(const std::string& cache_dir, const std::string& key);

// Stores `entry` (an object; its "key" field is set to `key`) atomically, creating the
// folder. Returns false (and leaves nothing behind) when it cannot be written: a cache
// is an optimisation, failing to fill it fails nothing else.
bool write_cache_entry(const std::string& cache_dir, const std::string& key, nlohmann::json entry);

// The one atomic write of the project (mobilenet/file_output.hpp), by its old name here.
using mnv1::write_file_atomically;

}  // namespace mnv1::detail
