// mnv1::write_file_atomically and check_output_path (mobilenet/file_output.hpp): an
// output file is the old one or the whole new one, whatever fails midway; write errors
// name the file and the reason.
#include <QTemporaryDir>
#include <QtTest>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "mobilenet/errors.hpp"
#include "mobilenet/file_output.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Names in `dir` other than `keep`: leftovers such as temporary files.
QStringList others(const fs::path& dir, const std::set<std::string>& keep) {
    QStringList out;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!keep.count(e.path().filename().string())) out << QString::fromStdString(e.path().filename().string());
    }
    return out;
}

// The message of the mnv1::Error `f` throws; fails the test when it throws nothing.
template <typename F>
QString error_of(F&& f) {
    try {
        f();
    } catch (const mnv1::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestFileOutput : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private slots:
    void new_file_is_written_whole_and_alone() {
        const fs::path p = dir() / "new.csv";
        mnv1::write_file_atomically(p.string(), "a,b\n1,2\n");
        QCOMPARE(read_text(p), std::string("a,b\n1,2\n"));
        QCOMPARE(others(dir(), {"new.csv"}), QStringList());
    }

    void replacing_keeps_the_permission_bits() {
        const fs::path p = dir() / "kept-mode.csv";
        mnv1::write_file_atomically(p.string(), "old\n");
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
        mnv1::write_file_atomically(p.string(), "new\n");
        QCOMPARE(read_text(p), std::string("new\n"));
        QCOMPARE(fs::status(p).permissions() & fs::perms::mask,
                 fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    }

    void a_symlink_stays_a_link_to_the_new_contents() {
        const fs::path target = dir() / "real.csv", link = dir() / "link.csv";
        mnv1::write_file_atomically(target.string(), "old\n");
        fs::create_symlink(target, link);
        mnv1::write_file_atomically(link.string(), "new\n");
        QVERIFY(fs::is_symlink(link));
        QCOMPARE(read_text(target), std::string("new\n"));
    }

    // A write that fails midway (here: the file size limit, EFBIG, the same path as a
    // full disk) leaves the old file as it was and no temporary file behind.
    void a_failed_write_leaves_the_old_file() {
        const fs::path sub = dir() / "fail";
        fs::create_directories(sub);
        const fs::path p = sub / "out.csv";
        mnv1::write_file_atomically(p.string(), "old contents\n");
        rlimit old_limit{};
        getrlimit(RLIMIT_FSIZE, &old_limit);
        const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old_limit;
        small.rlim_cur = 4096;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        const QString message = error_of([&] { mnv1::write_file_atomically(p.string(), std::string(100000, 'x')); });
        setrlimit(RLIMIT_FSIZE, &old_limit);
        std::signal(SIGXFSZ, old_handler);
        QVERIFY2(message.contains("out.csv") && message.contains("too large", Qt::CaseInsensitive),
                 qPrintable(message));
        QCOMPARE(read_text(p), std::string("old contents\n"));
        QCOMPARE(others(sub, {"out.csv"}), QStringList());
    }

    void devices_are_written_directly_and_checked() {
        mnv1::write_file_atomically("/dev/null", "anything\n");  // no temp beside /dev/null
        const QString full = error_of([] { mnv1::write_file_atomically("/dev/full", "anything\n"); });
        QVERIFY2(full.startsWith("/dev/full: ") && full.contains("No space left on device"), qPrintable(full));
    }

    void impossible_targets_name_the_path_and_the_reason() {
        const QString directory = error_of([&] { mnv1::write_file_atomically(dir().string(), "x"); });
        QVERIFY2(directory.contains("is a directory"), qPrintable(directory));
        const fs::path nowhere = dir() / "no-such-folder" / "out.csv";
        const QString missing = error_of([&] { mnv1::write_file_atomically(nowhere.string(), "x"); });
        QVERIFY2(missing.contains("out.csv") && missing.contains("No such file"), qPrintable(missing));
        QVERIFY(!fs::exists(nowhere.parent_path()));
    }

    void check_output_path_fails_early_and_never_blocks() {
        QVERIFY(error_of([&] { mnv1::check_output_path(dir().string()); }).contains("is a directory"));
        QVERIFY(error_of([&] { mnv1::check_output_path((dir() / "nope" / "x.csv").string()); }).contains("nope"));
        QVERIFY(error_of([&] { mnv1::check_output_path(""); }).contains("no output file name"));
        QVERIFY(error_of([&] { mnv1::check_output_path((dir() / "fine.csv").string()); }).isEmpty());
        QVERIFY(error_of([] { mnv1::check_output_path("/dev/null"); }).isEmpty());
        const fs::path fifo = dir() / "pipe.csv";
        QCOMPARE(mkfifo(fifo.c_str(), 0600), 0);
        QVERIFY(error_of([&] { mnv1::check_output_path(fifo.string()); }).isEmpty());  // returns: no open()
        QVERIFY(!fs::exists(dir() / "fine.csv"));  // checking creates nothing
    }
};

QTEST_GUILESS_MAIN(TestFileOutput)
#include "test_file_output.moc"
