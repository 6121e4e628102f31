#include "mobilenet/labeled_folder.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "image_set.hpp"
#include "imagenet_wnid_table.hpp"
#include "mobilenet/errors.hpp"

namespace fs = std::filesystem;

namespace mnv1 {

const char* to_string(TruthSource source) {
    switch (source) {
        case TruthSource::Csv: return "csv";
        case TruthSource::FileNameWnid: return "wnid-in-file-name";
        case TruthSource::Subfolders: return "subfolders";
    }
    return "?";
}

const std::vector<std::string>& imagenet_wnids() {
    static const std::vector<std::string> wnids(detail::kImagenetWnids,
                                                detail::kImagenetWnids + detail::kImagenetClasses);
    return wnids;
}

int wnid_class(const std::string& wnid, int num_classes) {
    static const std::unordered_map<std::string, int> index = [] {
        std::unordered_map<std::string, int> m;
        const auto& wnids = imagenet_wnids();
        for (int i = 0; i < static_cast<int>(wnids.size()); ++i)
            if (!wnids[static_cast<std::size_t>(i)].empty()) m.emplace(wnids[static_cast<std::size_t>(i)], i);
        return m;
    }();
    const auto it = index.find(wnid);
    return it == index.end() ? -1 : imagenet_class_in(it->second, num_classes);
}

int imagenet_class_in(int index_1000, int num_classes) {
    if (index_1000 < 0 || index_1000 >= 1000 || (num_classes != 1000 && num_classes != 1001)) return -1;
    return num_classes == 1001 ? index_1000 + 1 : index_1000;
}

int imagenet_class_1000(int index, int num_classes) {
    if (num_classes != 1000 && num_classes != 1001) return -1;
    const int i = num_classes == 1001 ? index - 1 : index;
    return i >= 0 && i < 1000 ? i : -1;
}

namespace {

// "n01440764" at the start of a name, followed by its end or a separator.
std::string leading_wnid(const std::string& name) {
    if (name.size() < 9 || name[0] != 'n') return {};
    for (std::size_t i = 1; i < 9; ++i)
        if (!std::isdigit(static_cast<unsigned char>(name[i]))) return {};
    if (name.size() > 9 && name[9] != '_' && name[9] != '.' && name[9] != '-' && name[9] != ' ') return {};
    return name.substr(0, 9);
}

// Lower case, underscores as spaces, outer spaces trimmed: "Great_White shark " -> "great white shark".
std::string label_key(std::string s) {
    for (char& c : s) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

LabeledFolder from_csv(const std::string& csv, int num_classes,
                       const std::vector<detail::ImageFile>& files) {
    LabeledFolder lf;
    lf.source = TruthSource::Csv;
    lf.source_detail = fs::path(csv).filename().string();
    detail::GroundTruthTable table = detail::read_truth_csv(csv, num_classes);
    std::vector<LabeledImage>& rows = table.rows;  // unknown wnids' files stay unmatched
    std::set<std::string> listed, present;
    for (const auto& f : files) present.insert(f.file);
    // Every row stays: evaluate() skips, counts and names a listed file that is missing,
    // not a regular file (a FIFO, /dev/zero: refused without being read) or outside root.
    for (auto& row : rows) {
        const std::string file = fs::path(row.file).lexically_normal().generic_string();
        listed.insert(file);
        lf.listed_missing += present.count(file) ? 0 : 1;
        lf.images.push_back(std::move(row));
    }
    for (const auto& f : files)
        if (!listed.count(f.file)) lf.unmatched.push_back(f.file);
    return lf;
}

LabeledFolder from_file_names(const std::vector<detail::ImageFile>& files, int num_classes) {
    LabeledFolder lf;
    lf.source = TruthSource::FileNameWnid;
    lf.source_detail = "wnids in file names";
    for (const auto& f : files) {
        const int index = wnid_class(leading_wnid(fs::path(f.file).filename().string()), num_classes);
        if (index >= 0) lf.images.push_back({f.file, index});
        else lf.unmatched.push_back(f.file);
    }
    return lf;
}

LabeledFolder from_subfolders(const std::vector<detail::ImageFile>& files, int num_classes,
                              const std::vector<std::string>& labels) {
    // Folder name -> class: the whole label and its first synonym, both as label_key;
    // a name two classes share ("crane", "maillot") is ambiguous and matches nothing.
    constexpr int kAmbiguous = -2;
    std::map<std::string, int> by_name;
    auto add = [&](const std::string& key, int index) {
        if (key.empty()) return;
        const auto [it, inserted] = by_name.emplace(key, index);
        if (!inserted && it->second != index) it->second = kAmbiguous;
    };
    for (int i = 0; i < static_cast<int>(labels.size()); ++i) {
        const std::string& label = labels[static_cast<std::size_t>(i)];
        add(label_key(label), i);
        add(label_key(label.substr(0, label.find(','))), i);
    }
    LabeledFolder lf;
    lf.source = TruthSource::Subfolders;
    bool by_wnid = false, by_label = false;
    for (const auto& f : files) {
        const auto slash = f.file.find('/');
        int index = -1;
        if (slash != std::string::npos) {
            const std::string folder = f.file.substr(0, slash);
            if (leading_wnid(folder) == folder) {
                index = wnid_class(folder, num_classes);
                by_wnid |= index >= 0;
            } else if (const auto it = by_name.find(label_key(folder)); it != by_name.end() && it->second >= 0) {
                index = it->second;
                by_label = true;
            }
        }
        if (index >= 0) lf.images.push_back({f.file, index});
        else lf.unmatched.push_back(f.file);
    }
    lf.source_detail = by_wnid && by_label ? "subfolders named by wnid and by label"
                       : by_label          ? "subfolders named by label"
                                           : "subfolders named by wnid";
    return lf;
}

}  // namespace

LabeledFolder scan_labeled_folder(const std::string& root, int num_classes, const std::vector<std::string>& labels,
                                  const std::string& csv_path) {
    const fs::path dir(root);
    const auto files = detail::list_image_files(dir);
    auto finish = [&](LabeledFolder lf) {
        lf.root = root;
        lf.image_files = static_cast<int>(files.size());
        return lf;
    };
    if (!csv_path.empty()) {
        LabeledFolder lf = from_csv(csv_path, num_classes, files);
        if (lf.images.empty()) throw Error(csv_path, "nothing evaluated: the CSV lists no image of " + root);
        return finish(std::move(lf));
    }
    if (const std::string csv = detail::find_truth_csv(dir); !csv.empty()) {
        LabeledFolder lf = from_csv(csv, num_classes, files);
        if (!lf.images.empty()) return finish(std::move(lf));
    }
    if (LabeledFolder lf = from_file_names(files, num_classes); !lf.images.empty()) return finish(std::move(lf));
    if (LabeledFolder lf = from_subfolders(files, num_classes, labels); !lf.images.empty()) return finish(std::move(lf));
    throw Error(root, files.empty() ? "no image files"
                                    : "no ground truth for any of its " + std::to_string(files.size()) +
                                          " images (no ground-truth CSV, no wnids in file names, no class subfolders)");
}

const ImageLabelLookup::FolderTruth& ImageLabelLookup::folder_truth(const std::string& folder) {
    if (const auto it = folders_.find(folder); it != folders_.end()) return it->second;
    FolderTruth truth;
    try {
        if (const std::string csv = detail::find_truth_csv(fs::path(folder)); !csv.empty()) {
            for (const LabeledImage& row : detail::read_truth_csv(csv, num_classes_).rows) {
                truth.rows.emplace(fs::path(row.file).lexically_normal().generic_string(), row.index);
            }
            truth.csv_name = fs::path(csv).filename().string();
        }
    } catch (const Error&) {
        truth = {};  // unreadable or malformed: this folder labels nothing by CSV
    }
    return folders_.emplace(folder, std::move(truth)).first->second;
}

ImageLabel ImageLabelLookup::find(const std::string& path) {
    const fs::path file(path);
    const FolderTruth& truth = folder_truth(file.parent_path().string());
    if (const auto it = truth.rows.find(file.filename().generic_string()); it != truth.rows.end()) {
        return {it->second, truth.csv_name};
    }
    if (const int index = wnid_class(leading_wnid(file.filename().string()), num_classes_); index >= 0) {
        return {index, "wnid in the file name"};
    }
    const std::string folder_name = file.parent_path().filename().string();
    if (leading_wnid(folder_name) == folder_name) {
        if (const int index = wnid_class(folder_name, num_classes_); index >= 0) return {index, "folder named by wnid"};
    }
    return {};
}

}  // namespace mnv1
