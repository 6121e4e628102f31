// The first-run model download (ui/download/model_downloader, ui/pages/download_dialog)
// against a tiny HTTP server on 127.0.0.1 run by the test itself (no internet): a .tgz
// built at run time holding the released 0.25-128 uint8 .tflite (a fake payload with a
// test checksum table when ../shared is absent outside CI). Success installs a model that
// discovery finds; cancel, a truncated archive, a wrong checksum, a 404, a server that
// closes early and an unreachable server each leave nothing in the target and no staging
// folder, and say what went wrong in one line.
#include <QtTest>

#include <QAction>
#include <QCryptographicHash>
#include <QDir>
#include <QMainWindow>
#include <QMenuBar>
#include <QProcess>
#include <QTabWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>

#include <memory>

#include "app/action_manager.hpp"
#include "app/studio_options.hpp"
#include "controller/inference_controller.hpp"
#include "download/model_downloader.hpp"
#include "main_window.hpp"
#include "mobilenet/model_io.hpp"
#include "pages/classify_page.hpp"
#include "pages/download_dialog.hpp"
#include "screen_shots.hpp"
#include "test_support.hpp"
#include "widgets/notice_bar.hpp"

namespace {

const QString kModel = QStringLiteral("mobilenet_v1_0.25_128_quant");
const QString kTflite = kModel + QStringLiteral(".tflite");

// One canned response of the test server.
struct Route {
    QByteArray body;
    int status = 200;
    qint64 declared_length = -1;  // Content-Length sent; -1: body.size()
    qint64 send_bytes = -1;       // bytes of body sent before closing; -1: all
    int chunk_bytes = 0;          // > 0: send in chunks of this size...
    int chunk_interval_ms = 0;    // ...this far apart (progress and cancel become observable)
};

// A minimal HTTP/1.1 server: GET <path> -> the route's response, then close.
class TestHttpServer : public QObject {
public:
    TestHttpServer() {
        connect(&server_, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = server_.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, this, [this, s] { on_request(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        QVERIFY(server_.listen(QHostAddress::LocalHost));
    }
    QUrl base() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/release").arg(server_.serverPort())); }
    QUrl url(const QString& path) const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(server_.serverPort()).arg(path));
    }
    void set_route(const QString& path, Route r) { routes_[path] = std::move(r); }
    int requests() const { return requests_; }

private:
    void on_request(QTcpSocket* s) {
        QByteArray& buf = pending_[s];
        buf += s->readAll();
        if (!buf.contains("\r\n\r\n")) return;
        ++requests_;
        const QList<QByteArray> first = buf.left(buf.indexOf("\r\n")).split(' ');
        const QString path = first.size() >= 2 ? QString::fromLatin1(first.at(1)) : QString();
        pending_.remove(s);
        const Route r = routes_.value(path, Route{QByteArray("not found"), 404});
        const qint64 length = r.declared_length >= 0 ? r.declared_length : r.body.size();
        s->write(QStringLiteral("HTTP/1.1 %1 %2\r\nContent-Type: application/octet-stream\r\n"
                                "Content-Length: %3\r\nConnection: close\r\n\r\n")
                     .arg(r.status)
                     .arg(r.status == 200 ? QStringLiteral("OK") : QStringLiteral("Not Found"))
                     .arg(length)
                     .toLatin1());
        const QByteArray body = r.send_bytes >= 0 ? r.body.left(r.send_bytes) : r.body;
        if (r.chunk_bytes <= 0) {
            s->write(body);
            s->disconnectFromHost();
            return;
        }
        auto* timer = new QTimer(s);
        auto offset = std::make_shared<qint64>(0);
        connect(timer, &QTimer::timeout, s, [s, timer, body, offset, chunk = r.chunk_bytes] {
            s->write(body.mid(*offset, chunk));
            *offset += chunk;
            if (*offset >= body.size()) {
                timer->stop();
                s->disconnectFromHost();
            }
        });
        timer->start(r.chunk_interval_ms);
    }

    QTcpServer server_;
    QHash<QString, Route> routes_;
    QHash<QTcpSocket*, QByteArray> pending_;
    int requests_ = 0;
};

// The finished() and progressChanged() a download emitted.
struct Recorder {
    explicit Recorder(studio::ModelDownloader* d) {
        QObject::connect(d, &studio::ModelDownloader::finished, &ctx,
                         [this](const studio::DownloadOutcome& o) { outcome = o; done = true; });
        QObject::connect(d, &studio::ModelDownloader::progressChanged, &ctx,
                         [this](double overall, int, int, const QString&, qint64 received, qint64) {
                             progress << overall;
                             max_received = std::max(max_received, received);
                         });
    }
    bool wait(int ms = 20000) { return QTest::qWaitFor([this] { return done; }, ms); }
    QObject ctx;
    bool done = false;
    studio::DownloadOutcome outcome;
    QList<double> progress;
    qint64 max_received = 0;
};

QByteArray sha256(const QByteArray& data) { return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex(); }

QByteArray labels_1001() {
    QByteArray text = "background\n";
    for (int i = 1; i <= 1000; ++i) text += "class " + QByteArray::number(i) + "\n";
    return text;
}

// Names in `dir` (hidden ones too): what a failed or cancelled download must leave behind.
QStringList entries(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

}  // namespace

class TestModelDownload : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QByteArray payload_;     // the .tflite put in the archive
    bool real_model_ = false;
    QByteArray archive_;     // <kModel>.tgz: the .tflite, a checkpoint stand-in, a nested folder
    QByteArray no_tflite_archive_;
    std::unique_ptr<TestHttpServer> server_;
    int case_ = 0;

    QByteArray make_tgz(const QMap<QString, QByteArray>& files) {
        QTemporaryDir src(tmp_.path() + QStringLiteral("/src-XXXXXX"));
        for (auto it = files.begin(); it != files.end(); ++it) {
            const QString path = src.path() + '/' + it.key();
            QDir().mkpath(QFileInfo(path).absolutePath());
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly) || f.write(it.value()) != it.value().size()) return {};
        }
        const QString out = src.path() + QStringLiteral(".tgz");
        QProcess tar;
        tar.start(QStringLiteral("tar"), {QStringLiteral("-czf"), out, QStringLiteral("-C"), src.path(), QStringLiteral(".")});
        if (!tar.waitForFinished(20000) || tar.exitCode() != 0) return {};
        QFile f(out);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    // A fresh, not yet existing target folder in a fresh parent.
    QString new_target() {
        const QString parent = tmp_.path() + QStringLiteral("/case%1").arg(++case_);
        QDir().mkpath(parent);
        return parent + QStringLiteral("/models");
    }

    studio::DownloadSources sources(const QByteArray& sum) const {
        studio::DownloadSources s;
        s.release_base = server_->base();
        s.labels = server_->url(QStringLiteral("/labels.txt"));
        s.sums[kTflite] = QStringList{QString::fromLatin1(sum)};
        return s;
    }
    studio::DownloadSources good_sources() const { return sources(sha256(payload_)); }

    void serve_archive(Route r = {}) {
        r.body = archive_;
        server_->set_route(QStringLiteral("/release/") + kModel + QStringLiteral(".tgz"), r);
    }

    // Runs one download to its end and checks the failure left nothing behind.
    void expect_failure(const studio::DownloadSources& src, const QString& reason_part,
                        const QStringList& models = {kModel}, studio::DownloadOutcome* out = nullptr) {
        const QString target = new_target();
        studio::ModelDownloader d(target, src);
        Recorder rec(&d);
        d.start(models);
        QVERIFY(rec.wait());
        const studio::DownloadOutcome& o = rec.outcome;
        qInfo() << "reported:" << o.summary();
        if (out) *out = o;
        QVERIFY(!o.ok());
        QVERIFY(!o.cancelled);
        QVERIFY(o.installed.isEmpty());
        QVERIFY2(!o.failures.isEmpty() && o.failures.first().contains(reason_part), qPrintable(o.summary()));
        QVERIFY2(!o.failures.first().contains('\n'), "one line per failure");
        QVERIFY(!QFileInfo::exists(target));  // not even the labels, which did download
        QCOMPARE(entries(QFileInfo(target).absolutePath()), QStringList());  // no staging folder left
        QVERIFY(!d.is_running());
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        const std::string real = mnv1::test::shared_path("models/tflite/" + kTflite.toStdString());
        QFile model(QString::fromStdString(real));
        if (model.open(QIODevice::ReadOnly)) {
            payload_ = model.readAll();
            real_model_ = true;
        } else {
            if (mnv1::test::in_ci()) QFAIL(qPrintable(QStringLiteral("missing real data: ") + model.fileName()));
            payload_ = QByteArray("TFL3 not a real model ") + QByteArray(300000, 'x');
        }
        archive_ = make_tgz({{kTflite, payload_},
                             {QStringLiteral("mobilenet_v1_0.25_128_quant.ckpt.data-00000-of-00001"), QByteArray(200000, 'c')},
                             {QStringLiteral("nested/other.txt"), QByteArray("x")}});
        QVERIFY(!archive_.isEmpty());
        no_tflite_archive_ = make_tgz({{QStringLiteral("readme.txt"), QByteArray("no model here")}});
        QVERIFY(!no_tflite_archive_.isEmpty());
        server_ = std::make_unique<TestHttpServer>();
        Route labels;
        labels.body = labels_1001();
        server_->set_route(QStringLiteral("/labels.txt"), labels);
    }

    void embeddedChecksumsAreTheRepositoryFile() {
        const studio::ChecksumTable embedded = studio::embedded_checksum_table();
        QFile f(QStringLiteral(MOBILENET_SOURCE_DIR "/models/SHA256SUMS"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QStringList problems;
        QCOMPARE(embedded, studio::parse_checksum_table(f.readAll(), &problems));
        QVERIFY(problems.isEmpty());
        QVERIFY(embedded.contains(kTflite));
        if (real_model_) QCOMPARE(embedded.value(kTflite), QStringList{QString::fromLatin1(sha256(payload_))});
        // Malformed lines are reported, comments skipped, '*' markers and case handled.
        const studio::ChecksumTable t = studio::parse_checksum_table(
            "# c\n" + QByteArray(64, 'A') + " *a.tflite\nnot a sum  b.tflite\n" + QByteArray(64, 'b') + "  a.tflite\n",
            &problems);
        QCOMPARE(t.value(QStringLiteral("a.tflite")), (QStringList{QString(64, 'a'), QString(64, 'b')}));
        QCOMPARE(problems, QStringList{QStringLiteral("not a sum  b.tflite")});
    }

    void releaseListAndSizes() {
        const QList<studio::ReleaseModel> models = studio::official_release_models();
        QCOMPARE(models.size(), 32);
        QStringList names;
        for (const auto& m : models) names << m.name;
        for (const QString& d : studio::default_model_selection()) QVERIFY(names.contains(d));
        QVERIFY(names.contains(QStringLiteral("mobilenet_v1_0.75_160")));
        // The size estimate is within 10 % of every released file in ../shared (uint8 with metadata, float).
        const std::string dir = mnv1::test::shared_path("models/tflite/");
        int compared = 0;
        for (const auto& m : models) {
            const QFileInfo file(QString::fromStdString(dir) + m.name + QStringLiteral(".tflite"));
            if (!file.exists()) continue;
            ++compared;
            const qint64 estimate = studio::approximate_model_bytes(m);
            qInfo("%s: estimate %lld bytes, file %lld", qPrintable(m.name), estimate, file.size());
            QVERIFY2(qAbs(estimate - file.size()) < file.size() / 10,
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(m.name).arg(estimate).arg(file.size())));
        }
        if (real_model_) QVERIFY(compared >= 6);
    }

    void installsAVerifiedModelThatDiscoveryFinds() {
        Route slow;
        slow.chunk_bytes = 64 * 1024;
        slow.chunk_interval_ms = 2;
        serve_archive(slow);
        const QString target = new_target();
        studio::ModelDownloader d(target, good_sources());
        Recorder rec(&d);
        d.start({kModel});
        QVERIFY(d.is_running());
        QVERIFY(rec.wait());
        qInfo() << "reported:" << rec.outcome.summary();
        QVERIFY2(rec.outcome.ok(), qPrintable(rec.outcome.summary()));
        QCOMPARE(rec.outcome.installed.size(), 2);  // the model and the labels
        // Progress: several steps, never backwards, ending at 1.
        QVERIFY(rec.progress.size() >= 4);
        for (int i = 1; i < rec.progress.size(); ++i) QVERIFY(rec.progress[i] >= rec.progress[i - 1]);
        QCOMPARE(rec.progress.last(), 1.0);
        QVERIFY(rec.max_received >= archive_.size());

        QFile installed(target + QStringLiteral("/tflite/") + kTflite);
        QVERIFY(installed.open(QIODevice::ReadOnly));
        QCOMPARE(installed.readAll(), payload_);
        QVERIFY(QFileInfo::exists(target + QStringLiteral("/labels/imagenet_labels_1001.txt")));
        QCOMPARE(entries(target), (QStringList{QStringLiteral("labels"), QStringLiteral("tflite")}));
        QCOMPARE(entries(target + QStringLiteral("/tflite")), QStringList{kTflite});  // nothing else from the archive
        QCOMPARE(entries(QFileInfo(target).absolutePath()), QStringList{QStringLiteral("models")});

        if (!real_model_) QSKIP("fake payload: discovery of a real model not checked");
        std::vector<std::string> problems;
        const auto found = mnv1::discover_models({target.toStdString()}, &problems);
        QVERIFY(problems.empty());
        QCOMPARE(found.size(), std::size_t{1});
        QCOMPARE(found.front().alpha, 0.25);
        QCOMPARE(found.front().native_resolution, 128);
        QVERIFY(found.front().quantized);
        const auto weights = mnv1::load_model(found.front().path);
        QCOMPARE(static_cast<int>(weights->labels.size()), 1001);
        QCOMPARE(QString::fromStdString(weights->labels.at(7)), QStringLiteral("class 7"));
    }

    void addsToAnExistingFolderFileByFile() {
        serve_archive();
        const QString target = new_target();
        QVERIFY(QDir().mkpath(target + QStringLiteral("/labels")));
        QVERIFY(QDir().mkpath(target + QStringLiteral("/tflite")));
        QFile keep(target + QStringLiteral("/tflite/mine.tflite"));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("user file");
        keep.close();
        QFile labels(target + QStringLiteral("/labels/imagenet_labels_1001.txt"));
        QVERIFY(labels.open(QIODevice::WriteOnly));
        labels.write(labels_1001());
        labels.close();
        const int requests_before = server_->requests();
        studio::ModelDownloader d(target, good_sources());
        Recorder rec(&d);
        d.start({kModel});
        QVERIFY(rec.wait());
        QVERIFY2(rec.outcome.ok(), qPrintable(rec.outcome.summary()));
        QCOMPARE(server_->requests() - requests_before, 1);  // the labels were present: not fetched again
        QCOMPARE(rec.outcome.installed, QStringList{target + QStringLiteral("/tflite/") + kTflite});
        QCOMPARE(entries(target + QStringLiteral("/tflite")), (QStringList{QStringLiteral("mine.tflite"), kTflite}));
        QCOMPARE(entries(QFileInfo(target).absolutePath()), QStringList{QStringLiteral("models")});
    }

    void cancelMidDownloadLeavesNothing() {
        Route slow;
        slow.chunk_bytes = 8 * 1024;
        slow.chunk_interval_ms = 20;  // the archive takes seconds: cancel lands mid-transfer
        serve_archive(slow);
        const QString target = new_target();
        studio::ModelDownloader d(target, good_sources());
        Recorder rec(&d);
        d.start({kModel});
        QVERIFY(QTest::qWaitFor([&] { return rec.max_received > 20000 && rec.max_received < archive_.size(); }, 20000));
        const QString staging = d.staging_dir();
        QVERIFY(QFileInfo(staging).isDir());
        QVERIFY(!rec.done);
        d.cancel();
        QVERIFY(rec.done);  // reported before cancel() returns
        QVERIFY(rec.outcome.cancelled);
        QVERIFY(rec.outcome.installed.isEmpty());
        QVERIFY(!d.is_running());
        QVERIFY(!QFileInfo::exists(staging));
        QVERIFY(!QFileInfo::exists(target));
        QCOMPARE(entries(QFileInfo(target).absolutePath()), QStringList());
        QTest::qWait(50);  // a late chunk of the aborted transfer must change nothing
        QCOMPARE(entries(QFileInfo(target).absolutePath()), QStringList());
        serve_archive();
    }

    void truncatedArchiveIsRefused() {
        Route r;
        r.body = archive_.left(archive_.size() / 2);  // a consistent response of a cut file
        server_->set_route(QStringLiteral("/release/") + kModel + QStringLiteral(".tgz"), r);
        expect_failure(good_sources(), kModel + QStringLiteral(".tgz: not a valid .tgz archive"));
        serve_archive();
    }

    void archiveWithoutTheModelIsRefused() {
        Route r;
        r.body = no_tflite_archive_;
        server_->set_route(QStringLiteral("/release/") + kModel + QStringLiteral(".tgz"), r);
        expect_failure(good_sources(), kModel + QStringLiteral(".tgz: holds no .tflite file"));
        serve_archive();
    }

    void wrongChecksumIsRefused() {
        serve_archive();
        studio::DownloadOutcome o;
        expect_failure(sources(QByteArray(64, '0')), kTflite + QStringLiteral(": SHA-256 ") + QString::fromLatin1(sha256(payload_)),
                       {kModel}, &o);
        if (QTest::currentTestFailed()) return;
        QVERIFY(o.failures.first().contains(QStringLiteral("not installed")));
    }

    void httpErrorIsReported() {
        studio::DownloadSources src = good_sources();
        src.release_base = server_->url(QStringLiteral("/nowhere"));
        expect_failure(src, kModel + QStringLiteral(".tgz: HTTP 404"));
    }

    void serverClosingEarlyIsReported() {
        Route r;
        r.body = archive_;
        r.send_bytes = archive_.size() / 3;  // Content-Length says all, a third arrives
        server_->set_route(QStringLiteral("/release/") + kModel + QStringLiteral(".tgz"), r);
        studio::DownloadOutcome o;
        expect_failure(good_sources(), kModel + QStringLiteral(".tgz: "), {kModel}, &o);
        if (QTest::currentTestFailed()) return;
        QVERIFY2(o.failures.first().contains(QStringLiteral("closed the connection")) ||
                     o.failures.first().contains(QStringLiteral("truncated")),
                 qPrintable(o.failures.first()));
        serve_archive();
    }

    void unreachableServerStopsTheBatch() {
        // A port nobody listens on: connection refused at once.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        studio::DownloadSources src = good_sources();
        src.release_base = QUrl(QStringLiteral("http://127.0.0.1:%1/release").arg(port));
        src.labels = QUrl(QStringLiteral("http://127.0.0.1:%1/labels.txt").arg(port));
        studio::DownloadOutcome o;
        expect_failure(src, QStringLiteral("could not reach 127.0.0.1: "), {kModel, QStringLiteral("mobilenet_v1_1.0_224")}, &o);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(o.failures.size(), 3);  // the labels, then two models not tried
        QVERIFY(o.failures.last().endsWith(QStringLiteral("not tried")));
    }

    void oneFailedModelDoesNotBlockTheOthers() {
        serve_archive();
        const QString target = new_target();
        studio::ModelDownloader d(target, good_sources());
        Recorder rec(&d);
        d.start({QStringLiteral("mobilenet_v1_0.5_160"), kModel});  // the first is not served: 404
        QVERIFY(rec.wait());
        QCOMPARE(rec.outcome.failures.size(), 1);
        QVERIFY(rec.outcome.failures.first().startsWith(QStringLiteral("mobilenet_v1_0.5_160.tgz: HTTP 404")));
        QCOMPARE(entries(target + QStringLiteral("/tflite")), QStringList{kTflite});
        QVERIFY(rec.outcome.summary().contains(QStringLiteral("Installed 1 model(s)")));
    }

    void unknownNameOrUnwritableTargetFailsAtOnce() {
        studio::ModelDownloader d(new_target(), good_sources());
        Recorder rec(&d);
        d.start({QStringLiteral("mobilenet_v1_2.0_224")});
        QVERIFY(rec.done);
        QVERIFY(rec.outcome.failures.first().contains(QStringLiteral("not a model of the official release")));

        const QString file = tmp_.path() + QStringLiteral("/a-file");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        studio::ModelDownloader blocked(file + QStringLiteral("/models"), good_sources());
        Recorder rec2(&blocked);
        blocked.start({kModel});
        QVERIFY(rec2.done);
        QVERIFY2(rec2.outcome.failures.first().contains(QStringLiteral("cannot create the folder")),
                 qPrintable(rec2.outcome.summary()));
    }

    void dialogDownloadsShowsProgressAndAsksForARescan() {
        Route slow;
        slow.chunk_bytes = 16 * 1024;
        // Slower when screenshots are taken, so that the picture shows a download in progress.
        slow.chunk_interval_ms = qEnvironmentVariableIsSet("MOBILENET_SHOTS_DIR") ? 60 : 10;
        serve_archive(slow);
        const QString target = new_target();
        studio::DownloadDialog dialog(target, good_sources());
        QVERIFY(!dialog.selected_models().isEmpty());  // sensible defaults
        QVERIFY(dialog.selected_models().contains(QStringLiteral("mobilenet_v1_1.0_224_quant")));
        dialog.select_models({kModel});
        QCOMPARE(dialog.selected_models(), QStringList{kModel});
        QSignalSpy installed(&dialog, &studio::DownloadDialog::modelsInstalled);
        dialog.show();
        dialog.start_download();
        QVERIFY(QTest::qWaitFor([&] { return dialog.progress_permille() > 300; }, 20000));
        QVERIFY(dialog.current_file_text().contains(kModel + QStringLiteral(".tgz")));
        mnv1::test::save_screen("download_dialog_in_progress");
        QVERIFY(QTest::qWaitFor([&] { return installed.size() == 1; }, 20000));  // may already have come
        QCOMPARE(installed.first().first().toString(), target);
        QCOMPARE(dialog.progress_permille(), 1000);
        QVERIFY(dialog.result_text().startsWith(QStringLiteral("Installed 1 model(s) and the ImageNet labels")));
        mnv1::test::save_screen("download_dialog_done");
        // Closing while idle is harmless; closing while downloading cancels.
        serve_archive(slow);
        dialog.select_models({QStringLiteral("mobilenet_v1_0.25_128")});
        server_->set_route(QStringLiteral("/release/mobilenet_v1_0.25_128.tgz"), Route{archive_, 200, -1, -1, 8192, 20});
        dialog.start_download();
        QVERIFY(dialog.downloader()->is_running());
        dialog.reject();
        QVERIFY(!dialog.downloader()->is_running());
        QVERIFY(dialog.result_text().contains(QStringLiteral("cancelled")));
        QCOMPARE(installed.size(), 1);
        serve_archive();
    }

    void theWindowWithoutModelsOffersThemAndUsesThemOnceInstalled() {
        if (!real_model_) QSKIP("fake payload: the app cannot use it");
        // A user with no models: an empty data folder, no $MOBILENET_MODELS, the release on 127.0.0.1.
        const QString data = tmp_.path() + QStringLiteral("/xdg-data");
        qputenv("XDG_DATA_HOME", data.toLocal8Bit());
        qunsetenv("MOBILENET_MODELS");
        qputenv("MOBILENET_RELEASE_URL", server_->base().toEncoded());
        qputenv("MOBILENET_LABELS_URL", server_->url(QStringLiteral("/labels.txt")).toEncoded());
        serve_archive();
        studio::StudioOptions opts;
        opts.settings_file = tmp_.path() + QStringLiteral("/window.ini");
        opts.threads = 1;
        opts.alpha = 0.25;
        opts.resolution = 128;
        studio::MainWindow w(opts);
        w.show();
        studio::InferenceController* c = w.controller();
        QVERIFY(QTest::qWaitFor([&] { return c->model_status() && c->model_status()->ok; }, 60000));
        QVERIFY(c->model_catalog() && c->model_catalog()->models.empty());
        studio::NoticeBar* banner = w.classify_page()->random_weights_banner();
        QVERIFY(w.classify_page()->random_weights_banner_shown());
        QCOMPARE(banner->action(), w.action_manager()->download_models());
        mnv1::test::save_screen("no_models_banner_offers_download");

        w.action_manager()->download_models()->trigger();
        auto* dialog = w.findChild<studio::DownloadDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->downloader()->target_dir(), studio::user_models_dir());
        QVERIFY(studio::user_models_dir().startsWith(data));
        dialog->select_models({kModel});
        dialog->start_download();
        // Installed, rescanned, and the new model runs: no banner, no button.
        QVERIFY(QTest::qWaitFor([&] { return c->model_catalog() && c->model_catalog()->models.size() == 1; }, 30000));
        QCOMPARE(banner->action(), nullptr);
        QVERIFY(QTest::qWaitFor([&] { return c->model_status() && c->model_status()->ok && c->model_status()->pretrained; },
                                60000));
        QVERIFY(!w.classify_page()->random_weights_banner_shown());
        dialog->close();
        qunsetenv("MOBILENET_RELEASE_URL");
        qunsetenv("MOBILENET_LABELS_URL");
    }

    void fileMenuAndNoticeOfferTheDownload() {
        QMainWindow window;
        auto* tabs = new QTabWidget(&window);
        window.setCentralWidget(tabs);
        auto* actions = new studio::ActionManager(&window);
        actions->fill_menus(window, *tabs);
        QMenu* file = window.menuBar()->actions().first()->menu();
        QVERIFY(file->actions().contains(actions->download_models()));
        QVERIFY(actions->model_menu()->actions().contains(actions->download_models()));
        QVERIFY(actions->download_models()->text().contains(QStringLiteral("Download the Official Models")));

        studio::NoticeBar bar;
        bar.set_action(actions->download_models());
        bar.show_notice(studio::NoticeBar::Kind::Warning, QStringLiteral("No pretrained weights"));
        auto* button = bar.findChild<QToolButton*>(QStringLiteral("noticeActionButton"));
        QVERIFY(button);
        QVERIFY(button->isVisible());
        QSignalSpy triggered(actions->download_models(), &QAction::triggered);
        button->click();
        QCOMPARE(triggered.size(), 1);
        bar.show_notice(studio::NoticeBar::Kind::Warning, QStringLiteral("Another text"));
        QCOMPARE(bar.action(), actions->download_models());  // kept across notices
        bar.set_action(nullptr);
        QVERIFY(!button->isVisible());
        QCOMPARE(bar.action(), nullptr);
    }
};

QTEST_MAIN(TestModelDownload)
#include "test_model_download.moc"
