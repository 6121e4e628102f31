// Bad model input must always end in mnv1::ModelError ("<path>: <problem>"), never in
// a crash or another exception type: empty, truncated, random and bit-flipped files,
// directories, missing files, wrong label counts, and valid TFLite flatbuffers of
// other architectures (built here with flatbuffers::FlatBufferBuilder).
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "formats/file_read.hpp"
#include "formats/formats.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/model_io.hpp"
#include "test_support.hpp"

using namespace mnv1;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------
// Outcome of a call: loaded, ModelError, or anything else (a bug).
struct Outcome {
    enum Kind { Ok, ModelErr, OtherErr } kind = Ok;
    std::string what;
};

Outcome outcome_of(const std::function<void()>& f) {
    try {
        f();
        return {};
    } catch (const ModelError& e) {
        return {Outcome::ModelErr, e.what()};
    } catch (const std::exception& e) {
        return {Outcome::OtherErr, std::string("unexpected exception: ") + e.what()};
    } catch (...) {
        return {Outcome::OtherErr, "unexpected non-std exception"};
    }
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Expects a ModelError whose message names `path` and contains `problem`.
#define EXPECT_MODEL_ERROR(call, path, problem)                                                   \
    do {                                                                                          \
        const Outcome o_ = outcome_of([&] { (void)(call); });                                     \
        QVERIFY2(o_.kind == Outcome::ModelErr,                                                    \
                 qPrintable(QString("expected ModelError, got: %1").arg(o_.kind == Outcome::Ok ? "success" : o_.what.c_str()))); \
        QVERIFY2(contains(o_.what, path), qPrintable(QString("message does not name the file: ") + o_.what.c_str())); \
        QVERIFY2(contains(o_.what, problem), qPrintable(QString("message lacks '%1': %2").arg(problem, o_.what.c_str()))); \
    } while (0)

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------
// A tiny TFLite writer over FlatBufferBuilder's raw table API (schema field order).
constexpr flatbuffers::voffset_t fid(int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); }

struct TfTensor {
    std::vector<std::int32_t> shape;
    std::int8_t type = 0;  // FLOAT32
    std::vector<std::uint8_t> data;
    std::vector<float> scale;
    std::vector<std::int64_t> zero_point;
};

struct TfOption {
    int id;
    std::int32_t value;
    int bytes;  // 1 (int8 enums) or 4 (int32)
};

struct TfOp {
    int code;
    std::vector<std::int32_t> inputs, outputs;
    std::uint8_t options_type = 0;
    std::vector<TfOption> options;
};

struct TfGraph {
    std::vector<TfTensor> tensors;
    std::vector<TfOp> ops;
    std::vector<std::int32_t> inputs, outputs;
    std::vector<int> filters, biases;  // tensor index of each conv's filter and bias, network order

    int add(TfTensor t) {
        tensors.push_back(std::move(t));
        return static_cast<int>(tensors.size()) - 1;
    }

    std::string serialize() const {
        using flatbuffers::Offset;
        flatbuffers::FlatBufferBuilder b;
        b.ForceDefaults(true);
        std::vector<Offset<void>> buffers;
        {
            const auto s = b.StartTable();
            buffers.emplace_back(b.EndTable(s));  // buffer 0: empty sentinel
        }
        std::vector<std::uint32_t> buffer_of(tensors.size(), 0);
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].data.empty()) continue;
            b.ForceVectorAlignment(tensors[i].data.size(), 1, 16);
            const auto v = b.CreateVector(tensors[i].data);
            const auto s = b.StartTable();
            b.AddOffset(fid(0), v);
            buffer_of[i] = static_cast<std::uint32_t>(buffers.size());
            buffers.emplace_back(b.EndTable(s));
        }
        std::vector<Offset<void>> tensor_offsets;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const TfTensor& t = tensors[i];
            const auto shape = b.CreateVector(t.shape);
            Offset<void> q;
            if (!t.scale.empty()) {
                const auto sv = b.CreateVector(t.scale);
                const auto zv = b.CreateVector(t.zero_point);
                const auto s = b.StartTable();
                b.AddOffset(fid(2), sv);
                b.AddOffset(fid(3), zv);
                q = Offset<void>(b.EndTable(s));
            }
            const auto s = b.StartTable();
            b.AddOffset(fid(0), shape);
            b.AddElement<std::int8_t>(fid(1), t.type, 0);
            b.AddElement<std::uint32_t>(fid(2), buffer_of[i], 0);
            if (!q.IsNull()) b.AddOffset(fid(4), q);
            tensor_offsets.emplace_back(b.EndTable(s));
        }
        std::map<int, std::uint32_t> opcode_index;
        std::vector<Offset<void>> opcodes;
        for (const TfOp& op : ops) {
            if (opcode_index.count(op.code)) continue;
            const auto s = b.StartTable();
            b.AddElement<std::int8_t>(fid(0), static_cast<std::int8_t>(std::min(op.code, 127)), 0);
            b.AddElement<std::int32_t>(fid(2), 1, 1);
            b.AddElement<std::int32_t>(fid(3), op.code, 0);
            opcode_index[op.code] = static_cast<std::uint32_t>(opcodes.size());
            opcodes.emplace_back(b.EndTable(s));
        }
        std::vector<Offset<void>> op_offsets;
        for (const TfOp& op : ops) {
            const auto in = b.CreateVector(op.inputs);
            const auto out = b.CreateVector(op.outputs);
            Offset<void> opts;
            if (op.options_type != 0) {
                const auto s = b.StartTable();
                for (const TfOption& o : op.options) {
                    if (o.bytes == 1) b.AddElement<std::int8_t>(fid(o.id), static_cast<std::int8_t>(o.value), 0);
                    else b.AddElement<std::int32_t>(fid(o.id), o.value, 0);
                }
                opts = Offset<void>(b.EndTable(s));
            }
            const auto s = b.StartTable();
            b.AddElement<std::uint32_t>(fid(0), opcode_index.at(op.code), 0);
            b.AddOffset(fid(1), in);
            b.AddOffset(fid(2), out);
            b.AddElement<std::uint8_t>(fid(3), op.options_type, 0);
            if (!opts.IsNull()) b.AddOffset(fid(4), opts);
            op_offsets.emplace_back(b.EndTable(s));
        }
        const auto tv = b.CreateVector(tensor_offsets);
        const auto iv = b.CreateVector(inputs);
        const auto ov = b.CreateVector(outputs);
        const auto opv = b.CreateVector(op_offsets);
        const auto name = b.CreateString("main");
        const auto sg_start = b.StartTable();
        b.AddOffset(fid(0), tv);
        b.AddOffset(fid(1), iv);
        b.AddOffset(fid(2), ov);
        b.AddOffset(fid(3), opv);
        b.AddOffset(fid(4), name);
        const Offset<void> sg(b.EndTable(sg_start));
        const auto sgv = b.CreateVector(std::vector<Offset<void>>{sg});
        const auto ocv = b.CreateVector(opcodes);
        const auto bv = b.CreateVector(buffers);
        const auto desc = b.CreateString("test model");
        const auto m = b.StartTable();
        b.AddElement<std::uint32_t>(fid(0), 3, 0);
        b.AddOffset(fid(1), ocv);
        b.AddOffset(fid(2), sgv);
        b.AddOffset(fid(3), desc);
        b.AddOffset(fid(4), bv);
        b.Finish(Offset<void>(b.EndTable(m)), "TFL3");
        return {reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()};
    }
};

constexpr int kConv = 3, kDepthwise = 4, kAvgPool = 1, kReshape = 22, kSoftmax = 25, kAdd = 0;

std::vector<std::uint8_t> float_bytes(std::size_t n, std::mt19937& rng) {
    std::normal_distribution<float> d(0.0f, 0.1f);
    std::vector<std::uint8_t> out(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        const float f = d(rng);
        std::memcpy(out.data() + 4 * i, &f, 4);
    }
    return out;
}

// Options of the MobileNet v1 synthetic graph.
struct NetSpec {
    double alpha = 0.25;
    int resolution = 32;
    int activation = 3;       // RELU6
    bool reshape = true;
    int conv0_stride = 2;
    bool extra_add = false;   // an ADD before the pool
    int num_classes = 1001;
    int pw7_extra = 0;        // extra output channels on pw7
    bool quantized = false;   // uint8 tensors, int32 biases, as the uint8 releases
};

// Quantization of the synthetic uint8 graph (what the uint8 releases use, roughly).
constexpr float kInputScale = 1.0f / 128.0f, kWeightScale = 0.02f, kReluScale = 6.0f / 255.0f;

// Float MobileNet v1 with random weights, as the TFLite converter lays it out.
TfGraph mobilenet_graph(const NetSpec& spec) {
    std::mt19937 rng(7);
    TfGraph g;
    int hw = spec.resolution;
    int cur = g.add({{1, hw, hw, 3}, 0, {}, {}, {}});
    g.inputs = {cur};
    const bool q = spec.quantized;
    if (q) {
        g.tensors[static_cast<std::size_t>(cur)].type = 3;  // UINT8
        g.tensors[static_cast<std::size_t>(cur)].scale = {kInputScale};
        g.tensors[static_cast<std::size_t>(cur)].zero_point = {128};
    }
    float cur_scale = kInputScale;
    auto conv = [&](bool depthwise, int in_c, int out_c, int k, int stride, int act) {
        const std::vector<std::int32_t> fshape =
            depthwise ? std::vector<std::int32_t>{1, k, k, in_c} : std::vector<std::int32_t>{out_c, k, k, in_c};
        const std::size_t fcount = static_cast<std::size_t>(k) * k * in_c * (depthwise ? 1 : out_c);
        int f = 0, b = 0;
        if (q) {
            std::vector<std::uint8_t> wq(fcount);
            for (std::uint8_t& v : wq) v = static_cast<std::uint8_t>(rng());
            std::vector<std::uint8_t> bq(static_cast<std::size_t>(out_c) * 4);
            for (std::size_t i = 0; i < bq.size(); i += 4) {
                const std::int32_t v = static_cast<std::int32_t>(rng() % 2001) - 1000;
                std::memcpy(bq.data() + i, &v, 4);
            }
            f = g.add({fshape, 3, wq, {kWeightScale}, {128}});
            b = g.add({{out_c}, 2, bq, {cur_scale * kWeightScale}, {0}});
        } else {
            f = g.add({fshape, 0, float_bytes(fcount, rng), {}, {}});
            b = g.add({{out_c}, 0, float_bytes(static_cast<std::size_t>(out_c), rng), {}, {}});
        }
        g.filters.push_back(f);
        g.biases.push_back(b);
        hw = (hw + stride - 1) / stride;
        const bool classifier = act == 0;
        cur_scale = classifier ? 0.1f : kReluScale;
        const int out = q ? g.add({{1, hw, hw, out_c}, 3, {}, {cur_scale}, {classifier ? 128 : 0}})
                          : g.add({{1, hw, hw, out_c}, 0, {}, {}, {}});
        TfOp op{depthwise ? kDepthwise : kConv, {cur, f, b}, {out}, static_cast<std::uint8_t>(depthwise ? 2 : 1), {}};
        if (depthwise) op.options = {{0, 0, 1}, {1, stride, 4}, {2, stride, 4}, {3, 1, 4}, {4, act, 1}};
        else op.options = {{0, 0, 1}, {1, stride, 4}, {2, stride, 4}, {3, act, 1}};
        g.ops.push_back(op);
        cur = out;
    };
    int c = scaled_channels(32, spec.alpha);
    conv(false, 3, c, 3, spec.conv0_stride, spec.activation);
    int block = 1;
    for (const BlockSpec& blk : separable_blocks()) {
        conv(true, c, c, 3, blk.stride, spec.activation);
        const int oc = scaled_channels(blk.out_channels, spec.alpha) + (block++ == 7 ? spec.pw7_extra : 0);
        conv(false, c, oc, 1, 1, spec.activation);
        c = oc;
    }
    if (spec.extra_add) {
        const int out = g.add({{1, hw, hw, c}, 0, {}, {}, {}});
        g.ops.push_back({kAdd, {cur, cur}, {out}, 0, {}});
        cur = out;
    }
    const int pooled = q ? g.add({{1, 1, 1, c}, 3, {}, {kReluScale}, {0}}) : g.add({{1, 1, 1, c}, 0, {}, {}, {}});
    g.ops.push_back({kAvgPool, {cur}, {pooled}, 5, {{0, 1, 1}, {1, 2, 4}, {2, 2, 4}, {3, hw, 4}, {4, hw, 4}, {5, 0, 1}}});
    cur = pooled;
    hw = 1;
    conv(false, c, spec.num_classes, 1, 1, 0);
    if (spec.reshape) {
        std::vector<std::uint8_t> shape_data(8);
        const std::int32_t dims[2] = {1, spec.num_classes};
        std::memcpy(shape_data.data(), dims, 8);
        const int st = g.add({{2}, 2, shape_data, {}, {}});
        const int out = q ? g.add({{1, spec.num_classes}, 3, {}, {0.1f}, {128}})
                          : g.add({{1, spec.num_classes}, 0, {}, {}, {}});
        g.ops.push_back({kReshape, {cur, st}, {out}, 0, {}});
        cur = out;
    }
    const int prob = q ? g.add({{1, spec.num_classes}, 3, {}, {1.0f / 256.0f}, {0}})
                       : g.add({{1, spec.num_classes}, 0, {}, {}, {}});
    g.ops.push_back({kSoftmax, {cur}, {prob}, 0, {}});
    g.outputs = {prob};
    return g;
}

std::shared_ptr<ModelWeights> load_bytes(const std::string& bytes, const std::string& name) {
    return detail::load_tflite_buffer(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), name);
}

std::string real_model() { return test::shared_path("models/tflite/mobilenet_v1_0.25_128_quant.tflite"); }

}  // namespace

class TestModelErrors : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(tmp_.isValid()); }

    void missingFile();
    void directoryAsModel();
    void emptyFile();
    void unrecognizedFormat();
    void randomBytes();
    void truncated();
    void bitFlipped();
    void syntheticMobileNetLoads();
    void otherArchitectureThreeConvs();
    void graphVariations();
    void nonFiniteFloatWeights();
    void nonFiniteDequantizedWeights();
    void labelsWrongCount();
    void labelsMissing();
    void searchDirs();
    void discoveryReportsProblems();

private:
    std::string tmp(const std::string& name) const { return tmp_.path().toStdString() + "/" + name; }
    QTemporaryDir tmp_;
};

void TestModelErrors::missingFile() {
    const std::string p = tmp("does_not_exist.tflite");
    EXPECT_MODEL_ERROR(load_model(p), p, "no such file");
    EXPECT_MODEL_ERROR(detail::load_tflite(p), p, "no such file");
    EXPECT_MODEL_ERROR(detail::read_file_bytes(p), p, "no such file");
    EXPECT_MODEL_ERROR(load_labels(p, 1001), p, "no such file");
}

void TestModelErrors::directoryAsModel() {
    const std::string d = tmp("some_dir");
    fs::create_directory(d);
    EXPECT_MODEL_ERROR(load_model(d), d, "directory");
    EXPECT_MODEL_ERROR(detail::load_tflite(d), d, "directory");
    EXPECT_MODEL_ERROR(detail::read_file_bytes(d), d, "directory");
}

void TestModelErrors::emptyFile() {
    const std::string p = tmp("empty.tflite");
    write_file(p, "");
    EXPECT_MODEL_ERROR(load_model(p), p, "empty");
    EXPECT_MODEL_ERROR(detail::load_tflite(p), p, "empty");
    EXPECT_MODEL_ERROR(load_bytes("", "mem"), "mem", "empty");
}

void TestModelErrors::unrecognizedFormat() {
    const std::string p = tmp("notes.tflite");
    write_file(p, "this is not a model at all, just some text\n");
    EXPECT_MODEL_ERROR(load_model(p), p, "unrecognized model format");
    EXPECT_MODEL_ERROR(detail::load_tflite(p), p, "TFL3");
}

void TestModelErrors::randomBytes() {
    std::mt19937 rng(1234);
    for (int i = 0; i < 200; ++i) {
        std::string bytes(static_cast<std::size_t>(8 + rng() % 4096), '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
        if (i % 2 == 0) std::memcpy(bytes.data() + 4, "TFL3", 4);  // get past the identifier check
        const Outcome o = outcome_of([&] { load_bytes(bytes, "random.tflite"); });
        QVERIFY2(o.kind == Outcome::ModelErr, o.what.c_str());
        QVERIFY(contains(o.what, "random.tflite"));
    }
    const std::string p = tmp("random.tflite");
    std::string bytes(1000, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    std::memcpy(bytes.data() + 4, "TFL3", 4);
    write_file(p, bytes);
    EXPECT_MODEL_ERROR(load_model(p), p, "TFLite");
}

void TestModelErrors::truncated() {
    // The float release ends with its flatbuffer (the uint8 ones carry an appended zip of
    // associated files, whose truncation leaves the model intact), so any cut is damage.
    const std::string src = test::shared_path("models/tflite/mobilenet_v1_0.25_224.tflite");
    MOBILENET_REQUIRE_FILE(src);
    const std::string full = read_file(src);
    for (std::size_t len : {std::size_t{3}, std::size_t{7}, std::size_t{8}, std::size_t{64}, std::size_t{1000},
                            full.size() / 4, full.size() / 2, full.size() - 1000, full.size() - 1}) {
        const std::string p = tmp("trunc_" + std::to_string(len) + ".tflite");
        write_file(p, full.substr(0, len));
        const Outcome o = outcome_of([&] { load_model(p); });
        QVERIFY2(o.kind == Outcome::ModelErr, qPrintable(QString("len %1: %2").arg(len).arg(o.what.c_str())));
        QVERIFY2(contains(o.what, p), o.what.c_str());
    }
}

void TestModelErrors::bitFlipped() {
    const std::string src = real_model();
    MOBILENET_REQUIRE_FILE(src);
    const std::string full = read_file(src);
    std::mt19937 rng(99);
    int errors = 0, loaded = 0;
    for (int i = 0; i < 400; ++i) {
        std::string bytes = full;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int f = 0; f < flips; ++f) {
            // Half of the flips land in the first/last 16 KiB, where the tables live.
            std::size_t pos = rng() % bytes.size();
            if (f % 2 == 1) {
                pos = rng() % 16384;
                if (rng() % 2) pos = bytes.size() - 1 - pos;
            }
            bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << (rng() % 8)));
        }
        Outcome o;
        std::string name = "flip-" + std::to_string(i);
        if (i < 25) {  // a few go through the file system and load_model
            name = tmp(name + ".tflite");
            write_file(name, bytes);
            o = outcome_of([&] { load_model(name); });
        } else {
            o = outcome_of([&] { load_bytes(bytes, name); });
        }
        QVERIFY2(o.kind != Outcome::OtherErr, o.what.c_str());
        if (o.kind == Outcome::ModelErr) {
            ++errors;
            QVERIFY2(contains(o.what, name), o.what.c_str());
        } else {
            ++loaded;
        }
    }
    qInfo("bit flips: %d rejected with ModelError, %d loaded (flips in weight data)", errors, loaded);
    QVERIFY(errors > 0);
}

void TestModelErrors::syntheticMobileNetLoads() {
    // The builder below must itself produce a loadable MobileNet, or the negative
    // tests that derive from it prove nothing.
    const std::string bytes = mobilenet_graph({}).serialize();
    const auto w = load_bytes(bytes, "synthetic.tflite");
    QCOMPARE(w->alpha, 0.25);
    QCOMPARE(w->native_resolution, 32);
    QCOMPARE(w->num_classes, 1001);
    QVERIFY(w->activation == Activation::Relu6);
    QVERIFY(!w->quantized);

    NetSpec relu;
    relu.activation = 1;
    relu.reshape = false;  // softmax straight after the classifier is tolerated
    relu.alpha = 0.5;
    relu.resolution = 64;
    relu.num_classes = 1000;
    const auto w2 = load_bytes(mobilenet_graph(relu).serialize(), "relu.tflite");
    QVERIFY(w2->activation == Activation::Relu);
    QCOMPARE(w2->alpha, 0.5);
    QCOMPARE(w2->native_resolution, 64);
    QCOMPARE(w2->num_classes, 1000);

    NetSpec odd;  // a width multiplier outside the released set, derived from the channels
    odd.alpha = 0.375;
    const auto w3 = load_bytes(mobilenet_graph(odd).serialize(), "odd.tflite");
    QCOMPARE(w3->alpha, 0.375);
}

void TestModelErrors::otherArchitectureThreeConvs() {
    std::mt19937 rng(3);
    TfGraph g;
    int cur = g.add({{1, 32, 32, 3}, 0, {}, {}, {}});
    g.inputs = {cur};
    int in_c = 3;
    for (int i = 0; i < 3; ++i) {
        const int f = g.add({{16, 3, 3, in_c}, 0, float_bytes(16 * 9 * static_cast<std::size_t>(in_c), rng), {}, {}});
        const int b = g.add({{16}, 0, float_bytes(16, rng), {}, {}});
        const int out = g.add({{1, 32, 32, 16}, 0, {}, {}, {}});
        g.ops.push_back({kConv, {cur, f, b}, {out}, 1, {{0, 0, 1}, {1, 1, 4}, {2, 1, 4}, {3, 3, 1}}});
        cur = out;
        in_c = 16;
    }
    g.outputs = {cur};
    const std::string p = tmp("three_convs.tflite");
    write_file(p, g.serialize());
    EXPECT_MODEL_ERROR(load_model(p), p, "not a MobileNet v1 graph");
}

void TestModelErrors::graphVariations() {
    NetSpec add;
    add.extra_add = true;
    EXPECT_MODEL_ERROR(load_bytes(mobilenet_graph(add).serialize(), "add.tflite"), "add.tflite",
                       "not a MobileNet v1 graph");
    NetSpec stride;
    stride.conv0_stride = 1;
    EXPECT_MODEL_ERROR(load_bytes(mobilenet_graph(stride).serialize(), "s1.tflite"), "s1.tflite", "stride");
    NetSpec noact;
    noact.activation = 0;  // float model without activations
    EXPECT_MODEL_ERROR(load_bytes(mobilenet_graph(noact).serialize(), "noact.tflite"), "noact.tflite",
                       "activation");

    NetSpec odd_channels;  // pw7 gets 3 channels too many: no width multiplier fits
    odd_channels.pw7_extra = 3;
    EXPECT_MODEL_ERROR(load_bytes(mobilenet_graph(odd_channels).serialize(), "pw7.tflite"), "pw7.tflite",
                       "width multiplier");

    TfGraph g = mobilenet_graph({});
    g.inputs = {999};  // dangling input tensor index
    EXPECT_MODEL_ERROR(load_bytes(g.serialize(), "dangling.tflite"), "dangling.tflite", "tensor");

    TfGraph cyc = mobilenet_graph({});
    cyc.ops[1].outputs = cyc.ops[0].inputs;  // dw1 writes conv0's input: no path forward
    const Outcome o = outcome_of([&] { load_bytes(cyc.serialize(), "cycle.tflite"); });
    QVERIFY2(o.kind == Outcome::ModelErr, o.what.c_str());

    TfGraph wrong_size = mobilenet_graph({});
    wrong_size.tensors[1].data.resize(wrong_size.tensors[1].data.size() - 4);  // conv0 filter short
    EXPECT_MODEL_ERROR(load_bytes(wrong_size.serialize(), "short.tflite"), "short.tflite", "bytes");

    TfGraph nonsquare = mobilenet_graph({});
    nonsquare.tensors[0].shape = {1, 32, 48, 3};
    EXPECT_MODEL_ERROR(load_bytes(nonsquare.serialize(), "rect.tflite"), "rect.tflite", "square");
}

// Puts `value` as element `index` of float tensor `tensor`.
void poke_float(TfGraph& g, int tensor, std::size_t index, float value) {
    std::memcpy(g.tensors[static_cast<std::size_t>(tensor)].data.data() + 4 * index, &value, 4);
}

void TestModelErrors::nonFiniteFloatWeights() {
    // One NaN or Inf anywhere in a float model's weights or biases used to load and
    // classify every image as 0.00%: it must be refused, naming the layer.
    constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
    constexpr float kInf = std::numeric_limits<float>::infinity();
    struct Case {
        const char* file;
        std::size_t layer;  // index into filters/biases: 0 = conv0, ..., 27 = fc
        bool bias;
        std::size_t element;
        float value;
        const char* layer_name;
        const char* value_text;
    };
    const Case cases[] = {
        {"nan_conv0.tflite", 0, false, 0, kNan, "layer conv0", "nan"},
        {"inf_dw5_bias.tflite", 9, true, 3, kInf, "layer dw5", "inf"},
        {"neginf_pw13.tflite", 26, false, 17, -kInf, "layer pw13", "-inf"},
        {"nan_fc_bias.tflite", 27, true, 1000, kNan, "layer fc", "nan"},
    };
    for (const Case& c : cases) {
        TfGraph g = mobilenet_graph({});
        QCOMPARE(g.filters.size(), std::size_t{28});
        poke_float(g, c.bias ? g.biases[c.layer] : g.filters[c.layer], c.element, c.value);
        const Outcome o = outcome_of([&] { load_bytes(g.serialize(), c.file); });
        QVERIFY2(o.kind == Outcome::ModelErr, (std::string(c.file) + ": " + o.what).c_str());
        QVERIFY2(contains(o.what, c.file) && contains(o.what, c.layer_name) && contains(o.what, "non-finite") &&
                     contains(o.what, std::string("(") + c.value_text + ")") &&
                     contains(o.what, c.bias ? "bias tensor" : "weight tensor"),
                 o.what.c_str());
    }
}

void TestModelErrors::nonFiniteDequantizedWeights() {
    NetSpec spec;
    spec.quantized = true;
    {
        // The synthetic uint8 graph itself loads (else the cases below prove nothing).
        const auto w = load_bytes(mobilenet_graph(spec).serialize(), "uint8.tflite");
        QVERIFY(w->quantized);
        QCOMPARE(w->layers.size(), std::size_t{28});
        QCOMPARE(w->input_mean, 128.0f);
    }
    constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
    constexpr float kInf = std::numeric_limits<float>::infinity();
    struct Case {
        const char* file;
        const char* expect;  // fragments of the message, '|'-separated
        std::function<void(TfGraph&)> edit;
    };
    const auto weight_scale = [](std::size_t layer, float s) {
        return [layer, s](TfGraph& g) { g.tensors[static_cast<std::size_t>(g.filters[layer])].scale = {s}; };
    };
    const std::vector<Case> cases = {
        // Unusable scales are refused by name before anything is dequantized.
        {"scale_nan.tflite", "layer dw3|weight tensor has an invalid scale", weight_scale(5, kNan)},
        {"scale_inf.tflite", "layer pw2|weight tensor has an invalid scale", weight_scale(4, kInf)},
        {"scale_zero.tflite", "layer conv0|weight tensor has an invalid scale", weight_scale(0, 0.0f)},
        {"scale_negative.tflite", "layer fc|weight tensor has an invalid scale", weight_scale(27, -0.5f)},
        // Finite scales whose dequantized values are not: scale * (q - zero point)
        // overflows float.
        {"scale_huge.tflite", "layer pw7 weights|non-finite", weight_scale(14, 3.0e38f)},
        {"bias_overflow.tflite", "layer dw9 bias|non-finite",
         [](TfGraph& g) {
             TfTensor& b = g.tensors[static_cast<std::size_t>(g.biases[17])];
             b.scale = {1.0e36f};
             const std::int32_t big = 2000000000;
             std::memcpy(b.data.data(), &big, 4);
         }},
        // A denormal input scale passes as positive and finite, but 1 / scale is +Inf.
        {"input_denormal.tflite", "input scaling|non-finite",
         [](TfGraph& g) {
             g.tensors[0].scale = {1.0e-45f};
             g.tensors[static_cast<std::size_t>(g.biases[0])].scale = {kWeightScale};
         }},
    };
    for (const Case& c : cases) {
        TfGraph g = mobilenet_graph(spec);
        c.edit(g);
        const Outcome o = outcome_of([&] { load_bytes(g.serialize(), c.file); });
        QVERIFY2(o.kind == Outcome::ModelErr, (std::string(c.file) + ": " + o.what).c_str());
        QVERIFY2(contains(o.what, c.file), o.what.c_str());
        for (const QString& part : QString(c.expect).split('|')) {
            QVERIFY2(contains(o.what, part.toStdString()), (std::string(c.file) + ": " + o.what).c_str());
        }
    }
}

void TestModelErrors::labelsWrongCount() {
    const std::string labels = tmp("seven_labels.txt");
    write_file(labels, "a\nb\nc\nd\ne\nf\ng\n");
    const Outcome o = outcome_of([&] { load_labels(labels, 1001); });
    QVERIFY(o.kind == Outcome::ModelErr);
    QVERIFY2(contains(o.what, labels) && contains(o.what, "7") && contains(o.what, "1001"), o.what.c_str());
    QCOMPARE(load_labels(labels, 7).size(), std::size_t{7});
    QCOMPARE(load_labels(labels, 8).front(), std::string("background"));

    const std::string json = tmp("metadata.json");
    write_file(json, R"({"labels": ["x", "y"]})");
    EXPECT_MODEL_ERROR(load_labels(json, 1000), json, "1000");
    write_file(json, R"({"labels": "nope"})");
    EXPECT_MODEL_ERROR(load_labels(json, 1), json, "labels");
    write_file(json, R"({"labels": [)");
    EXPECT_MODEL_ERROR(load_labels(json, 1), json, "JSON");

    const std::string model = real_model();
    MOBILENET_REQUIRE_FILE(model);
    EXPECT_MODEL_ERROR(load_model(model, labels), labels, "1001");
}

void TestModelErrors::labelsMissing() {
    const std::string model = real_model();
    MOBILENET_REQUIRE_FILE(model);
    const std::string p = tmp("nolabels.txt");
    EXPECT_MODEL_ERROR(load_model(model, p), p, "no such file");
    const std::string empty = tmp("empty_labels.txt");
    write_file(empty, "\n\n");
    EXPECT_MODEL_ERROR(load_labels(empty, 1001), empty, "no labels");
}

void TestModelErrors::searchDirs() {
    const std::string a = tmp("a"), b = tmp("b"), c = tmp("c"), tree = tmp("tree");
    for (const auto& d : {a, b, c, tree + "/models"}) fs::create_directories(d);
    qputenv("MOBILENET_MODELS", QByteArray::fromStdString(b + ":" + tmp("missing") + ":" + a));
    const auto dirs = model_search_dirs(a, c, "", {tree, tmp("no_tree"), tree});
    qunsetenv("MOBILENET_MODELS");
    const std::vector<std::string> expect = {a, b, c, tree + "/models"};
    QCOMPARE(dirs, expect);
    const auto none = model_search_dirs("", "", tmp("nope"), {});
    QVERIFY(none.empty());

    // The source tree only for a program inside its build tree; the install tree always.
    using Trees = std::vector<std::string>;
    QCOMPARE(program_tree_dirs("/usr/bin/mobilenet-cli", "/src/p", "/src/p/build"), Trees{"/usr/share/mobilenet-studio"});
    QCOMPARE(program_tree_dirs("/src/p/build/bin/mobilenet-cli", "/src/p", "/src/p/build"),
             (Trees{"/src/p", "/src/p/build/share/mobilenet-studio"}));
    QCOMPARE(program_tree_dirs("/src/p/build-other/bin/mobilenet-cli", "/src/p", "/src/p/build"),
             Trees{"/src/p/build-other/share/mobilenet-studio"});
    QVERIFY(program_tree_dirs("", "/src/p", "/src/p/build").empty());
}

void TestModelErrors::discoveryReportsProblems() {
    const std::string d = tmp("models");
    fs::create_directories(d + "/sub");
    write_file(d + "/broken.tflite", std::string("\0\0\0\0TFL3garbage", 15));
    write_file(d + "/sub/synthetic.tflite", mobilenet_graph({}).serialize());
    write_file(d + "/readme.txt", "not a model");
    std::vector<std::string> problems;
    const auto models = discover_models({d}, &problems);
    QCOMPARE(models.size(), std::size_t{1});
    QCOMPARE(models[0].alpha, 0.25);
    QCOMPARE(models[0].native_resolution, 32);
    QCOMPARE(problems.size(), std::size_t{1});
    QVERIFY2(contains(problems[0], "broken.tflite"), problems[0].c_str());
}

QTEST_APPLESS_MAIN(TestModelErrors)
#include "test_model_errors.moc"
