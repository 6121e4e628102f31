// mobilenet-studio: parses the command line and shows the main window.
//
//   mobilenet-studio [--models DIR] [--alpha A] [--resolution R] [--threads N]
//                    [--camera N] [--max-fps] [--tab NAME] [--settings FILE] [--evaluate DIR]
//                    [IMAGE|FOLDER|VIDEO ...]
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTemporaryDir>

#include <cstring>

#include "main_window.hpp"
#include "mobilenet/threading.hpp"

namespace {

// --help and --version only print, but QApplication needs a platform first: without a display
// (a terminal over ssh, an installed package checked headless) they would fail to start.
void print_only_without_display(int argc, char** argv) {
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY") ||
        qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        return;
    for (int i = 1; i < argc; ++i) {
        for (const char* flag : {"-h", "--help", "--help-all", "-v", "--version"}) {
            if (std::strcmp(argv[i], flag) == 0) {
                qputenv("QT_QPA_PLATFORM", "offscreen");
                return;
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    mnv1::apply_wait_policy(argv);  // may re-execute this program once (see mobilenet/threading.hpp)
    print_only_without_display(argc, argv);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("MobileNetStudio"));
    QApplication::setApplicationName(QStringLiteral("mobilenet-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("MobileNet Studio"));
    QApplication::setApplicationVersion(studio::studio_version());
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/mobilenet-studio.png")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MobileNet v1 on oneDNN: classify images, video and camera "
                                                    "frames; explore the width multiplier and resolution."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption models({"m", "models"}, "Search DIR for models first.", "DIR");
    const QCommandLineOption alpha({"a", "alpha"}, "Width multiplier to start with (0.1-1.4).", "A");
    const QCommandLineOption resolution({"r", "resolution"}, "Input resolution to start with (96-320, steps of 16).", "R");
    const QCommandLineOption threads({"t", "threads"}, "Inference threads (0 = automatic, from the machine's load).", "N");
    const QCommandLineOption camera({"c", "camera"}, "Start classifying camera /dev/videoN.", "N");
    const QCommandLineOption max_fps("max-fps", "Feed video files as fast as frames are classified "
                                                "(shows the network's throughput instead of the file's rate).");
    const QCommandLineOption settings("settings", "Read and write settings in this INI FILE.", "FILE");
    const QCommandLineOption tab("tab", "Start on this tab: classify, layers, featuremaps, evaluate or tradeoffs.", "NAME");
    const QCommandLineOption evaluate("evaluate", "Measure the accuracy of the model on this labelled folder.", "DIR");
    parser.addOptions({models, alpha, resolution, threads, camera, max_fps, settings, tab, evaluate});
    parser.addPositionalArgument("paths", "Images, folders of images, or a video file to open.", "[PATH...]");
    // Non-UTF-8 file names on the command line reach the window as openable symlinks.
    QTemporaryDir argument_links;
    parser.process(studio::openable_arguments(argc, argv, argument_links.isValid() ? argument_links.path() : QString()));

    studio::StudioOptions opts;
    opts.models_dir = parser.value(models);
    opts.settings_file = parser.value(settings);
    opts.open_paths = parser.positionalArguments();
    opts.video_as_fast_as_possible = parser.isSet(max_fps);
    opts.start_tab = parser.value(tab);
    opts.evaluate_folder = parser.value(evaluate);
    bool ok = false;
    if (parser.isSet(alpha)) {
        const double a = parser.value(alpha).toDouble(&ok);
        if (!ok || a <= 0 || a > 1.5) parser.showHelp(2);
        opts.alpha = a;
    }
    if (parser.isSet(resolution)) {
        const int r = parser.value(resolution).toInt(&ok);
        if (!ok || r < 32 || r > 1024) parser.showHelp(2);
        opts.resolution = r;
    }
    if (parser.isSet(threads)) {
        const int t = parser.value(threads).toInt(&ok);
        if (!ok || t < 0) parser.showHelp(2);
        opts.threads = t;
    }
    if (parser.isSet(camera)) {
        const int c = parser.value(camera).toInt(&ok);
        if (!ok || c < 0) parser.showHelp(2);
        opts.camera = c;
    }

    studio::MainWindow window(opts);
    window.show();
    return app.exec();
}
