// Internal: the one way mobilenet_core opens a path a user gave (images, labels,
// ground-truth CSVs, model files and their shards). Only regular files are read, and
// checking never blocks: a FIFO, a device, a socket or a directory is refused by its
// status (stat, then open with O_NONBLOCK and fstat of the descriptor), never read
// from. Reads are bounded by a byte limit the caller chooses.
// Thread-safe (no shared state); a RegularFile object belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mnv1::detail {

// Which error type a failure is thrown as: ModelError (model files, shards, labels),
// ImageError (images) or the base mnv1::Error (data such as ground-truth CSVs).
enum class FileRole { Model, Image, Data };

[[noreturn]] void throw_file_error(FileRole role, const std::string& path, const std::string& problem);

// A short reason for an errno from open/stat on a path: ENOENT "no such file", ELOOP
// "too many levels of symbolic links", ENAMETOOLONG "path too long", EACCES "permission
// denied", ...; strerror text for the rest.
std::string path_errno_text(int err);

// Why `path` cannot be read as an input file, by its status alone (nothing is opened):
// "" for a regular file, else e.g. "no such file", "is a directory, expected a file",
// "is a FIFO (named pipe), not a regular file", "is a character device, not a regular file".
std::string regular_file_problem(const std::string& path);

// An open regular file (read-only, close-on-exec). The constructor throws as `role`
// for a path that is not a readable regular file, without blocking on any of them.
class RegularFile {
public:
    RegularFile(const std::string& path, FileRole role);
    ~RegularFile();
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;

    // Size in bytes when opened.
    std::uint64_t size() const { return size_; }
    // The whole file; throws "file too large" when it is larger than `max_bytes`.
    std::string read_all(std::uint64_t max_bytes);
    // Up to `count` bytes from `offset` (fewer at the end of the file).
    std::string read_at(std::uint64_t offset, std::size_t count);

private:
    [[noreturn]] void fail(const std::string& problem) const;
    int fd_ = -1;
    std::string path_;
    FileRole role_;
    std::uint64_t size_ = 0;
};

// Shorthands: the whole file (at most `max_bytes`), or its first `max_bytes` bytes.
std::string read_regular_file(const std::string& path, FileRole role, std::uint64_t max_bytes);
std::string read_regular_file_prefix(const std::string& path, FileRole role, std::size_t max_bytes);

}  // namespace mnv1::detail
