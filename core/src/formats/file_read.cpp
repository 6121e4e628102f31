#include "file_read.hpp"

#include "regular_file.hpp"

namespace mnv1::detail {

// Model files and shards go through the one regular-file reader (no FIFO, device or
// directory is ever read from, and nothing blocks), with ModelError for failures.
std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes) {
    return read_regular_file(path, FileRole::Model, max_bytes);
}

std::string read_file_prefix(const std::string& path, std::size_t max_bytes) {
    return read_regular_file_prefix(path, FileRole::Model, max_bytes);
}

}  // namespace mnv1::detail
