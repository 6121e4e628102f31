#include "mobilenet/file_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mobilenet/errors.hpp"

namespace fs = std::filesystem;

namespace mnv1 {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// The file a write to `path` lands in: symbolic links followed (so the link itself
// survives the rename), the path itself when it does not exist yet.
fs::path write_target(const std::string& path) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(path, ec))) return fs::path(path);
    fs::path real = fs::weakly_canonical(path, ec);
    if (ec) throw Error(path, "cannot resolve the link (" + ec.message() + ")");
    return real;
}

// Writes all of `bytes` to `fd`; false with errno set on failure.
bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Devices, FIFOs, sockets: no file to replace, a checked stream of bytes.
void write_stream(const std::string& path, const fs::path& target, std::string_view bytes) {
    const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) throw Error(path, "cannot open for writing: " + errno_text(errno));
    const bool written = write_all(fd, bytes);
    const int write_errno = errno;
    if (::close(fd) != 0 && written) throw Error(path, "cannot write: " + errno_text(errno));
    if (!written) throw Error(path, "cannot write: " + errno_text(write_errno));
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
    if (path.empty()) throw Error(path, "no output file name");
    const fs::path target = write_target(path);
    struct stat st{};
    const bool exists = ::stat(target.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) throw Error(path, "is a directory");
    if (exists && !S_ISREG(st.st_mode)) return write_stream(path, target, bytes);

    // Same folder, so the rename is atomic; pid and a counter keep writers' temps apart.
    static std::atomic<unsigned> counter{0};
    // (The name is cut so that a name near the 255-byte limit still has room for ".tmp<pid>.<n>".)
    // (Built with += : GCC 12's -Wrestrict misfires on "." + std::string.)
    std::string temp_name(1, '.');
    temp_name += target.filename().string().substr(0, 200);
    temp_name += ".tmp";
    temp_name += std::to_string(::getpid());
    temp_name += '.';
    temp_name += std::to_string(counter++);
    const fs::path temp = target.parent_path() / temp_name;
    const mode_t mode = exists ? (st.st_mode & 07777) : 0666;  // new files: 0666 less the umask
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw Error(path, "cannot create a file beside it: " + errno_text(errno));
    if (exists) (void)::fchmod(fd, mode);  // the umask does not apply to the kept bits
    bool ok = write_all(fd, bytes);
    int err = errno;
    // On disk before the rename: otherwise a crash just after it can leave an empty file
    // where the old one was.
    if (ok && ::fsync(fd) != 0) {
        ok = false;
        err = errno;
    }
    if (::close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ::unlink(temp.c_str());
        throw Error(path, "cannot write: " + errno_text(err));
    }
}

void check_output_path(const std::string& path) {
    if (path.empty()) throw Error(path, "no output file name");
    const fs::path target = write_target(path);
    struct stat st{};
    if (::stat(target.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) throw Error(path, "is a directory");
        if (!S_ISREG(st.st_mode)) {
            // A FIFO is not opened here (that would wait for a reader).
            if (!S_ISFIFO(st.st_mode) && ::access(target.c_str(), W_OK) != 0) {
                throw Error(path, "cannot write: " + errno_text(errno));
            }
            return;
        }
    } else if (errno != ENOENT) {
        throw Error(path, "cannot write: " + errno_text(errno));
    }
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    struct stat dir{};
    if (::stat(folder.c_str(), &dir) != 0) throw Error(path, "cannot write: folder " + folder.string() + ": " + errno_text(errno));
    if (!S_ISDIR(dir.st_mode)) throw Error(path, "cannot write: " + folder.string() + " is not a folder");
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
        throw Error(path, "cannot write in folder " + folder.string() + ": " + errno_text(errno));
    }
}

}  // namespace mnv1
