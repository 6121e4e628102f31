// Decoding, cropping and preprocessing of input images, and top-k.
#include <QtTest>

#include "mobilenet/classify.hpp"
#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace mnv1;

namespace {

std::vector<unsigned char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// TensorFlow's tf.image.central_crop along one side: start = int((n - n*f) / 2) in
// double, size = n - 2*start (the crop is always centred).
std::pair<int, int> tf_central(int n, double fraction = 0.875) {
    const double nd = static_cast<double>(n);
    const int start = static_cast<int>((nd - nd * fraction) / 2);
    return {start, n - 2 * start};
}

// A JPEG with an APP1 Exif segment holding only Orientation (0x0112) = `orientation`,
// inserted right after SOI. OpenCV cannot write EXIF itself.
std::vector<unsigned char> jpeg_with_orientation(const cv::Mat& bgr, int orientation) {
    std::vector<unsigned char> jpg;
    cv::imencode(".jpg", bgr, jpg, {cv::IMWRITE_JPEG_QUALITY, 95});
    const std::vector<unsigned char> tiff = {
        'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,                    // big-endian TIFF, IFD0 at 8
        0x00, 0x01,                                                      // one entry
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,                  // Orientation, SHORT, count 1
        0x00, static_cast<unsigned char>(orientation), 0x00, 0x00,        // value (left-justified)
        0x00, 0x00, 0x00, 0x00,                                          // no next IFD
    };
    std::vector<unsigned char> payload = {'E', 'x', 'i', 'f', 0x00, 0x00};
    payload.insert(payload.end(), tiff.begin(), tiff.end());
    const std::size_t len = payload.size() + 2;  // the length field counts itself
    std::vector<unsigned char> app1 = {0xFF, 0xE1, static_cast<unsigned char>(len >> 8),
                                       static_cast<unsigned char>(len & 0xFF)};
    app1.insert(app1.end(), payload.begin(), payload.end());

    std::vector<unsigned char> out = jpg;
    out.insert(out.begin() + 2, app1.begin(), app1.end());  // after SOI (FF D8)
    return out;
}

bool near(const cv::Vec3b& a, const cv::Vec3b& b, int tol) {
    for (int i = 0; i < 3; ++i)
        if (std::abs(int(a[i]) - int(b[i])) > tol) return false;
    return true;
}

}  // namespace

class TestPreprocess : public QObject {
    Q_OBJECT

private slots:
    void cropRectWhole();
    void cropRectCentralMatchesTensorFlow();
    void preprocessValueRangeAndRgbOrder();
    void preprocessExactWithoutResize();
    void preprocessRejectsNonBgr8();
    void topKOrderingAndTies();
    void loadImageErrors();
    void decodeImageErrors();
    void loadRealPhoto();
    void grayscaleDecodesToBgr8();
    void sixteenBitPngDecodesToBgr8();
    void bgraPngDecodesToBgr8();
    void exifOrientationIsApplied();
    void toBgr8Conversions();
};

void TestPreprocess::cropRectWhole() {
    for (auto [w, h] : {std::pair{224, 224}, {640, 480}, {1, 1}, {97, 1000}}) {
        const CropRect r = crop_rect(w, h, CropMode::Whole);
        QCOMPARE(r.x, 0);
        QCOMPARE(r.y, 0);
        QCOMPARE(r.width, w);
        QCOMPARE(r.height, h);
    }
    QCOMPARE(QString(to_string(CropMode::Whole)), QStringLiteral("whole"));
    QCOMPARE(QString(to_string(CropMode::Central)), QStringLiteral("central"));
}

void TestPreprocess::cropRectCentralMatchesTensorFlow() {
    // Hand-checked values of tf.image.central_crop(image, 0.875).
    CropRect r = crop_rect(224, 224, CropMode::Central);
    QCOMPARE(r.x, 14);
    QCOMPARE(r.width, 196);
    r = crop_rect(640, 480, CropMode::Central);
    QCOMPARE(r.x, 40);
    QCOMPARE(r.width, 560);
    QCOMPARE(r.y, 30);
    QCOMPARE(r.height, 420);

    // Every side length from 1 to 1200: TF keeps the crop centred, size = n - 2 * start
    // (n = 100: start 6, size 88, not int(87.5) = 87).
    QStringList mismatches;
    int mismatch_count = 0;
    for (int n : {100, 225, 333, 1001}) {  // typical failures first in the message
        const auto [start, size] = tf_central(n);
        const CropRect c = crop_rect(n, n, CropMode::Central);
        if (c.x != start || c.width != size)
            mismatches << QString("n=%1: got x=%2 w=%3, TF start=%4 size=%5").arg(n).arg(c.x).arg(c.width).arg(start).arg(size);
    }
    for (int n = 1; n <= 1200; ++n) {
        const auto [start, size] = tf_central(n);
        const CropRect c = crop_rect(n, 7 + n % 5, CropMode::Central);
        const CropRect v = crop_rect(13, n, CropMode::Central);
        if (c.x != start || c.width != size || v.y != start || v.height != size) {
            ++mismatch_count;
            if (mismatches.size() < 8)
                mismatches << QString("n=%1: got x=%2 w=%3 (y=%4 h=%5), TF start=%6 size=%7")
                                  .arg(n).arg(c.x).arg(c.width).arg(v.y).arg(v.height).arg(start).arg(size);
            else if (mismatches.size() == 8)
                mismatches << "...";
        }
        QVERIFY(c.x >= 0 && c.width >= 1 && c.x + c.width <= n);
    }
    QVERIFY2(mismatch_count == 0,
             qPrintable(QString("crop_rect(Central) differs from tf.image.central_crop(0.875) for %1 of 1200 "
                                "side lengths:\n")
                            .arg(mismatch_count) +
                        mismatches.join("\n")));
}

void TestPreprocess::preprocessValueRangeAndRgbOrder() {
    // Pure red in BGR: the network's first (R) channel is (255 - 127.5) / 127.5 = 1.
    const cv::Mat red(30, 50, CV_8UC3, cv::Scalar(0, 0, 255));
    for (CropMode mode : {CropMode::Whole, CropMode::Central}) {
        for (int res : {16, 224}) {
            std::vector<float> dst(static_cast<std::size_t>(res) * res * 3, -99.0f);
            preprocess(red, mode, res, 127.5f, 127.5f, dst.data());
            for (std::size_t i = 0; i < dst.size(); i += 3) {
                QCOMPARE(dst[i], (255.0f - 127.5f) / 127.5f);
                QCOMPARE(dst[i + 1], -1.0f);
                QCOMPARE(dst[i + 2], -1.0f);
            }
        }
    }
    // uint8-style scaling: mean 128, std 128.
    const cv::Mat blue(20, 20, CV_8UC3, cv::Scalar(255, 64, 0));
    std::vector<float> dst(8 * 8 * 3);
    preprocess(blue, CropMode::Whole, 8, 128.0f, 128.0f, dst.data());
    for (std::size_t i = 0; i < dst.size(); i += 3) {
        QCOMPARE(dst[i], -1.0f);                    // R = 0
        QCOMPARE(dst[i + 1], (64.0f - 128.0f) / 128.0f);  // G
        QCOMPARE(dst[i + 2], (255.0f - 128.0f) / 128.0f); // B
    }
    // A random photo-like image stays in [-1, 1].
    cv::Mat noise(123, 77, CV_8UC3);
    cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(256));
    std::vector<float> big(96 * 96 * 3);
    preprocess(noise, CropMode::Central, 96, 127.5f, 127.5f, big.data());
    for (float v : big) QVERIFY(v >= -1.0f && v <= 1.0f);
}

void TestPreprocess::preprocessExactWithoutResize() {
    cv::Mat img(12, 12, CV_8UC3);
    cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(256));
    std::vector<float> dst(12 * 12 * 3);
    preprocess(img, CropMode::Whole, 12, 127.5f, 127.5f, dst.data());
    for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 12; ++x) {
            const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
            const float* d = &dst[(static_cast<std::size_t>(y) * 12 + x) * 3];
            for (int c = 0; c < 3; ++c) QCOMPARE(d[c], (float(p[2 - c]) - 127.5f) / 127.5f);  // RGB order, HWC
        }
    // Central crop of a 16x16 image is 14x14 at (1, 1); bilinear-resizing that crop of a
    // left/right split image keeps the split in the middle.
    cv::Mat split(16, 16, CV_8UC3, cv::Scalar(0, 0, 0));
    split(cv::Rect(8, 0, 8, 16)).setTo(cv::Scalar(255, 255, 255));
    std::vector<float> s(14 * 14 * 3);
    preprocess(split, CropMode::Central, 14, 127.5f, 127.5f, s.data());
    QCOMPARE(s[(5 * 14 + 6) * 3], -1.0f);
    QCOMPARE(s[(5 * 14 + 7) * 3], 1.0f);
}

void TestPreprocess::preprocessRejectsNonBgr8() {
    std::vector<float> dst(8 * 8 * 3);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             preprocess(cv::Mat(), CropMode::Whole, 8, 127.5f, 127.5f, dst.data()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             preprocess(cv::Mat(8, 8, CV_8UC1, cv::Scalar(3)), CropMode::Whole, 8, 127.5f, 127.5f,
                                        dst.data()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             preprocess(cv::Mat(8, 8, CV_16UC3), CropMode::Whole, 8, 127.5f, 127.5f, dst.data()));
}

void TestPreprocess::topKOrderingAndTies() {
    const std::vector<float> p = {0.1f, 0.3f, 0.05f, 0.3f, 0.2f, 0.05f};
    const std::vector<std::string> labels = {"a", "b", "c", "d", "e", "f"};
    std::vector<Prediction> t = top_k(p.data(), 6, 4, labels);
    QCOMPARE(t.size(), std::size_t{4});
    // Ties (1 and 3 at 0.3) go to the lower index first.
    QCOMPARE(t[0].index, 1);
    QCOMPARE(t[1].index, 3);
    QCOMPARE(t[2].index, 4);
    QCOMPARE(t[3].index, 0);
    QCOMPARE(t[0].label, std::string("b"));
    QCOMPARE(t[1].label, std::string("d"));
    QCOMPARE(t[0].probability, 0.3f);
    QCOMPARE(t[2].probability, 0.2f);
    for (std::size_t i = 1; i < t.size(); ++i) QVERIFY(t[i - 1].probability >= t[i].probability);

    // All k: the tie at 0.05 also resolves by index; k is clamped to the class count.
    t = top_k(p.data(), 6, 100, labels);
    QCOMPARE(t.size(), std::size_t{6});
    QCOMPARE(t[4].index, 2);
    QCOMPARE(t[5].index, 5);
    QVERIFY(top_k(p.data(), 6, 0, labels).empty());
    QVERIFY(top_k(p.data(), 6, -3, labels).empty());

    // Labels missing or shorter than the class count give "".
    t = top_k(p.data(), 6, 2, {});
    QCOMPARE(t[0].label, std::string());
    t = top_k(p.data(), 6, 3, {"a", "b"});
    QCOMPARE(t[0].label, std::string("b"));
    QCOMPARE(t[1].label, std::string());

    // All equal: identity order.
    const std::vector<float> flat(1001, 1.0f / 1001);
    t = top_k(flat.data(), 1001, 5, {});
    for (int i = 0; i < 5; ++i) QCOMPARE(t[static_cast<std::size_t>(i)].index, i);

    // class_rank agrees with top_k's order for every class, ties included.
    const std::vector<Prediction> all = top_k(p.data(), 6, 6, labels);
    for (std::size_t r = 0; r < all.size(); ++r) QCOMPARE(class_rank(p.data(), 6, all[r].index), static_cast<int>(r) + 1);
    QCOMPARE(class_rank(flat.data(), 1001, 1000), 1001);
    QCOMPARE(class_rank(p.data(), 6, 6), 0);
    QCOMPARE(class_rank(p.data(), 6, -1), 0);
}

namespace {

// Runs `fn`, expecting an ImageError whose message names `name`.
template <typename Fn>
bool throws_image_error_naming(Fn fn, const std::string& name, QString* why) {
    try {
        fn();
    } catch (const ImageError& e) {
        if (std::string(e.what()).find(name) == std::string::npos) {
            *why = QString("ImageError does not name the file: %1").arg(e.what());
            return false;
        }
        return true;
    } catch (const std::exception& e) {
        *why = QString("not an ImageError: %1").arg(e.what());
        return false;
    }
    *why = "no exception (the image decoded)";
    return false;
}

}  // namespace

#define EXPECT_IMAGE_ERROR(expr, name)                                                        \
    do {                                                                                      \
        QString why_;                                                                         \
        QVERIFY2(throws_image_error_naming([&] { (void)(expr); }, (name), &why_),              \
                 qPrintable(QString("%1: %2").arg(QString::fromStdString(name), why_)));      \
    } while (0)

void TestPreprocess::loadImageErrors() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string dir = tmp.path().toStdString();

    const std::string missing = dir + "/no_such_image.jpg";
    EXPECT_IMAGE_ERROR(load_image(missing), missing);

    const std::string subdir = dir + "/a_directory.png";
    QVERIFY(QDir().mkdir(QString::fromStdString(subdir)));
    EXPECT_IMAGE_ERROR(load_image(subdir), subdir);

    const std::string empty = dir + "/empty.jpg";
    write_bytes(empty, {});
    EXPECT_IMAGE_ERROR(load_image(empty), empty);

    const std::string noise = dir + "/noise.jpg";
    std::mt19937 rng(42);
    std::vector<unsigned char> junk(4096);
    for (unsigned char& b : junk) b = static_cast<unsigned char>(rng());
    write_bytes(noise, junk);
    EXPECT_IMAGE_ERROR(load_image(noise), noise);

    const std::string text = dir + "/text.png";
    const std::string words = "this is not a PNG\n";
    write_bytes(text, {words.begin(), words.end()});
    EXPECT_IMAGE_ERROR(load_image(text), text);

    // A real photo cut short: in the header, and half way through the entropy-coded data.
    const std::string photo = mnv1::test::shared_path("images/photos/grace_hopper.jpg");
    MOBILENET_REQUIRE_FILE(photo);
    const std::vector<unsigned char> full = read_bytes(photo);
    QVERIFY(full.size() > 10000);
    const std::string head = dir + "/grace_hopper_header_only.jpg";
    write_bytes(head, {full.begin(), full.begin() + 200});
    EXPECT_IMAGE_ERROR(load_image(head), head);
    const std::string half = dir + "/grace_hopper_truncated.jpg";
    write_bytes(half, {full.begin(), full.begin() + static_cast<long>(full.size() / 2)});
    EXPECT_IMAGE_ERROR(load_image(half), half);
}

void TestPreprocess::decodeImageErrors() {
    EXPECT_IMAGE_ERROR(decode_image({}, "in-memory.jpg"), std::string("in-memory.jpg"));
    EXPECT_IMAGE_ERROR(decode_image({0xFF, 0xD8, 0xFF}, "three-bytes.jpg"), std::string("three-bytes.jpg"));
    std::vector<unsigned char> png;
    cv::imencode(".png", cv::Mat(40, 40, CV_8UC3, cv::Scalar(1, 2, 3)), png);
    png.resize(png.size() / 2);
    EXPECT_IMAGE_ERROR(decode_image(png, "half.png"), std::string("half.png"));
}

void TestPreprocess::loadRealPhoto() {
    const std::string photo = mnv1::test::shared_path("images/photos/grace_hopper.jpg");
    MOBILENET_REQUIRE_FILE(photo);
    const cv::Mat img = load_image(photo);
    QCOMPARE(img.type(), CV_8UC3);
    QCOMPARE(img.cols, 517);
    QCOMPARE(img.rows, 606);
    const std::string png = mnv1::test::shared_path("images/photos/sparrow.png");
    MOBILENET_REQUIRE_FILE(png);
    QCOMPARE(load_image(png).type(), CV_8UC3);
}

void TestPreprocess::grayscaleDecodesToBgr8() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/gray.png";
    cv::Mat gray(24, 40, CV_8UC1);
    for (int y = 0; y < gray.rows; ++y)
        for (int x = 0; x < gray.cols; ++x) gray.at<unsigned char>(y, x) = static_cast<unsigned char>(x * 6 + y);
    QVERIFY(cv::imwrite(path, gray));
    const cv::Mat img = load_image(path);
    QCOMPARE(img.type(), CV_8UC3);
    QCOMPARE(img.cols, 40);
    QCOMPARE(img.rows, 24);
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) {
            const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
            const unsigned char g = gray.at<unsigned char>(y, x);
            QVERIFY(p[0] == g && p[1] == g && p[2] == g);
        }
    // Grayscale JPEG too.
    const std::string jpg = tmp.path().toStdString() + "/gray.jpg";
    QVERIFY(cv::imwrite(jpg, gray));
    QCOMPARE(load_image(jpg).type(), CV_8UC3);
}

void TestPreprocess::sixteenBitPngDecodesToBgr8() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/deep.png";
    cv::Mat deep(10, 20, CV_16UC3);
    for (int y = 0; y < deep.rows; ++y)
        for (int x = 0; x < deep.cols; ++x)
            deep.at<cv::Vec3w>(y, x) = cv::Vec3w(static_cast<ushort>(257 * (x * 10)), static_cast<ushort>(257 * (y * 20)),
                                                 static_cast<ushort>(257 * 200));
    QVERIFY(cv::imwrite(path, deep));
    QCOMPARE(cv::imread(path, cv::IMREAD_UNCHANGED).depth(), CV_16U);  // really a 16-bit file
    const cv::Mat img = load_image(path);
    QCOMPARE(img.type(), CV_8UC3);
    QCOMPARE(img.size(), deep.size());
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) {
            const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
            QVERIFY(near(p, cv::Vec3b(static_cast<uchar>(x * 10), static_cast<uchar>(y * 20), 200), 1));
        }
    // 16-bit grayscale.
    const std::string g16 = tmp.path().toStdString() + "/gray16.png";
    QVERIFY(cv::imwrite(g16, cv::Mat(8, 8, CV_16UC1, cv::Scalar(257 * 77))));
    const cv::Mat g = load_image(g16);
    QCOMPARE(g.type(), CV_8UC3);
    QVERIFY(near(g.at<cv::Vec3b>(3, 3), cv::Vec3b(77, 77, 77), 1));
}

void TestPreprocess::bgraPngDecodesToBgr8() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/alpha.png";
    cv::Mat bgra(16, 24, CV_8UC4, cv::Scalar(10, 100, 200, 255));
    bgra(cv::Rect(0, 0, 12, 16)).setTo(cv::Scalar(50, 60, 70, 0));  // fully transparent half
    QVERIFY(cv::imwrite(path, bgra));
    QCOMPARE(cv::imread(path, cv::IMREAD_UNCHANGED).channels(), 4);
    const cv::Mat img = load_image(path);
    QCOMPARE(img.type(), CV_8UC3);
    QCOMPARE(img.size(), bgra.size());
    QCOMPARE(img.at<cv::Vec3b>(5, 20), cv::Vec3b(10, 100, 200));
    QCOMPARE(img.at<cv::Vec3b>(5, 2), cv::Vec3b(50, 60, 70));  // alpha dropped, colour kept
}

void TestPreprocess::exifOrientationIsApplied() {
    // 64 wide x 32 high, blue, with a red 16x16 block in the top-left corner.
    cv::Mat img(32, 64, CV_8UC3, cv::Scalar(255, 0, 0));
    img(cv::Rect(0, 0, 16, 16)).setTo(cv::Scalar(0, 0, 255));
    const std::vector<unsigned char> bytes = jpeg_with_orientation(img, 6);

    // Without the tag it decodes as written.
    std::vector<unsigned char> plain;
    cv::imencode(".jpg", img, plain);
    const cv::Mat upright = decode_image(plain, "plain.jpg");
    QCOMPARE(upright.cols, 64);
    QCOMPARE(upright.rows, 32);

    // Orientation 6 = rotate 90 degrees clockwise to display: 32 wide x 64 high, and the
    // top-left block moves to the top-right.
    const cv::Mat rotated = decode_image(bytes, "rotated.jpg");
    QCOMPARE(rotated.type(), CV_8UC3);
    QCOMPARE(rotated.cols, 32);
    QCOMPARE(rotated.rows, 64);
    const cv::Vec3b red(0, 0, 255), blue(255, 0, 0);
    QVERIFY(near(rotated.at<cv::Vec3b>(4, 27), red, 40));
    QVERIFY(near(rotated.at<cv::Vec3b>(4, 4), blue, 40));
    QVERIFY(near(rotated.at<cv::Vec3b>(60, 27), blue, 40));

    // Same through a file.
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/rotated.jpg";
    write_bytes(path, bytes);
    const cv::Mat from_file = load_image(path);
    QCOMPARE(from_file.cols, 32);
    QCOMPARE(from_file.rows, 64);
    QVERIFY(near(from_file.at<cv::Vec3b>(4, 27), red, 40));

    // Orientation 1 (normal) leaves it alone.
    const cv::Mat normal = decode_image(jpeg_with_orientation(img, 1), "normal.jpg");
    QCOMPARE(normal.cols, 64);
    QCOMPARE(normal.rows, 32);
}

void TestPreprocess::toBgr8Conversions() {
    QCOMPARE(to_bgr8(cv::Mat(4, 4, CV_8UC1, cv::Scalar(9))).type(), CV_8UC3);
    QCOMPARE(to_bgr8(cv::Mat(4, 4, CV_8UC4, cv::Scalar(1, 2, 3, 4))).at<cv::Vec3b>(0, 0), cv::Vec3b(1, 2, 3));
    QCOMPARE(to_bgr8(cv::Mat(4, 4, CV_16UC3, cv::Scalar(65535, 0, 257 * 9))).at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 9));
    const cv::Mat same(4, 4, CV_8UC3, cv::Scalar(7, 8, 9));
    QCOMPARE(to_bgr8(same).at<cv::Vec3b>(1, 1), cv::Vec3b(7, 8, 9));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, to_bgr8(cv::Mat(4, 4, CV_8UC2)));
}

QTEST_APPLESS_MAIN(TestPreprocess)
#include "test_preprocess.moc"
