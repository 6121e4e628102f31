// mobilenet-studio: parses the command line and shows the main window.
//
//   mobilenet-studio [--models DIR] [--alpha A] [--resolution R] [--threads N]
//                    [--camera N] [--max-fps] [--tab NAME] [--settings FILE] [--evaluate DIR]
//                    [IMAGE|FOLDER|VIDEO ...]
#include <QApplication>
#include <QIcon>

#include <cstdio>

#include "main_window.hpp"
#include "mobilenet/threading.hpp"

int main(int argc, char** argv) {
    mnv1::apply_wait_policy(argv);  // may re-execute this program once (see mobilenet/threading.hpp)
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("MobileNetStudio"));
    QApplication::setApplicationName(QStringLiteral("mobilenet-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("MobileNet Studio"));
    QApplication::setApplicationVersion(studio::studio_version());
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/mobilenet-studio.png")));

    // Checked before any window or settings exist: a refused value is never applied or saved.
    const studio::StudioCommandLine cmd = studio::parse_studio_command_line(QApplication::arguments());
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
