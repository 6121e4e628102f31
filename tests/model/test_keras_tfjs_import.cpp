// Keras HDF5 and TF.js layers-model importers against the real released models:
// detected architecture, tensor sizes, batch-norm folding checked against values read
// independently of the importer, clean errors on damaged files, and a naive
// (plain-loop, engine-free) forward pass that must classify real photos correctly.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#if __has_include(<hdf5.h>)
#include <hdf5.h>
#define MNV1_TEST_HAVE_HDF5 1
#elif __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#define MNV1_TEST_HAVE_HDF5 1
#endif

#include "formats/formats.hpp"
#include "formats/keras_common.hpp"
#include "mobilenet/model_io.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using mnv1::test::shared_path;

namespace {

const char* kKerasRel = "models/keras/mobilenet_v1_0.25_224.h5";
const char* kTfjsRel = "models/tfjs/mobilenet_v1_0.75_224";

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::error_code ec;
    fs::remove(path, ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Copies a directory's files, making the copies writable.
void copy_dir(const std::string& from, const std::string& to) {
    fs::create_directories(to);
    for (const auto& e : fs::directory_iterator(from)) {
        const fs::path dst = fs::path(to) / e.path().filename();
        fs::copy_file(e.path(), dst, fs::copy_options::overwrite_existing);
        fs::permissions(dst, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
    }
}

// Runs `load` and returns the ModelError message; fails the test on success or on any
// other exception type.
template <class F>
std::string model_error_of(F&& load) {
    try {
        load();
    } catch (const mnv1::ModelError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("WRONG EXCEPTION TYPE: ") + e.what();
    }
    return "NO EXCEPTION";
}

std::vector<int> expected_channels(double alpha) {
    std::vector<int> c{32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    for (int& v : c) v = std::max(static_cast<int>(v * alpha + 1e-9), 8);
    return c;
}

// ---- naive reference forward pass (NCHW, batch 1), independent of the engine ------------

struct Map {
    int c = 0, h = 0, w = 0;
    std::vector<float> d;
    float& at(int ch, int y, int x) { return d[(static_cast<std::size_t>(ch) * h + y) * w + x]; }
    float at(int ch, int y, int x) const { return d[(static_cast<std::size_t>(ch) * h + y) * w + x]; }
};

// (out, pad_before) of one spatial dim for a k x k conv.
std::pair<int, int> pad_of(int in, int k, int s, mnv1::Padding p) {
    if (p == mnv1::Padding::TfSame) {
        const int out = (in + s - 1) / s;
        const int total = std::max((out - 1) * s + k - in, 0);
        return {out, total / 2};
    }
    return {(in + 2 * (k / 2) - k) / s + 1, k / 2};
}

float activate(float v, mnv1::Activation a) {
    v = std::max(v, 0.0f);
    return a == mnv1::Activation::Relu6 ? std::min(v, 6.0f) : v;
}

Map conv3x3(const Map& x, const mnv1::LayerWeights& lw, int stride, bool depthwise, const mnv1::ModelWeights& m) {
    const int out_c = static_cast<int>(lw.bias.size());
    const auto [oh, pad] = pad_of(x.h, 3, stride, m.padding);
    Map y{out_c, oh, oh, std::vector<float>(static_cast<std::size_t>(out_c) * oh * oh)};
    for (int o = 0; o < out_c; ++o)
        for (int oy = 0; oy < oh; ++oy)
            for (int ox = 0; ox < oh; ++ox) {
                double acc = lw.bias[o];
                const int i_begin = depthwise ? o : 0, i_end = depthwise ? o + 1 : x.c;
                for (int i = i_begin; i < i_end; ++i)
                    for (int ky = 0; ky < 3; ++ky) {
                        const int iy = oy * stride + ky - pad;
                        if (iy < 0 || iy >= x.h) continue;
                        for (int kx = 0; kx < 3; ++kx) {
                            const int ix = ox * stride + kx - pad;
                            if (ix < 0 || ix >= x.w) continue;
                            const std::size_t widx = depthwise ? (static_cast<std::size_t>(o) * 3 + ky) * 3 + kx
                                                               : ((static_cast<std::size_t>(o) * x.c + i) * 3 + ky) * 3 + kx;
                            acc += static_cast<double>(lw.weights[widx]) * x.at(i, iy, ix);
                        }
                    }
                y.at(o, oy, ox) = activate(static_cast<float>(acc), m.activation);
            }
    return y;
}

Map pointwise(const Map& x, const mnv1::LayerWeights& lw, const mnv1::ModelWeights& m) {
    const int out_c = static_cast<int>(lw.bias.size());
    const std::size_t hw = static_cast<std::size_t>(x.h) * x.w;
    Map y{out_c, x.h, x.w, std::vector<float>(static_cast<std::size_t>(out_c) * hw)};
    for (int o = 0; o < out_c; ++o) {
        float* dst = &y.d[o * hw];
        std::fill(dst, dst + hw, lw.bias[o]);
        for (int i = 0; i < x.c; ++i) {
            const float wv = lw.weights[static_cast<std::size_t>(o) * x.c + i];
            const float* src = &x.d[i * hw];
            for (std::size_t p = 0; p < hw; ++p) dst[p] += wv * src[p];
        }
        for (std::size_t p = 0; p < hw; ++p) dst[p] = activate(dst[p], m.activation);
    }
    return y;
}

std::vector<float> naive_forward(const mnv1::ModelWeights& m, const cv::Mat& rgb) {
    const int r = m.native_resolution;
    Map x{3, r, r, std::vector<float>(static_cast<std::size_t>(3) * r * r)};
    for (int y = 0; y < r; ++y)
        for (int xx = 0; xx < r; ++xx) {
            const cv::Vec3b px = rgb.at<cv::Vec3b>(y, xx);
            for (int c = 0; c < 3; ++c) x.at(c, y, xx) = (px[c] - m.input_mean) / m.input_std;
        }
    static const int dw_stride[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    x = conv3x3(x, m.layers[0], 2, false, m);
    for (int b = 0; b < 13; ++b) {
        x = conv3x3(x, m.layers[1 + 2 * b], dw_stride[b], true, m);
        x = pointwise(x, m.layers[2 + 2 * b], m);
    }
    std::vector<double> pooled(static_cast<std::size_t>(x.c), 0.0);
    const std::size_t hw = static_cast<std::size_t>(x.h) * x.w;
    for (int c = 0; c < x.c; ++c) {
        for (std::size_t p = 0; p < hw; ++p) pooled[c] += x.d[c * hw + p];
        pooled[c] /= static_cast<double>(hw);
    }
    const mnv1::LayerWeights& fc = m.layers[27];
    std::vector<double> logits(fc.bias.size());
    for (std::size_t o = 0; o < logits.size(); ++o) {
        double acc = fc.bias[o];
        for (int i = 0; i < x.c; ++i) acc += static_cast<double>(fc.weights[o * x.c + i]) * pooled[i];
        logits[o] = acc;
    }
    const double mx = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (double& l : logits) sum += (l = std::exp(l - mx));
    std::vector<float> probs(logits.size());
    for (std::size_t i = 0; i < probs.size(); ++i) probs[i] = static_cast<float>(logits[i] / sum);
    return probs;
}

cv::Mat load_rgb(const std::string& path, int size) {
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) return bgr;
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    if (rgb.cols != size || rgb.rows != size) {
        cv::Mat resized;
        cv::resize(rgb, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
        return resized;
    }
    return rgb;
}

#ifdef MNV1_TEST_HAVE_HDF5
// Reads /model_weights/<layer>/<layer>/<var>:0 straight through the HDF5 C API.
std::vector<float> h5_read(const std::string& file, const std::string& dataset) {
    std::vector<float> out;
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return out;
    hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        out.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
        if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) out.clear();
        H5Sclose(s);
        H5Dclose(d);
    }
    H5Fclose(f);
    return out;
}
#endif

// Independent TF.js reader: finds one named weight in model.json and reads its floats.
std::vector<float> tfjs_read(const std::string& dir, const QString& name) {
    const QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(read_bytes(dir + "/model.json"))).object();
    for (const QJsonValue& gv : root.value("weightsManifest").toArray()) {
        const QJsonObject g = gv.toObject();
        std::string data;
        for (const QJsonValue& p : g.value("paths").toArray()) data += read_bytes(dir + "/" + p.toString().toStdString());
        std::size_t offset = 0;
        for (const QJsonValue& wv : g.value("weights").toArray()) {
            const QJsonObject w = wv.toObject();
            std::size_t n = 1;
            for (const QJsonValue& d : w.value("shape").toArray()) n *= static_cast<std::size_t>(d.toInt());
            if (w.value("name").toString() == name) {
                std::vector<float> out(n);
                if (offset + n * 4 > data.size()) return {};
                std::memcpy(out.data(), data.data() + offset, n * 4);
                return out;
            }
            offset += n * 4;
        }
    }
    return {};
}

// Overwrites element `index` of weight `name` in a TF.js model's shards with `value`
// (locating it as tfjs_read does); false when the weight is not in the manifest.
bool tfjs_poke(const std::string& dir, const QString& name, std::size_t index, float value) {
    const QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(read_bytes(dir + "/model.json"))).object();
    for (const QJsonValue& gv : root.value("weightsManifest").toArray()) {
        const QJsonObject g = gv.toObject();
        std::size_t offset = 0;
        for (const QJsonValue& wv : g.value("weights").toArray()) {
            const QJsonObject w = wv.toObject();
            std::size_t n = 1;
            for (const QJsonValue& d : w.value("shape").toArray()) n *= static_cast<std::size_t>(d.toInt());
            if (w.value("name").toString() == name) {
                if (index >= n) return false;
                std::size_t at = offset + index * 4;  // into the group's concatenated shards
                for (const QJsonValue& p : g.value("paths").toArray()) {
                    const std::string shard = dir + "/" + p.toString().toStdString();
                    std::string bytes = read_bytes(shard);
                    if (at + 4 <= bytes.size()) {
                        std::memcpy(bytes.data() + at, &value, 4);
                        write_bytes(shard, bytes);
                        return true;
                    }
                    at -= bytes.size();
                }
                return false;
            }
            offset += n * 4;
        }
    }
    return false;
}

#ifdef MNV1_TEST_HAVE_HDF5
// Overwrites element `index` of float dataset `dataset` of an HDF5 file in place.
bool h5_poke(const std::string& file, const std::string& dataset, std::size_t index, float value) {
    bool ok = false;
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return false;
    hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        std::vector<float> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
        if (index < v.size() && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0) {
            v[index] = value;
            ok = H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0;
        }
        H5Sclose(s);
        H5Dclose(d);
    }
    H5Fclose(f);
    return ok;
}
#endif

}  // namespace

class TestKerasTfjsImport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
#ifdef MNV1_TEST_HAVE_HDF5
        // This test also calls HDF5 directly; keep its exit hook quiet as the importer does.
        H5dont_atexit();
#endif
    }

    void kerasDetectedFields() {
        const std::string path = shared_path(kKerasRel);
        MOBILENET_REQUIRE_FILE(path);
        const auto w = mnv1::detail::load_keras_h5(path);
        QCOMPARE(w->alpha, 0.25);
        QCOMPARE(w->native_resolution, 224);
        QCOMPARE(w->num_classes, 1000);
        QCOMPARE(w->activation, mnv1::Activation::Relu6);
        // Keras 2.8 (tf.keras): conv1 'same' stride 2, ZeroPadding2D((0,1),(0,1)) + 'valid'
        // before stride-2 depthwise convs, 'same' elsewhere -> TF SAME everywhere.
        QCOMPARE(w->padding, mnv1::Padding::TfSame);
        QCOMPARE(w->origin, mnv1::WeightsOrigin::KerasH5);
        QCOMPARE(w->quantized, false);
        QCOMPARE(w->input_mean, 127.5f);
        QCOMPARE(w->input_std, 127.5f);
        QCOMPARE(w->source, path);
        QCOMPARE(QString::fromStdString(w->description), QString("mobilenet_v1_0.25_224 (Keras HDF5)"));
        QCOMPARE(w->layers.size(), std::size_t{28});
        QCOMPARE(w->layers.front().name, std::string("conv0"));
        QCOMPARE(w->layers[1].name, std::string("dw1"));
        QCOMPARE(w->layers[2].name, std::string("pw1"));
        QCOMPARE(w->layers[25].name, std::string("dw13"));
        QCOMPARE(w->layers[26].name, std::string("pw13"));
        QCOMPARE(w->layers.back().name, std::string("fc"));
        QVERIFY(w->labels.empty());
    }

    void tfjsDetectedFields() {
        const std::string dir = shared_path(kTfjsRel);
        MOBILENET_REQUIRE_FILE(dir + "/model.json");
        const auto w = mnv1::detail::load_tfjs(dir);
        QCOMPARE(w->alpha, 0.75);
        QCOMPARE(w->native_resolution, 224);
        QCOMPARE(w->num_classes, 1000);
        QCOMPARE(w->activation, mnv1::Activation::Relu6);  // Activation('relu6') layers
        QCOMPARE(w->padding, mnv1::Padding::TfSame);       // 'same' everywhere, no ZeroPadding2D
        QCOMPARE(w->origin, mnv1::WeightsOrigin::TfjsLayers);
        QCOMPARE(w->input_mean, 127.5f);
        QCOMPARE(w->input_std, 127.5f);
        QCOMPARE(QString::fromStdString(w->description), QString("mobilenet_v1_0.75_224 (TF.js)"));
        QCOMPARE(w->layers.size(), std::size_t{28});
        for (int b = 1; b <= 13; ++b) {
            QCOMPARE(w->layers[2 * b - 1].name, "dw" + std::to_string(b));
            QCOMPARE(w->layers[2 * b].name, "pw" + std::to_string(b));
        }
        QCOMPARE(w->labels.size(), std::size_t{1000});
        QCOMPARE(QString::fromStdString(w->labels[933]), QString("cheeseburger"));
        QCOMPARE(QString::fromStdString(w->labels[652]), QString("military uniform"));

        // The model.json path itself works the same way.
        const auto w2 = mnv1::detail::load_tfjs(dir + "/model.json");
        QCOMPARE(w2->alpha, 0.75);
        QCOMPARE(w2->layers.size(), std::size_t{28});
        QCOMPARE(w2->layers[5].weights, w->layers[5].weights);
    }

    void weightSizes_data() {
        QTest::addColumn<QString>("which");
        QTest::newRow("keras 0.25") << "keras";
        QTest::newRow("tfjs 0.75") << "tfjs";
    }
    void weightSizes() {
        QFETCH(QString, which);
        const bool keras = which == "keras";
        const std::string path = shared_path(keras ? kKerasRel : kTfjsRel);
        MOBILENET_REQUIRE_FILE(path);
        const auto w = keras ? mnv1::detail::load_keras_h5(path) : mnv1::detail::load_tfjs(path);
        const std::vector<int> ch = expected_channels(keras ? 0.25 : 0.75);
        QCOMPARE(w->layers[0].weights.size(), std::size_t(ch[0]) * 3 * 9);
        QCOMPARE(w->layers[0].bias.size(), std::size_t(ch[0]));
        for (int b = 0; b < 13; ++b) {
            const auto& dw = w->layers[1 + 2 * b];
            const auto& pw = w->layers[2 + 2 * b];
            QCOMPARE(dw.weights.size(), std::size_t(ch[b]) * 9);
            QCOMPARE(dw.bias.size(), std::size_t(ch[b]));
            QCOMPARE(pw.weights.size(), std::size_t(ch[b + 1]) * ch[b]);
            QCOMPARE(pw.bias.size(), std::size_t(ch[b + 1]));
        }
        QCOMPARE(w->layers[27].weights.size(), std::size_t(1000) * ch[13]);
        QCOMPARE(w->layers[27].bias.size(), std::size_t(1000));
        for (const auto& l : w->layers) QVERIFY(!l.quant.has_value());
    }

    void kerasBatchNormFolding() {
#ifndef MNV1_TEST_HAVE_HDF5
        QSKIP("hdf5.h not found for the independent reader");
#else
        const std::string path = shared_path(kKerasRel);
        MOBILENET_REQUIRE_FILE(path);
        const auto w = mnv1::detail::load_keras_h5(path);
        const double eps = 1e-3;  // conv_*_bn config epsilon

        // Pointwise conv_pw_5: kernel [1][1][64][64], fold conv_pw_5_bn, output channel 37.
        {
            const auto k = h5_read(path, "/model_weights/conv_pw_5/conv_pw_5/kernel:0");
            const auto g = h5_read(path, "/model_weights/conv_pw_5_bn/conv_pw_5_bn/gamma:0");
            const auto b = h5_read(path, "/model_weights/conv_pw_5_bn/conv_pw_5_bn/beta:0");
            const auto mu = h5_read(path, "/model_weights/conv_pw_5_bn/conv_pw_5_bn/moving_mean:0");
            const auto var = h5_read(path, "/model_weights/conv_pw_5_bn/conv_pw_5_bn/moving_variance:0");
            QCOMPARE(k.size(), std::size_t(64 * 64));
            QCOMPARE(g.size(), std::size_t(64));
            const int o = 37, in_c = 64;
            const double scale = g[o] / std::sqrt(var[o] + eps);
            const auto& pw5 = w->layers[10];
            QCOMPARE(pw5.name, std::string("pw5"));
            for (int i = 0; i < in_c; ++i) {
                const double expect = k[static_cast<std::size_t>(i) * 64 + o] * scale;  // [1][1][in][out]
                QVERIFY2(std::abs(pw5.weights[static_cast<std::size_t>(o) * in_c + i] - expect) <= 1e-6 * (1 + std::abs(expect)),
                         qPrintable(QString("pw5 weight [%1][%2]").arg(o).arg(i)));
            }
            const double bias = b[o] - mu[o] * scale;
            QVERIFY(std::abs(pw5.bias[o] - bias) <= 1e-5 * (1 + std::abs(bias)));
        }
        // Depthwise conv_dw_7: depthwise_kernel [3][3][128][1], channel 101.
        {
            const auto k = h5_read(path, "/model_weights/conv_dw_7/conv_dw_7/depthwise_kernel:0");
            const auto g = h5_read(path, "/model_weights/conv_dw_7_bn/conv_dw_7_bn/gamma:0");
            const auto b = h5_read(path, "/model_weights/conv_dw_7_bn/conv_dw_7_bn/beta:0");
            const auto mu = h5_read(path, "/model_weights/conv_dw_7_bn/conv_dw_7_bn/moving_mean:0");
            const auto var = h5_read(path, "/model_weights/conv_dw_7_bn/conv_dw_7_bn/moving_variance:0");
            QCOMPARE(k.size(), std::size_t(9 * 128));
            const int c = 101;
            const double scale = g[c] / std::sqrt(var[c] + eps);
            const auto& dw7 = w->layers[13];
            QCOMPARE(dw7.name, std::string("dw7"));
            for (int ky = 0; ky < 3; ++ky)
                for (int kx = 0; kx < 3; ++kx) {
                    const double expect = k[(static_cast<std::size_t>(ky) * 3 + kx) * 128 + c] * scale;
                    const float got = dw7.weights[(static_cast<std::size_t>(c) * 3 + ky) * 3 + kx];
                    QVERIFY(std::abs(got - expect) <= 1e-6 * (1 + std::abs(expect)));
                }
            QVERIFY(std::abs(dw7.bias[c] - (b[c] - mu[c] * scale)) <= 1e-5);
        }
        // Classifier conv_preds: no batch norm, bias kept, kernel [1][1][256][1000] transposed.
        {
            const auto k = h5_read(path, "/model_weights/conv_preds/conv_preds/kernel:0");
            const auto b = h5_read(path, "/model_weights/conv_preds/conv_preds/bias:0");
            QCOMPARE(k.size(), std::size_t(256 * 1000));
            const auto& fc = w->layers[27];
            QCOMPARE(fc.bias, b);
            for (int o : {0, 933, 999})
                for (int i : {0, 17, 255}) QCOMPARE(fc.weights[static_cast<std::size_t>(o) * 256 + i], k[static_cast<std::size_t>(i) * 1000 + o]);
        }
#endif
    }

    void tfjsBatchNormFolding() {
        const std::string dir = shared_path(kTfjsRel);
        MOBILENET_REQUIRE_FILE(dir + "/model.json");
        const auto w = mnv1::detail::load_tfjs(dir);
        const auto k = tfjs_read(dir, "conv1/kernel");  // [3][3][3][24]
        const auto g = tfjs_read(dir, "conv1_bn/gamma");
        const auto b = tfjs_read(dir, "conv1_bn/beta");
        const auto mu = tfjs_read(dir, "conv1_bn/moving_mean");
        const auto var = tfjs_read(dir, "conv1_bn/moving_variance");
        QCOMPARE(k.size(), std::size_t(3 * 3 * 3 * 24));
        QCOMPARE(var.size(), std::size_t(24));
        const int o = 5;
        const double scale = g[o] / std::sqrt(var[o] + 1e-3);
        const auto& conv0 = w->layers[0];
        for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx)
                for (int i = 0; i < 3; ++i) {
                    const double expect = k[((static_cast<std::size_t>(ky) * 3 + kx) * 3 + i) * 24 + o] * scale;
                    const float got = conv0.weights[((static_cast<std::size_t>(o) * 3 + i) * 3 + ky) * 3 + kx];
                    QVERIFY2(std::abs(got - expect) <= 1e-6 * (1 + std::abs(expect)), qPrintable(QString("conv0 [%1][%2][%3][%4]").arg(o).arg(i).arg(ky).arg(kx)));
                }
        QVERIFY(std::abs(conv0.bias[o] - (b[o] - mu[o] * scale)) <= 1e-5 * (1 + std::abs(b[o])));
    }

    // End to end without the engine: the imported layouts and padding must reproduce the
    // released networks' predictions.
    void kerasClassifiesBurger() {
        const std::string path = shared_path(kKerasRel);
        const std::string img = shared_path("images/photos/burger-224.png");
        MOBILENET_REQUIRE_FILE(path);
        MOBILENET_REQUIRE_FILE(img);
        const auto w = mnv1::detail::load_keras_h5(path);
        const cv::Mat rgb = load_rgb(img, 224);
        QVERIFY(!rgb.empty());
        const auto probs = naive_forward(*w, rgb);
        const auto top = std::max_element(probs.begin(), probs.end()) - probs.begin();
        QCOMPARE(int(top), 933);  // cheeseburger (1000-class convention)
        QVERIFY2(probs[933] > 0.5f, qPrintable(QString::number(probs[933])));
    }

    void tfjsClassifiesGraceHopper() {
        const std::string dir = shared_path(kTfjsRel);
        const std::string img = shared_path("images/photos/grace_hopper.jpg");
        MOBILENET_REQUIRE_FILE(dir + "/model.json");
        MOBILENET_REQUIRE_FILE(img);
        const auto w = mnv1::detail::load_tfjs(dir);
        const cv::Mat rgb = load_rgb(img, 224);
        QVERIFY(!rgb.empty());
        const auto probs = naive_forward(*w, rgb);
        const auto top = std::max_element(probs.begin(), probs.end()) - probs.begin();
        QCOMPARE(int(top), 652);  // military uniform
        QCOMPARE(QString::fromStdString(w->labels[652]), QString("military uniform"));
        QVERIFY2(probs[652] > 0.4f, qPrintable(QString::number(probs[652])));
    }

    void badH5_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expect");  // a fragment of the error
        QTest::newRow("empty") << "empty" << "empty file";
        QTest::newRow("truncated to 1 KiB") << "trunc1k" << "";
        QTest::newRow("truncated to half") << "trunchalf" << "";
        QTest::newRow("truncated by 1 byte") << "trunc1" << "";
        QTest::newRow("random bytes") << "random" << "not an HDF5 file";
        QTest::newRow("bit flip: signature") << "flipsig" << "not an HDF5 file";
        QTest::newRow("bit flip: global heap header") << "flipheap" << "";
        QTest::newRow("bit flip: model_config filters") << "flipjson" << "channel";
        QTest::newRow("bit flip: model_config syntax") << "flipsyntax" << "JSON";
        QTest::newRow("valid HDF5, not Keras") << "notkeras" << "model_config";
        // Lengths libhdf5 allocates before validating them (ASan aborted on these):
        QTest::newRow("local heap size + 2^48") << "localheap" << "local heap at offset";
        QTest::newRow("root object header size 4 GiB") << "ohdrsize" << "object header at offset 96";
        QTest::newRow("object header continuation 1 TiB") << "continuation" << "continuation";
        QTest::newRow("5000 variable-length model_config strings") << "manyvlen" << "5000 variable-length strings";
        QTest::newRow("directory") << "dir" << "";
    }
    void badH5() {
        QFETCH(QString, kind);
        QFETCH(QString, expect);
        const std::string src = shared_path(kKerasRel);
        MOBILENET_REQUIRE_FILE(src);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string bad = tmp.filePath("bad_model.h5").toStdString();
        std::string bytes = read_bytes(src);
        QVERIFY(bytes.size() > 100000);
        if (kind == "empty") {
            bytes.clear();
        } else if (kind == "trunc1k") {
            bytes.resize(1024);
        } else if (kind == "trunchalf") {
            bytes.resize(bytes.size() / 2);
        } else if (kind == "trunc1") {
            bytes.pop_back();
        } else if (kind == "random") {
            std::mt19937 rng(1234);
            for (char& c : bytes) c = static_cast<char>(rng());
        } else if (kind == "flipsig") {
            bytes[1] = static_cast<char>(bytes[1] ^ 0x04);  // "HDF" -> "LDF"
        } else if (kind == "flipheap") {
            const auto pos = bytes.find("GCOL");
            QVERIFY(pos != std::string::npos);
            bytes[pos + 9] = static_cast<char>(bytes[pos + 9] ^ 0x40);  // collection size
        } else if (kind == "flipjson") {
            const auto pos = bytes.find("\"filters\": 8,");
            QVERIFY(pos != std::string::npos);
            bytes[pos + 11] = static_cast<char>(bytes[pos + 11] ^ 0x01);  // 8 -> 9
        } else if (kind == "localheap") {
            const auto pos = bytes.find(std::string("HEAP\0", 5));
            QVERIFY(pos != std::string::npos);
            bytes[pos + 14] = static_cast<char>(bytes[pos + 14] | 0x01);  // data segment size += 2^48
        } else if (kind == "ohdrsize" || kind == "continuation") {
            // The release's superblock is version 0 with 8-byte offsets: the root group's
            // version 1 object header is at 96, and its one message is a continuation
            // (type 0x10: address, length) to the rest of the header.
            QCOMPARE(static_cast<int>(bytes[8]), 0);
            QCOMPARE(static_cast<unsigned char>(bytes[96]), static_cast<unsigned char>(1));
            QCOMPARE(static_cast<int>(bytes[96 + 16]), 0x10);
            if (kind == "ohdrsize") {
                const std::uint32_t huge = 0xFFFFFF00u;
                std::memcpy(bytes.data() + 96 + 8, &huge, 4);
            } else {
                const std::uint64_t huge = std::uint64_t{1} << 40;
                std::memcpy(bytes.data() + 96 + 16 + 8 + 8, &huge, 8);
            }
        } else if (kind == "flipsyntax") {
            const auto pos = bytes.find("\"class_name\": \"Functional\"");
            QVERIFY(pos != std::string::npos);
            bytes[pos] = static_cast<char>(bytes[pos] ^ 0x02);  // '"' -> ' '
        }
        if (kind == "notkeras") {
#ifndef MNV1_TEST_HAVE_HDF5
            QSKIP("hdf5.h not found");
#else
            hid_t f = H5Fcreate(bad.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            QVERIFY(f >= 0);
            hsize_t dims[1] = {4};
            hid_t s = H5Screate_simple(1, dims, nullptr);
            hid_t d = H5Dcreate2(f, "data", H5T_NATIVE_FLOAT, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            const float v[4] = {1, 2, 3, 4};
            H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
            H5Dclose(d);
            H5Sclose(s);
            H5Fclose(f);
#endif
        } else if (kind == "manyvlen") {
#ifndef MNV1_TEST_HAVE_HDF5
            QSKIP("hdf5.h not found");
#else
            // Each string is a valid heap object; only their count is unreasonable (many
            // references to large objects made libhdf5 allocate 28 GiB). 5000 references
            // (80 KB) exceed the 64 KB of a compact attribute: the file format of HDF5 1.8+
            // stores the attribute densely.
            hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
            H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
            hid_t f = H5Fcreate(bad.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
            H5Pclose(fapl);
            QVERIFY(f >= 0);
            hsize_t dims[1] = {5000};
            hid_t s = H5Screate_simple(1, dims, nullptr);
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, H5T_VARIABLE);
            hid_t a = H5Acreate2(f, "model_config", t, s, H5P_DEFAULT, H5P_DEFAULT);
            std::vector<const char*> strings(5000, "{}");
            QVERIFY(H5Awrite(a, t, strings.data()) >= 0);
            H5Aclose(a);
            H5Tclose(t);
            H5Sclose(s);
            H5Fclose(f);
#endif
        } else if (kind == "dir") {
            fs::create_directories(bad);
        } else {
            write_bytes(bad, bytes);
        }
        const std::string msg = model_error_of([&] { mnv1::detail::load_keras_h5(bad); });
        QVERIFY2(msg.rfind(bad + ": ", 0) == 0, msg.c_str());  // "<path>: <problem>"
        QVERIFY2(msg.find('\n') == std::string::npos, msg.c_str());
        if (!expect.isEmpty()) QVERIFY2(msg.find(expect.toStdString()) != std::string::npos, msg.c_str());
    }

    // One non-finite value in any stored variable, batch norm parameters included, is
    // refused naming the layer and the variable. (A +Inf moving_variance used to fold
    // into silently zeroed weights and load.)
    void nonFiniteWeights_data() {
        QTest::addColumn<QString>("format");    // "keras" or "tfjs"
        QTest::addColumn<QString>("layer");     // Keras layer name
        QTest::addColumn<QString>("variable");
        QTest::addColumn<int>("element");
        QTest::addColumn<float>("value");
        const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        for (const char* format : {"keras", "tfjs"}) {
            const auto row = [&](const char* layer, const char* var, int element, float value, const char* what) {
                QTest::newRow(qPrintable(QString("%1: %2 %3 %4").arg(format, layer, var, what)))
                    << QString(format) << QString(layer) << QString(var) << element << value;
            };
            row("conv_pw_5_bn", "moving_variance", 3, inf, "+inf");
            row("conv_dw_3_bn", "moving_mean", 0, -inf, "-inf");
            row("conv1_bn", "gamma", 7, nan, "nan");
            row("conv_pw_13_bn", "beta", 5, nan, "nan");
            row("conv_dw_3", "depthwise_kernel", 11, nan, "nan");
            row("conv_preds", "kernel", 999, inf, "+inf");
            row("conv_preds", "bias", 0, -inf, "-inf");
        }
    }
    void nonFiniteWeights() {
        QFETCH(QString, format);
        QFETCH(QString, layer);
        QFETCH(QString, variable);
        QFETCH(int, element);
        QFETCH(float, value);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        std::string blamed;
        std::function<void()> load;
        if (format == "tfjs") {
            const std::string src = shared_path(kTfjsRel);
            MOBILENET_REQUIRE_FILE(src + "/model.json");
            const std::string dir = tmp.filePath("tfjs_model").toStdString();
            copy_dir(src, dir);
            QVERIFY(tfjs_poke(dir, layer + "/" + variable, static_cast<std::size_t>(element), value));
            blamed = dir + "/model.json";
            load = [dir] { mnv1::detail::load_tfjs(dir); };
        } else {
#ifndef MNV1_TEST_HAVE_HDF5
            QSKIP("hdf5.h not found");
#else
            const std::string src = shared_path(kKerasRel);
            MOBILENET_REQUIRE_FILE(src);
            blamed = tmp.filePath("model.h5").toStdString();
            fs::copy_file(src, blamed);
            fs::permissions(blamed, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
            const std::string ds = "/model_weights/" + layer.toStdString() + "/" + layer.toStdString() + "/" +
                                   variable.toStdString() + ":0";
            QVERIFY(h5_poke(blamed, ds, static_cast<std::size_t>(element), value));
            load = [blamed] { mnv1::detail::load_keras_h5(blamed); };
#endif
        }
        const std::string msg = model_error_of(load);
        QVERIFY2(msg.rfind(blamed + ": ", 0) == 0, msg.c_str());
        const std::string named = "layer '" + layer.toStdString() + "' " + variable.toStdString();
        QVERIFY2(msg.find(named + " has a non-finite value") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("at element " + std::to_string(element)) != std::string::npos, msg.c_str());
    }

    void badTfjs_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("blamed");  // file the error must name
        QTest::addColumn<QString>("expect");
        QTest::newRow("missing shard") << "missing" << "group7-shard1of1" << "missing";
        QTest::newRow("truncated shard") << "truncated" << "group12-shard1of1" << "truncated";
        QTest::newRow("oversized shard") << "oversized" << "group3-shard1of1" << "oversized";
        QTest::newRow("invalid JSON") << "badjson" << "model.json" << "invalid JSON";
        QTest::newRow("empty model.json") << "emptyjson" << "model.json" << "invalid JSON";
        QTest::newRow("another architecture") << "lenet" << "model.json" << "not a MobileNet v1";
        QTest::newRow("wrong channel sequence") << "channels" << "model.json" << "channel sequence";
        QTest::newRow("residual connection") << "residual" << "model.json" << "";
        QTest::newRow("quantized weights") << "quantized" << "model.json" << "quantized";
        QTest::newRow("int32 weights") << "int32" << "model.json" << "dtype";
        QTest::newRow("manifest shape mismatch") << "shape" << "model.json" << "shape";
        QTest::newRow("graph model") << "graph" << "model.json" << "layers-model";
        QTest::newRow("no model.json") << "nojson" << "" << "model.json";
    }
    void badTfjs() {
        QFETCH(QString, kind);
        QFETCH(QString, blamed);
        QFETCH(QString, expect);
        const std::string src = shared_path(kTfjsRel);
        MOBILENET_REQUIRE_FILE(src + "/model.json");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string dir = tmp.filePath("tfjs_model").toStdString();
        copy_dir(src, dir);
        const std::string mj = dir + "/model.json";
        QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(read_bytes(mj))).object();
        QVERIFY(!root.isEmpty());
        auto save = [&] { write_bytes(mj, QJsonDocument(root).toJson().toStdString()); };
        // Edits modelTopology.model_config.config.layers through a callback.
        auto edit_layers = [&](auto&& fn) {
            QJsonObject topo = root["modelTopology"].toObject();
            QJsonObject mc = topo["model_config"].toObject();
            QJsonObject cfg = mc["config"].toObject();
            QJsonArray layers = cfg["layers"].toArray();
            fn(layers);
            cfg["layers"] = layers;
            mc["config"] = cfg;
            topo["model_config"] = mc;
            root["modelTopology"] = topo;
            save();
        };
        auto edit_weight = [&](const QString& name, auto&& fn) {
            QJsonArray man = root["weightsManifest"].toArray();
            for (int gi = 0; gi < man.size(); ++gi) {
                QJsonObject g = man[gi].toObject();
                QJsonArray ws = g["weights"].toArray();
                for (int wi = 0; wi < ws.size(); ++wi) {
                    QJsonObject w = ws[wi].toObject();
                    if (w["name"].toString() != name) continue;
                    fn(w);
                    ws[wi] = w;
                }
                g["weights"] = ws;
                man[gi] = g;
            }
            root["weightsManifest"] = man;
            save();
        };

        if (kind == "missing") {
            fs::remove(dir + "/group7-shard1of1");
        } else if (kind == "truncated") {
            std::string b = read_bytes(dir + "/group12-shard1of1");
            b.resize(b.size() - 7);
            write_bytes(dir + "/group12-shard1of1", b);
        } else if (kind == "oversized") {
            write_bytes(dir + "/group3-shard1of1", read_bytes(dir + "/group3-shard1of1") + "xxxx");
        } else if (kind == "badjson") {
            std::string t = read_bytes(mj);
            t.resize(t.size() / 2);
            write_bytes(mj, t);
        } else if (kind == "emptyjson") {
            write_bytes(mj, "");
        } else if (kind == "lenet") {
            // A small LeNet-style Sequential CNN with its weights manifest.
            const char* lenet = R"({"modelTopology": {"class_name": "Sequential", "keras_version": "2.1.4",
              "config": [
                {"class_name": "Conv2D", "config": {"name": "c1", "filters": 6, "kernel_size": [5, 5],
                  "strides": [1, 1], "padding": "valid", "activation": "relu", "use_bias": true,
                  "batch_input_shape": [null, 32, 32, 3]}},
                {"class_name": "MaxPooling2D", "config": {"name": "p1", "pool_size": [2, 2]}},
                {"class_name": "Flatten", "config": {"name": "f"}},
                {"class_name": "Dense", "config": {"name": "d", "units": 10, "activation": "softmax"}}]},
              "weightsManifest": [{"paths": ["group1-shard1of1"], "weights": [
                {"name": "c1/kernel", "shape": [5, 5, 3, 6], "dtype": "float32"}]}]})";
            write_bytes(mj, lenet);
        } else if (kind == "channels") {
            edit_layers([](QJsonArray& layers) {
                for (int i = 0; i < layers.size(); ++i) {
                    QJsonObject l = layers[i].toObject();
                    if (l["name"].toString() != "conv_pw_3") continue;
                    QJsonObject c = l["config"].toObject();
                    c["filters"] = 100;
                    l["config"] = c;
                    layers[i] = l;
                }
            });
        } else if (kind == "residual") {
            // conv_dw_3 additionally reads conv_pw_1_relu: a two-input (branching) graph.
            edit_layers([](QJsonArray& layers) {
                for (int i = 0; i < layers.size(); ++i) {
                    QJsonObject l = layers[i].toObject();
                    if (l["name"].toString() != "conv_dw_3") continue;
                    QJsonArray node = l["inbound_nodes"].toArray()[0].toArray();
                    node.append(QJsonArray{"conv_pw_1_relu", 0, 0, QJsonObject{}});
                    l["inbound_nodes"] = QJsonArray{node};
                    layers[i] = l;
                }
            });
        } else if (kind == "quantized") {
            edit_weight("conv_pw_4/kernel", [](QJsonObject& w) {
                w["quantization"] = QJsonObject{{"dtype", "uint8"}, {"scale", 0.01}, {"min", -1.0}};
            });
        } else if (kind == "int32") {
            edit_weight("conv_dw_2/depthwise_kernel", [](QJsonObject& w) { w["dtype"] = "int32"; });
        } else if (kind == "shape") {
            // Same byte count (the shards still match), different shape.
            edit_weight("conv_pw_2_bn/gamma", [](QJsonObject& w) { w["shape"] = QJsonArray{48, 2}; });
        } else if (kind == "graph") {
            root["format"] = "graph-model";
            save();
        } else if (kind == "nojson") {
            fs::remove(mj);
        }
        const std::string msg = model_error_of([&] { mnv1::detail::load_tfjs(dir); });
        const std::string who = blamed.isEmpty() ? dir : dir + "/" + blamed.toStdString();
        QVERIFY2(msg.rfind(who + ": ", 0) == 0, msg.c_str());
        QVERIFY2(msg.find('\n') == std::string::npos, msg.c_str());
        if (!expect.isEmpty()) QVERIFY2(msg.find(expect.toStdString()) != std::string::npos, msg.c_str());
    }

    // Padding / activation / batch-norm variants of the real TF.js graph: Keras 2.1
    // style ZeroPadding2D(1) + 'valid' (symmetric), a mix of conventions, plain relu,
    // and batch norm without scale/center.
    void tfjsGraphVariants_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("symmetric zero padding") << "symmetric";
        QTest::newRow("tf-style zero padding") << "tfpad";
        QTest::newRow("mixed padding") << "mixed";
        QTest::newRow("plain relu") << "relu";
        QTest::newRow("mixed relu/relu6") << "mixedrelu";
        QTest::newRow("bn without scale and center") << "noscale";
    }
    void tfjsGraphVariants() {
        QFETCH(QString, kind);
        const std::string src = shared_path(kTfjsRel);
        MOBILENET_REQUIRE_FILE(src + "/model.json");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string dir = tmp.filePath("variant").toStdString();
        fs::create_directories(dir);
        // Shards are only read: link them instead of copying.
        for (const auto& e : fs::directory_iterator(src))
            if (e.path().filename() != "model.json") fs::create_symlink(e.path(), fs::path(dir) / e.path().filename());
        QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(read_bytes(src + "/model.json"))).object();
        QJsonObject topo = root["modelTopology"].toObject();
        QJsonObject mc = topo["model_config"].toObject();
        QJsonObject cfg = mc["config"].toObject();
        QJsonArray layers = cfg["layers"].toArray();

        auto find = [&](const QString& name) {
            for (int i = 0; i < layers.size(); ++i)
                if (layers[i].toObject()["name"].toString() == name) return i;
            return -1;
        };
        auto set_cfg = [&](const QString& name, const QString& key, const QJsonValue& v) {
            const int i = find(name);
            QJsonObject l = layers[i].toObject();
            QJsonObject c = l["config"].toObject();
            c[key] = v;
            l["config"] = c;
            layers[i] = l;
        };
        // Inserts ZeroPadding2D(pad) before `conv` and makes it 'valid'.
        auto pad_before = [&](const QString& conv, const QJsonValue& pad) {
            const int i = find(conv);
            QJsonObject l = layers[i].toObject();
            const QString pname = "pad_" + conv;
            QJsonObject p{{"class_name", "ZeroPadding2D"},
                          {"name", pname},
                          {"config", QJsonObject{{"name", pname}, {"padding", pad}, {"data_format", "channels_last"}}},
                          {"inbound_nodes", l["inbound_nodes"]}};
            l["inbound_nodes"] = QJsonArray{QJsonArray{QJsonArray{pname, 0, 0, QJsonObject{}}}};
            layers[i] = l;
            layers.append(p);
            set_cfg(conv, "padding", "valid");
        };
        const int strides2[] = {2, 4, 6, 12};
        if (kind == "symmetric") {
            pad_before("conv1", QJsonArray{1, 1});
            for (int b = 1; b <= 13; ++b) pad_before("conv_dw_" + QString::number(b), QJsonArray{1, 1});
        } else if (kind == "tfpad") {
            pad_before("conv1", QJsonArray{QJsonArray{0, 1}, QJsonArray{0, 1}});
            for (int b : strides2) pad_before("conv_dw_" + QString::number(b), QJsonArray{QJsonArray{0, 1}, QJsonArray{0, 1}});
        } else if (kind == "mixed") {
            pad_before("conv1", 1);  // symmetric stem, TF SAME depthwise convs
        } else if (kind == "relu" || kind == "mixedrelu") {
            for (int i = 0; i < layers.size(); ++i) {
                const QJsonObject l = layers[i].toObject();
                if (l["class_name"].toString() == "Activation" && l["config"].toObject()["activation"] == "relu6" &&
                    (kind == "relu" || l["name"].toString() == "conv_pw_9_relu")) {
                    set_cfg(l["name"].toString(), "activation", "relu");
                }
            }
        } else if (kind == "noscale") {
            set_cfg("conv1_bn", "scale", false);
            set_cfg("conv1_bn", "center", false);
        }
        cfg["layers"] = layers;
        mc["config"] = cfg;
        topo["model_config"] = mc;
        root["modelTopology"] = topo;
        write_bytes(dir + "/model.json", QJsonDocument(root).toJson().toStdString());

        if (kind == "mixed" || kind == "mixedrelu") {
            const std::string msg = model_error_of([&] { mnv1::detail::load_tfjs(dir); });
            QVERIFY2(msg.rfind(dir + "/model.json: ", 0) == 0, msg.c_str());
            QVERIFY2(msg.find("mixes") != std::string::npos, msg.c_str());
            return;
        }
        const auto w = mnv1::detail::load_tfjs(dir);
        QCOMPARE(w->alpha, 0.75);
        if (kind == "symmetric") QCOMPARE(w->padding, mnv1::Padding::Symmetric);
        else QCOMPARE(w->padding, mnv1::Padding::TfSame);
        QCOMPARE(w->activation, kind == "relu" ? mnv1::Activation::Relu : mnv1::Activation::Relu6);
        if (kind == "noscale") {
            // gamma = 1 and beta = 0: w' = w / sqrt(var + eps), b' = -mean / sqrt(var + eps).
            const auto k = tfjs_read(src, "conv1/kernel");
            const auto mu = tfjs_read(src, "conv1_bn/moving_mean");
            const auto var = tfjs_read(src, "conv1_bn/moving_variance");
            for (int o : {0, 11, 23}) {
                const double scale = 1.0 / std::sqrt(var[o] + 1e-3);
                const double expect = k[((1 * 3 + 2) * 3 + 0) * 24 + o] * scale;  // ky=1, kx=2, in=0
                QVERIFY(std::abs(w->layers[0].weights[((o * 3 + 0) * 3 + 1) * 3 + 2] - expect) <= 1e-6 * (1 + std::abs(expect)));
                QVERIFY(std::abs(w->layers[0].bias[o] + mu[o] * scale) <= 1e-5 * (1 + std::abs(mu[o] * scale)));
            }
        }
    }

    // The layout helpers on a hand-made kernel whose values encode their own index.
    void layoutHelpers() {
        namespace k = mnv1::detail::keras;
        const int kh = 2, kw = 3, in_c = 2, out_c = 4;
        std::vector<float> hwio(static_cast<std::size_t>(kh * kw * in_c * out_c));
        for (int y = 0; y < kh; ++y)
            for (int x = 0; x < kw; ++x)
                for (int i = 0; i < in_c; ++i)
                    for (int o = 0; o < out_c; ++o) hwio[((y * kw + x) * in_c + i) * out_c + o] = float(1000 * o + 100 * i + 10 * y + x);
        const auto oihw = k::hwio_to_oihw(hwio, kh, kw, in_c, out_c);
        for (int o = 0; o < out_c; ++o)
            for (int i = 0; i < in_c; ++i)
                for (int y = 0; y < kh; ++y)
                    for (int x = 0; x < kw; ++x) QCOMPARE(oihw[((o * in_c + i) * kh + y) * kw + x], float(1000 * o + 100 * i + 10 * y + x));

        std::vector<float> hwc1(static_cast<std::size_t>(kh * kw * out_c));
        for (int y = 0; y < kh; ++y)
            for (int x = 0; x < kw; ++x)
                for (int c = 0; c < out_c; ++c) hwc1[(y * kw + x) * out_c + c] = float(100 * c + 10 * y + x);
        const auto c11hw = k::hwc1_to_c11hw(hwc1, kh, kw, out_c);
        for (int c = 0; c < out_c; ++c)
            for (int y = 0; y < kh; ++y)
                for (int x = 0; x < kw; ++x) QCOMPARE(c11hw[(c * kh + y) * kw + x], float(100 * c + 10 * y + x));

        const auto oi = k::io_to_oi({1, 2, 3, 4, 5, 6}, 2, 3);  // [in=2][out=3]
        QCOMPARE(oi, (std::vector<float>{1, 4, 2, 5, 3, 6}));

        // BN folding with a conv bias: b' = beta + (b - mean) * gamma / sqrt(var + eps).
        std::vector<float> wts{1, 2, 3, 4}, bias{0.5f, -1};
        k::fold_batch_norm(wts, bias, {2, 3}, {0.25f, 0}, {1, -2}, {3, 8}, 1.0);
        QCOMPARE(wts, (std::vector<float>{2.0f / 2 * 1, 2.0f / 2 * 2, 3.0f / 3 * 3, 3.0f / 3 * 4}));
        QCOMPARE(bias[0], 0.25f + (0.5f - 1) * 1.0f);
        QCOMPARE(bias[1], 0.0f + (-1 + 2) * 1.0f);
        // Without scale/center: gamma = 1, beta = 0.
        std::vector<float> w2{4}, b2{0};
        k::fold_batch_norm(w2, b2, {}, {}, {2}, {3}, 1.0);
        QCOMPARE(w2[0], 2.0f);
        QCOMPARE(b2[0], -1.0f);

        QCOMPARE(mnv1::format_alpha(0.25), std::string("0.25"));
        QCOMPARE(mnv1::format_alpha(0.5), std::string("0.5"));
        QCOMPARE(mnv1::format_alpha(1.0), std::string("1.0"));
        QCOMPARE(k::strip_tensor_suffix("conv1_bn/gamma:0"), std::string("conv1_bn/gamma"));
        QCOMPARE(k::strip_tensor_suffix("conv1/kernel"), std::string("conv1/kernel"));
    }
};

QTEST_APPLESS_MAIN(TestKerasTfjsImport)
#include "test_keras_tfjs_import.moc"
