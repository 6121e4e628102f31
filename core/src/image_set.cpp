#include "image_set.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <iomanip>
#include <sstream>

#include "mobilenet/errors.hpp"
#include "input_parsers.hpp"
#include "mobilenet/evaluate.hpp"
#include "regular_file.hpp"

namespace fs = std::filesystem;

namespace mnv1::detail {

namespace {

constexpr std::size_t kHeaderBytes = 4096;               // a CSV header line fits
constexpr std::uint64_t kMaxHashedBytes = 256u << 20;   // hash_file is for CSVs

}  // namespace

bool has_image_extension(const fs::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    static const std::array<const char*, 7> known = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"};
    return std::find(known.begin(), known.end(), ext) != known.end();
}

std::vector<ImageFile> list_image_files(const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw Error(root.string(), "not a readable directory");
    std::vector<ImageFile> out;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw Error(root.string(), "cannot list: " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) throw Error(root.string(), "cannot list: " + ec.message());
        // status() follows symlinks and only stats: a FIFO is recognised without opening it.
        std::error_code sec;
        if (!it->is_regular_file(sec) || !has_image_extension(it->path())) continue;
        const auto bytes = it->file_size(sec);
        if (sec) continue;
        out.push_back({it->path().lexically_relative(root).generic_string(), bytes});
    }
    std::sort(out.begin(), out.end(), [](const ImageFile& a, const ImageFile& b) { return a.file < b.file; });
    return out;
}

bool is_truth_header(const std::vector<std::string>& header) {
    auto has = [&](const char* name) { return std::find(header.begin(), header.end(), name) != header.end(); };
    return has("file") && (has("index_1001") || has("index_1000") || has("wnid"));
}

std::string find_truth_csv(const fs::path& root) {
    std::error_code ec;
    if (fs::is_regular_file(root / "ground_truth.csv", ec)) return (root / "ground_truth.csv").string();
    std::vector<std::string> found;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sec;
        if (!it->is_regular_file(sec) || it->path().extension() != ".csv") continue;
        std::string head;
        try {
            head = read_regular_file_prefix(it->path().string(), FileRole::Data, kHeaderBytes);
        } catch (const Error&) {
            continue;  // unreadable: not the folder's ground truth
        }
        if (is_truth_header(csv_header(head))) found.push_back(it->path().string());
    }
    return found.size() == 1 ? found.front() : std::string();
}

GroundTruthTable read_truth_csv(const std::string& path, int num_classes) {
    return parse_ground_truth_csv(read_regular_file(path, FileRole::Data, kMaxGroundTruthBytes), num_classes, path);
}

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

std::string hex64(std::uint64_t value) {
    std::ostringstream os;
    os << std::hex << std::setw(16) << std::setfill('0') << value;
    return os.str();
}

std::uint64_t hash_file(const fs::path& path) {
    return fnv1a(read_regular_file(path.string(), FileRole::Data, kMaxHashedBytes));
}

std::string file_identity(const fs::path& path) {
    std::error_code ec;
    const auto mtime = fs::last_write_time(path, ec);
    RegularFile file(path.string(), FileRole::Data);
    if (ec) throw Error(path.string(), "cannot read: " + ec.message());
    const std::uint64_t bytes = file.size();
    constexpr std::uint64_t kEdge = 64 * 1024;
    const std::size_t edge = static_cast<std::size_t>(std::min(bytes, kEdge));
    const std::string head = file.read_at(0, edge);
    const std::string tail = file.read_at(bytes - edge, edge);
    if (head.size() != edge || tail.size() != edge) throw Error(path.string(), "cannot read: file shrank while read");
    return std::to_string(bytes) + ":" + std::to_string(mtime.time_since_epoch().count()) + ":" +
           hex64(fnv1a(tail, fnv1a(head)));
}

}  // namespace mnv1::detail
