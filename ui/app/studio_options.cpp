#include "studio_options.hpp"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QThread>

#include <cmath>

#include "common/display_format.hpp"
#include "common/tuning_grid.hpp"
#include "mobilenet/model_io.hpp"

#include <unistd.h>

namespace studio {

namespace {

// The one check every numeric option goes through: the whole text is a finite number in
// [lo, hi]. Empty optional: refused (error says why, naming the option and the value).
std::optional<double> bounded_number(const QString& option, const QString& text, double lo, double hi,
                                     const QString& allowed, QString& error) {
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < lo || v > hi) {
        error = QObject::tr("--%1 %2: must be %3").arg(option, text, allowed);
        return std::nullopt;
    }
    return v;
}

std::optional<int> bounded_integer(const QString& option, const QString& text, int lo, int hi, QString& error) {
    const QString allowed = QObject::tr("a whole number from %1 to %2").arg(lo).arg(hi);
    const std::optional<double> v = bounded_number(option, text, lo, hi, allowed, error);
    if (!v) return std::nullopt;
    if (*v != std::floor(*v)) {
        error = QObject::tr("--%1 %2: must be %3").arg(option, text, allowed);
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

}  // namespace

StudioCommandLine parse_studio_command_line(const QStringList& arguments) {
    using namespace tuning_grid;
    StudioCommandLine out;
    QCommandLineParser parser;
    parser.setApplicationDescription(QObject::tr("MobileNet v1 on oneDNN: classify images, video and camera "
                                                 "frames; explore the width multiplier and resolution."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption models({"m", "models"}, QObject::tr("Search DIR for models first."), "DIR");
    const QCommandLineOption alpha({"a", "alpha"},
                                   QObject::tr("Width multiplier to start with (%1-%2).")
                                       .arg(format_alpha(kAlphaMin), format_alpha(kAlphaMax)),
                                   "A");
    const QCommandLineOption resolution({"r", "resolution"},
                                        QObject::tr("Input resolution to start with (%1-%2, steps of %3).")
                                            .arg(kResolutionMin)
                                            .arg(kResolutionMax)
                                            .arg(kResolutionStep),
                                        "R");
    const QCommandLineOption threads({"t", "threads"},
                                     QObject::tr("Inference threads (0 = automatic, from the machine's load)."), "N");
    const QCommandLineOption camera({"c", "camera"}, QObject::tr("Start classifying camera /dev/videoN."), "N");
    const QCommandLineOption max_fps("max-fps", QObject::tr("Feed video files as fast as frames are classified "
                                                            "(shows the network's throughput instead of the file's rate)."));
    const QCommandLineOption settings("settings", QObject::tr("Read and write settings in this INI FILE."), "FILE");
    const QCommandLineOption tab("tab", QObject::tr("Start on this tab: classify, layers, featuremaps, evaluate or tradeoffs."),
                                 "NAME");
    const QCommandLineOption evaluate("evaluate", QObject::tr("Measure the accuracy of the model on this labelled folder."),
                                      "DIR");
    parser.addOptions({models, alpha, resolution, threads, camera, max_fps, settings, tab, evaluate});
    parser.addPositionalArgument("paths", QObject::tr("Images, folders of images, or a video file to open."), "[PATH...]");
    out.help_text = parser.helpText();
    if (!parser.parse(arguments)) {
        out.error = parser.errorText();
        return out;
    }
    out.help = parser.isSet(help) || parser.isSet(QStringLiteral("help-all"));
    out.version = parser.isSet(version);

    StudioOptions& opts = out.options;
    opts.models_dir = parser.value(models);
    opts.settings_file = parser.value(settings);
    opts.open_paths = parser.positionalArguments();
    opts.video_as_fast_as_possible = parser.isSet(max_fps);
    opts.start_tab = parser.value(tab);
    opts.evaluate_folder = parser.value(evaluate);
    QString& error = out.error;
    if (parser.isSet(alpha)) {
        opts.alpha = bounded_number("alpha", parser.value(alpha), kAlphaMin, kAlphaMax,
                                    QObject::tr("a number from %1 to %2").arg(format_alpha(kAlphaMin), format_alpha(kAlphaMax)),
                                    error);
        if (!opts.alpha) return out;
    }
    if (parser.isSet(resolution)) {
        opts.resolution = bounded_integer("resolution", parser.value(resolution), kResolutionMin, kResolutionMax, error);
        if (opts.resolution && *opts.resolution % kResolutionStep != 0) {
            error = QObject::tr("--resolution %1: must be a multiple of %2 from %3 to %4")
                        .arg(parser.value(resolution))
                        .arg(kResolutionStep)
                        .arg(kResolutionMin)
                        .arg(kResolutionMax);
            opts.resolution.reset();
        }
        if (!opts.resolution) return out;
    }
    if (parser.isSet(threads)) {
        opts.threads = bounded_integer("threads", parser.value(threads), 0,
                                       max_thread_setting(QThread::idealThreadCount()), error);
        if (!opts.threads) return out;
    }
    if (parser.isSet(camera)) {
        opts.camera = bounded_integer("camera", parser.value(camera), 0, kCameraMax, error);
        if (!opts.camera) return out;
    }
    return out;
}

QStringList model_search_dirs(const QString& flag_dir, const QString& settings_dir) {
    const QString user_data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const std::vector<std::string> trees = mnv1::program_tree_dirs(
        QCoreApplication::applicationFilePath().toStdString(), MOBILENET_SOURCE_DIR, MOBILENET_BINARY_DIR);
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
