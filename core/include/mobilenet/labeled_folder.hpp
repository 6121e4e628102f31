// Ground truth for a folder of images, from whichever source the folder offers, for
// accuracy evaluation in the CLI, the app and sweeps.
//
// Thread-safe (no shared state). Errors are mnv1::Error (mobilenet/errors.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mobilenet/evaluate.hpp"

namespace mnv1 {

enum class TruthSource {
    Csv,           // a CSV with `file` and `index_1001` / `index_1000` (or `wnid`) columns
    FileNameWnid,  // an ImageNet wnid in each file name: n01440764_tench.JPEG, n01440764_123.JPEG
    Subfolders,    // one subfolder per class, named by wnid (n01440764/) or by label (tench/)
};
const char* to_string(TruthSource source);

struct LabeledFolder {
    std::string root;                     // the images folder
    TruthSource source = TruthSource::Csv;
    std::string source_detail;            // e.g. "ground_truth.csv", "wnids in file names"
    std::vector<LabeledImage> images;     // matched: file relative to root, truth in the model's convention
    std::vector<std::string> unmatched;   // image files (relative) the source gave no class for
    int image_files = 0;                  // image files seen in the folder (matched + unmatched)
    // Of `images`: rows of a ground-truth CSV whose file is not among the image files seen
    // (missing, or not an image); evaluate() skips and names them.
    int listed_missing = 0;
    // Image files here that have a class: `images` without the listed-but-missing rows.
    int matched() const { return static_cast<int>(images.size()) - listed_missing; }
};

// ImageNet's 1000 wnids in class order (index_1000), as shipped with the project
// (derived from WordNet 3.0 by core/data/gen_imagenet_wnids.py). Always 1000 entries;
// a class the derivation could not pin to one synset is "" (wnid_class never returns it).
const std::vector<std::string>& imagenet_wnids();
// Class index of a wnid in a model's convention (1000, or 1001 with background at 0);
// -1 for an unknown wnid.
int wnid_class(const std::string& wnid, int num_classes);
// An ImageNet class between the 1000-class convention and a model's with `num_classes`
// (1001: background at 0, every class one up); -1 for -1, for background, and for a
// model whose classes are not ImageNet's 1000 or 1001.
int imagenet_class_in(int index_1000, int num_classes);
int imagenet_class_1000(int index, int num_classes);

// Finds the ground truth of `root` for a model with `num_classes` classes and `labels`
// (its own label list, for label-named subfolders; may be empty). Order of preference:
// `csv_path` when given; else a ground_truth.csv (or the only *.csv with the needed
// columns) in root; else wnids in file names; else class-named subfolders. Throws
// mnv1::Error naming the folder when no source matches any image, and for an
// unreadable folder or a malformed CSV.
// Image files: jpg, jpeg, png, bmp, webp, tif, tiff (any case), in root and its
// subfolders; FIFOs, devices and sockets are skipped by their status, never opened.
// With a CSV every row is kept (a listed file that is missing is then reported by
// evaluate() as skipped), except rows naming an existing non-regular file; `unmatched`
// holds the image files no row lists. Label-named subfolders match a label's first
// synonym or the whole label, case-insensitively, '_' = ' '; a name two classes share
// matches neither.
LabeledFolder scan_labeled_folder(const std::string& root, int num_classes,
                                  const std::vector<std::string>& labels, const std::string& csv_path = {});

// What labels one image file where it lies, for showing the truth beside a single
// classification (the Classify page), without reading the image.
struct ImageLabel {
    int index = -1;      // class in the lookup's convention; -1: nothing labels the file
    std::string source;  // "ground_truth.csv", "wnid in the file name", "folder named by wnid"
};

// Finds ImageLabels for files, reading each folder's ground-truth CSV at most once.
// The explicit sources of scan_labeled_folder, for one file, in its order: a ground-truth
// CSV in the file's folder that lists it, a wnid at the start of the file name, the
// folder named by a wnid. A folder named by a label is not used: outside an evaluation a
// folder called "mouse" or "crane" is no claim about ImageNet's class of that name.
// A CSV that cannot be read or parsed labels nothing (no exception).
// Not thread-safe: one object per thread (it has no state shared with others).
class ImageLabelLookup {
public:
    explicit ImageLabelLookup(int num_classes) : num_classes_(num_classes) {}
    ImageLabel find(const std::string& path);

private:
    struct FolderTruth {
        std::string csv_name;             // "" when the folder has no usable ground-truth CSV
        std::map<std::string, int> rows;  // file name (relative to the folder) -> class
    };
    const FolderTruth& folder_truth(const std::string& folder);

    int num_classes_;
    std::map<std::string, FolderTruth> folders_;
};

}  // namespace mnv1
