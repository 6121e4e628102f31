// Internal: the one place importers and the model front end read files from disk.
// Bounded (a hostile or mistaken path cannot make us allocate without limit) and
// every failure is a ModelError naming the file. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace mnv1::detail {

inline constexpr std::uint64_t kNoSizeLimit = std::numeric_limits<std::uint64_t>::max();

// Reads a whole regular file (through regular_file.hpp: a FIFO or device is refused
// without blocking). Throws ModelError on a missing file, a directory or other
// non-regular file, a file larger than `max_bytes`, or a read error.
std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes = kNoSizeLimit);

// Reads the first `max_bytes` bytes of a regular file (all of it when shorter), for
// format detection. Same errors as read_file_bytes, except that size is no error.
std::string read_file_prefix(const std::string& path, std::size_t max_bytes);

}  // namespace mnv1::detail
