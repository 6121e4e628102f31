// The core half of issue 11's bad-input table: every core entry point that reads a
// path a user gave (load_image, load_labels, load_model, read_ground_truth,
// scan_labeled_folder, evaluate) against every class of bad input, each row an
// (entry point, input, expected outcome, expected text) tuple. Bad inputs are made here
// at run time in a temporary folder: FIFOs, a symlink loop, truncated and corrupt
// images, decompression bombs (a real 30000x30000 PNG of ~100 KB, a JPEG whose frame
// header claims 30000x30000), CSVs and labels that are subtly wrong.
//
// Every row runs on its own thread under a deadline: a FIFO that blocks in open()
// ends the test with a failure instead of a hang.
#include <QtTest>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <typeinfo>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "image_header.hpp"
#include "mobilenet/errors.hpp"
#include "mobilenet/evaluate.hpp"
#include "mobilenet/image_io.hpp"
#include "mobilenet/labeled_folder.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/weights.hpp"

using namespace mnv1;
namespace fs = std::filesystem;

namespace {

// What a row's call ended in.
struct Outcome {
    std::string kind;   // "ok", "ImageError", "ModelError", "Error", or "other: <type>"
    std::string text;   // what(), or for evaluate the skipped list joined by " | "
    std::string path;   // Error::path()
};

void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string png_chunk(const std::string& type, const std::string& data) {
    const std::string td = type + data;
    const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(td.data()), static_cast<uInt>(td.size())));
    return be32(static_cast<std::uint32_t>(data.size())) + td + be32(crc);
}

// A valid 1-bit grayscale PNG of width x height, all black: all-zero rows compress to
// almost nothing, so a 30000x30000 image is ~100 KB (OpenCV would decode it to 2.7 GB).
std::string zero_png(std::uint32_t width, std::uint32_t height) {
    z_stream z{};
    deflateInit(&z, 9);
    const std::string row(1 + (width + 7) / 8, '\0');  // filter byte + packed pixels
    std::string idat;
    std::vector<unsigned char> buf(1 << 16);
    for (std::uint32_t y = 0; y < height; ++y) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(row.data()));
        z.avail_in = static_cast<uInt>(row.size());
        const bool last = y + 1 == height;
        for (;;) {
            z.next_out = buf.data();
            z.avail_out = static_cast<uInt>(buf.size());
            const int rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
            idat.append(reinterpret_cast<const char*>(buf.data()), buf.size() - z.avail_out);
            if (last ? rc == Z_STREAM_END : z.avail_out != 0) break;
        }
    }
    deflateEnd(&z);
    const std::string ihdr = be32(width) + be32(height) + std::string("\x01\x00\x00\x00\x00", 5);
    return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + png_chunk("IDAT", idat) +
           png_chunk("IEND", "");
}

std::string encoded(const std::string& ext, int side) {
    cv::Mat img(side, side, CV_8UC3);
    cv::randu(img, 0, 255);
    std::vector<unsigned char> bytes;
    cv::imencode(ext, img, bytes);
    return std::string(bytes.begin(), bytes.end());
}

// A real baseline JPEG whose frame header (SOF0) is patched to claim width x height.
std::string jpeg_claiming(std::uint16_t width, std::uint16_t height) {
    std::string j = encoded(".jpg", 32);
    for (std::size_t i = 2; i + 9 < j.size();) {
        const auto marker = static_cast<unsigned char>(j[i + 1]);
        const std::size_t length = (static_cast<unsigned char>(j[i + 2]) << 8) | static_cast<unsigned char>(j[i + 3]);
        if (marker == 0xC0) {
            j[i + 5] = static_cast<char>(height >> 8), j[i + 6] = static_cast<char>(height & 0xFF);
            j[i + 7] = static_cast<char>(width >> 8), j[i + 8] = static_cast<char>(width & 0xFF);
            return j;
        }
        i += 2 + length;
    }
    return {};
}

}  // namespace

class TestBadInputsCore : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path dir_, images_;
    std::map<std::string, std::string> inputs_;  // input class -> path
    std::shared_ptr<const ModelWeights> weights_;
    std::unique_ptr<Runtime> runtime_;

    // Runs `entry` on `path` on a thread of its own, failing the whole test on a hang.
    Outcome run(const std::string& entry, const std::string& path) {
        auto task = std::async(std::launch::async, [&]() -> Outcome {
            try {
                return call(entry, path);
            } catch (const ImageError& e) {
                return {"ImageError", e.what(), e.path()};
            } catch (const ModelError& e) {
                return {"ModelError", e.what(), e.path()};
            } catch (const Error& e) {
                return {"Error", e.what(), e.path()};
            } catch (const std::exception& e) {
                return {std::string("other: ") + typeid(e).name(), e.what(), {}};
            }
        });
        if (task.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
            qFatal("%s(%s) did not return within 20 s: blocked on a non-regular file?", entry.c_str(), path.c_str());
        }
        return task.get();
    }

    Outcome call(const std::string& entry, const std::string& path) {
        if (entry == "load_image") {
            load_image(path);
        } else if (entry == "load_labels") {
            load_labels(path, 1001);
        } else if (entry == "load_labels_1000") {
            load_labels(path, 1000);
        } else if (entry == "load_model") {
            load_model(path);
        } else if (entry == "read_ground_truth") {
            read_ground_truth(path, 1001);
        } else if (entry == "scan_labeled_folder") {
            scan_labeled_folder(images_.string(), 1001, {}, path);
        } else if (entry == "evaluate") {
            // The ground truth CSV `path` over the images folder, on a tiny random network.
            const LabeledFolder truth = scan_labeled_folder(images_.string(), 1001, {}, path);
            ExecutionContext ctx(runtime_->compile(weights_, {.resolution = 64, .batch = 1, .threads = 1}));
            const EvalResult r = evaluate(ctx, images_.string(), truth.images, CropMode::Whole);
            std::string skipped;
            for (const auto& s : r.skipped) skipped += (skipped.empty() ? "" : " | ") + s;
            return {"ok", "classified " + std::to_string(r.images) + "; skipped: " + skipped, {}};
        } else {
            qFatal("unknown entry point %s", entry.c_str());
        }
        return {"ok", {}, {}};
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        dir_ = fs::path(tmp_.path().toStdString());
        images_ = dir_ / "images";
        fs::create_directories(images_);
        const auto add = [&](const std::string& name, const fs::path& p) { inputs_[name] = p.string(); };

        // Files that are not regular files, or paths that are no files at all.
        QCOMPARE(mkfifo((dir_ / "fifo.jpg").c_str(), 0600), 0);
        add("fifo", dir_ / "fifo.jpg");
        add("/dev/zero", "/dev/zero");
        fs::create_directories(dir_ / "folder.jpg");
        add("directory", dir_ / "folder.jpg");
        fs::create_symlink("loop_b.jpg", dir_ / "loop_a.jpg");
        fs::create_symlink("loop_a.jpg", dir_ / "loop_b.jpg");
        add("symlink loop", dir_ / "loop_a.jpg");
        add("path too long", dir_ / std::string(300, 'x').append(".jpg"));
        add("missing", dir_ / "missing.jpg");
        write_bytes(dir_ / "unreadable.jpg", encoded(".jpg", 32));
        ::chmod((dir_ / "unreadable.jpg").c_str(), 0);
        add("unreadable", dir_ / "unreadable.jpg");
        write_bytes(dir_ / "empty.jpg", "");
        add("empty file", dir_ / "empty.jpg");

        // Damaged and oversized images.
        const std::string jpg = encoded(".jpg", 64), png = encoded(".png", 64);
        write_bytes(dir_ / "truncated.jpg", jpg.substr(0, jpg.size() / 2));
        add("truncated JPEG", dir_ / "truncated.jpg");
        write_bytes(dir_ / "truncated.png", png.substr(0, png.size() / 2));
        add("truncated PNG", dir_ / "truncated.png");
        std::string bad_crc = png;
        bad_crc[29] = static_cast<char>(bad_crc[29] ^ 0x55);  // IHDR's CRC
        write_bytes(dir_ / "bad_crc.png", bad_crc);
        add("corrupt PNG header", dir_ / "bad_crc.png");
        std::string bad_segment = jpg;
        bad_segment[4] = 0, bad_segment[5] = 1;  // first segment's length: 1
        write_bytes(dir_ / "bad_segment.jpg", bad_segment);
        add("corrupt JPEG header", dir_ / "bad_segment.jpg");
        // Sound chunks and CRCs around compressed data that is no zlib stream.
        write_bytes(dir_ / "bad_idat.png", std::string("\x89PNG\r\n\x1a\n", 8) +
                                                png_chunk("IHDR", be32(64) + be32(64) + std::string("\x08\0\0\0\0", 5)) +
                                                png_chunk("IDAT", std::string(64, 'g')) + png_chunk("IEND", ""));
        add("PNG, corrupt compressed data", dir_ / "bad_idat.png");
        write_bytes(dir_ / "short_idat.png", [&] {
            std::string p = zero_png(64, 64);
            const std::size_t idat = p.find("IDAT") - 4, n = (static_cast<unsigned char>(p[idat + 2]) << 8) |
                                                            static_cast<unsigned char>(p[idat + 3]);
            const std::string data = p.substr(idat + 8, n);
            return p.substr(0, idat) + png_chunk("IDAT", data.substr(0, data.size() / 2)) + png_chunk("IEND", "");
        }());
        add("PNG, compressed data cut short", dir_ / "short_idat.png");
        write_bytes(dir_ / "noise.png", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, 'z'));
        add("PNG signature, garbage", dir_ / "noise.png");
        write_bytes(dir_ / "bomb.png", zero_png(30000, 30000));
        add("PNG bomb", dir_ / "bomb.png");
        write_bytes(dir_ / "bomb.jpg", jpeg_claiming(30000, 30000));
        add("JPEG bomb", dir_ / "bomb.jpg");
        write_bytes(dir_ / "huge.png", zero_png(10240, 10240));  // 105 Mpixel, a sound file
        add("huge real dimensions", dir_ / "huge.png");

        // Labels.
        std::string labels_1002 = "background\n";
        for (int i = 0; i < 1001; ++i) labels_1002 += "class " + std::to_string(i) + "\n";
        write_bytes(dir_ / "labels_1002.txt", labels_1002 + "\n\n");
        add("labels: 1002 for 1001 classes", dir_ / "labels_1002.txt");
        std::string labels_999;
        for (int i = 0; i < 999; ++i) labels_999 += "class " + std::to_string(i) + "\n";
        write_bytes(dir_ / "labels_999.txt", labels_999);
        add("labels: 999 for 1000 classes", dir_ / "labels_999.txt");
        std::string labels_1001_no_bg;
        for (int i = 0; i < 1001; ++i) labels_1001_no_bg += "class " + std::to_string(i) + "\n";
        write_bytes(dir_ / "labels_1001_nobg.txt", labels_1001_no_bg);
        add("labels: 1001 without background", dir_ / "labels_1001_nobg.txt");
        std::string labels_1000;
        for (int i = 0; i < 1000; ++i) labels_1000 += "class " + std::to_string(i) + "\r\n";
        write_bytes(dir_ / "labels_1000.txt", "\xef\xbb\xbf" + labels_1000 + "\r\n\r\n");
        add("labels: 1000, BOM, CRLF, blank tail", dir_ / "labels_1000.txt");

        // Ground truth over images/: one good image, and rows pointing at bad ones.
        write_bytes(images_ / "good.png", png);
        fs::create_symlink("/dev/zero", images_ / "zero.png");
        QCOMPARE(mkfifo((images_ / "pipe.jpg").c_str(), 0600), 0);
        write_bytes(dir_ / "outside.png", png);
        const auto csv = [&](const std::string& name, const std::string& text) {
            write_bytes(dir_ / name, text);
            add(name, dir_ / name);
        };
        csv("header_only.csv", "file,index_1001\n\n");
        csv("bom.csv", "\xef\xbb\xbf" "file,index_1001\r\ngood.png,5\r\n");
        csv("disagree.csv", "file,index_1000,index_1001\ngood.png,4,5\ngood.png,5,7\n");
        csv("no_columns.csv", "name,label\ngood.png,5\n");
        csv("dotdot.csv", "file,index_1001\ngood.png,5\n../outside.png,5\n");
        csv("absolute.csv", "file,index_1001\ngood.png,5\n" + (dir_ / "outside.png").string() + ",5\n");
        csv("dev_zero_row.csv", "file,index_1001\ngood.png,5\nzero.png,5\n/dev/zero,5\n");
        csv("fifo_row.csv", "file,index_1001\ngood.png,5\npipe.jpg,5\n");
        csv("all_missing.csv", "file,index_1001\nnope1.png,5\nnope2.png,6\n");
        csv("bad_images_only.csv", "file,index_1001\nzero.png,5\npipe.jpg,5\n");

        ArchConfig arch;
        arch.alpha = 0.25;
        arch.resolution = 64;
        arch.num_classes = 1001;
        weights_ = random_weights(arch, 3);
        runtime_ = std::make_unique<Runtime>();
    }

    void table_data() {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("kind");    // expected outcome (exception type, or ok)
        QTest::addColumn<QString>("expect");  // substring of what() (or of the skipped list)
        const auto row = [](const char* entry, const char* input, const char* kind, const char* expect) {
            QTest::addRow("%s | %s", entry, input) << entry << input << kind << expect;
        };
        // Paths that are no regular file, for every reader.
        for (const char* entry : {"load_image", "load_labels", "load_model", "read_ground_truth"}) {
            const bool image = std::string(entry) == "load_image", model = std::string(entry) != "read_ground_truth";
            const char* kind = image ? "ImageError" : model ? "ModelError" : "Error";
            row(entry, "fifo", kind, "FIFO");
            row(entry, "/dev/zero", kind, "character device");
            row(entry, "directory", kind, "directory");
            row(entry, "symlink loop", kind, "too many levels of symbolic links");
            row(entry, "path too long", kind, "path too long");
            row(entry, "missing", kind, "no such file");
            row(entry, "unreadable", kind, "permission denied");
        }
        row("load_image", "empty file", "ImageError", "empty file");
        row("load_model", "empty file", "ModelError", "empty file");
        row("load_labels", "empty file", "ModelError", "no labels");
        // Images: damaged, and too large to decode (refused from the header).
        row("load_image", "truncated JPEG", "ImageError", "truncated JPEG");
        row("load_image", "truncated PNG", "ImageError", "truncated PNG");
        row("load_image", "corrupt PNG header", "ImageError", "CRC error in chunk IHDR");
        row("load_image", "corrupt JPEG header", "ImageError", "corrupt JPEG");
        row("load_image", "PNG signature, garbage", "ImageError", "PNG");
        row("load_image", "PNG, corrupt compressed data", "ImageError", "corrupt PNG (bad compressed image data");
        row("load_image", "PNG, compressed data cut short", "ImageError", "truncated PNG (its compressed image data ends early)");
        row("load_image", "PNG bomb", "ImageError", "image too large (PNG of 30000x30000 pixels");
        row("load_image", "JPEG bomb", "ImageError", "image too large (JPEG of 30000x30000 pixels");
        row("load_image", "huge real dimensions", "ImageError", "image too large (PNG of 10240x10240 pixels");
        // Labels: a count that fits neither convention names both counts.
        row("load_labels", "labels: 1002 for 1001 classes", "ModelError", "has 1002 labels but the model has 1001 classes");
        // The mirror case: a background line is prepended only to the 1000-line ImageNet file.
        row("load_labels_1000", "labels: 999 for 1000 classes", "ModelError", "has 999 labels but the model has 1000 classes");
        row("load_labels", "labels: 1001 without background", "ok", "");
        row("load_labels", "labels: 1000, BOM, CRLF, blank tail", "ok", "");
        // Ground truth.
        row("read_ground_truth", "header_only.csv", "Error", "lists no images");
        row("scan_labeled_folder", "header_only.csv", "Error", "nothing evaluated");
        row("read_ground_truth", "bom.csv", "ok", "");
        row("read_ground_truth", "disagree.csv", "Error", "line 3: index_1001 (7) disagrees with index_1000 (5)");
        row("scan_labeled_folder", "disagree.csv", "Error", "line 3: index_1001 (7) disagrees");
        row("read_ground_truth", "no_columns.csv", "Error", "needs columns 'file' and");
        row("scan_labeled_folder", "fifo", "Error", "FIFO");
        row("scan_labeled_folder", "/dev/zero", "Error", "character device");
        // Evaluation: bad listed files are skipped, counted and named; nothing at all is an error.
        row("evaluate", "bom.csv", "ok", "classified 1; skipped: ");
        row("evaluate", "dotdot.csv", "ok", "../outside.png: leaves the images folder");
        row("evaluate", "absolute.csv", "ok", "absolute path in the ground truth");
        row("evaluate", "dev_zero_row.csv", "ok", "zero.png: is a character device");
        row("evaluate", "fifo_row.csv", "ok", "pipe.jpg: is a FIFO");
        row("evaluate", "all_missing.csv", "Error", "nothing evaluated: all 2 listed images were skipped");
        row("evaluate", "bad_images_only.csv", "Error", "nothing evaluated");
        row("evaluate", "header_only.csv", "Error", "nothing evaluated");
    }

    void table() {
        QFETCH(QString, entry);
        QFETCH(QString, input);
        QFETCH(QString, kind);
        QFETCH(QString, expect);
        if (input == "unreadable" && ::geteuid() == 0) QSKIP("running as root: chmod 000 does not stop root reading");
        const auto it = inputs_.find(input.toStdString());
        QVERIFY2(it != inputs_.end(), qPrintable("no input " + input));
        const Outcome o = run(entry.toStdString(), it->second);
        const QByteArray msg = (entry + "(" + input + ") -> " + QString::fromStdString(o.kind) + ": " +
                                QString::fromStdString(o.text)).toUtf8();
        QVERIFY2(o.kind == kind.toStdString(), msg.constData());
        QVERIFY2(o.text.find(expect.toStdString()) != std::string::npos, msg.constData());
        if (kind != "ok") {
            // One line, naming the file (or the folder, for evaluate's summary).
            QVERIFY2(o.text.find('\n') == std::string::npos, msg.constData());
            QVERIFY2(o.text.find(entry == "evaluate" && expect.startsWith("nothing") ? images_.string() : it->second) !=
                         std::string::npos,
                     msg.constData());
        }
    }

    // The labels that load are the right ones: no silent shift of the class names.
    void labels_keep_their_numbering() {
        const auto a = load_labels(inputs_.at("labels: 1001 without background"), 1001);
        QCOMPARE(a[401], std::string("class 401"));
        const auto b = load_labels(inputs_.at("labels: 1000, BOM, CRLF, blank tail"), 1001);
        QCOMPARE(b.size(), std::size_t{1001});
        QCOMPARE(b[0], std::string("background"));
        QCOMPARE(b[1], std::string("class 0"));
        QCOMPARE(read_ground_truth(inputs_.at("bom.csv"), 1000).front().index, 4);
    }

    // The header reader knows every format OpenCV writes here (so no sound image is
    // refused as unknown) and reads the true dimensions; decoding agrees with it.
    void header_dimensions_of_every_format_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<int>("param");  // an imwrite flag, or -1
        QTest::addColumn<int>("value");
        for (const char* ext : {".png", ".jpg", ".bmp", ".tiff", ".ppm", ".pgm", ".pbm", ".pam", ".pfm", ".sr", ".hdr",
                                ".jp2", ".webp"})
            QTest::addRow("%s", ext) << ext << -1 << 0;
        QTest::addRow("webp lossless") << ".webp" << int(cv::IMWRITE_WEBP_QUALITY) << 101;
        QTest::addRow("progressive jpg") << ".jpg" << int(cv::IMWRITE_JPEG_PROGRESSIVE) << 1;
        QTest::addRow("png, RLE strategy, 16-bit") << ".png16" << int(cv::IMWRITE_PNG_STRATEGY) << int(cv::IMWRITE_PNG_STRATEGY_RLE);
    }

    void header_dimensions_of_every_format() {
        QFETCH(QString, ext);
        QFETCH(int, param);
        QFETCH(int, value);
        // Odd sizes, large enough for OpenJPEG's default five resolution levels.
        const int width = ext == ".jp2" ? 97 : 37, height = ext == ".jp2" ? 61 : 23;
        cv::Mat img(height, width, CV_8UC3);
        cv::randu(img, 0, 255);
        if (ext == ".pfm" || ext == ".hdr") img.convertTo(img, CV_32FC3, 1.0 / 255);
        if (ext == ".pgm" || ext == ".pbm") cv::extractChannel(img, img, 0);
        if (ext == ".png16") {  // 16-bit samples
            img.convertTo(img, CV_16UC3, 257);
            ext = ".png";
        }
        std::vector<int> params;
        if (param >= 0) params = {param, value};
        std::vector<unsigned char> bytes;
        try {
            if (!cv::imencode(ext.toStdString(), img, bytes, params)) QSKIP("this OpenCV cannot write the format");
        } catch (const cv::Exception&) {
            QSKIP("this OpenCV cannot write the format");
        }
        const auto h = detail::read_image_header(bytes.data(), bytes.size(), true);
        QVERIFY2(h.status == detail::ImageHeader::Status::Ok, h.problem.c_str());
        QCOMPARE(h.width, static_cast<std::uint64_t>(width));
        QCOMPARE(h.height, static_cast<std::uint64_t>(height));
        const cv::Mat decoded = decode_image(bytes, "in-memory" + ext.toStdString());
        QCOMPARE(decoded.cols, width);
        QCOMPARE(decoded.rows, height);
        // The same header claiming more than the limit is refused before decoding
        // (checked for the formats whose header this test can patch in place).
        if (ext == ".bmp") {
            std::vector<unsigned char> bomb = bytes;
            for (int i = 0; i < 2; ++i) {
                const std::uint32_t v = 30000;
                for (int k = 0; k < 4; ++k) bomb[static_cast<std::size_t>(18 + 4 * i + k)] = static_cast<unsigned char>(v >> (8 * k));
            }
            QVERIFY_THROWS_EXCEPTION(ImageError, decode_image(bomb, "bomb.bmp"));
        }
    }

    // Refusing the bombs allocates nothing big: peak RSS stays far below the 2.7 GB a
    // decode would take (ru_maxrss of this process, in KiB, is a high-water mark).
    void bombs_refused_before_decoding() {
        for (const char* input : {"PNG bomb", "JPEG bomb", "huge real dimensions"}) {
            QVERIFY_THROWS_EXCEPTION(ImageError, load_image(inputs_.at(input)));
        }
        rusage ru{};
        QCOMPARE(getrusage(RUSAGE_SELF, &ru), 0);
        QVERIFY2(ru.ru_maxrss < 300 * 1024, qPrintable(QString("peak RSS %1 KiB").arg(ru.ru_maxrss)));
    }
};

QTEST_GUILESS_MAIN(TestBadInputsCore)
#include "test_bad_inputs_core.moc"
