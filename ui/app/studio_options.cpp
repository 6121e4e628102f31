#include "studio_options.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

#include "mobilenet/model_io.hpp"

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

QString studio_version() {
#ifdef MOBILENET_VERSION
    return QStringLiteral(MOBILENET_VERSION);
#else
    return QStringLiteral("dev");
#endif
}

}  // namespace studio
