#include "studio_options.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include "mobilenet/model_io.hpp"

#include <unistd.h>

namespace studio {

QStringList model_search_dirs(const QString& flag_dir, const QString& settings_dir) {
    const QString user_data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    std::vector<std::string> trees;
#ifdef MOBILENET_SOURCE_DIR
    trees.push_back(MOBILENET_SOURCE_DIR);
#endif
    trees.push_back(QDir::cleanPath(QCoreApplication::applicationDirPath() +
                                    QStringLiteral("/../share/mobilenet-studio"))
                        .toStdString());
    const auto dirs = mnv1::model_search_dirs(flag_dir.toStdString(), settings_dir.toStdString(),
                                              user_data.isEmpty() ? std::string() : (user_data + "/models").toStdString(),
                                              trees);
    QStringList out;
    for (const std::string& d : dirs) out << QString::fromStdString(d);
    return out;
}

QStringList openable_arguments(int argc, const char* const* argv, const QString& link_dir) {
    QStringList out;
    for (int i = 0; i < argc; ++i) {
        const QByteArray raw(argv[i]);
        const QString decoded = QFile::decodeName(raw);
        if (QFile::encodeName(decoded) == raw || raw.startsWith('-') || link_dir.isEmpty()) {
            out << decoded;
            continue;
        }
        // One folder per argument: two names may read the same once decoded.
        const QString dir = QDir(link_dir).filePath(QString::number(i));
        QString name = QFileInfo(decoded).fileName();
        if (name.isEmpty() || name == QStringLiteral(".") || name == QStringLiteral("..")) name = QStringLiteral("path");
        const QString link = QDir(dir).filePath(name);
        QByteArray target = raw;
        if (!raw.startsWith('/')) {
            char cwd[4096];
            if (::getcwd(cwd, sizeof cwd)) target = QByteArray(cwd) + '/' + raw;
        }
        if (QDir().mkpath(dir) && ::symlink(target.constData(), QFile::encodeName(link).constData()) == 0) out << link;
        else out << decoded;  // reported as not found, under its readable name
    }
    return out;
}

QString studio_version() {
#ifdef MOBILENET_VERSION
    return QStringLiteral(MOBILENET_VERSION);
#else
    return QStringLiteral("dev");
#endif
}

}  // namespace studio
