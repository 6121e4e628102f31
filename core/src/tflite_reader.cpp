// TFLite flatbuffer importer for MobileNet v1 (float32 and uint8 releases).
//
// A minimal reader over flatbuffers' low-level Table API: no generated schema code.
// Every table, field and vector is checked with flatbuffers::Verifier right before it
// is read, so a hostile or truncated file can only produce a ModelError. Vector
// elements and weight bytes are copied with memcpy (no alignment assumptions).
//
// The network is mapped by its graph, not by tensor names: starting at the subgraph
// input, each step follows the single operator consuming the current tensor and
// expects conv0, 13 x (depthwise, pointwise), average pool, classifier conv,
// optional reshape/squeeze, softmax.
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
#include <sstream>
#include <string>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "formats.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/model_io.hpp"
#include "mobilenet/weights.hpp"

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

class Importer {
public:
    Importer(const std::uint8_t* data, std::size_t size, const std::string& name) : r_(data, size, name) {}

    std::shared_ptr<ModelWeights> run();

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
    std::vector<std::uint8_t> tensor_bytes(const TensorInfo& t, std::size_t elem_size);
    QuantParams read_quant(const fb::Table* q, const std::string& what);

    struct ConvInfo {
        int stride_h = 1, stride_w = 1, padding = kPadSame, activation = kActNone;
        int kh = 0, kw = 0, in_c = 0, out_c = 0;
    };
    LayerWeights conv_layer(const OpInfo& op, const std::string& name, bool depthwise, int in_c,
                            ConvInfo& info);

    Reader r_;
    Vec opcodes_, tensors_, buffers_, operators_;
    std::vector<std::int32_t> graph_inputs_, graph_outputs_;
    std::map<int, TensorInfo> tensor_cache_;
    std::vector<OpInfo> ops_;
    bool quantized_ = false;
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

// Raw bytes of a constant tensor; checks the byte count against the shape.
std::vector<std::uint8_t> Importer::tensor_bytes(const TensorInfo& t, std::size_t elem_size) {
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
    return std::vector<std::uint8_t>(p, p + n);
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

LayerWeights Importer::conv_layer(const OpInfo& op, const std::string& name, bool depthwise, int in_c,
                                  ConvInfo& info) {
    const int want = depthwise ? kDepthwise : kConv;
    if (op.code != want) {
        not_mobilenet("expected " + op_label(want) + " for layer " + name + ", found " + op_label(op.code) +
                      " (operator " + std::to_string(op.index) + ")");
    }
    const std::string where = "layer " + name + " (operator " + std::to_string(op.index) + ")";
    if (op.inputs.size() < 2 || op.inputs.size() > 3) {
        not_mobilenet(where + " has " + std::to_string(op.inputs.size()) + " inputs");
    }

    // Options.
    const int want_opt = depthwise ? kOptDepthwise : kOptConv;
    if (op.options_type != want_opt || !op.options) r_.fail(where + ": missing convolution options");
    const fb::Table* o = op.options;
    int dil_w = 1, dil_h = 1, multiplier = 1;
    if (depthwise) {
        info.padding = r_.scalar<std::int8_t>(o, dw_f::padding, 0, "depthwise options");
        info.stride_w = r_.scalar<std::int32_t>(o, dw_f::stride_w, 0, "depthwise options");
        info.stride_h = r_.scalar<std::int32_t>(o, dw_f::stride_h, 0, "depthwise options");
        multiplier = r_.scalar<std::int32_t>(o, dw_f::depth_multiplier, 0, "depthwise options");
        info.activation = r_.scalar<std::int8_t>(o, dw_f::activation, 0, "depthwise options");
        dil_w = r_.scalar<std::int32_t>(o, dw_f::dilation_w, 1, "depthwise options");
        dil_h = r_.scalar<std::int32_t>(o, dw_f::dilation_h, 1, "depthwise options");
    } else {
        info.padding = r_.scalar<std::int8_t>(o, conv_f::padding, 0, "conv options");
        info.stride_w = r_.scalar<std::int32_t>(o, conv_f::stride_w, 0, "conv options");
        info.stride_h = r_.scalar<std::int32_t>(o, conv_f::stride_h, 0, "conv options");
        info.activation = r_.scalar<std::int8_t>(o, conv_f::activation, 0, "conv options");
        dil_w = r_.scalar<std::int32_t>(o, conv_f::dilation_w, 1, "conv options");
        dil_h = r_.scalar<std::int32_t>(o, conv_f::dilation_h, 1, "conv options");
    }
    if (dil_w != 1 || dil_h != 1) not_mobilenet(where + " is dilated");
    if (info.stride_w != info.stride_h) not_mobilenet(where + " has unequal strides");
    if (info.padding != kPadSame) not_mobilenet(where + " does not use SAME padding");

    // Tensors.
    const TensorInfo& in = tensor(op.inputs[0]);
    const TensorInfo& filt = tensor(op.inputs[1]);
    const TensorInfo& out = tensor(op.outputs[0]);
    if (in.shape.size() != 4) not_mobilenet(where + " input is not 4-D " + shape_str(in.shape));
    if (filt.shape.size() != 4) not_mobilenet(where + " filter is not 4-D " + shape_str(filt.shape));
    const int channels_in = in.shape[3];
    if (channels_in != in_c) {
        not_mobilenet(where + " has " + std::to_string(channels_in) + " input channels, expected " +
                      std::to_string(in_c));
    }
    info.kh = filt.shape[1];
    info.kw = filt.shape[2];
    if (depthwise) {
        if (filt.shape[0] != 1 || filt.shape[3] != in_c || multiplier != 1) {
            not_mobilenet(where + " depthwise filter " + shape_str(filt.shape) + " does not match " +
                          std::to_string(in_c) + " channels with multiplier 1");
        }
        info.in_c = info.out_c = in_c;
    } else {
        if (filt.shape[3] != in_c) {
            not_mobilenet(where + " filter " + shape_str(filt.shape) + " does not match " +
                          std::to_string(in_c) + " input channels");
        }
        info.in_c = in_c;
        info.out_c = filt.shape[0];
    }
    const int kh = info.kh, kw = info.kw, oc = info.out_c;

    // Weights -> canonical layout.
    const bool quant_w = filt.type == kUInt8;
    if (quantized_ != quant_w || (!quant_w && filt.type != kFloat32)) {
        r_.fail(where + " has " + type_name(filt.type) + " weights in a " +
                (quantized_ ? "uint8" : "float32") + " model");
    }
    const std::vector<std::uint8_t> raw = tensor_bytes(filt, quant_w ? 1 : 4);
    const std::size_t count = raw.size() / (quant_w ? 1 : 4);
    std::vector<std::size_t> src_of(count);  // canonical index -> TFLite element index
    if (depthwise) {
        // [1][kh][kw][C] -> [C][1][1][kh][kw]
        for (int c = 0; c < oc; ++c)
            for (int y = 0; y < kh; ++y)
                for (int x = 0; x < kw; ++x)
                    src_of[(static_cast<std::size_t>(c) * kh + y) * kw + x] =
                        (static_cast<std::size_t>(y) * kw + x) * oc + c;
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

    const bool has_bias = op.inputs.size() == 3 && op.inputs[2] >= 0;
    if (!quantized_) {
        lw.weights.resize(count);
        for (std::size_t i = 0; i < count; ++i) std::memcpy(&lw.weights[i], raw.data() + 4 * src_of[i], 4);
        if (has_bias) {
            const TensorInfo& b = tensor(op.inputs[2]);
            if (b.type != kFloat32 || b.elements() != oc) {
                r_.fail(where + " bias is " + type_name(b.type) + " " + shape_str(b.shape) + ", expected float32 [" +
                        std::to_string(oc) + "]");
            }
            const std::vector<std::uint8_t> braw = tensor_bytes(b, 4);
            std::memcpy(lw.bias.data(), braw.data(), braw.size());
        }
        return lw;
    }

    QuantizedLayer q;
    q.input = in.quant;
    q.output = out.quant;
    q.weights = filt.quant;
    auto check_quant = [&](const QuantParams& p, const std::string& tname, bool is_bias) {
        const bool allow_per_channel = is_bias || tname == "weight";
        if (p.empty()) r_.fail(where + ": " + tname + " tensor has no quantization parameters");
        if (p.scale.size() != 1 && !(allow_per_channel && p.scale.size() == static_cast<std::size_t>(oc))) {
            r_.fail(where + ": " + tname + " tensor has " + std::to_string(p.scale.size()) +
                    " quantization scales for " + std::to_string(oc) + " channels");
        }
        for (float s : p.scale) {
            if (!std::isfinite(s) || s <= 0.0f) r_.fail(where + ": " + tname + " tensor has an invalid scale");
        }
        for (std::int64_t z : p.zero_point) {
            if (!is_bias && (z < 0 || z > 255)) {
                r_.fail(where + ": " + tname + " tensor has uint8 zero point " + std::to_string(z));
            }
        }
    };
    check_quant(q.input, "input", false);
    check_quant(q.output, "output", false);
    check_quant(q.weights, "weight", false);
    if (in.type != kUInt8 || out.type != kUInt8) {
        r_.fail(where + " has " + type_name(in.type) + " input / " + type_name(out.type) +
                " output in a uint8 model");
    }
    q.weights_q.resize(count);
    for (std::size_t i = 0; i < count; ++i) q.weights_q[i] = raw[src_of[i]];
    lw.weights = dequantize(q.weights_q, q.weights, per_channel);

    q.bias_q.assign(static_cast<std::size_t>(oc), 0);
    if (has_bias) {
        const TensorInfo& b = tensor(op.inputs[2]);
        if (b.type != kInt32 || b.elements() != oc) {
            r_.fail(where + " bias is " + type_name(b.type) + " " + shape_str(b.shape) + ", expected int32 [" +
                    std::to_string(oc) + "]");
        }
        const std::vector<std::uint8_t> braw = tensor_bytes(b, 4);
        std::memcpy(q.bias_q.data(), braw.data(), braw.size());
        q.bias = b.quant;
    }
    if (q.bias.empty()) {
        // TFLite convention: bias scale = input scale * weight scale, zero point 0.
        for (float ws : q.weights.scale) {
            q.bias.scale.push_back(q.input.scale[0] * ws);
            q.bias.zero_point.push_back(0);
        }
    }
    check_quant(q.bias, "bias", true);
    for (int c = 0; c < oc; ++c) {
        const std::size_t k = q.bias.scale.size() == 1 ? 0 : static_cast<std::size_t>(c);
        lw.bias[static_cast<std::size_t>(c)] =
            q.bias.scale[k] * static_cast<float>(static_cast<std::int64_t>(q.bias_q[c]) - q.bias.zero_point[k]);
    }
    lw.quant = std::move(q);
    return lw;
}

std::shared_ptr<ModelWeights> Importer::run() {
    read_model();
    auto w = std::make_shared<ModelWeights>();

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

    // Walk the graph.
    int cur = input.index;
    std::string prev = "the input tensor";
    int channels = 3;
    std::vector<int> out_channels;  // conv0, pw1..pw13
    int act = -1;
    auto take_activation = [&](int a, const std::string& layer) {
        // Some uint8 releases fuse no activation and clamp through the output range
        // instead: zero point 0 and scale * 255 = 6 is a ReLU6.
        if (a == kActNone && quantized_ && w->layers.back().quant) {
            const QuantParams& q = w->layers.back().quant->output;
            if (q.zero_point[0] == 0) {
                const double top = static_cast<double>(q.scale[0]) * 255.0;
                a = std::fabs(top - 6.0) <= 0.06 ? kActRelu6 : kActRelu;
            }
        }
        if (a != kActRelu6 && a != kActRelu) {
            not_mobilenet("layer " + layer + " has fused activation " + std::to_string(a) + ", expected RELU6 or RELU");
        }
        if (act >= 0 && a != act) not_mobilenet("layer " + layer + " uses a different activation than conv0");
        act = a;
    };

    ConvInfo ci;
    {
        const OpInfo& op = consumer(cur, prev);
        w->layers.push_back(conv_layer(op, "conv0", false, channels, ci));
        if (ci.kh != 3 || ci.kw != 3 || ci.stride_h != 2) {
            not_mobilenet("conv0 is " + std::to_string(ci.kh) + "x" + std::to_string(ci.kw) + " stride " +
                          std::to_string(ci.stride_h) + ", expected 3x3 stride 2");
        }
        take_activation(ci.activation, "conv0");
        channels = ci.out_c;
        out_channels.push_back(channels);
        cur = op.outputs[0];
        prev = "conv0";
    }
    int block = 1;
    int hw = spatial_pad(resolution, 3, 2, Padding::TfSame).out;
    for (const BlockSpec& b : separable_blocks()) {
        const std::string dw = "dw" + std::to_string(block), pw = "pw" + std::to_string(block);
        const OpInfo& dop = consumer(cur, prev);
        w->layers.push_back(conv_layer(dop, dw, true, channels, ci));
        if (ci.kh != 3 || ci.kw != 3 || ci.stride_h != b.stride) {
            not_mobilenet(dw + " is " + std::to_string(ci.kh) + "x" + std::to_string(ci.kw) + " stride " +
                          std::to_string(ci.stride_h) + ", expected 3x3 stride " + std::to_string(b.stride));
        }
        take_activation(ci.activation, dw);
        hw = spatial_pad(hw, 3, b.stride, Padding::TfSame).out;
        cur = dop.outputs[0];

        const OpInfo& pop = consumer(cur, dw);
        w->layers.push_back(conv_layer(pop, pw, false, channels, ci));
        if (ci.kh != 1 || ci.kw != 1 || ci.stride_h != 1) {
            not_mobilenet(pw + " is " + std::to_string(ci.kh) + "x" + std::to_string(ci.kw) + " stride " +
                          std::to_string(ci.stride_h) + ", expected 1x1 stride 1");
        }
        take_activation(ci.activation, pw);
        channels = ci.out_c;
        out_channels.push_back(channels);
        cur = pop.outputs[0];
        prev = pw;
        ++block;
    }

    // Global average pool.
    {
        const OpInfo& op = consumer(cur, prev);
        if (op.code != kAvgPool) {
            not_mobilenet("expected AVERAGE_POOL_2D after pw13, found " + op_label(op.code) + " (operator " +
                          std::to_string(op.index) + ")");
        }
        if (op.options_type != kOptPool || !op.options) r_.fail("average pool: missing pool options");
        const int fw = r_.scalar<std::int32_t>(op.options, pool_f::filter_w, 0, "pool options");
        const int fh = r_.scalar<std::int32_t>(op.options, pool_f::filter_h, 0, "pool options");
        const int pact = r_.scalar<std::int8_t>(op.options, pool_f::activation, 0, "pool options");
        if (fw != hw || fh != hw) {
            not_mobilenet("average pool is " + std::to_string(fw) + "x" + std::to_string(fh) +
                          ", expected global " + std::to_string(hw) + "x" + std::to_string(hw));
        }
        if (pact != kActNone) not_mobilenet("average pool has a fused activation");
        cur = op.outputs[0];
        prev = "the average pool";
    }

    // Classifier: 1x1 conv with bias, no activation.
    {
        const OpInfo& op = consumer(cur, prev);
        w->layers.push_back(conv_layer(op, "fc", false, channels, ci));
        if (ci.kh != 1 || ci.kw != 1 || ci.stride_h != 1) not_mobilenet("the classifier is not a 1x1 convolution");
        if (ci.activation != kActNone) not_mobilenet("the classifier has a fused activation");
        w->num_classes = ci.out_c;
        cur = op.outputs[0];
        prev = "the classifier";
    }

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
    if (output.elements() != w->num_classes) {
        not_mobilenet("output tensor " + shape_str(output.shape) + " does not hold " +
                      std::to_string(w->num_classes) + " classes");
    }

    // Width multiplier: the whole channel sequence must follow max(int(c * alpha), 8).
    auto fits = [&](double a) {
        if (!(a > 0.0) || a > 1.5) return false;
        if (out_channels[0] != scaled_channels(kStemChannels, a)) return false;
        for (std::size_t i = 0; i < separable_blocks().size(); ++i) {
            if (out_channels[i + 1] != scaled_channels(separable_blocks()[i].out_channels, a)) return false;
        }
        return true;
    };
    std::optional<double> alpha;
    for (double a : {1.0, 0.75, 0.5, 0.25, out_channels[0] / 32.0, out_channels.back() / 1024.0}) {
        if (fits(a)) {
            alpha = a;
            break;
        }
    }
    if (!alpha) {
        std::string seq;
        for (int c : out_channels) seq += (seq.empty() ? "" : ",") + std::to_string(c);
        not_mobilenet("channel counts " + seq + " match no width multiplier");
    }

    w->alpha = *alpha;
    w->native_resolution = resolution;
    w->activation = act == kActRelu ? Activation::Relu : Activation::Relu6;
    w->padding = Padding::TfSame;
    w->origin = WeightsOrigin::TFLite;
    w->quantized = quantized_;
    w->source = r_.name();
    if (quantized_) {
        w->input_quant = input.quant;
        w->output_quant = output.quant;
        if (w->input_quant.empty() || w->output_quant.empty()) {
            r_.fail("uint8 model without input/output quantization parameters");
        }
        const float s = w->input_quant.scale[0];
        if (!std::isfinite(s) || s <= 0.0f) r_.fail("input tensor has an invalid quantization scale");
        const float so = w->output_quant.scale[0];
        const std::int64_t zo = w->output_quant.zero_point[0];
        if (!std::isfinite(so) || so <= 0.0f || zo < 0 || zo > 255) {
            r_.fail("output tensor has invalid quantization parameters");
        }
        w->input_mean = static_cast<float>(w->input_quant.zero_point[0]);
        w->input_std = 1.0f / s;
    } else {
        w->input_mean = 127.5f;
        w->input_std = 127.5f;
    }
    w->description = "mobilenet_v1_" + format_alpha(w->alpha) + "_" + std::to_string(resolution) +
                     (quantized_ ? " (TFLite uint8)" : " (TFLite float32)");

    try {
        check_shapes(*w, w->arch(w->native_resolution));
    } catch (const std::exception& e) {
        r_.fail(std::string("weights do not match the detected architecture: ") + e.what());
    }
    return w;
}

}  // namespace

std::shared_ptr<ModelWeights> load_tflite_buffer(const std::uint8_t* data, std::size_t size,
                                                 const std::string& name) {
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
        return Importer(data, size, name).run();
    } catch (const ModelError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw ModelError(name, "out of memory while reading the TFLite model");
    }
}

std::shared_ptr<ModelWeights> load_tflite(const std::string& path) {
    const std::string bytes = read_file_bytes(path);
    return load_tflite_buffer(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path);
}

}  // namespace mnv1::detail
