// Internal helpers shared by labelled folders and the sweep cache: which files of a
// folder are images, which CSV holds its ground truth, and cheap content fingerprints.
// All functions are thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "input_parsers.hpp"

namespace mnv1::detail {

// True for the extensions OpenCV decodes here (jpg, jpeg, png, bmp, webp, tif, tiff),
// case-insensitive.
bool has_image_extension(const std::filesystem::path& file);

struct ImageFile {
    std::string file;          // relative to the folder, '/'-separated
    std::uintmax_t bytes = 0;
};

// Regular image files in `root` and its subfolders (symlinks followed; FIFOs, devices
// and sockets are skipped by their status, never opened), sorted by relative path.
// Throws mnv1::Error naming root when it is not a readable directory.
std::vector<ImageFile> list_image_files(const std::filesystem::path& root);

// The ground-truth CSV of a folder: root/ground_truth.csv, else the only *.csv in root
// whose header has `file` and `index_1001`, `index_1000` or `wnid`; "" when none.
std::string find_truth_csv(const std::filesystem::path& root);
// Whether a CSV header line names the columns a ground truth needs.
bool is_truth_header(const std::vector<std::string>& header);
// Reads and parses a ground-truth CSV (at most kMaxGroundTruthBytes; a regular file only)
// into rows in the `num_classes` convention. Throws mnv1::Error naming the file.
inline constexpr std::uint64_t kMaxGroundTruthBytes = 256u << 20;
GroundTruthTable read_truth_csv(const std::string& path, int num_classes);

// 64-bit FNV-1a, chainable through `seed`.
inline constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed = kFnvOffset);
std::string hex64(std::uint64_t value);

// FNV-1a of a whole file (for small files: CSVs, at most 256 MiB); throws mnv1::Error
// when it is unreadable or not a regular file (refused without blocking).
std::uint64_t hash_file(const std::filesystem::path& path);
// Cheap identity of a (possibly large) file: size, mtime and a hash of its first and
// last 64 KiB. Throws mnv1::Error when it cannot be read or is not a regular file.
std::string file_identity(const std::filesystem::path& path);

}  // namespace mnv1::detail
