#include "image_header.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include <zlib.h>

namespace mnv1::detail {

namespace {

// Thrown inside the parsers when the header runs past the bytes given.
struct PastEnd {};
// Thrown for a damaged header.
struct Damaged {
    std::string problem;
};

struct Bytes {
    const unsigned char* data;
    std::size_t size;

    void need(std::size_t offset, std::size_t count) const {
        if (offset > size || count > size - offset) throw PastEnd{};
    }
    std::uint32_t u8(std::size_t at) const {
        need(at, 1);
        return data[at];
    }
    std::uint32_t le16(std::size_t at) const {
        need(at, 2);
        return data[at] | (data[at + 1] << 8u);
    }
    std::uint32_t be16(std::size_t at) const {
        need(at, 2);
        return (data[at] << 8u) | data[at + 1];
    }
    std::uint32_t le24(std::size_t at) const {
        need(at, 3);
        return data[at] | (data[at + 1] << 8u) | (static_cast<std::uint32_t>(data[at + 2]) << 16u);
    }
    std::uint32_t le32(std::size_t at) const {
        need(at, 4);
        return data[at] | (data[at + 1] << 8u) | (static_cast<std::uint32_t>(data[at + 2]) << 16u) |
               (static_cast<std::uint32_t>(data[at + 3]) << 24u);
    }
    std::uint32_t be32(std::size_t at) const {
        need(at, 4);
        return (static_cast<std::uint32_t>(data[at]) << 24u) | (static_cast<std::uint32_t>(data[at + 1]) << 16u) |
               (data[at + 2] << 8u) | data[at + 3];
    }
    std::uint64_t le64(std::size_t at) const { return le32(at) | (static_cast<std::uint64_t>(le32(at + 4)) << 32u); }
    std::uint64_t be64(std::size_t at) const { return (static_cast<std::uint64_t>(be32(at)) << 32u) | be32(at + 4); }
    bool starts(std::size_t at, std::string_view s) const {
        return at <= size && s.size() <= size - at && std::memcmp(data + at, s.data(), s.size()) == 0;
    }
};

struct Dims {
    std::uint64_t width, height;
};

Dims png(const Bytes& b) {
    if (!b.starts(12, "IHDR")) throw Damaged{"PNG without IHDR first"};
    return {b.be32(16), b.be32(20)};
}

bool jpeg_sof(std::uint32_t m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

Dims jpeg(const Bytes& b) {
    std::size_t at = 2;
    for (;;) {
        if (b.u8(at) != 0xFF) throw Damaged{"JPEG marker expected at byte " + std::to_string(at)};
        while (b.u8(at + 1) == 0xFF) ++at;  // fill bytes
        const std::uint32_t marker = b.u8(at + 1);
        at += 2;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
        if (marker == 0xD9 || marker == 0xDA) throw Damaged{"JPEG without a frame header (SOF)"};
        const std::uint32_t length = b.be16(at);
        if (length < 2) throw Damaged{"JPEG segment length below 2"};
        if (jpeg_sof(marker)) return {b.be16(at + 5), b.be16(at + 3)};
        at += length;
    }
}

Dims bmp(const Bytes& b) {
    const std::uint32_t dib = b.le32(14);
    if (dib == 12) return {b.le16(18), b.le16(20)};
    if (dib < 40) throw Damaged{"BMP header of " + std::to_string(dib) + " bytes"};
    const auto w = static_cast<std::int32_t>(b.le32(18)), h = static_cast<std::int32_t>(b.le32(22));
    const auto abs64 = [](std::int32_t v) { return v < 0 ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v); };
    return {static_cast<std::uint64_t>(abs64(w)), static_cast<std::uint64_t>(abs64(h))};
}

Dims webp(const Bytes& b) {
    const std::size_t chunk = 12, data = 20;
    if (b.starts(chunk, "VP8X")) return {b.le24(data + 4) + 1ull, b.le24(data + 7) + 1ull};
    if (b.starts(chunk, "VP8L")) {
        if (b.u8(data) != 0x2F) throw Damaged{"WebP lossless without its signature"};
        const std::uint32_t bits = b.le32(data + 1);
        return {(bits & 0x3FFFu) + 1ull, ((bits >> 14u) & 0x3FFFu) + 1ull};
    }
    if (b.starts(chunk, "VP8 ")) {
        if (b.u8(data + 3) != 0x9D || b.u8(data + 4) != 0x01 || b.u8(data + 5) != 0x2A)
            throw Damaged{"WebP lossy without its start code"};
        return {b.le16(data + 6) & 0x3FFFu, b.le16(data + 8) & 0x3FFFu};
    }
    throw Damaged{"WebP without a VP8, VP8L or VP8X chunk"};
}

Dims tiff(const Bytes& b) {
    const bool le = b.starts(0, "II");
    const auto u16 = [&](std::size_t at) { return le ? b.le16(at) : b.be16(at); };
    const auto u32 = [&](std::size_t at) { return le ? b.le32(at) : b.be32(at); };
    const auto u64 = [&](std::size_t at) { return le ? b.le64(at) : b.be64(at); };
    const bool big = u16(2) == 43;
    const std::uint64_t ifd = big ? u64(8) : u32(4);
    if (ifd < 8 || ifd >= b.size + (1ull << 40)) throw Damaged{"TIFF directory offset out of range"};
    if (ifd > b.size) throw PastEnd{};
    const auto at0 = static_cast<std::size_t>(ifd);
    const std::uint64_t entries = big ? u64(at0) : u16(at0);
    const std::size_t first = at0 + (big ? 8 : 2), stride = big ? 20 : 12;
    std::uint64_t width = 0, height = 0;
    for (std::uint64_t i = 0; i < entries && i < 4096; ++i) {
        const std::size_t e = first + static_cast<std::size_t>(i) * stride;
        const std::uint32_t tag = u16(e), type = u16(e + 2);
        if (tag != 256 && tag != 257) continue;
        const std::size_t value = e + (big ? 12 : 8);
        const std::uint64_t v = type == 3 ? u16(value) : type == 4 ? u32(value) : type == 16 ? u64(value) : 0;
        if (type != 3 && type != 4 && type != 16) throw Damaged{"TIFF dimension of type " + std::to_string(type)};
        (tag == 256 ? width : height) = v;
    }
    if (width == 0 || height == 0) throw Damaged{"TIFF without width and height in its first directory"};
    return {width, height};
}

// Whitespace-separated decimal tokens after a 2-byte magic, '#' comments skipped (PNM, PFM).
Dims pnm_tokens(const Bytes& b) {
    std::size_t at = 2;
    std::array<std::uint64_t, 2> v{};
    for (auto& value : v) {
        for (;;) {
            const std::uint32_t c = b.u8(at);
            if (c == '#') {
                while (b.u8(at) != '\n' && b.u8(at) != '\r') ++at;
            } else if (std::isspace(static_cast<int>(c))) {
                ++at;
            } else {
                break;
            }
        }
        if (!std::isdigit(static_cast<int>(b.u8(at)))) throw Damaged{"PNM header without width and height"};
        value = 0;
        while (std::isdigit(static_cast<int>(b.u8(at)))) {
            value = value * 10 + (b.u8(at) - '0');
            if (value > (1ull << 40)) throw Damaged{"PNM dimension out of range"};
            ++at;
        }
    }
    return {v[0], v[1]};
}

// PAM (P7): "WIDTH n" and "HEIGHT n" lines before "ENDHDR".
Dims pam(const Bytes& b) {
    std::uint64_t width = 0, height = 0;
    std::size_t at = 2;
    for (int lines = 0; lines < 256; ++lines) {
        std::string line;
        while (b.u8(at) != '\n') line += static_cast<char>(b.u8(at++));
        ++at;
        if (line.rfind("ENDHDR", 0) == 0) break;
        const auto value = [&](std::size_t from) {
            std::uint64_t n = 0;
            for (std::size_t i = from; i < line.size() && n < (1ull << 40); ++i)
                if (std::isdigit(static_cast<unsigned char>(line[i]))) n = n * 10 + static_cast<std::uint64_t>(line[i] - '0');
            return n;
        };
        if (line.rfind("WIDTH", 0) == 0) width = value(5);
        if (line.rfind("HEIGHT", 0) == 0) height = value(6);
    }
    return {width, height};
}

// Radiance HDR: header lines to an empty line, then "-Y 768 +X 512" (any orientation).
Dims hdr(const Bytes& b) {
    std::size_t at = 0;
    bool blank = false;
    for (int lines = 0; lines < 1024; ++lines) {
        std::string line;
        while (b.u8(at) != '\n') line += static_cast<char>(b.u8(at++));
        ++at;
        if (!blank) {
            blank = line.empty();
            continue;
        }
        char a1 = 0, a2 = 0, s1 = 0, s2 = 0;
        unsigned long long n1 = 0, n2 = 0;
        if (std::sscanf(line.c_str(), "%c%c %llu %c%c %llu", &s1, &a1, &n1, &s2, &a2, &n2) != 6)
            throw Damaged{"Radiance HDR without a resolution line"};
        return a1 == 'Y' ? Dims{n2, n1} : Dims{n1, n2};
    }
    throw Damaged{"Radiance HDR header too long"};
}

Dims jpeg2000_codestream(const Bytes& b, std::size_t at) {
    // SOC FF4F, SIZ FF51: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz
    const std::uint64_t x = b.be32(at + 8), y = b.be32(at + 12), xo = b.be32(at + 16), yo = b.be32(at + 20);
    if (xo > x || yo > y) throw Damaged{"JPEG 2000 image offset beyond its size"};
    return {x - xo, y - yo};
}

Dims jp2(const Bytes& b) {
    // Boxes: LBox TBox contents; the header box jp2h holds ihdr (HEIGHT WIDTH ...).
    std::size_t at = 0;
    for (int boxes = 0; boxes < 64; ++boxes) {
        std::uint64_t length = b.be32(at);
        std::size_t header = 8;
        if (length == 1) {
            length = b.be64(at + 8);
            header = 16;
        }
        if (b.starts(at + 4, "jp2h")) {
            at += header;
            continue;  // descend into the super-box
        }
        if (b.starts(at + 4, "ihdr")) return {b.be32(at + header + 4), b.be32(at + header)};
        if (b.starts(at + 4, "jp2c")) return jpeg2000_codestream(b, at + header);
        if (length < header) throw Damaged{"JP2 box without a length"};
        if (length > (1ull << 40)) throw Damaged{"JP2 box length out of range"};
        at += static_cast<std::size_t>(length);
    }
    throw Damaged{"JP2 without an image header box"};
}

// OpenEXR: attributes (name\0 type\0 size value) to an empty name; dataWindow is box2i.
Dims exr(const Bytes& b) {
    std::size_t at = 8;
    for (int attrs = 0; attrs < 1024; ++attrs) {
        std::string name, type;
        while (b.u8(at) != 0 && name.size() < 256) name += static_cast<char>(b.u8(at++));
        ++at;
        if (name.empty()) break;
        while (b.u8(at) != 0 && type.size() < 256) type += static_cast<char>(b.u8(at++));
        ++at;
        const std::uint32_t size = b.le32(at);
        at += 4;
        if (name == "dataWindow" && type == "box2i" && size == 16) {
            const auto x0 = static_cast<std::int32_t>(b.le32(at)), y0 = static_cast<std::int32_t>(b.le32(at + 4));
            const auto x1 = static_cast<std::int32_t>(b.le32(at + 8)), y1 = static_cast<std::int32_t>(b.le32(at + 12));
            if (x1 < x0 || y1 < y0) throw Damaged{"OpenEXR data window empty"};
            return {static_cast<std::uint64_t>(static_cast<std::int64_t>(x1) - x0 + 1),
                    static_cast<std::uint64_t>(static_cast<std::int64_t>(y1) - y0 + 1)};
        }
        at += size;
    }
    throw Damaged{"OpenEXR without a dataWindow"};
}

std::uint32_t crc32(const unsigned char* p, std::size_t n, std::uint32_t crc = 0) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1u) : c >> 1u;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8u);
    return ~crc;
}

// Inflates the concatenated IDAT data into a small scratch buffer (nothing kept): a
// damaged zlib stream is refused here, before libpng prints "libpng error: IDAT: ...".
std::string png_idat_problem(const Bytes& b, const std::vector<std::pair<std::size_t, std::size_t>>& idat) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return {};  // cannot check: leave it to libpng
    std::vector<unsigned char> scratch(64 * 1024);
    int rc = Z_OK;
    for (const auto& [offset, length] : idat) {
        z.next_in = const_cast<Bytef*>(b.data + offset);
        z.avail_in = static_cast<uInt>(length);
        while (z.avail_in > 0 && rc == Z_OK) {
            z.next_out = scratch.data();
            z.avail_out = static_cast<uInt>(scratch.size());
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc == Z_BUF_ERROR) rc = Z_OK;  // no progress possible yet: more input follows
        }
        if (rc != Z_OK) break;
    }
    // Output still pending after the last input byte: drain it.
    while (rc == Z_OK) {
        z.next_out = scratch.data();
        z.avail_out = static_cast<uInt>(scratch.size());
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_OK && z.avail_out == scratch.size()) break;  // no more output: stream unfinished
    }
    const std::string message = z.msg ? z.msg : "";
    inflateEnd(&z);
    if (rc == Z_STREAM_END) return {};
    if (rc == Z_OK || rc == Z_BUF_ERROR) return "truncated PNG (its compressed image data ends early)";
    return "corrupt PNG (bad compressed image data" + (message.empty() ? std::string() : ": " + message) + ")";
}

std::string png_structure(const Bytes& b) {
    std::vector<std::pair<std::size_t, std::size_t>> idat;  // offset, length of each IDAT's data
    std::size_t at = 8;
    for (;;) {
        if (at + 12 > b.size) return "truncated PNG (ends before its IEND chunk)";
        const std::uint32_t length = b.be32(at);
        if (length > (1u << 31) || length > b.size - at - 12) return "truncated PNG (a chunk runs past the end of the file)";
        const std::string type(reinterpret_cast<const char*>(b.data + at + 4), 4);
        const std::uint32_t stored = b.be32(at + 8 + length);
        // A critical chunk (upper-case first letter) with a bad CRC is fatal to libpng too;
        // an ancillary one it only drops, so it is no reason to refuse the image.
        const bool critical = std::isupper(static_cast<unsigned char>(type[0])) != 0;
        if (critical && crc32(b.data + at + 4, length + 4u) != stored)
            return "corrupt PNG (CRC error in chunk " + type + ")";
        if (type == "IDAT") idat.emplace_back(at + 8, length);
        if (type == "IEND") return idat.empty() ? "corrupt PNG (no image data)" : png_idat_problem(b, idat);
        at += 12u + length;
    }
}

std::string jpeg_structure(const Bytes& b) {
    try {
        std::size_t at = 2;
        for (;;) {
            if (b.u8(at) != 0xFF) return "corrupt JPEG (marker expected at byte " + std::to_string(at) + ")";
            while (b.u8(at + 1) == 0xFF) ++at;
            const std::uint32_t marker = b.u8(at + 1);
            at += 2;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
            if (marker == 0xD9) return "corrupt JPEG (ends before its image data)";
            const std::uint32_t length = b.be16(at);
            if (length < 2) return "corrupt JPEG (segment length below 2)";
            b.need(at, length);
            if (marker == 0xDA) break;  // start of scan: entropy-coded data follows
            at += length;
        }
    } catch (const PastEnd&) {
        return "truncated JPEG (ends inside its headers)";
    }
    // libjpeg only warns on a premature end and returns a partly grey image: a JPEG
    // must end with EOI (FF D9), searched near the end (entropy-coded data never holds
    // FF D9; some cameras append bytes after it).
    const std::size_t from = b.size > 4096 ? b.size - 4096 : 2;
    for (std::size_t i = b.size - 1; i > from; --i)
        if (b.data[i - 1] == 0xFF && b.data[i] == 0xD9) return {};
    return "truncated JPEG (no end-of-image marker)";
}

}  // namespace

ImageHeader read_image_header(const unsigned char* data, std::size_t size, bool whole_file) {
    const Bytes b{data, size};
    ImageHeader h;
    Dims (*parse)(const Bytes&) = nullptr;
    if (b.starts(0, "\x89PNG\r\n\x1a\n")) h.format = "PNG", parse = png;
    else if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) h.format = "JPEG", parse = jpeg;
    else if (b.starts(0, "GIF87a") || b.starts(0, "GIF89a"))
        h.format = "GIF", parse = [](const Bytes& x) { return Dims{x.le16(6), x.le16(8)}; };
    else if (b.starts(0, "BM")) h.format = "BMP", parse = bmp;
    else if (b.starts(0, "RIFF") && b.starts(8, "WEBP")) h.format = "WebP", parse = webp;
    else if (b.starts(0, "II*\0") || b.starts(0, std::string_view("MM\0*", 4)) || b.starts(0, std::string_view("II+\0", 4)) ||
             b.starts(0, std::string_view("MM\0+", 4)))
        h.format = "TIFF", parse = tiff;
    else if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '6') h.format = "PNM", parse = pnm_tokens;
    else if (b.starts(0, "P7")) h.format = "PAM", parse = pam;
    else if (b.starts(0, "PF") || b.starts(0, "Pf")) h.format = "PFM", parse = pnm_tokens;
    else if (b.starts(0, "\x59\xa6\x6a\x95"))
        h.format = "Sun raster", parse = [](const Bytes& x) { return Dims{x.be32(4), x.be32(8)}; };
    else if (b.starts(0, "#?RADIANCE") || b.starts(0, "#?RGBE")) h.format = "Radiance HDR", parse = hdr;
    else if (b.starts(0, "\xff\x4f\xff\x51"))
        h.format = "JPEG 2000", parse = [](const Bytes& x) { return jpeg2000_codestream(x, 2); };
    else if (b.starts(0, std::string_view("\0\0\0\x0cjP  \r\n\x87\n", 12))) h.format = "JPEG 2000", parse = jp2;
    else if (b.starts(0, "\x76\x2f\x31\x01")) h.format = "OpenEXR", parse = exr;
    if (!parse) return h;  // Unknown
    try {
        const Dims d = parse(b);
        h.width = d.width;
        h.height = d.height;
        if (h.width == 0 || h.height == 0) {
            h.status = ImageHeader::Status::Corrupt;
            h.problem = "corrupt " + h.format + " header (" + std::to_string(h.width) + "x" + std::to_string(h.height) + ")";
        } else {
            h.status = ImageHeader::Status::Ok;
        }
    } catch (const PastEnd&) {
        h.status = whole_file ? ImageHeader::Status::Corrupt : ImageHeader::Status::NeedMore;
        h.problem = "truncated " + h.format + " (the file ends inside its header)";
    } catch (const Damaged& d) {
        h.status = ImageHeader::Status::Corrupt;
        h.problem = "corrupt " + h.format + " header (" + d.problem + ")";
    }
    return h;
}

std::string image_structure_problem(const unsigned char* data, std::size_t size) {
    const Bytes b{data, size};
    if (b.starts(0, "\x89PNG\r\n\x1a\n")) return png_structure(b);
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return jpeg_structure(b);
    return {};
}

}  // namespace mnv1::detail
