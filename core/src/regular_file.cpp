#include "regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>

#include "mobilenet/errors.hpp"

namespace mnv1::detail {

namespace {

// What a non-regular file is, for the refusal message.
std::string kind_problem(mode_t mode) {
    if (S_ISREG(mode)) return {};
    if (S_ISDIR(mode)) return "is a directory, expected a file";
    if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
    if (S_ISCHR(mode)) return "is a character device, not a regular file";
    if (S_ISBLK(mode)) return "is a block device, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    return "is not a regular file";
}

}  // namespace

void throw_file_error(FileRole role, const std::string& path, const std::string& problem) {
    switch (role) {
        case FileRole::Model: throw ModelError(path, problem);
        case FileRole::Image: throw ImageError(path, problem);
        case FileRole::Data: break;
    }
    throw Error(path, problem);
}

std::string path_errno_text(int err) {
    switch (err) {
        case ENOENT: return "no such file";
        case ENOTDIR: return "no such file (a component of the path is not a directory)";
        case ELOOP: return "too many levels of symbolic links";
        case ENAMETOOLONG: return "path too long";
        case EACCES: return "permission denied";
        case EPERM: return "operation not permitted";
        case EISDIR: return "is a directory, expected a file";
        case EMFILE:
        case ENFILE: return "too many open files";
        default: return std::strerror(err);
    }
}

std::string regular_file_problem(const std::string& path) {
    if (path.empty()) return "empty path";
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return path_errno_text(errno);
    return kind_problem(st.st_mode);
}

RegularFile::RegularFile(const std::string& path, FileRole role) : path_(path), role_(role) {
    // stat first: a device or FIFO is refused without being opened at all (opening some
    // devices has side effects); the fstat below closes the race with a swapped path.
    if (const std::string problem = regular_file_problem(path); !problem.empty()) fail(problem);
    // O_NONBLOCK: should the path have become a FIFO since, open() returns at once
    // instead of waiting for a writer.
    do {
        fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0) fail(path_errno_text(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail(std::string("cannot stat: ") + std::strerror(errno));
    if (const std::string problem = kind_problem(st.st_mode); !problem.empty()) fail(problem);
    // A regular file: blocking reads are fine (and O_NONBLOCK has no meaning for it).
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    size_ = static_cast<std::uint64_t>(st.st_size);
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

void RegularFile::fail(const std::string& problem) const {
    if (fd_ >= 0) ::close(fd_);
    throw_file_error(role_, path_, problem);
}

std::string RegularFile::read_at(std::uint64_t offset, std::size_t count) {
    std::string bytes;
    try {
        bytes.resize(count);
    } catch (const std::bad_alloc&) {
        throw_file_error(role_, path_, "file too large to read into memory");
    } catch (const std::length_error&) {
        throw_file_error(role_, path_, "file too large to read into memory");
    }
    std::size_t done = 0;
    while (done < count) {
        const ssize_t n = ::pread(fd_, bytes.data() + done, count - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_file_error(role_, path_, std::string("read error: ") + std::strerror(errno));
        if (n == 0) break;  // end of file (it shrank since fstat)
        done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
    return bytes;
}

std::string RegularFile::read_all(std::uint64_t max_bytes) {
    if (size_ > max_bytes) {
        throw_file_error(role_, path_, "file too large (" + std::to_string(size_) + " bytes, at most " +
                                           std::to_string(max_bytes) + " expected)");
    }
    return read_at(0, static_cast<std::size_t>(size_));
}

std::string read_regular_file(const std::string& path, FileRole role, std::uint64_t max_bytes) {
    return RegularFile(path, role).read_all(max_bytes);
}

std::string read_regular_file_prefix(const std::string& path, FileRole role, std::size_t max_bytes) {
    RegularFile file(path, role);
    return file.read_at(0, static_cast<std::size_t>(std::min<std::uint64_t>(file.size(), max_bytes)));
}

}  // namespace mnv1::detail
