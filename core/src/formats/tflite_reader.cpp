// TFLite flatbuffer importer for MobileNet v1 (float32 and uint8 releases).
//
// A minimal reader over flatbuffers' low-level Table API: no generated schema code.
// Every table, field and vector is checked with flatbuffers::Verifier right before it
// is read, so a hostile or truncated file can only produce a ModelError. Vector
// elements and weight bytes are copied with memcpy (no alignment assumptions).
//
// The network is mapped by its graph, not by tensor names: starting at the subgraph
// input, each step follows the single operator consuming the current tensor through
// the convolutions to the average pool, then the classifier conv, optional
// reshape/squeeze and softmax. The convolutions found are matched to MobileNet v1 by
// the shared topology matcher (topology.hpp), which detects alpha.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "file_read.hpp"
#include "formats.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/errors.hpp"
#include "mobilenet/weights.hpp"
#include "topology.hpp"

namespace mnv1::detail {
namespace {

namespace fb = flatbuffers;

constexpr fb::voffset_t field(int id) { return static_cast<fb::voffset_t>(4 + 2 * id); }

// Field ids, in TFLite schema order.
namespace model_f { constexpr int version = 0, operator_codes = 1, subgraphs = 2, description = 3, buffers = 4, metadata = 6; }
namespace opcode_f { constexpr int deprecated_builtin_code = 0, custom_code = 1, builtin_code = 3; }
namespace subgraph_f { constexpr int tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4; }
namespace tensor_f { constexpr int shape = 0, type = 1, buffer = 2, name = 3, quantization = 4; }
namespace metadata_f { constexpr int name = 0, buffer = 1; }
namespace quant_f { constexpr int scale = 2, zero_point = 3; }
namespace op_f { constexpr int opcode_index = 0, inputs = 1, outputs = 2, options_type = 3, options = 4; }
namespace buffer_f { constexpr int data = 0, offset = 1, size = 2; }
namespace conv_f { constexpr int padding = 0, stride_w = 1, stride_h = 2, activation = 3, dilation_w = 4, dilation_h = 5; }
namespace dw_f { constexpr int padding = 0, stride_w = 1, stride_h = 2, depth_multiplier = 3, activation = 4, dilation_w = 5, dilation_h = 6; }
namespace pool_f { constexpr int filter_w = 3, filter_h = 4, activation = 5; }  // padding 0, strides 1-2: unused

// TensorType
constexpr int kFloat32 = 0, kInt32 = 2, kUInt8 = 3, kInt64 = 4, kInt8 = 9;
// BuiltinOperator
constexpr int kAvgPool = 1, kConv = 3, kDepthwise = 4, kReshape = 22, kSoftmax = 25, kSqueeze = 43;
// BuiltinOptions union type ids
constexpr int kOptConv = 1, kOptDepthwise = 2, kOptPool = 5;
// Padding / ActivationFunctionType
constexpr int kPadSame = 0;
constexpr int kActNone = 0, kActRelu = 1, kActRelu6 = 3;

// Hostile-input limits (a MobileNet v1 is far below all of them).
constexpr std::uint32_t kMaxOperators = 4096;
constexpr std::uint32_t kMaxOpIo = 64;
constexpr std::uint32_t kMaxRank = 8;

const char* op_name(int code) {
    switch (code) {
        case 0: return "ADD";
        case kAvgPool: return "AVERAGE_POOL_2D";
        case 2: return "CONCATENATION";
        case kConv: return "CONV_2D";
        case kDepthwise: return "DEPTHWISE_CONV_2D";
        case 6: return "DEQUANTIZE";
        case 9: return "FULLY_CONNECTED";
        case 17: return "MAX_POOL_2D";
        case 18: return "MUL";
        case 19: return "RELU";
        case 21: return "RELU6";
        case kReshape: return "RESHAPE";
        case kSoftmax: return "SOFTMAX";
        case 32: return "CUSTOM";
        case 34: return "PAD";
        case kSqueeze: return "SQUEEZE";
        case 40: return "MEAN";
        case 114: return "QUANTIZE";
        default: return nullptr;
    }
}

std::string op_label(int code) {
    if (const char* n = op_name(code)) return n;
    return "builtin operator " + std::to_string(code);
}

const char* type_name(int type) {
    switch (type) {
        case kFloat32: return "float32";
        case 1: return "float16";
        case kInt32: return "int32";
        case kUInt8: return "uint8";
        case kInt64: return "int64";
        case kInt8: return "int8";
        default: return "unknown type";
    }
}

// A verified vector: pointer to its first element and its length.
struct Vec {
    const std::uint8_t* data = nullptr;
    std::uint32_t size = 0;
    std::size_t elem = 1;
    template <typename T>
    T get(std::uint32_t i) const {
        T v;
        std::memcpy(&v, data + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
        return v;
    }
};

struct TensorInfo {
    int index = -1;
    std::vector<std::int32_t> shape;
    int type = kFloat32;
    std::uint32_t buffer = 0;
    QuantParams quant;
    std::int64_t elements() const {
        std::int64_t n = 1;
        for (std::int32_t d : shape) n *= d;
        return n;
    }
};

struct OpInfo {
    int index = -1;
    int code = -1;
    std::vector<std::int32_t> inputs, outputs;
    int options_type = 0;
    const fb::Table* options = nullptr;
};

std::string shape_str(const std::vector<std::int32_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i) out += ",";
        out += std::to_string(s[i]);
    }
    return out + "]";
}

class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size, std::string name)
        : buf_(data), size_(size), name_(std::move(name)), verifier_(data, size, verifier_options()) {}

    [[noreturn]] void fail(const std::string& problem) const { throw ModelError(name_, problem); }
    [[noreturn]] void corrupt(const std::string& what) const {
        fail("corrupt TFLite flatbuffer (invalid " + what + ")");
    }

    const fb::Table* root() {
        const fb::uoffset_t o = verifier_.VerifyOffset(0);
        if (!o) corrupt("root offset");
        return start_table(buf_ + o, "root table");
    }

    // A sub-table referenced by field `id` of `t`; nullptr when the field is absent.
    const fb::Table* table(const fb::Table* t, int id, const char* what) {
        const fb::voffset_t off = t->GetOptionalFieldOffset(field(id));
        if (!off) return nullptr;
        const auto* p = reinterpret_cast<const std::uint8_t*>(t) + off;
        const fb::uoffset_t o = verifier_.VerifyOffset(static_cast<std::size_t>(p - buf_));
        if (!o) corrupt(what);
        return start_table(p + o, what);
    }

    // A vector referenced by field `id` of `t` with elements of `elem` bytes; empty when absent.
    Vec vector(const fb::Table* t, int id, std::size_t elem, const char* what) {
        const fb::voffset_t off = t->GetOptionalFieldOffset(field(id));
        if (!off) return {};
        const auto* p = reinterpret_cast<const std::uint8_t*>(t) + off;
        const fb::uoffset_t o = verifier_.VerifyOffset(static_cast<std::size_t>(p - buf_));
        if (!o) corrupt(what);
        const std::uint8_t* v = p + o;
        if (!verifier_.VerifyVectorOrString(v, elem)) corrupt(what);
        Vec out;
        out.size = fb::ReadScalar<fb::uoffset_t>(v);
        out.data = v + sizeof(fb::uoffset_t);
        out.elem = elem;
        return out;
    }

    // Verifies the string referenced by field `id` of `t` (absent is fine).
    void string(const fb::Table* t, int id, const char* what) {
        const fb::voffset_t off = t->GetOptionalFieldOffset(field(id));
        if (!off) return;
        const auto* p = reinterpret_cast<const std::uint8_t*>(t) + off;
        const fb::uoffset_t o = verifier_.VerifyOffset(static_cast<std::size_t>(p - buf_));
        if (!o || !verifier_.VerifyString(reinterpret_cast<const fb::String*>(p + o))) corrupt(what);
    }

    // Element i of a vector of tables.
    const fb::Table* table_at(const Vec& v, std::uint32_t i, const char* what) {
        if (i >= v.size) fail(std::string("reference to missing ") + what + " " + std::to_string(i));
        const std::uint8_t* p = v.data + static_cast<std::size_t>(i) * sizeof(fb::uoffset_t);
        const fb::uoffset_t o = verifier_.VerifyOffset(static_cast<std::size_t>(p - buf_));
        if (!o) corrupt(what);
        return start_table(p + o, what);
    }

    template <typename T>
    T scalar(const fb::Table* t, int id, T def, const char* what) {
        if (!t->VerifyField<T>(verifier_, field(id), sizeof(T))) corrupt(what);
        return t->GetField<T>(field(id), def);
    }

    const std::uint8_t* base() const { return buf_; }
    std::size_t size() const { return size_; }
    const std::string& name() const { return name_; }

private:
    static fb::Verifier::Options verifier_options() {
        fb::Verifier::Options o;
        o.max_depth = 64;
        o.max_tables = 1000000;
        o.check_alignment = true;
        return o;
    }

    const fb::Table* start_table(const std::uint8_t* p, const char* what) {
        const auto* t = reinterpret_cast<const fb::Table*>(p);
        if (!t->VerifyTableStart(verifier_)) corrupt(what);
        verifier_.EndTable();  // only the depth counter; each table is checked field by field
        return t;
    }

    const std::uint8_t* buf_;
    std::size_t size_;
    std::string name_;
    fb::Verifier verifier_;
};

// A convolution operator on the data path, described without copying its weights.
struct ConvOp {
    const OpInfo* op = nullptr;
    bool depthwise = false;
    int kernel = 0, in_c = 0, out_c = 0;
    const TensorInfo* input = nullptr;
    const TensorInfo* filter = nullptr;
    const TensorInfo* output = nullptr;
    std::string where;  // "layer dw3 (operator 5)"
};

class Importer {
public:
    Importer(const std::uint8_t* data, std::size_t size, const std::string& name) : r_(data, size, name) {}

    // Verifies the flatbuffer, walks the graph and matches it to MobileNet v1; reads
    // tensor shapes and quantization, copies no weights. Call once, before load().
    void walk();
    const Topology& topology() const { return topology_; }
    bool quantized() const { return quantized_; }
    // The complete weights of the walked graph.
    std::shared_ptr<ModelWeights> load();

private:
    [[noreturn]] void not_mobilenet(const std::string& why) const {
        r_.fail("not a MobileNet v1 graph: " + why);
    }

    void read_model();
    void verify_structure(const fb::Table* model, const fb::Table* subgraph);
    const TensorInfo& tensor(int index);
    const OpInfo& consumer(int tensor_index, const std::string& after);
    int op_code(std::uint32_t opcode_index);
    OpInfo read_op(std::uint32_t i);
    std::span<const std::uint8_t> tensor_data(const TensorInfo& t, std::size_t elem_size);
    QuantParams read_quant(const fb::Table* q, const std::string& what);
    void check_quant(const QuantParams& p, const std::string& tensor_name, bool per_channel_ok, bool is_bias,
                     int channels, const std::string& where) const;

    // Checks one convolution operator (options, shapes, types, quantization, data
    // size) and adds it to convs_ / found_ as the layer `name`.
    void add_conv(const OpInfo& op, const std::string& name, ConvKind kind_if_conv, int in_c);
    LayerWeights conv_weights(const ConvOp& c, const std::string& name);
    // The bias tensor of `c`, checked to be `type` with one entry per output channel;
    // nullptr when the operator has none.
    const TensorInfo* bias_tensor(const ConvOp& c, int type);

    Reader r_;
    Vec opcodes_, tensors_, buffers_, operators_;
    std::vector<std::int32_t> graph_inputs_, graph_outputs_;
    std::map<int, TensorInfo> tensor_cache_;
    std::vector<OpInfo> ops_;
    bool quantized_ = false;

    // Results of walk().
    std::vector<ConvOp> convs_;
    std::vector<FoundConv> found_;
    Topology topology_;
    QuantParams input_quant_, output_quant_;
};

std::vector<std::int32_t> read_int_vector(const Vec& v) {
    std::vector<std::int32_t> out(v.size);
    for (std::uint32_t i = 0; i < v.size; ++i) out[i] = v.get<std::int32_t>(i);
    return out;
}

void Importer::read_model() {
    const fb::Table* model = r_.root();
    const auto version = r_.scalar<std::uint32_t>(model, model_f::version, 0, "model version");
    if (version != 3) r_.fail("unsupported TFLite schema version " + std::to_string(version));
    opcodes_ = r_.vector(model, model_f::operator_codes, sizeof(fb::uoffset_t), "operator codes");
    buffers_ = r_.vector(model, model_f::buffers, sizeof(fb::uoffset_t), "buffers");
    const Vec subgraphs = r_.vector(model, model_f::subgraphs, sizeof(fb::uoffset_t), "subgraphs");
    if (subgraphs.size == 0) r_.fail("TFLite model has no subgraph");
    const fb::Table* sg = r_.table_at(subgraphs, 0, "subgraph");
    tensors_ = r_.vector(sg, subgraph_f::tensors, sizeof(fb::uoffset_t), "tensors");
    operators_ = r_.vector(sg, subgraph_f::operators, sizeof(fb::uoffset_t), "operators");
    const Vec in = r_.vector(sg, subgraph_f::inputs, sizeof(std::int32_t), "subgraph inputs");
    const Vec out = r_.vector(sg, subgraph_f::outputs, sizeof(std::int32_t), "subgraph outputs");
    if (in.size > kMaxOpIo || out.size > kMaxOpIo) not_mobilenet("too many graph inputs/outputs");
    graph_inputs_ = read_int_vector(in);
    graph_outputs_ = read_int_vector(out);
    if (graph_inputs_.size() != 1) {
        not_mobilenet("expected 1 input tensor, found " + std::to_string(graph_inputs_.size()));
    }
    if (graph_outputs_.size() != 1) {
        not_mobilenet("expected 1 output tensor, found " + std::to_string(graph_outputs_.size()));
    }
    if (operators_.size > kMaxOperators) {
        not_mobilenet(std::to_string(operators_.size) + " operators");
    }
    ops_.reserve(operators_.size);
    for (std::uint32_t i = 0; i < operators_.size; ++i) ops_.push_back(read_op(i));
    verify_structure(model, sg);
}

// Structural check of the parts not otherwise read (names, unused tensors and
// buffers, metadata), so that a file truncated or damaged anywhere inside the
// flatbuffer is rejected instead of loading by luck. Data appended after the
// flatbuffer (the zip of associated files some releases carry) is not covered.
void Importer::verify_structure(const fb::Table* model, const fb::Table* subgraph) {
    r_.string(model, model_f::description, "model description");
    r_.string(subgraph, subgraph_f::name, "subgraph name");
    for (std::uint32_t i = 0; i < opcodes_.size; ++i) {
        r_.string(r_.table_at(opcodes_, i, "operator code"), opcode_f::custom_code, "custom operator code");
    }
    for (std::uint32_t i = 0; i < tensors_.size; ++i) {
        const fb::Table* t = r_.table_at(tensors_, i, "tensor");
        r_.vector(t, tensor_f::shape, sizeof(std::int32_t), "tensor shape");
        r_.string(t, tensor_f::name, "tensor name");
        r_.scalar<std::int8_t>(t, tensor_f::type, 0, "tensor type");
        r_.scalar<std::uint32_t>(t, tensor_f::buffer, 0, "tensor buffer index");
        if (const fb::Table* q = r_.table(t, tensor_f::quantization, "tensor quantization")) {
            r_.vector(q, quant_f::scale, sizeof(float), "quantization scale");
            r_.vector(q, quant_f::zero_point, sizeof(std::int64_t), "quantization zero point");
        }
    }
    for (std::uint32_t i = 0; i < buffers_.size; ++i) {
        r_.vector(r_.table_at(buffers_, i, "buffer"), buffer_f::data, 1, "buffer data");
    }
    const Vec metadata = r_.vector(model, model_f::metadata, sizeof(fb::uoffset_t), "metadata");
    for (std::uint32_t i = 0; i < metadata.size; ++i) {
        const fb::Table* m = r_.table_at(metadata, i, "metadata");
        r_.string(m, metadata_f::name, "metadata name");
        r_.scalar<std::uint32_t>(m, metadata_f::buffer, 0, "metadata buffer index");
    }
}

int Importer::op_code(std::uint32_t opcode_index) {
    const fb::Table* oc = r_.table_at(opcodes_, opcode_index, "operator code");
    const int deprecated = r_.scalar<std::int8_t>(oc, opcode_f::deprecated_builtin_code, 0,
                                                  "operator code");
    const int builtin = r_.scalar<std::int32_t>(oc, opcode_f::builtin_code, 0, "operator code");
    return std::max(deprecated, builtin);
}

OpInfo Importer::read_op(std::uint32_t i) {
    const fb::Table* t = r_.table_at(operators_, i, "operator");
    OpInfo op;
    op.index = static_cast<int>(i);
    op.code = op_code(r_.scalar<std::uint32_t>(t, op_f::opcode_index, 0, "operator"));
    const Vec in = r_.vector(t, op_f::inputs, sizeof(std::int32_t), "operator inputs");
    const Vec out = r_.vector(t, op_f::outputs, sizeof(std::int32_t), "operator outputs");
    if (in.size > kMaxOpIo || out.size > kMaxOpIo) {
        not_mobilenet("operator " + std::to_string(i) + " (" + op_label(op.code) + ") has " +
                      std::to_string(in.size) + " inputs and " + std::to_string(out.size) + " outputs");
    }
    op.inputs = read_int_vector(in);
    op.outputs = read_int_vector(out);
    op.options_type = r_.scalar<std::uint8_t>(t, op_f::options_type, 0, "operator options type");
    op.options = r_.table(t, op_f::options, "operator options");
    return op;
}

QuantParams Importer::read_quant(const fb::Table* q, const std::string& what) {
    QuantParams p;
    if (!q) return p;
    const Vec scale = r_.vector(q, quant_f::scale, sizeof(float), "quantization scale");
    const Vec zp = r_.vector(q, quant_f::zero_point, sizeof(std::int64_t), "quantization zero point");
    if (scale.size > (1u << 20) || zp.size > (1u << 20)) r_.fail(what + ": oversized quantization table");
    if (zp.size != 0 && zp.size != scale.size) {
        r_.fail(what + ": " + std::to_string(scale.size) + " quantization scales but " +
                std::to_string(zp.size) + " zero points");
    }
    p.scale.resize(scale.size);
    p.zero_point.assign(scale.size, 0);
    for (std::uint32_t i = 0; i < scale.size; ++i) p.scale[i] = scale.get<float>(i);
    for (std::uint32_t i = 0; i < zp.size; ++i) {
        p.zero_point[i] = zp.get<std::int64_t>(i);
        if (p.zero_point[i] < std::numeric_limits<std::int32_t>::min() ||
            p.zero_point[i] > std::numeric_limits<std::int32_t>::max()) {
            r_.fail(what + ": quantization zero point " + std::to_string(p.zero_point[i]) + " out of range");
        }
    }
    return p;
}

const TensorInfo& Importer::tensor(int index) {
    if (auto it = tensor_cache_.find(index); it != tensor_cache_.end()) return it->second;
    if (index < 0 || static_cast<std::uint32_t>(index) >= tensors_.size) {
        r_.fail("reference to missing tensor " + std::to_string(index) + " (model has " +
                std::to_string(tensors_.size) + ")");
    }
    const fb::Table* t = r_.table_at(tensors_, static_cast<std::uint32_t>(index), "tensor");
    TensorInfo info;
    info.index = index;
    const Vec shape = r_.vector(t, tensor_f::shape, sizeof(std::int32_t), "tensor shape");
    if (shape.size > kMaxRank) r_.fail("tensor " + std::to_string(index) + " has rank " + std::to_string(shape.size));
    info.shape = read_int_vector(shape);
    std::int64_t n = 1;
    for (std::int32_t d : info.shape) {
        if (d < 1 || d > (1 << 24)) {
            r_.fail("tensor " + std::to_string(index) + " has invalid shape " + shape_str(info.shape));
        }
        n *= d;
        if (n > (std::int64_t{1} << 31)) {
            r_.fail("tensor " + std::to_string(index) + " is too large " + shape_str(info.shape));
        }
    }
    info.type = r_.scalar<std::int8_t>(t, tensor_f::type, 0, "tensor type");
    info.buffer = r_.scalar<std::uint32_t>(t, tensor_f::buffer, 0, "tensor buffer index");
    info.quant = read_quant(r_.table(t, tensor_f::quantization, "tensor quantization"),
                            "tensor " + std::to_string(index));
    return tensor_cache_.emplace(index, std::move(info)).first->second;
}

// Raw bytes of a constant tensor (inside the buffer); checks the byte count against the shape.
std::span<const std::uint8_t> Importer::tensor_data(const TensorInfo& t, std::size_t elem_size) {
    const std::string what = "tensor " + std::to_string(t.index) + " " + shape_str(t.shape);
    const fb::Table* b = r_.table_at(buffers_, t.buffer, "buffer");
    const Vec data = r_.vector(b, buffer_f::data, 1, "buffer data");
    const std::uint8_t* p = data.data;
    std::uint64_t n = data.size;
    if (!p) {
        // Large-model layout: data outside the flatbuffer, offset from the start of the file.
        const auto off = r_.scalar<std::uint64_t>(b, buffer_f::offset, 0, "buffer offset");
        const auto sz = r_.scalar<std::uint64_t>(b, buffer_f::size, 0, "buffer size");
        if (off > 1) {
            if (off > r_.size() || sz > r_.size() - off) r_.fail(what + ": buffer outside the file");
            p = r_.base() + off;
            n = sz;
        }
    }
    const std::uint64_t expected = static_cast<std::uint64_t>(t.elements()) * elem_size;
    if (!p || n == 0) r_.fail(what + " has no data (not a constant tensor)");
    if (n != expected) {
        r_.fail(what + " holds " + std::to_string(n) + " bytes, expected " + std::to_string(expected));
    }
    return {p, static_cast<std::size_t>(n)};
}

const OpInfo& Importer::consumer(int tensor_index, const std::string& after) {
    const OpInfo* found = nullptr;
    int count = 0;
    for (const OpInfo& op : ops_) {
        if (!op.inputs.empty() && op.inputs[0] == tensor_index) {
            if (!found) found = &op;
            ++count;
        }
    }
    if (!found) not_mobilenet("nothing consumes the output of " + after);
    if (count > 1) {
        not_mobilenet("the output of " + after + " feeds " + std::to_string(count) + " operators");
    }
    if (found->outputs.size() != 1) {
        not_mobilenet("operator " + std::to_string(found->index) + " (" + op_label(found->code) +
                      ") has " + std::to_string(found->outputs.size()) + " outputs");
    }
    return *found;
}

// Dequantizes `q` (canonical layout, `per_channel` elements per output channel).
std::vector<float> dequantize(const std::vector<std::uint8_t>& q, const QuantParams& p, std::size_t per_channel) {
    std::vector<float> out(q.size());
    for (std::size_t i = 0; i < q.size(); ++i) {
        const std::size_t c = p.scale.size() == 1 ? 0 : i / per_channel;
        out[i] = p.scale[c] * static_cast<float>(static_cast<std::int64_t>(q[i]) - p.zero_point[c]);
    }
    return out;
}

void Importer::check_quant(const QuantParams& p, const std::string& tensor_name, bool per_channel_ok, bool is_bias,
                           int channels, const std::string& where) const {
    if (p.empty()) r_.fail(where + ": " + tensor_name + " tensor has no quantization parameters");
    if (p.scale.size() != 1 && !(per_channel_ok && p.scale.size() == static_cast<std::size_t>(channels))) {
        r_.fail(where + ": " + tensor_name + " tensor has " + std::to_string(p.scale.size()) +
                " quantization scales for " + std::to_string(channels) + " channels");
    }
    for (float sc : p.scale) {
        if (!std::isfinite(sc) || sc <= 0.0f) r_.fail(where + ": " + tensor_name + " tensor has an invalid scale");
    }
    for (std::int64_t z : p.zero_point) {
        if (!is_bias && (z < 0 || z > 255)) {
            r_.fail(where + ": " + tensor_name + " tensor has uint8 zero point " + std::to_string(z));
        }
    }
}

void Importer::add_conv(const OpInfo& op, const std::string& name, ConvKind kind_if_conv, int in_c) {
    const bool depthwise = op.code == kDepthwise;
    if (op.code != kConv && !depthwise) {
        not_mobilenet("expected a convolution for layer " + name + ", found " + op_label(op.code) + " (operator " +
                      std::to_string(op.index) + ")");
    }
    ConvOp c;
    c.op = &op;
    c.depthwise = depthwise;
    c.where = "layer " + name + " (operator " + std::to_string(op.index) + ")";
    const std::string& where = c.where;
    if (op.inputs.size() < 2 || op.inputs.size() > 3) {
        not_mobilenet(where + " has " + std::to_string(op.inputs.size()) + " inputs");
    }

    // Options.
    const int want_opt = depthwise ? kOptDepthwise : kOptConv;
    if (op.options_type != want_opt || !op.options) r_.fail(where + ": missing convolution options");
    const fb::Table* o = op.options;
    int padding = kPadSame, stride_w = 1, stride_h = 1, activation = kActNone;
    // Conv2DOptions and DepthwiseConv2DOptions share their fields, at different ids.
    struct OptionIds {
        int padding, stride_w, stride_h, activation, dilation_w, dilation_h;
        const char* what;
    };
    static constexpr OptionIds kConvIds{conv_f::padding,    conv_f::stride_w,   conv_f::stride_h, conv_f::activation,
                                        conv_f::dilation_w, conv_f::dilation_h, "conv options"};
    static constexpr OptionIds kDepthwiseIds{dw_f::padding,    dw_f::stride_w,   dw_f::stride_h, dw_f::activation,
                                             dw_f::dilation_w, dw_f::dilation_h, "depthwise options"};
    const OptionIds& ids = depthwise ? kDepthwiseIds : kConvIds;
    padding = r_.scalar<std::int8_t>(o, ids.padding, 0, ids.what);
    stride_w = r_.scalar<std::int32_t>(o, ids.stride_w, 0, ids.what);
    stride_h = r_.scalar<std::int32_t>(o, ids.stride_h, 0, ids.what);
    activation = r_.scalar<std::int8_t>(o, ids.activation, 0, ids.what);
    const int dil_w = r_.scalar<std::int32_t>(o, ids.dilation_w, 1, ids.what);
    const int dil_h = r_.scalar<std::int32_t>(o, ids.dilation_h, 1, ids.what);
    const int multiplier = depthwise ? r_.scalar<std::int32_t>(o, dw_f::depth_multiplier, 0, ids.what) : 1;
    if (dil_w != 1 || dil_h != 1) not_mobilenet(where + " is dilated");
    if (stride_w != stride_h) not_mobilenet(where + " has unequal strides");
    if (padding != kPadSame) not_mobilenet(where + " does not use SAME padding");

    // Tensors.
    const TensorInfo& in = tensor(op.inputs[0]);
    const TensorInfo& filt = tensor(op.inputs[1]);
    const TensorInfo& out = tensor(op.outputs[0]);
    if (in.shape.size() != 4) not_mobilenet(where + " input is not 4-D " + shape_str(in.shape));
    if (filt.shape.size() != 4) not_mobilenet(where + " filter is not 4-D " + shape_str(filt.shape));
    if (in.shape[3] != in_c) {
        not_mobilenet(where + " has " + std::to_string(in.shape[3]) + " input channels, expected " +
                      std::to_string(in_c));
    }
    if (filt.shape[1] != filt.shape[2]) not_mobilenet(where + " filter " + shape_str(filt.shape) + " is not square");
    c.kernel = filt.shape[1];
    c.in_c = in_c;
    if (depthwise) {
        if (filt.shape[0] != 1 || filt.shape[3] != in_c || multiplier != 1) {
            not_mobilenet(where + " depthwise filter " + shape_str(filt.shape) + " does not match " +
                          std::to_string(in_c) + " channels with multiplier 1");
        }
        c.out_c = in_c;
    } else {
        if (filt.shape[3] != in_c) {
            not_mobilenet(where + " filter " + shape_str(filt.shape) + " does not match " + std::to_string(in_c) +
                          " input channels");
        }
        c.out_c = filt.shape[0];
    }
    c.input = &in;
    c.filter = &filt;
    c.output = &out;

    // Types, quantization and the size of the weight data (not copied here).
    const bool quant_w = filt.type == kUInt8;
    if (quantized_ != quant_w || (!quant_w && filt.type != kFloat32)) {
        r_.fail(where + " has " + type_name(filt.type) + " weights in a " + (quantized_ ? "uint8" : "float32") +
                " model");
    }
    if (quantized_) {
        check_quant(in.quant, "input", false, false, c.out_c, where);
        check_quant(out.quant, "output", false, false, c.out_c, where);
        check_quant(filt.quant, "weight", true, false, c.out_c, where);
        if (in.type != kUInt8 || out.type != kUInt8) {
            r_.fail(where + " has " + type_name(in.type) + " input / " + type_name(out.type) +
                    " output in a uint8 model");
        }
    }
    (void)tensor_data(filt, quant_w ? 1 : 4);

    FoundConv f;
    f.label = c.where;
    f.kind = depthwise ? ConvKind::Depthwise : kind_if_conv;
    if (f.kind == ConvKind::Full && c.kernel == 1) f.kind = ConvKind::Pointwise;
    f.kernel = c.kernel;
    f.stride = stride_h;
    f.in_c = c.in_c;
    f.out_c = c.out_c;
    f.padding = {true, false};  // TFLite SAME is TF SAME
    check_layer_shape(f, found_.size(), r_.name());
    if (f.kind == ConvKind::Classifier) {
        if (activation != kActNone) not_mobilenet("the classifier has a fused activation");
    } else {
        // Some uint8 releases fuse no activation and clamp through the output range
        // instead: zero point 0 and scale * 255 = 6 is a ReLU6.
        if (activation == kActNone && quantized_ && out.quant.zero_point[0] == 0) {
            const double top = static_cast<double>(out.quant.scale[0]) * 255.0;
            activation = std::fabs(top - 6.0) <= 0.06 ? kActRelu6 : kActRelu;
        }
        if (activation != kActRelu6 && activation != kActRelu) {
            not_mobilenet("layer " + name + " has fused activation " + std::to_string(activation) +
                          ", expected RELU6 or RELU");
        }
        f.activation = activation == kActRelu ? Activation::Relu : Activation::Relu6;
    }
    convs_.push_back(std::move(c));
    found_.push_back(std::move(f));
}

const TensorInfo* Importer::bias_tensor(const ConvOp& c, int type) {
    const OpInfo& op = *c.op;
    if (op.inputs.size() != 3 || op.inputs[2] < 0) return nullptr;
    const TensorInfo& b = tensor(op.inputs[2]);
    if (b.type != type || b.elements() != c.out_c) {
        r_.fail(c.where + " bias is " + type_name(b.type) + " " + shape_str(b.shape) + ", expected " + type_name(type) +
                " [" + std::to_string(c.out_c) + "]");
    }
    return &b;
}

LayerWeights Importer::conv_weights(const ConvOp& c, const std::string& name) {
    const TensorInfo& filt = *c.filter;
    const std::string& where = c.where;
    const int kh = c.kernel, kw = c.kernel, oc = c.out_c, in_c = c.in_c;
    const bool quant_w = quantized_;
    const std::span<const std::uint8_t> raw = tensor_data(filt, quant_w ? 1 : 4);
    const std::size_t count = raw.size() / (quant_w ? 1 : 4);
    std::vector<std::size_t> src_of(count);  // canonical index -> TFLite element index
    if (c.depthwise) {
        // [1][kh][kw][C] -> [C][1][1][kh][kw]
        for (int ch = 0; ch < oc; ++ch)
            for (int y = 0; y < kh; ++y)
                for (int x = 0; x < kw; ++x)
                    src_of[(static_cast<std::size_t>(ch) * kh + y) * kw + x] =
                        (static_cast<std::size_t>(y) * kw + x) * oc + ch;
    } else {
        // [O][kh][kw][I] -> [O][I][kh][kw]
        for (int o2 = 0; o2 < oc; ++o2)
            for (int i = 0; i < in_c; ++i)
                for (int y = 0; y < kh; ++y)
                    for (int x = 0; x < kw; ++x)
                        src_of[((static_cast<std::size_t>(o2) * in_c + i) * kh + y) * kw + x] =
                            ((static_cast<std::size_t>(o2) * kh + y) * kw + x) * in_c + i;
    }
    const std::size_t per_channel = count / static_cast<std::size_t>(oc);

    LayerWeights lw;
    lw.name = name;
    lw.bias.assign(static_cast<std::size_t>(oc), 0.0f);

    if (!quantized_) {
        lw.weights.resize(count);
        for (std::size_t i = 0; i < count; ++i) std::memcpy(&lw.weights[i], raw.data() + 4 * src_of[i], 4);
        check_finite(lw.weights, where + " weight tensor " + std::to_string(filt.index), r_.name());
        if (const TensorInfo* b = bias_tensor(c, kFloat32)) {
            const std::span<const std::uint8_t> braw = tensor_data(*b, 4);
            std::memcpy(lw.bias.data(), braw.data(), braw.size());
            check_finite(lw.bias, where + " bias tensor " + std::to_string(b->index), r_.name());
        }
        return lw;
    }

    QuantizedLayer q;
    q.input = c.input->quant;
    q.output = c.output->quant;
    q.weights = filt.quant;
    q.weights_q.resize(count);
    for (std::size_t i = 0; i < count; ++i) q.weights_q[i] = raw[src_of[i]];
    lw.weights = dequantize(q.weights_q, q.weights, per_channel);

    q.bias_q.assign(static_cast<std::size_t>(oc), 0);
    if (const TensorInfo* b = bias_tensor(c, kInt32)) {
        const std::span<const std::uint8_t> braw = tensor_data(*b, 4);
        std::memcpy(q.bias_q.data(), braw.data(), braw.size());
        q.bias = b->quant;
    }
    if (q.bias.empty()) {
        // TFLite convention: bias scale = input scale * weight scale, zero point 0.
        for (float ws : q.weights.scale) {
            q.bias.scale.push_back(q.input.scale[0] * ws);
            q.bias.zero_point.push_back(0);
        }
    }
    check_quant(q.bias, "bias", true, true, oc, where);
    for (int ch = 0; ch < oc; ++ch) {
        const std::size_t k = q.bias.scale.size() == 1 ? 0 : static_cast<std::size_t>(ch);
        lw.bias[static_cast<std::size_t>(ch)] =
            q.bias.scale[k] * static_cast<float>(static_cast<std::int64_t>(q.bias_q[ch]) - q.bias.zero_point[k]);
    }
    lw.quant = std::move(q);
    return lw;
}

void Importer::walk() {
    read_model();

    // Graph input.
    const TensorInfo& input = tensor(graph_inputs_[0]);
    if (input.shape.size() != 4 || input.shape[3] != 3) {
        not_mobilenet("input tensor shape " + shape_str(input.shape) + " is not [1,H,W,3]");
    }
    if (input.shape[1] != input.shape[2]) not_mobilenet("input " + shape_str(input.shape) + " is not square");
    const int resolution = input.shape[1];
    if (resolution < 32 || resolution > 1024) {
        not_mobilenet("input resolution " + std::to_string(resolution) + " outside [32, 1024]");
    }
    if (input.type == kUInt8) {
        quantized_ = true;
    } else if (input.type != kFloat32) {
        r_.fail(std::string("unsupported input tensor type ") + type_name(input.type) +
                " (only float32 and uint8 models are supported)");
    }

    // Feature extractor: every convolution up to the average pool.
    int cur = input.index;
    std::string prev = "the input tensor";
    int channels = 3;
    std::vector<bool> visited(ops_.size(), false);
    const OpInfo* pool = nullptr;
    while (!pool) {
        const OpInfo& op = consumer(cur, prev);
        if (op.code == kAvgPool) {
            pool = &op;
            break;
        }
        if (op.code != kConv && op.code != kDepthwise) {
            not_mobilenet("expected a convolution or AVERAGE_POOL_2D after " + prev + ", found " + op_label(op.code) +
                          " (operator " + std::to_string(op.index) + ")");
        }
        if (visited[static_cast<std::size_t>(op.index)]) {
            not_mobilenet("operator " + std::to_string(op.index) + " is reached twice (the graph has a cycle)");
        }
        visited[static_cast<std::size_t>(op.index)] = true;
        const std::string name = weighted_layer_name(convs_.size());
        add_conv(op, name, ConvKind::Full, channels);
        channels = convs_.back().out_c;
        cur = op.outputs[0];
        prev = name;
    }

    // Global average pool (its window is checked against the matched topology below).
    if (pool->options_type != kOptPool || !pool->options) r_.fail("average pool: missing pool options");
    const int fw = r_.scalar<std::int32_t>(pool->options, pool_f::filter_w, 0, "pool options");
    const int fh = r_.scalar<std::int32_t>(pool->options, pool_f::filter_h, 0, "pool options");
    const int pact = r_.scalar<std::int8_t>(pool->options, pool_f::activation, 0, "pool options");
    if (pact != kActNone) not_mobilenet("average pool has a fused activation");
    cur = pool->outputs[0];

    // Classifier: 1x1 conv with bias, no activation.
    {
        const OpInfo& op = consumer(cur, "the average pool");
        add_conv(op, "fc", ConvKind::Classifier, channels);
        cur = op.outputs[0];
        prev = "the classifier";
    }
    const int num_classes = convs_.back().out_c;

    // Optional reshape / squeeze, then softmax.
    for (int extra = 0;; ++extra) {
        const OpInfo& op = consumer(cur, prev);
        if ((op.code == kReshape || op.code == kSqueeze) && extra < 2) {
            cur = op.outputs[0];
            prev = op_label(op.code);
            continue;
        }
        if (op.code != kSoftmax) {
            not_mobilenet("expected SOFTMAX after the classifier, found " + op_label(op.code) + " (operator " +
                          std::to_string(op.index) + ")");
        }
        cur = op.outputs[0];
        break;
    }
    if (cur != graph_outputs_[0]) not_mobilenet("the softmax output is not the graph output");
    const TensorInfo& output = tensor(cur);
    if (output.elements() != num_classes) {
        not_mobilenet("output tensor " + shape_str(output.shape) + " does not hold " + std::to_string(num_classes) +
                      " classes");
    }

    topology_ = match_mobilenet_v1(found_, resolution, r_.name());
    const int hw = topology_.feature_size;
    if (fw != hw || fh != hw) {
        not_mobilenet("average pool is " + std::to_string(fw) + "x" + std::to_string(fh) + ", expected global " +
                      std::to_string(hw) + "x" + std::to_string(hw));
    }

    if (quantized_) {
        input_quant_ = input.quant;
        output_quant_ = output.quant;
        if (input_quant_.empty() || output_quant_.empty()) {
            r_.fail("uint8 model without input/output quantization parameters");
        }
        const float si = input_quant_.scale[0];
        if (!std::isfinite(si) || si <= 0.0f) r_.fail("input tensor has an invalid quantization scale");
        const float so = output_quant_.scale[0];
        const std::int64_t zo = output_quant_.zero_point[0];
        if (!std::isfinite(so) || so <= 0.0f || zo < 0 || zo > 255) {
            r_.fail("output tensor has invalid quantization parameters");
        }
    }
}

std::shared_ptr<ModelWeights> Importer::load() {
    auto w = std::make_shared<ModelWeights>();
    apply_topology(topology_, *w);
    w->origin = WeightsOrigin::TFLite;
    w->quantized = quantized_;
    w->source = r_.name();
    if (quantized_) {
        w->input_quant = input_quant_;
        w->output_quant = output_quant_;
        w->input_mean = static_cast<float>(input_quant_.zero_point[0]);
        w->input_std = 1.0f / input_quant_.scale[0];
    } else {
        w->input_mean = 127.5f;
        w->input_std = 127.5f;
    }
    w->description = "mobilenet_v1_" + format_alpha(w->alpha) + "_" + std::to_string(w->native_resolution) +
                     (quantized_ ? " (TFLite uint8)" : " (TFLite float32)");
    for (std::size_t i = 0; i < convs_.size(); ++i) {
        w->layers.push_back(conv_weights(convs_[i], topology_.layers[i].name));
    }

    try {
        check_shapes(*w, w->arch(w->native_resolution));
    } catch (const std::exception& e) {
        r_.fail(std::string("weights do not match the detected architecture: ") + e.what());
    }
    // Dequantized values and the input scaling derived from finite scales can still
    // overflow (a scale near FLT_MAX, 1 / a denormal scale).
    check_finite_weights(*w, r_.name());
    return w;
}

// Checks the identifier, aligns the buffer if needed, walks the graph and hands the
// walked Importer to `use`; every failure ends as ModelError(name, ...).
template <class Use>
auto with_walked_graph(const std::uint8_t* data, std::size_t size, const std::string& name, Use&& use) {
    if (!data || size == 0) throw ModelError(name, "empty file");
    if (size < 8) throw ModelError(name, "file too short for a TFLite model (" + std::to_string(size) + " bytes)");
    if (std::memcmp(data + 4, "TFL3", 4) != 0) {
        throw ModelError(name, "not a TFLite model (no \"TFL3\" file identifier)");
    }
    if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) throw ModelError(name, "file too large for a flatbuffer");
    // Field reads assume the buffer start is aligned as flatbuffers are (8 bytes).
    std::vector<std::uint64_t> aligned;
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::uint64_t) != 0) {
        aligned.resize((size + 7) / 8);
        std::memcpy(aligned.data(), data, size);
        data = reinterpret_cast<const std::uint8_t*>(aligned.data());
    }
    try {
        Importer importer(data, size, name);
        importer.walk();
        return use(importer);
    } catch (const ModelError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw ModelError(name, "out of memory while reading the TFLite model");
    }
}

}  // namespace

std::shared_ptr<ModelWeights> load_tflite_buffer(const std::uint8_t* data, std::size_t size,
                                                 const std::string& name) {
    return with_walked_graph(data, size, name, [](Importer& importer) { return importer.load(); });
}

std::shared_ptr<ModelWeights> load_tflite(const std::string& path) {
    const std::string bytes = read_file_bytes(path);
    return load_tflite_buffer(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path);
}

ModelSummary probe_tflite(const std::string& path) {
    const std::string bytes = read_file_bytes(path);
    return with_walked_graph(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path,
                             [](const Importer& importer) {
                                 return summary_of(importer.topology(), importer.quantized(), WeightsOrigin::TFLite);
                             });
}

}  // namespace mnv1::detail
