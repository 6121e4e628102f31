// Start-up options of the studio window (from the command line, or set by tests), and
// where the studio looks for models.
// Threading: StudioOptions is a plain value; the functions may be called from any thread
// once the QCoreApplication exists.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace studio {

struct StudioOptions {
    QString models_dir;          // --models DIR: searched first
    QString settings_file;       // empty: the user's QSettings; tests use a private INI file
    QStringList open_paths;      // images, folders, or a video file to open at start
    std::optional<double> alpha;
    std::optional<int> resolution;
    std::optional<int> threads;
    std::optional<int> camera;   // --camera N: start /dev/videoN
    bool video_as_fast_as_possible = false;  // --max-fps: files feed frames as fast as they are classified
    QString start_tab;           // --tab NAME: "classify", "layers", "featuremaps", "evaluate" or "tradeoffs"
    QString evaluate_folder;     // --evaluate DIR: measure the accuracy on this labelled folder
};

// What the command line asked for. A refused value is never applied, so never saved.
struct StudioCommandLine {
    StudioOptions options;
    QString error;         // non-empty: one line naming the option, the value and what is allowed
    bool help = false;     // -h / --help: print help_text, exit 0
    bool version = false;  // -v / --version
    QString help_text;
};

// Reads mobilenet-studio's command line (`arguments` as argv, program name first). Every
// number must parse completely, be finite and lie in what the app can show: α 0.1–1.4,
// resolution 96–320 in steps of 16, threads 0 (automatic) up to max_thread_setting(),
// camera 0–63. "nan", "inf", "-1" and "2" are refused for --alpha alike.
StudioCommandLine parse_studio_command_line(const QStringList& arguments);

// Directories searched for models, in the documented order: --models, $MOBILENET_MODELS,
// the settings' models dir, <AppDataLocation>/models, <source tree>/models,
// <install prefix>/share/mobilenet-studio/models (missing ones left out).
QStringList model_search_dirs(const QString& flag_dir, const QString& settings_dir);

// The command line as QStrings that name the same files. A file name that is not valid
// UTF-8 (made under another locale) has no QString that opens it: QCoreApplication's
// arguments() turn its bytes into U+FFFD. Each such argument is replaced by a symlink
// made in `link_dir` (it must outlive its use) whose own name is the readable form and
// whose target is the raw bytes; every other argument is QFile::decodeName(argv[i]).
// Thread: the main thread, before the window opens paths.
QStringList openable_arguments(int argc, const char* const* argv, const QString& link_dir);

// The project version this build was made from ("0.1.0").
QString studio_version();

}  // namespace studio
