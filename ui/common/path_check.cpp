#include "path_check.hpp"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace studio {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("studio::PathCheck", text); }

QString errno_problem(int err) {
    switch (err) {
    case ENOENT:
    case ENOTDIR: return tr("no such file or folder");
    case ELOOP: return tr("too many levels of symbolic links (a symlink loop)");
    case ENAMETOOLONG: return tr("path too long");
    case EACCES: return tr("permission denied");
    default: return QString::fromLocal8Bit(std::strerror(err));
    }
}

}  // namespace

PathCheck check_path(const QString& path) {
    PathCheck out;
    if (path.isEmpty()) {
        out.problem = tr("no such file or folder");
        return out;
    }
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        out.problem = errno_problem(errno);
        return out;
    }
    if (S_ISREG(st.st_mode)) {
        out.kind = PathKind::RegularFile;
    } else if (S_ISDIR(st.st_mode)) {
        out.kind = PathKind::Directory;
    } else {
        out.kind = PathKind::Other;
        if (S_ISFIFO(st.st_mode)) out.problem = tr("a FIFO (named pipe), not a regular file");
        else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) out.problem = tr("a device, not a regular file");
        else if (S_ISSOCK(st.st_mode)) out.problem = tr("a socket, not a regular file");
        else out.problem = tr("not a regular file");
    }
    return out;
}

QString regular_file_problem(const QString& path) {
    const PathCheck c = check_path(path);
    if (c.kind == PathKind::Directory) return tr("a folder, not a file");
    return c.problem;
}

}  // namespace studio
