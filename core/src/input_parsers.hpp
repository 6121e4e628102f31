// Internal: the parsers of the two text inputs a user supplies beside models and
// images, working on bytes in memory so they can be fuzzed (tests/fuzz) and tested
// without files. The file readers (load_labels, read_ground_truth,
// scan_labeled_folder) read through regular_file.hpp and call these.
// Thread-safe (no shared state). `name` is the file name used in error messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mobilenet/evaluate.hpp"

namespace mnv1::detail {

// Labels: one per line ('\n' or "\r\n"), or a TF.js metadata.json {"labels": [...]}.
// A UTF-8 BOM is skipped; blank lines at the end are dropped (blank lines inside are
// labels, kept to preserve the numbering). Throws ModelError(name, ...) for JSON
// without a "labels" array of strings. Returns the labels as written (no count check).
std::vector<std::string> parse_labels(std::string_view text, const std::string& name);

// The header fields of a CSV text (its first line, a UTF-8 BOM skipped).
std::vector<std::string> csv_header(std::string_view text);

struct GroundTruthTable {
    std::vector<LabeledImage> rows;          // in file order, index in the model's convention
    std::vector<std::string> unknown_wnid;   // files of rows whose wnid is no ImageNet class
};

// A ground-truth CSV: a header with `file` and `index_1001` and/or `index_1000` (used
// when present), else `wnid`; then one row per image. Index columns are converted to
// `num_classes` (1001: background at 0, or 1000; a wnid needs one of those two).
// A UTF-8 BOM and "\r\n" line ends are accepted; blank lines are skipped. Throws
// mnv1::Error(name, "line N: ...") for: missing columns, an empty file name, an index
// outside the model's classes, and index_1001 != index_1000 + 1 on one row. A row
// whose file is absolute or leaves the images folder is returned: evaluate() skips,
// counts and names it (see outside_images_folder), like a missing file, so one bad row
// does not lose a whole run. A header-only CSV returns no rows (the callers decide
// that is an error).
GroundTruthTable parse_ground_truth_csv(std::string_view text, int num_classes, const std::string& name);

// Why a ground-truth row's `file` must not be read from the images folder: it is
// absolute, or its normal form starts with ".."; "" when it stays inside (text only:
// symbolic links inside the folder are followed like any other file).
std::string outside_images_folder(const std::string& file);

}  // namespace mnv1::detail
