// ModelDownloader: installs the official MobileNet v1 models on a machine that has none.
// It fetches the TF-slim release archives (mobilenet_v1_2018_08_02/<name>.tgz), takes the
// .tflite out of each (tar in a child process), checks its SHA-256 against the pinned table
// (models/SHA256SUMS, compiled in as :/models/SHA256SUMS), adds the 1001-class ImageNet
// labels, and installs into a models folder in the layout discovery understands
// (<target>/tflite/*.tflite, <target>/labels/imagenet_labels_1001.txt) — the same as
// models/fetch_models.sh.
//
// Nothing half-installed: everything is downloaded, extracted and verified in a staging
// folder beside the target (<target>.download-XXXXXX, outside every search path); only
// verified files are moved in, each by one rename(2), and a target that does not exist yet
// appears in one rename of the whole staging folder. Cancel, or a failure, removes the
// staging folder. A model that fails (HTTP error, truncated or corrupt archive, wrong
// checksum) is reported and skipped; the others of the batch still install. When the
// server cannot be reached at all the rest of the batch is not tried.
//
// Threading: lives on, and must be used from, a thread with an event loop (the GUI thread
// in the app). All I/O is asynchronous (QNetworkAccessManager, QProcess); nothing blocks
// except hashing one extracted file (at most ~17 MB).
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

class QFile;
class QNetworkAccessManager;
class QNetworkReply;
class QProcess;
class QTemporaryDir;

namespace studio {

// One model of the official release: name is the archive's and the .tflite's base name,
// e.g. "mobilenet_v1_1.0_224_quant".
struct ReleaseModel {
    QString name;
    double alpha = 1.0;
    int resolution = 224;
    bool quantized = false;
};

// The 32 models of mobilenet_v1_2018_08_02 (α 1.0 … 0.25 × 224 … 128, float and uint8).
QList<ReleaseModel> official_release_models();
// What the dialog ticks by default: float and uint8 1.0-224, and uint8 0.75-192, 0.5-160,
// 0.25-128 (the α/ρ corners the lesson and the trade-off page talk about).
QStringList default_model_selection();
// The model file's approximate size in bytes, computed from the architecture: weights × 4
// (float) or × 1 (uint8), plus 32-bit biases; the file adds its graph and metadata, and the
// archive also holds a TF checkpoint, so the download is larger.
qint64 approximate_model_bytes(const ReleaseModel& model);

// File name -> accepted SHA-256 sums (lowercase hex; several = several accepted revisions).
using ChecksumTable = QHash<QString, QStringList>;
// Parses sha256sum output ("<64 hex>  <name>", '#' comments, a '*' binary marker);
// malformed lines are skipped and, when `problems` is given, listed there.
ChecksumTable parse_checksum_table(const QByteArray& text, QStringList* problems = nullptr);
// models/SHA256SUMS as compiled into the app.
ChecksumTable embedded_checksum_table();

// Where the models come from and how they are checked.
struct DownloadSources {
    QUrl release_base;  // <release_base>/<name>.tgz
    QUrl labels;        // a 1001-line labels file, first line "background"
    ChecksumTable sums;
};
// The official sources, overridable like fetch_models.sh: $MOBILENET_RELEASE_URL (mirror of
// the release folder) and $MOBILENET_LABELS_URL; the embedded checksum table.
DownloadSources official_sources();
// <AppDataLocation>/models: a folder on the model search path (see model_search_dirs).
QString user_models_dir();

// What a finished (or cancelled) download did.
struct DownloadOutcome {
    bool cancelled = false;
    QString target_dir;
    QStringList installed;   // paths of files moved into target_dir
    QStringList failures;    // one line each: "<file>: <reason>"
    QStringList unpinned;    // "<file> (sha256 …)": installed without a pinned checksum
    bool ok() const { return !cancelled && failures.isEmpty(); }
    // One or a few plain lines for the user.
    QString summary() const;
};

class ModelDownloader : public QObject {
    Q_OBJECT
public:
    // Installs into `target_dir` (created, with its parent, if missing).
    explicit ModelDownloader(QString target_dir, DownloadSources sources = official_sources(),
                             QObject* parent = nullptr);
    ~ModelDownloader() override;  // cancels a running download (removing its staging folder)

    // Starts downloading `model_names` (names of official_release_models()); the labels are
    // fetched too unless the target already has them. Ignored while running. finished()
    // follows, possibly before start() returns (e.g. an unknown name or an unwritable target).
    void start(const QStringList& model_names);
    // Stops now: aborts the transfer, kills tar, removes the staging folder, installs
    // nothing, emits finished() with cancelled set before returning. No-op when idle.
    void cancel();
    bool is_running() const { return running_; }
    QString target_dir() const { return target_dir_; }
    // The staging folder of the running download (empty when idle); for tests.
    QString staging_dir() const;

    // Bounds on what a server may send and an archive may unpack to, per file.
    static constexpr qint64 kMaxDownloadBytes = qint64(512) << 20;
    static constexpr qint64 kMaxExtractedFileBytes = qint64(256) << 20;
    // A transfer that receives nothing for this long fails.
    static constexpr int kStallTimeoutMs = 30000;

signals:
    // overall: 0..1, never decreasing within one download, each file weighted by its
    // expected size (approximate_model_bytes; the labels are small). file_index counts from 0 over
    // file_count files (the labels are one); received/total are the current file's bytes
    // (total -1 while unknown).
    void progressChanged(double overall, int file_index, int file_count, const QString& file_name, qint64 received,
                         qint64 total);
    // What is being done now, e.g. "Checking mobilenet_v1_1.0_224.tflite".
    void statusChanged(const QString& text);
    void finished(const studio::DownloadOutcome& outcome);

private:
    struct Job {
        QString file_name;  // the downloaded file: "<name>.tgz" or the labels file name
        QString model;      // empty for the labels
        QUrl url;
        qint64 weight = 1;  // its share of the overall progress (expected size in bytes)
    };

    void start_next_job();
    void on_ready_read();
    void on_download_progress(qint64 received, qint64 total);
    void on_reply_finished();
    void extract_archive();
    void on_extracted();
    void check_model_file(const QString& tflite_path);
    void check_labels_file();
    // Records a failure of the current job and moves on (or stops the batch when `fatal`).
    void job_failed(const QString& reason, bool fatal = false);
    void job_done();
    void install_and_finish();
    void finish(DownloadOutcome outcome);
    void stop_transfers();
    void emit_progress(qint64 received, qint64 total);
    QString work_path(const QString& name) const;

    QString target_dir_;
    DownloadSources sources_;
    QNetworkAccessManager* network_ = nullptr;
    bool running_ = false;
    std::unique_ptr<QTemporaryDir> staging_;
    QList<Job> jobs_;
    int job_index_ = 0;
    QPointer<QNetworkReply> reply_;
    std::unique_ptr<QFile> download_file_;
    qint64 received_bytes_ = 0;
    QProcess* tar_ = nullptr;
    double last_overall_ = 0;
    DownloadOutcome outcome_;
    QStringList staged_;  // paths relative to the staging folder, verified, to install
};

}  // namespace studio

Q_DECLARE_METATYPE(studio::DownloadOutcome)
