#include "file_read.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <new>
#include <stdexcept>
#include <system_error>

#include "mobilenet/errors.hpp"

namespace mnv1::detail {

namespace {

namespace fs = std::filesystem;

// Checks `path` is a readable regular file and returns its size in bytes.
std::uint64_t regular_file_size(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw ModelError(path, "no such file");
    if (fs::is_directory(st)) throw ModelError(path, "is a directory, expected a file");
    if (!fs::is_regular_file(st)) throw ModelError(path, "is not a regular file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) throw ModelError(path, "cannot determine the file size: " + ec.message());
    return size;
}

std::string read_head(const std::string& path, std::uint64_t count) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ModelError(path, "cannot open file for reading");
    std::string bytes;
    try {
        bytes.resize(static_cast<std::size_t>(count));
    } catch (const std::bad_alloc&) {
        throw ModelError(path, "file too large to read into memory");
    } catch (const std::length_error&) {
        throw ModelError(path, "file too large to read into memory");
    }
    if (count > 0 && !in.read(bytes.data(), static_cast<std::streamsize>(count))) {
        throw ModelError(path, "read error");
    }
    return bytes;
}

}  // namespace

std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes) {
    const std::uint64_t size = regular_file_size(path);
    if (size > max_bytes) {
        throw ModelError(path, "file too large (" + std::to_string(size) + " bytes, at most " +
                                   std::to_string(max_bytes) + " expected)");
    }
    return read_head(path, size);
}

std::string read_file_prefix(const std::string& path, std::size_t max_bytes) {
    return read_head(path, std::min<std::uint64_t>(regular_file_size(path), max_bytes));
}

}  // namespace mnv1::detail
