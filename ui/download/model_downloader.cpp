#include "model_downloader.hpp"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <system_error>

#include <sys/resource.h>

#include "mobilenet/arch.hpp"

// model_download.qrc is compiled into the static mobilenet_ui library, where nothing
// references its initializer unless asked: register it before reading.
static void register_download_resources() { Q_INIT_RESOURCE(model_download); }

namespace studio {

namespace {

constexpr const char* kReleaseUrl =
    "https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02";
constexpr const char* kLabelsUrl = "https://storage.googleapis.com/download.tensorflow.org/data/ImageNetLabels.txt";
const QString kLabelsName = QStringLiteral("imagenet_labels_1001.txt");
constexpr qint64 kMaxLabelsBytes = qint64(4) << 20;
// The labels' share of the progress bar, against the models' expected sizes: about their size.
constexpr qint64 kLabelsWeight = 22000;

QString megabytes(qint64 bytes) { return QString::number(double(bytes) / 1e6, 'f', 1) + QStringLiteral(" MB"); }

// Errors that mean the server was not reached at all: trying the next file is pointless.
bool is_unreachable(QNetworkReply::NetworkError e) {
    switch (e) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
    case QNetworkReply::UnknownProxyError: return true;
    default: return false;
    }
}

QString host_of(const QUrl& url) { return url.host().isEmpty() ? url.toDisplayString() : url.host(); }

// rename(2): atomic, and replaces an existing file (QFile::rename refuses to).
bool rename_over(const QString& from, const QString& to, QString* error) {
    std::error_code ec;
    std::filesystem::rename(from.toStdString(), to.toStdString(), ec);
    if (ec && error) *error = QString::fromStdString(ec.message());
    return !ec;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The release and its checksums

QList<ReleaseModel> official_release_models() {
    const struct {
        const char* text;
        double value;
    } alphas[] = {{"1.0", 1.0}, {"0.75", 0.75}, {"0.5", 0.5}, {"0.25", 0.25}};
    QList<ReleaseModel> models;
    for (const auto& a : alphas) {
        for (int res : {224, 192, 160, 128}) {
            const QString base = QStringLiteral("mobilenet_v1_%1_%2").arg(QLatin1String(a.text)).arg(res);
            models.append({base, a.value, res, false});
            models.append({base + QStringLiteral("_quant"), a.value, res, true});
        }
    }
    return models;
}

QStringList default_model_selection() {
    return {QStringLiteral("mobilenet_v1_1.0_224"), QStringLiteral("mobilenet_v1_1.0_224_quant"),
            QStringLiteral("mobilenet_v1_0.75_192_quant"), QStringLiteral("mobilenet_v1_0.5_160_quant"),
            QStringLiteral("mobilenet_v1_0.25_128_quant")};
}

qint64 approximate_model_bytes(const ReleaseModel& model) {
    mnv1::ArchConfig cfg;
    cfg.alpha = model.alpha;
    cfg.resolution = model.resolution;
    cfg.num_classes = 1001;
    std::int64_t weights = 0, biases = 0;
    for (const mnv1::LayerSpec& l : mnv1::layer_table(cfg)) {
        if (!l.has_weights()) continue;
        weights += l.params;
        biases += l.out_c;
    }
    // Biases stay 32-bit (float, or int32 in a uint8 model).
    return static_cast<qint64>(weights * (model.quantized ? 1 : 4) + biases * 4);
}

ChecksumTable parse_checksum_table(const QByteArray& text, QStringList* problems) {
    static const QRegularExpression line_re(QStringLiteral("^([0-9a-fA-F]{64}) [ *]?(\\S.*)$"));
    ChecksumTable table;
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith('#')) continue;
        const QRegularExpressionMatch m = line_re.match(line);
        if (!m.hasMatch()) {
            if (problems) problems->append(line);
            continue;
        }
        QString name = m.captured(2).trimmed();
        if (name.startsWith('*')) name.remove(0, 1);
        table[name].append(m.captured(1).toLower());
    }
    return table;
}

ChecksumTable embedded_checksum_table() {
    register_download_resources();
    QFile f(QStringLiteral(":/models/SHA256SUMS"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return parse_checksum_table(f.readAll());
}

DownloadSources official_sources() {
    DownloadSources s;
    const QString release = qEnvironmentVariable("MOBILENET_RELEASE_URL");
    const QString labels = qEnvironmentVariable("MOBILENET_LABELS_URL");
    s.release_base = QUrl(release.isEmpty() ? QString::fromLatin1(kReleaseUrl) : release);
    s.labels = QUrl(labels.isEmpty() ? QString::fromLatin1(kLabelsUrl) : labels);
    s.sums = embedded_checksum_table();
    return s;
}

QString user_models_dir() {
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return data.isEmpty() ? QString() : data + QStringLiteral("/models");
}

QString DownloadOutcome::summary() const {
    if (cancelled) return QObject::tr("Download cancelled: nothing was installed.");
    int models = 0;
    bool labels = false;
    for (const QString& p : installed) {
        if (p.endsWith(QStringLiteral(".tflite"))) ++models;
        else labels = true;
    }
    QStringList lines;
    if (models > 0 || labels) {
        lines << QObject::tr("Installed %1 model(s)%2 in %3.")
                     .arg(models)
                     .arg(labels ? QObject::tr(" and the ImageNet labels") : QString())
                     .arg(target_dir);
    }
    if (!failures.isEmpty()) {
        lines << QObject::tr("%1 file(s) could not be installed:").arg(failures.size());
        lines << failures;
    }
    if (!unpinned.isEmpty()) {
        lines << QObject::tr("No pinned checksum in SHA256SUMS (installed as downloaded over HTTPS): %1")
                     .arg(unpinned.join(QStringLiteral(", ")));
    }
    if (lines.isEmpty()) lines << QObject::tr("Nothing was downloaded.");
    return lines.join('\n');
}

// ---------------------------------------------------------------------------------------
// ModelDownloader

ModelDownloader::ModelDownloader(QString target_dir, DownloadSources sources, QObject* parent)
    : QObject(parent), target_dir_(QDir::cleanPath(QFileInfo(target_dir).absoluteFilePath())),
      sources_(std::move(sources)), network_(new QNetworkAccessManager(this)) {}

ModelDownloader::~ModelDownloader() {
    stop_transfers();
    staging_.reset();  // removes the staging folder
}

QString ModelDownloader::staging_dir() const { return staging_ ? staging_->path() : QString(); }

QString ModelDownloader::work_path(const QString& name) const { return staging_->path() + QStringLiteral("/work/") + name; }

void ModelDownloader::start(const QStringList& model_names) {
    if (running_) return;
    outcome_ = {};
    outcome_.target_dir = target_dir_;
    staged_.clear();
    jobs_.clear();
    job_index_ = 0;
    last_overall_ = 0;
    running_ = true;

    QStringList known;
    for (const ReleaseModel& m : official_release_models()) known << m.name;
    for (const QString& name : model_names) {
        if (!known.contains(name)) {
            outcome_.failures << tr("%1: not a model of the official release").arg(name);
            finish(outcome_);
            return;
        }
    }
    const QString parent = QFileInfo(target_dir_).absolutePath();
    if (!QDir().mkpath(parent)) {
        outcome_.failures << tr("%1: cannot create the folder").arg(parent);
        finish(outcome_);
        return;
    }
    if (QFileInfo(target_dir_).exists() && !QFileInfo(target_dir_).isDir()) {
        outcome_.failures << tr("%1: exists and is not a folder").arg(target_dir_);
        finish(outcome_);
        return;
    }
    // Beside the target, so that every move into it is a rename on one file system, and
    // outside it, so that model discovery never sees a partial file.
    staging_ = std::make_unique<QTemporaryDir>(target_dir_ + QStringLiteral(".download-XXXXXX"));
    if (!staging_->isValid() || !QDir(staging_->path()).mkpath(QStringLiteral("work")) ||
        !QDir(staging_->path()).mkpath(QStringLiteral("tflite")) ||
        !QDir(staging_->path()).mkpath(QStringLiteral("labels"))) {
        outcome_.failures << tr("%1: cannot write there (%2)").arg(parent, staging_->errorString());
        finish(outcome_);
        return;
    }

    // The labels first: a small file, so an unreachable server is reported at once.
    if (!QFileInfo::exists(target_dir_ + QStringLiteral("/labels/") + kLabelsName)) {
        jobs_.append({kLabelsName, QString(), sources_.labels, kLabelsWeight});
    }
    for (const QString& name : model_names) {
        QUrl url = sources_.release_base;
        url.setPath(url.path() + (url.path().endsWith('/') ? QString() : QStringLiteral("/")) + name +
                    QStringLiteral(".tgz"));
        qint64 weight = 1;
        for (const ReleaseModel& m : official_release_models()) {
            if (m.name == name) weight = approximate_model_bytes(m);
        }
        jobs_.append({name + QStringLiteral(".tgz"), name, url, weight});
    }
    if (jobs_.isEmpty()) {
        outcome_.failures << tr("no models selected");
        finish(outcome_);
        return;
    }
    start_next_job();
}

void ModelDownloader::start_next_job() {
    if (job_index_ >= jobs_.size()) {
        install_and_finish();
        return;
    }
    const Job& job = jobs_.at(job_index_);
    download_file_ = std::make_unique<QFile>(work_path(job.file_name));
    if (!download_file_->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        job_failed(tr("%1: cannot write %2 (%3)").arg(job.file_name, download_file_->fileName(),
                                                      download_file_->errorString()),
                   true);
        return;
    }
    received_bytes_ = 0;
    emit statusChanged(tr("Downloading %1 from %2").arg(job.file_name, host_of(job.url)));
    emit_progress(0, -1);

    QNetworkRequest request(job.url);
    request.setTransferTimeout(kStallTimeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    reply_ = network_->get(request);
    connect(reply_, &QNetworkReply::readyRead, this, &ModelDownloader::on_ready_read);
    connect(reply_, &QNetworkReply::downloadProgress, this, &ModelDownloader::on_download_progress);
    connect(reply_, &QNetworkReply::finished, this, &ModelDownloader::on_reply_finished);
}

void ModelDownloader::on_ready_read() {
    if (!reply_ || !download_file_) return;
    const Job& job = jobs_.at(job_index_);
    const QByteArray data = reply_->readAll();
    received_bytes_ += data.size();
    const qint64 limit = job.model.isEmpty() ? kMaxLabelsBytes : kMaxDownloadBytes;
    if (received_bytes_ > limit) {
        stop_transfers();
        job_failed(tr("%1: the server sent more than %2: refused").arg(job.file_name, megabytes(limit)));
        return;
    }
    if (download_file_->write(data) != data.size()) {
        const QString error = download_file_->errorString();
        stop_transfers();
        job_failed(tr("%1: cannot write %2 (%3)").arg(job.file_name, work_path(job.file_name), error), true);
    }
}

void ModelDownloader::on_download_progress(qint64 received, qint64 total) { emit_progress(received, total); }

void ModelDownloader::emit_progress(qint64 received, qint64 total) {
    const int count = static_cast<int>(jobs_.size());
    const double fraction = total > 0 ? std::min(1.0, double(received) / double(total)) : 0.0;
    qint64 done = 0, all = 0;
    for (int i = 0; i < count; ++i) {
        if (i < job_index_) done += jobs_.at(i).weight;
        all += jobs_.at(i).weight;
    }
    const double overall = (double(done) + fraction * double(jobs_.at(job_index_).weight)) / double(std::max<qint64>(1, all));
    last_overall_ = std::max(last_overall_, std::min(1.0, overall));
    emit progressChanged(last_overall_, job_index_, count, jobs_.at(job_index_).file_name, received, total);
}

void ModelDownloader::on_reply_finished() {
    QNetworkReply* reply = reply_;
    if (!reply) return;
    reply_ = nullptr;
    reply->deleteLater();
    if (reply->bytesAvailable() > 0) {
        reply_ = reply;  // on_ready_read reads through reply_
        on_ready_read();
        if (!reply_) return;  // it failed the job
        reply_ = nullptr;
    }
    const Job job = jobs_.at(job_index_);
    const bool flushed = download_file_->flush();
    download_file_.reset();

    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    // Content-Length counts the bytes on the wire: comparable unless Qt decoded a Content-Encoding.
    const bool plain = reply->rawHeader("Content-Encoding").isEmpty();
    const qint64 expected = plain && reply->header(QNetworkRequest::ContentLengthHeader).isValid()
                                ? reply->header(QNetworkRequest::ContentLengthHeader).toLongLong()
                                : -1;
    if (reply->error() != QNetworkReply::NoError) {
        const QNetworkReply::NetworkError e = reply->error();
        if (status.isValid() && status.toInt() >= 400) {
            job_failed(tr("%1: HTTP %2 %3 from %4")
                           .arg(job.file_name)
                           .arg(status.toInt())
                           .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(),
                                job.url.toDisplayString()));
        } else if (is_unreachable(e)) {
            job_failed(tr("could not reach %1: %2").arg(host_of(job.url), reply->errorString()), true);
        } else if (e == QNetworkReply::OperationCanceledError) {  // the transfer timeout
            job_failed(tr("%1: no data from %2 for %3 s").arg(job.file_name, host_of(job.url)).arg(kStallTimeoutMs / 1000),
                       true);
        } else if (e == QNetworkReply::RemoteHostClosedError) {
            job_failed(tr("%1: %2 closed the connection after %3 of %4 bytes")
                           .arg(job.file_name, host_of(job.url))
                           .arg(received_bytes_)
                           .arg(expected >= 0 ? QString::number(expected) : tr("an unknown number of")));
        } else {
            job_failed(tr("%1: %2").arg(job.file_name, reply->errorString()));
        }
        return;
    }
    if (status.isValid() && status.toInt() != 200) {
        job_failed(tr("%1: HTTP %2 from %3 (expected 200)").arg(job.file_name).arg(status.toInt()).arg(job.url.toDisplayString()));
        return;
    }
    if (expected >= 0 && received_bytes_ != expected) {
        job_failed(tr("%1: truncated download: %2 of %3 bytes").arg(job.file_name).arg(received_bytes_).arg(expected));
        return;
    }
    if (!flushed) {
        job_failed(tr("%1: cannot write %2").arg(job.file_name, work_path(job.file_name)), true);
        return;
    }
    emit_progress(received_bytes_, received_bytes_);
    if (job.model.isEmpty()) check_labels_file();
    else extract_archive();
}

void ModelDownloader::extract_archive() {
    const Job& job = jobs_.at(job_index_);
    const QString out = work_path(QStringLiteral("x"));
    QDir(out).removeRecursively();
    QDir().mkpath(out);
    emit statusChanged(tr("Unpacking %1").arg(job.file_name));
    tar_ = new QProcess(this);
    tar_->setProgram(QStringLiteral("tar"));
    // Only the .tflite members; GNU tar refuses members with "..", strips a leading '/'.
    tar_->setArguments({QStringLiteral("-xzf"), work_path(job.file_name), QStringLiteral("-C"), out,
                        QStringLiteral("--no-same-owner"), QStringLiteral("--no-same-permissions"),
                        QStringLiteral("--wildcards"), QStringLiteral("*.tflite")});
    // A decompression bomb stops at kMaxExtractedFileBytes per file instead of filling the
    // disk: writes beyond it fail with EFBIG (SIGXFSZ ignored), and tar reports it.
    tar_->setChildProcessModifier([] {
        const rlimit limit{static_cast<rlim_t>(kMaxExtractedFileBytes), static_cast<rlim_t>(kMaxExtractedFileBytes)};
        setrlimit(RLIMIT_FSIZE, &limit);
        signal(SIGXFSZ, SIG_IGN);
    });
    connect(tar_, &QProcess::finished, this, &ModelDownloader::on_extracted);
    connect(tar_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart) return;  // the others end in finished()
        tar_->deleteLater();
        tar_ = nullptr;
        job_failed(tr("cannot run tar to unpack the archives: %1").arg(QStringLiteral("tar not found")), true);
    });
    tar_->start();
}

void ModelDownloader::on_extracted() {
    QProcess* tar = tar_;
    if (!tar) return;
    tar_ = nullptr;
    tar->deleteLater();
    const Job& job = jobs_.at(job_index_);
    if (tar->exitStatus() != QProcess::NormalExit || tar->exitCode() != 0) {
        const QString err = QString::fromLocal8Bit(tar->readAllStandardError()).trimmed();
        if (err.contains(QStringLiteral("Not found in archive"))) {
            job_failed(tr("%1: holds no .tflite file").arg(job.file_name));
        } else if (err.contains(QStringLiteral("File too large"))) {
            job_failed(tr("%1: a file in it unpacks to more than %2: refused")
                           .arg(job.file_name, megabytes(kMaxExtractedFileBytes)));
        } else {
            job_failed(tr("%1: not a valid .tgz archive (tar: %2)")
                           .arg(job.file_name, err.section('\n', 0, 0).isEmpty() ? tr("exit %1").arg(tar->exitCode())
                                                                                  : err.section('\n', 0, 0)));
        }
        return;
    }
    const QString wanted = job.model + QStringLiteral(".tflite");
    QDirIterator it(work_path(QStringLiteral("x")), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo fi(it.next());
        if (fi.fileName() == wanted && fi.isFile() && !fi.isSymLink()) {
            check_model_file(fi.absoluteFilePath());
            return;
        }
    }
    job_failed(tr("%1: holds no %2").arg(job.file_name, wanted));
}

void ModelDownloader::check_model_file(const QString& tflite_path) {
    const QString name = QFileInfo(tflite_path).fileName();
    emit statusChanged(tr("Checking %1").arg(name));
    QFile f(tflite_path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!f.open(QIODevice::ReadOnly) || !hash.addData(&f)) {
        job_failed(tr("%1: cannot read the unpacked file (%2)").arg(name, f.errorString()));
        return;
    }
    f.close();
    const QString actual = QString::fromLatin1(hash.result().toHex());
    const QStringList pinned = sources_.sums.value(name);
    if (!pinned.isEmpty() && !pinned.contains(actual)) {
        job_failed(tr("%1: SHA-256 %2 does not match SHA256SUMS (%3): not installed")
                       .arg(name, actual, pinned.join(QStringLiteral(" or "))));
        return;
    }
    QString error;
    if (!rename_over(tflite_path, staging_->path() + QStringLiteral("/tflite/") + name, &error)) {
        job_failed(tr("%1: cannot move it into the staging folder (%2)").arg(name, error), true);
        return;
    }
    if (pinned.isEmpty()) outcome_.unpinned << tr("%1 (sha256 %2)").arg(name, actual);
    staged_ << QStringLiteral("tflite/") + name;
    job_done();
}

void ModelDownloader::check_labels_file() {
    const QString path = work_path(kLabelsName);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        job_failed(tr("%1: cannot read the download (%2)").arg(kLabelsName, f.errorString()));
        return;
    }
    const QByteArray data = f.readAll();
    f.close();
    QList<QByteArray> lines = data.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty()) lines.removeLast();
    const QByteArray first = lines.isEmpty() ? QByteArray() : lines.first().trimmed();
    if (lines.size() != 1001 || first != "background") {
        job_failed(tr("%1: %2 lines, first \"%3\" (expected 1001 lines starting with \"background\"): not installed")
                       .arg(kLabelsName)
                       .arg(lines.size())
                       .arg(QString::fromUtf8(first.left(40))));
        return;
    }
    const QString actual = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    const QStringList pinned = sources_.sums.value(kLabelsName);
    if (!pinned.isEmpty() && !pinned.contains(actual)) {
        job_failed(tr("%1: SHA-256 %2 does not match SHA256SUMS: not installed").arg(kLabelsName, actual));
        return;
    }
    QString error;
    if (!rename_over(path, staging_->path() + QStringLiteral("/labels/") + kLabelsName, &error)) {
        job_failed(tr("%1: cannot move it into the staging folder (%2)").arg(kLabelsName, error), true);
        return;
    }
    staged_ << QStringLiteral("labels/") + kLabelsName;
    job_done();
}

void ModelDownloader::job_failed(const QString& reason, bool fatal) {
    outcome_.failures << reason;
    if (fatal) {
        // The rest of the batch would fail the same way: list it as not tried.
        for (int i = job_index_ + 1; i < jobs_.size(); ++i) {
            outcome_.failures << tr("%1: not tried").arg(jobs_.at(i).file_name);
        }
        job_index_ = static_cast<int>(jobs_.size()) - 1;
    }
    job_done();
}

void ModelDownloader::job_done() {
    if (!staging_) return;
    download_file_.reset();
    QDir(work_path(QStringLiteral("x"))).removeRecursively();
    if (job_index_ < jobs_.size()) QFile::remove(work_path(jobs_.at(job_index_).file_name));
    ++job_index_;
    start_next_job();
}

void ModelDownloader::install_and_finish() {
    // Labels alone are no use: install only when a model made it.
    const bool any_model = std::any_of(staged_.begin(), staged_.end(),
                                       [](const QString& rel) { return rel.startsWith(QStringLiteral("tflite/")); });
    if (!any_model) {
        finish(outcome_);
        return;
    }
    emit statusChanged(tr("Installing into %1").arg(target_dir_));
    QDir(staging_->path() + QStringLiteral("/work")).removeRecursively();
    QString error;
    // A new target appears whole, in one rename.
    if (!QFileInfo::exists(target_dir_) && rename_over(staging_->path(), target_dir_, &error)) {
        staging_->setAutoRemove(false);
        for (const QString& rel : staged_) outcome_.installed << target_dir_ + '/' + rel;
        finish(outcome_);
        return;
    }
    // An existing target gets each verified file by one rename: labels first, so a model
    // never appears without them.
    QDir().mkpath(target_dir_ + QStringLiteral("/tflite"));
    QDir().mkpath(target_dir_ + QStringLiteral("/labels"));
    std::stable_sort(staged_.begin(), staged_.end(),
                     [](const QString& a, const QString& b) { return a.startsWith('l') && !b.startsWith('l'); });
    for (const QString& rel : staged_) {
        const QString dest = target_dir_ + '/' + rel;
        if (rename_over(staging_->path() + '/' + rel, dest, &error)) {
            outcome_.installed << dest;
        } else {
            outcome_.failures << tr("%1: cannot move it into %2 (%3)").arg(QFileInfo(rel).fileName(), target_dir_, error);
        }
    }
    finish(outcome_);
}

void ModelDownloader::finish(DownloadOutcome outcome) {
    stop_transfers();
    running_ = false;
    staging_.reset();  // removes what is left of the staging folder
    jobs_.clear();
    staged_.clear();
    emit finished(outcome);
}

void ModelDownloader::cancel() {
    if (!running_) return;
    DownloadOutcome outcome;
    outcome.cancelled = true;
    outcome.target_dir = target_dir_;
    finish(outcome);
}

void ModelDownloader::stop_transfers() {
    if (reply_) {
        QNetworkReply* reply = reply_;
        reply_ = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
    download_file_.reset();
    if (tar_) {
        QProcess* tar = tar_;
        tar_ = nullptr;
        disconnect(tar, nullptr, this, nullptr);
        tar->kill();
        tar->waitForFinished(2000);  // killed: returns at once; avoids a zombie and Qt's warning
        tar->deleteLater();
    }
}

}  // namespace studio
