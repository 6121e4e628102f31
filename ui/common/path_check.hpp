// Checks a path before anything opens it, without blocking: one stat() (which never
// waits on a FIFO or a device, unlike open()), so a FIFO, /dev/zero, a socket or a
// symlink loop given to the app is refused with its reason instead of hanging a thread
// pool task (which would also keep the process from exiting at Quit).
// Pure functions: any thread.
#pragma once

#include <QString>

namespace studio {

enum class PathKind { Missing, RegularFile, Directory, Other };

struct PathCheck {
    PathKind kind = PathKind::Missing;
    // Why it cannot be opened as a file or folder (empty for a regular file or a folder):
    // "no such file or folder", "a FIFO (named pipe), not a regular file",
    // "too many levels of symbolic links", "permission denied", ...
    QString problem;
};

// stat()s `path` (following symlinks).
PathCheck check_path(const QString& path);

// Empty when `path` is a regular file; otherwise why it is not one (a folder included).
QString regular_file_problem(const QString& path);

}  // namespace studio
