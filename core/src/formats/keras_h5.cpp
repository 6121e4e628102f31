// Keras 2 HDF5 full model: the root attribute "model_config" holds the Keras graph
// (JSON); weights live under /model_weights/<layer>/, listed by each layer group's
// "weight_names" attribute ("conv1_bn/gamma:0", ...). Uses the HDF5 C API with its
// automatic error printing off; every failure becomes ModelError(path, ...).
#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "file_read.hpp"
#include "formats.hpp"
#include "keras_common.hpp"
#include "mobilenet/errors.hpp"

namespace mnv1::detail {

namespace {

using keras::Shape;

// Owns one HDF5 identifier.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = o.id_;
            closer_ = o.closer_;
            o.id_ = H5I_INVALID_HID;
        }
        return *this;
    }
    ~Handle() { reset(); }
    void reset() {
        if (id_ >= 0 && closer_) closer_(id_);
        id_ = H5I_INVALID_HID;
    }
    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

// Turns HDF5's automatic error printing off for this thread while alive (the error
// stack is per thread in the thread-safe library), restoring it afterwards.
class QuietErrors {
public:
    QuietErrors() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietErrors() {
        H5Eclear2(H5E_DEFAULT);
        H5Eset_auto2(H5E_DEFAULT, func_, data_);
    }
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// The most specific message on the current HDF5 error stack, or "".
std::string hdf5_detail() {
    std::string detail;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
            auto* s = static_cast<std::string*>(data);
            if (n == 0 && err && err->desc) *s = err->desc;
            return 0;
        },
        &detail);
    H5Eclear2(H5E_DEFAULT);
    return detail;
}


// ---- defences against corrupt files -----------------------------------------------------
//
// libhdf5 1.10 trusts the global heap ("GCOL" collections, which hold every
// variable-length string: model_config, weight_names) and the heap references stored
// in attributes: a flipped bit there makes H5Aread copy from wild pointers. Before any
// variable-length read we therefore check (1) every global heap collection in the file
// is well formed and (2) every reference the attribute holds names an existing heap
// object of the right length. Object addresses of links are checked against the file
// size before opening them, and the metadata lengths libhdf5 allocates before it
// validates them (local heaps, object header chunks) are checked against the file size
// before HDF5 opens the file.

std::uint64_t le(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// Bounds on what one attribute read may allocate (model_config is one string of a few
// hundred KiB; a weight_names attribute lists a layer's handful of variables, Keras
// chunks longer lists). Strings are also bounded by the file's size.
constexpr std::size_t kMaxStringsPerAttribute = 65536;
constexpr std::size_t kMaxVlenStrings = 4096;
constexpr std::uint64_t kMaxStringBytes = std::uint64_t{64} << 20;

// heap collection address -> (object index -> object size)
using HeapMap = std::map<std::uint64_t, std::map<std::uint32_t, std::uint64_t>>;

// Scans the whole file for global heap collections and checks their object lists
// the way H5HG's deserializer walks them. Returns "" or the problem.
std::string scan_global_heaps(const std::string& bytes, HeapMap& heaps) {
    constexpr std::uint64_t kHdr = 16, kObjHdr = 16, kMinSize = 4096;
    const auto* f = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::uint64_t n = bytes.size();
    for (std::uint64_t pos = 0; pos + kHdr <= n; ++pos) {
        if (f[pos] != 'G' || std::memcmp(&f[pos], "GCOL\x01", 5) != 0) continue;
        const std::uint64_t size = le(&f[pos + 8], 8);
        const std::string where = "global heap at offset " + std::to_string(pos);
        if (size < kMinSize || size > n - pos) return where + " has a bad size";
        auto& objs = heaps[pos];
        std::uint64_t p = pos + kHdr;
        const std::uint64_t end = pos + size;
        while (p < end) {
            if (end - p < kObjHdr) break;  // trailing free space
            const auto idx = static_cast<std::uint32_t>(le(&f[p], 2));
            const std::uint64_t osize = le(&f[p + 8], 8);
            std::uint64_t need = 0;
            if (idx == 0) {
                need = osize;  // free space, header included
            } else {
                if (osize > end - p) return where + " has an oversized object";
                need = kObjHdr + ((osize + 7) & ~std::uint64_t{7});
                if (!objs.emplace(idx, osize).second) return where + " has a duplicate object index";
            }
            if (need == 0 || need > end - p) return where + " has an object running past its end";
            p += need;
        }
    }
    return {};
}

// Checks the HDF5 metadata whose lengths libhdf5 1.10 allocates before validating them
// (an H5Gopen2 on a damaged file asked ASan for 2^48 bytes): local heap data segments,
// version 1 object headers and their continuation chunks (found from the superblock's
// root entry and every symbol table node), version 2 object header first chunks. Every
// length must fit inside the file. Returns "" or the problem.
std::string scan_metadata_lengths(const std::string& bytes) {
    const auto* f = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::uint64_t n = bytes.size();
    // Superblock (at 0; h5py writes version 0): sizes of offsets and lengths, group K.
    if (n < 96 || std::memcmp(f, "\x89HDF\r\n\x1a\n", 8) != 0) return {};  // H5Fis_hdf5 decides
    const int version = f[8];
    int so = 8, sl = 8;
    std::uint64_t leaf_k = 4, root_header = 0;
    if (version == 0 || version == 1) {
        so = f[13];
        sl = f[14];
        leaf_k = le(&f[16], 2);
        const std::uint64_t entry = version == 0 ? 24 : 28;  // after the fixed fields
        const std::uint64_t root_entry = entry + 4 * static_cast<std::uint64_t>(so);
        if (root_entry + 2 * static_cast<std::uint64_t>(so) > n) return "truncated superblock";
        if (so == 1 || so == 2 || so == 4 || so == 8) root_header = le(&f[root_entry + so], so);
    } else {
        so = f[9];
        sl = f[10];
    }
    if ((so != 2 && so != 4 && so != 8) || (sl != 2 && sl != 4 && sl != 8)) return {};  // HDF5 refuses these
    const auto fits = [n](std::uint64_t addr, std::uint64_t len) { return addr <= n && len <= n - addr; };

    // Local heaps: "HEAP", version 0, then data size (L), free list offset (L), data address (O).
    for (std::uint64_t pos = 0; pos + 8 + 2 * sl + so <= n; ++pos) {
        if (f[pos] != 'H' || std::memcmp(&f[pos], "HEAP\0", 5) != 0) continue;
        const std::uint64_t size = le(&f[pos + 8], sl);
        const std::uint64_t addr = le(&f[pos + 8 + 2 * sl], so);
        if (!fits(addr, size)) return "local heap at offset " + std::to_string(pos) + " has a bad size or address";
    }

    // Version 1 object headers: root + every symbol table entry.
    std::vector<std::uint64_t> headers;
    if (root_header) headers.push_back(root_header);
    const std::uint64_t entry_size = 2 * so + 24;
    for (std::uint64_t pos = 0; pos + 8 <= n; ++pos) {
        if (f[pos] != 'S' || std::memcmp(&f[pos], "SNOD\x01", 5) != 0) continue;
        const std::uint64_t count = le(&f[pos + 6], 2);
        if (count > 2 * leaf_k || !fits(pos + 8, count * entry_size)) {
            return "symbol table node at offset " + std::to_string(pos) + " has a bad entry count";
        }
        for (std::uint64_t e = 0; e < count; ++e) headers.push_back(le(&f[pos + 8 + e * entry_size + so], so));
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks;  // (start, length) of message blocks
    for (const std::uint64_t a : headers) {
        if (!fits(a, 16)) return "object header address " + std::to_string(a) + " outside the file";
        if (f[a] != 1) continue;  // version 2 ("OHDR") below; anything else HDF5 refuses
        const std::uint64_t size = le(&f[a + 8], 4);
        if (!fits(a + 16, size)) return "object header at offset " + std::to_string(a) + " runs past the end of the file";
        chunks.emplace_back(a + 16, size);
    }
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const auto [start, len] = chunks[i];
        if (!seen.insert(start).second) continue;
        if (seen.size() > 100000) return "too many object header chunks";
        for (std::uint64_t p = start; p + 8 <= start + len;) {
            const std::uint64_t type = le(&f[p], 2), msize = le(&f[p + 2], 2);
            if (msize > start + len - (p + 8)) return "object header message at offset " + std::to_string(p) + " runs past its chunk";
            if (type == 0x10) {  // continuation: address (O), length (L)
                if (msize < static_cast<std::uint64_t>(so + sl)) return "bad object header continuation at offset " + std::to_string(p);
                const std::uint64_t caddr = le(&f[p + 8], so), clen = le(&f[p + 8 + so], sl);
                if (!fits(caddr, clen)) return "object header continuation at offset " + std::to_string(p) + " points outside the file";
                chunks.emplace_back(caddr, clen);
            }
            p += 8 + msize;
        }
    }

    // Version 2 object headers: the first chunk's size (1, 2, 4 or 8 bytes by flags).
    for (std::uint64_t pos = 0; pos + 6 <= n; ++pos) {
        if (f[pos] != 'O' || std::memcmp(&f[pos], "OHDR\x02", 5) != 0) continue;
        const unsigned flags = f[pos + 5];
        std::uint64_t p = pos + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
        const int width = 1 << (flags & 3);
        if (!fits(p, static_cast<std::uint64_t>(width))) return "truncated object header at offset " + std::to_string(pos);
        if (!fits(p + width, le(&f[p], width))) return "object header at offset " + std::to_string(pos) + " runs past the end of the file";
    }
    return {};
}

// A soft conversion from a variable-length type to an opaque type tagged kRawRefTag
// that leaves the bytes alone: H5Aread then hands back the attribute's raw on-disk
// references (length, heap address, object index) without touching the heap.
constexpr const char* kRawRefTag = "mobilenet raw vlen reference";

herr_t raw_vlen_refs(hid_t /*src*/, hid_t dst, H5T_cdata_t* cdata, size_t /*nelmts*/, size_t /*buf_stride*/,
                     size_t /*bkg_stride*/, void* /*buf*/, void* /*bkg*/, hid_t /*dxpl*/) {
    if (cdata->command == H5T_CONV_INIT) {
        if (H5Tget_class(dst) != H5T_OPAQUE) return -1;
        char* tag = H5Tget_tag(dst);
        const bool ours = tag && std::strcmp(tag, kRawRefTag) == 0;
        if (tag) H5free_memory(tag);
        if (!ours) return -1;
        cdata->need_bkg = H5T_BKG_NO;
    }
    return 0;  // H5T_CONV_CONV: the buffer already holds the raw bytes; H5T_CONV_FREE: nothing
}

bool register_raw_vlen_conversion() {
    static const bool ok = [] {
        hid_t vstr = H5Tcopy(H5T_C_S1);
        hid_t opaque = H5Tcreate(H5T_OPAQUE, 16);
        bool good = vstr >= 0 && opaque >= 0 && H5Tset_size(vstr, H5T_VARIABLE) >= 0 &&
                    H5Tset_tag(opaque, kRawRefTag) >= 0 &&
                    H5Tregister(H5T_PERS_SOFT, "mobilenet_raw_vlen_ref", vstr, opaque, raw_vlen_refs) >= 0;
        if (opaque >= 0) H5Tclose(opaque);
        if (vstr >= 0) H5Tclose(vstr);
        return good;
    }();
    return ok;
}

class H5File {
public:
    explicit H5File(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& what) const {
        const std::string detail = hdf5_detail();
        throw ModelError(path_, detail.empty() ? what : what + " (HDF5: " + detail + ")");
    }

    void open() {
        {
            const std::string bytes = read_file_bytes(path_);
            if (bytes.empty()) throw ModelError(path_, "empty file");
            file_size_ = bytes.size();
            std::string problem = scan_global_heaps(bytes, heaps_);
            if (problem.empty()) problem = scan_metadata_lengths(bytes);
            if (!problem.empty()) throw ModelError(path_, "corrupt HDF5 file: " + problem);
        }
        const htri_t is = H5Fis_hdf5(path_.c_str());
        if (is < 0) fail("cannot read file as HDF5");
        if (is == 0) throw ModelError(path_, "not an HDF5 file");
        // Strong close: every object of the file is closed with it, even on error paths.
        Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        if (!fapl.valid() || H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0) fail("cannot set up file access");
        file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
        if (!file_.valid()) fail("cannot open HDF5 file (truncated or corrupt?)");
        Handle fcpl(H5Fget_create_plist(file_.get()), H5Pclose);
        size_t sizeof_size = 0;
        if (!fcpl.valid() || H5Pget_sizes(fcpl.get(), &sizeof_addr_, &sizeof_size) < 0) fail("cannot read file parameters");
        if (sizeof_addr_ != 2 && sizeof_addr_ != 4 && sizeof_addr_ != 8) throw ModelError(path_, "unsupported HDF5 address size");
    }

    // Checks that `name` under `parent` is a hard link to an address inside the file.
    void check_link(hid_t parent, const std::string& name, const std::string& full) const {
        const htri_t e = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
        if (e < 0) fail("cannot look up " + full);
        if (e == 0) throw ModelError(path_, full + " is missing");
#if H5_VERSION_GE(1, 12, 0)
        H5L_info2_t info;
        if (H5Lget_info2(parent, name.c_str(), &info, H5P_DEFAULT) < 0) fail("cannot look up " + full);
        if (info.type != H5L_TYPE_HARD) throw ModelError(path_, full + " is not a hard link");
#else
        H5L_info_t info;
        if (H5Lget_info(parent, name.c_str(), &info, H5P_DEFAULT) < 0) fail("cannot look up " + full);
        if (info.type != H5L_TYPE_HARD) throw ModelError(path_, full + " is not a hard link");
        if (info.u.address == HADDR_UNDEF || info.u.address >= file_size_ || file_size_ - info.u.address < 16) {
            throw ModelError(path_, "corrupt HDF5 file: " + full + " points outside the file");
        }
#endif
    }

    Handle open_group(hid_t parent, const std::string& name, const std::string& full) const {
        check_link(parent, name, full);
        Handle g(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
        if (!g.valid()) fail("cannot open " + full);
        return g;
    }

    // Validates the heap references of a variable-length string attribute and bounds
    // what reading it allocates: HDF5 allocates every element's string separately, so
    // many references to one large heap object (each valid on its own) would ask for
    // count x size bytes.
    void check_vlen_refs(hid_t attr, std::size_t n, const std::string& what) const {
        if (n > kMaxVlenStrings) {
            throw ModelError(path_, "corrupt HDF5 file: " + what + " holds " + std::to_string(n) +
                                        " variable-length strings (at most " + std::to_string(kMaxVlenStrings) +
                                        " expected)");
        }
        if (!register_raw_vlen_conversion()) throw ModelError(path_, "cannot set up HDF5 type conversion");
        const std::size_t ref_size = 4 + sizeof_addr_ + 4;
        Handle raw(H5Tcreate(H5T_OPAQUE, ref_size), H5Tclose);
        if (!raw.valid() || H5Tset_tag(raw.get(), kRawRefTag) < 0) fail("cannot create an opaque type");
        std::vector<unsigned char> refs(ref_size * n);
        if (H5Aread(attr, raw.get(), refs.data()) < 0) fail("cannot read " + what);
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const unsigned char* r = refs.data() + i * ref_size;
            const std::uint64_t len = le(r, 4);
            total += len;
            if (total > kMaxStringBytes || total > file_size_) {
                throw ModelError(path_, "corrupt HDF5 file: " + what + " would read more string bytes than the file holds");
            }
            const std::uint64_t addr = le(r + 4, static_cast<int>(sizeof_addr_));
            const auto idx = static_cast<std::uint32_t>(le(r + 4 + sizeof_addr_, 4));
            if (len == 0) continue;
            const auto heap = heaps_.find(addr);
            if (heap == heaps_.end()) throw ModelError(path_, "corrupt HDF5 file: " + what + " points to no global heap");
            const auto obj = heap->second.find(idx);
            if (obj == heap->second.end() || obj->second != len) {
                throw ModelError(path_, "corrupt HDF5 file: " + what + " points to a missing or mis-sized heap object");
            }
        }
    }

    hid_t file() const { return file_.get(); }
    const std::string& path() const { return path_; }

    bool has_attr(hid_t obj, const char* name) const {
        const htri_t e = H5Aexists(obj, name);
        if (e < 0) fail(std::string("cannot look up attribute '") + name + "'");
        return e > 0;
    }

    // A string (or array of strings) attribute; both variable- and fixed-length.
    std::vector<std::string> read_strings(hid_t obj, const char* name, const std::string& where) const {
        Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
        if (!attr.valid()) fail("cannot open attribute '" + std::string(name) + "' of " + where);
        Handle type(H5Aget_type(attr.get()), H5Tclose);
        Handle space(H5Aget_space(attr.get()), H5Sclose);
        if (!type.valid() || !space.valid()) fail("cannot read attribute '" + std::string(name) + "' of " + where);
        const hssize_t n = H5Sget_simple_extent_npoints(space.get());
        if (n < 0 || static_cast<std::uint64_t>(n) > kMaxStringsPerAttribute) {
            fail("attribute '" + std::string(name) + "' of " + where + " has a bad size");
        }
        std::vector<std::string> out;
        if (n == 0) return out;
        if (H5Tget_class(type.get()) != H5T_STRING) {
            fail("attribute '" + std::string(name) + "' of " + where + " is not a string");
        }
        const htri_t vlen = H5Tis_variable_str(type.get());
        if (vlen < 0) fail("cannot read attribute '" + std::string(name) + "' of " + where);
        Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
        if (!mem.valid()) fail("cannot create a string type");
        if (vlen > 0) {
            check_vlen_refs(attr.get(), static_cast<std::size_t>(n), "attribute '" + std::string(name) + "' of " + where);
            if (H5Tset_size(mem.get(), H5T_VARIABLE) < 0) fail("cannot create a string type");
            std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
            if (H5Aread(attr.get(), mem.get(), ptrs.data()) < 0) {
                fail("cannot read attribute '" + std::string(name) + "' of " + where);
            }
            for (char* p : ptrs) out.emplace_back(p ? p : "");
#if H5_VERSION_GE(1, 12, 0)
            H5Treclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
#else
            H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
#endif
        } else {
            const std::size_t size = H5Tget_size(type.get());
            if (size == 0 || size > kMaxStringBytes / static_cast<std::size_t>(n) ||
                size * static_cast<std::size_t>(n) > file_size_) {
                fail("attribute '" + std::string(name) + "' of " + where + " has a bad string size");
            }
            if (H5Tset_size(mem.get(), size) < 0) fail("cannot create a string type");
            std::vector<char> buf(size * static_cast<std::size_t>(n));
            if (H5Aread(attr.get(), mem.get(), buf.data()) < 0) {
                fail("cannot read attribute '" + std::string(name) + "' of " + where);
            }
            for (hssize_t i = 0; i < n; ++i) {
                const char* p = buf.data() + static_cast<std::size_t>(i) * size;
                std::size_t len = 0;
                while (len < size && p[len] != '\0') ++len;
                out.emplace_back(p, len);
            }
        }
        return out;
    }

    // Keras splits a long weight_names list into weight_names0, weight_names1, ...
    std::vector<std::string> weight_names(hid_t group, const std::string& layer) const {
        const std::string where = "layer group '" + layer + "'";
        if (has_attr(group, "weight_names")) return read_strings(group, "weight_names", where);
        std::vector<std::string> out;
        for (int chunk = 0;; ++chunk) {
            const std::string name = "weight_names" + std::to_string(chunk);
            if (!has_attr(group, name.c_str())) break;
            auto part = read_strings(group, name.c_str(), where);
            out.insert(out.end(), part.begin(), part.end());
        }
        if (out.empty()) throw ModelError(path_, where + " has no weight_names attribute");
        return out;
    }

    std::vector<float> read_weight(const std::string& layer, const std::string& var, const Shape& shape) const {
        Handle weights = open_group(file_.get(), "model_weights", "/model_weights");
        const std::string gpath = "/model_weights/" + layer;
        if (layer.empty() || layer.find('/') != std::string::npos || layer == "." || layer == "..") {
            throw ModelError(path_, "bad layer name '" + layer + "'");
        }
        const htri_t le = H5Lexists(weights.get(), layer.c_str(), H5P_DEFAULT);
        if (le < 0) fail("cannot look up " + gpath);
        if (le == 0) throw ModelError(path_, "no weights for layer '" + layer + "' (" + gpath + " missing)");
        Handle group = open_group(weights.get(), layer, gpath);

        // weight_names entries are relative to the layer group: "conv1_bn/gamma:0".
        std::string dname;
        for (const std::string& wn : weight_names(group.get(), layer)) {
            const std::string base = keras::strip_tensor_suffix(wn);
            const auto slash = base.rfind('/');
            const std::string leaf = slash == std::string::npos ? base : base.substr(slash + 1);
            if (leaf == var) {
                if (!dname.empty()) throw ModelError(path_, "layer '" + layer + "' lists weight '" + var + "' twice");
                dname = wn;
            }
        }
        if (dname.empty()) throw ModelError(path_, "layer '" + layer + "' has no weight '" + var + "'");
        const std::string dpath = gpath + "/" + dname;

        // Walk the relative path one link at a time, checking each before opening it.
        std::vector<Handle> parents;
        hid_t parent = group.get();
        std::string rest = dname, sofar = gpath;
        for (std::size_t slash; (slash = rest.find('/')) != std::string::npos;) {
            const std::string part = rest.substr(0, slash);
            rest = rest.substr(slash + 1);
            if (part.empty()) continue;
            sofar += "/" + part;
            parents.push_back(open_group(parent, part, sofar));
            parent = parents.back().get();
        }
        if (rest.empty()) throw ModelError(path_, "bad weight name '" + dname + "' in layer '" + layer + "'");
        check_link(parent, rest, dpath);
        Handle ds(H5Dopen2(parent, rest.c_str(), H5P_DEFAULT), H5Dclose);
        if (!ds.valid()) fail("cannot open dataset " + dpath);
        Handle type(H5Dget_type(ds.get()), H5Tclose);
        Handle space(H5Dget_space(ds.get()), H5Sclose);
        if (!type.valid() || !space.valid()) fail("cannot read dataset " + dpath);
        if (H5Tget_class(type.get()) != H5T_FLOAT) throw ModelError(path_, "dataset " + dpath + " is not floating point");
        // Bound what the read converts and allocates before asking HDF5 to read it.
        const std::size_t type_size = H5Tget_size(type.get());
        if (type_size != 2 && type_size != 4 && type_size != 8) {
            throw ModelError(path_, "dataset " + dpath + " has a " + std::to_string(type_size) + "-byte float type");
        }
        const int rank = H5Sget_simple_extent_ndims(space.get());
        if (rank < 0 || rank > 8) fail("dataset " + dpath + " has a bad rank");
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0) {
            fail("cannot read the shape of " + dpath);
        }
        Shape got(dims.begin(), dims.end());
        if (got != shape) {
            throw ModelError(path_, "dataset " + dpath + " has shape " + keras::shape_string(got) + ", expected " +
                                        keras::shape_string(shape));
        }
        std::size_t count = 1;
        for (auto d : shape) count *= static_cast<std::size_t>(d);
        const hsize_t stored = count > 0 ? H5Dget_storage_size(ds.get()) : 0;
        if (count > 0 && stored == 0) throw ModelError(path_, "dataset " + dpath + " has no stored data");
        if (stored > file_size_) throw ModelError(path_, "corrupt HDF5 file: dataset " + dpath + " claims more storage than the file holds");
        std::vector<float> data(count);
        if (count > 0 && H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0) {
            fail("cannot read dataset " + dpath);
        }
        return data;
    }

private:
    std::string path_;
    Handle file_;
    std::uintmax_t file_size_ = 0;
    std::size_t sizeof_addr_ = 8;
    HeapMap heaps_;
};

// Opens the file (with the corruption checks) and parses its model_config.
keras::GraphSpec read_graph(H5File& h5) {
    // HDF5 leaks internal free-list blocks on some error paths for corrupt files and then
    // prints "infinite loop closing library" from its atexit hook. We only read files and
    // close everything we open, so skip that hook (only effective before HDF5 starts up).
    static std::once_flag no_atexit;
    std::call_once(no_atexit, [] { H5dont_atexit(); });
    const std::string& path = h5.path();
    h5.open();

    Handle root(H5Oopen(h5.file(), "/", H5P_DEFAULT), H5Oclose);
    if (!root.valid()) h5.fail("cannot open the root group");
    if (!h5.has_attr(root.get(), "model_config")) {
        throw ModelError(path, "no model_config attribute (a weights-only file or not a Keras model)");
    }
    const std::vector<std::string> cfg_text = h5.read_strings(root.get(), "model_config", "the root group");
    if (cfg_text.size() != 1) throw ModelError(path, "model_config is not a single string");

    nlohmann::json cfg;
    try {
        cfg = nlohmann::json::parse(cfg_text[0]);
    } catch (const nlohmann::json::exception& e) {
        throw ModelError(path, std::string("model_config is not valid JSON: ") + e.what());
    }
    return keras::parse_model_config(cfg, path);
}

}  // namespace

std::shared_ptr<ModelWeights> load_keras_h5(const std::string& path) {
    QuietErrors quiet;
    H5File h5(path);
    const keras::GraphSpec graph = read_graph(h5);

    auto w = std::make_shared<ModelWeights>();
    keras::build_weights(
        graph, [&](const std::string& layer, const std::string& var, const Shape& shape) {
            return h5.read_weight(layer, var, shape);
        },
        path, *w);
    w->origin = WeightsOrigin::KerasH5;
    w->source = path;
    w->description = keras::canonical_model_name(w->alpha, w->native_resolution) + " (Keras HDF5)";
    keras::final_check(*w, path);
    return w;
}

ModelSummary probe_keras_h5(const std::string& path) {
    QuietErrors quiet;
    H5File h5(path);
    return summary_of(read_graph(h5).topology, false, WeightsOrigin::KerasH5);
}

}  // namespace mnv1::detail
