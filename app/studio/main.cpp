// mobilenet-studio: parses the command line and shows the main window.
//
//   mobilenet-studio [--models DIR] [--alpha A] [--resolution R] [--threads N]
//                    [--camera N] [--max-fps] [--tab NAME] [--settings FILE] [--evaluate DIR]
//                    [IMAGE|FOLDER|VIDEO ...]
#include <QApplication>
#include <QIcon>
#include <QTemporaryDir>

#include <cstdio>
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

    // Non-UTF-8 file names on the command line reach the window as openable symlinks; the
    // folder holding them lives as long as the app.
    QTemporaryDir argument_links;
    const QStringList arguments =
        studio::openable_arguments(argc, argv, argument_links.isValid() ? argument_links.path() : QString());
    // Checked before any window or settings exist: a refused value is never applied or saved.
    const studio::StudioCommandLine cmd = studio::parse_studio_command_line(arguments);
    if (!cmd.error.isEmpty()) {
        std::fprintf(stderr, "mobilenet-studio: %s\n(mobilenet-studio --help lists the options)\n",
                     qUtf8Printable(cmd.error));
        return 2;
    }
    if (cmd.help) {
        std::fputs(qUtf8Printable(cmd.help_text), stdout);
        return 0;
    }
    if (cmd.version) {
        std::printf("mobilenet-studio %s\n", qUtf8Printable(studio::studio_version()));
        return 0;
    }

    studio::MainWindow window(cmd.options);
    window.show();
    return app.exec();
}
