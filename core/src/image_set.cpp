#include "image_set.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "mobilenet/errors.hpp"
#include "mobilenet/evaluate.hpp"

namespace fs = std::filesystem;

namespace mnv1::detail {

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
        std::ifstream in(it->path());
        std::string header;
        if (std::getline(in, header) && is_truth_header(csv_fields(header))) found.push_back(it->path().string());
    }
    return found.size() == 1 ? found.front() : std::string();
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
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string(), "cannot read");
    std::ostringstream os;
    os << in.rdbuf();
    return fnv1a(os.str());
}

std::string file_identity(const fs::path& path) {
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    const auto mtime = fs::last_write_time(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (ec || !in) throw Error(path.string(), "cannot read");
    constexpr std::uintmax_t kEdge = 64 * 1024;
    std::string head(static_cast<std::size_t>(std::min(bytes, kEdge)), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::string tail(static_cast<std::size_t>(std::min(bytes, kEdge)), '\0');
    in.seekg(static_cast<std::streamoff>(bytes - tail.size()));
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    if (!in) throw Error(path.string(), "cannot read");
    return std::to_string(bytes) + ":" + std::to_string(mtime.time_since_epoch().count()) + ":" +
           hex64(fnv1a(tail, fnv1a(head)));
}

}  // namespace mnv1::detail
