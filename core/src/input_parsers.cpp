#include "input_parsers.hpp"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "mobilenet/errors.hpp"
#include "mobilenet/labeled_folder.hpp"

namespace mnv1::detail {

namespace {

constexpr std::string_view kBom = "\xef\xbb\xbf";

std::string_view without_bom(std::string_view text) {
    return text.substr(0, kBom.size()) == kBom ? text.substr(kBom.size()) : text;
}

// Next line of `text` from `pos` (without its '\n'; a trailing '\r' is left for
// csv_fields, which drops it). Advances `pos` past the line end.
std::string next_line(std::string_view text, std::size_t& pos) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    return line;
}

// A decimal class index of at most 6 digits; -1 when the field is missing or not one.
int parse_index(const std::vector<std::string>& fields, int col) {
    if (col < 0 || col >= static_cast<int>(fields.size())) return -1;
    const std::string& s = fields[static_cast<std::size_t>(col)];
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stoi(s);
}

}  // namespace

}  // namespace mnv1::detail

namespace mnv1 {

// Declared in mobilenet/evaluate.hpp; defined with the other text parsers so that the
// parsers build (and fuzz, tests/fuzz) without the engine.
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                cur += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (ch != '\r') {
            cur += ch;
        }
    }
    out.push_back(cur);
    return out;
}

}  // namespace mnv1

namespace mnv1::detail {

std::string outside_images_folder(const std::string& file) {
    const std::filesystem::path p(file);
    if (p.is_absolute() || p.has_root_name() || p.has_root_directory())
        return "absolute path in the ground truth (files are relative to the images folder), not read";
    const std::filesystem::path normal = p.lexically_normal();
    if (!normal.empty() && *normal.begin() == "..") return "leaves the images folder through '..', not read";
    return {};
}

std::vector<std::string> parse_labels(std::string_view text, const std::string& name) {
    text = without_bom(text);
    std::vector<std::string> labels;
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{') {
        // TF.js metadata.json: {"labels": [...]}
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text.begin(), text.end());
        } catch (const std::exception& e) {
            throw ModelError(name, std::string("invalid JSON: ") + e.what());
        }
        const auto it = j.find("labels");
        if (it == j.end() || !it->is_array()) throw ModelError(name, "JSON has no \"labels\" array");
        for (const auto& v : *it) {
            if (!v.is_string()) throw ModelError(name, "\"labels\" holds a non-string entry");
            labels.push_back(v.get<std::string>());
        }
        return labels;
    }
    for (std::size_t pos = 0; pos < text.size();) {
        std::string line = next_line(text, pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        labels.push_back(std::move(line));
    }
    while (!labels.empty() && labels.back().find_first_not_of(" \t") == std::string::npos) labels.pop_back();
    return labels;
}

std::vector<std::string> csv_header(std::string_view text) {
    text = without_bom(text);
    std::size_t pos = 0;
    return csv_fields(next_line(text, pos));
}

GroundTruthTable parse_ground_truth_csv(std::string_view text, int num_classes, const std::string& name) {
    text = without_bom(text);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) throw Error(name, "empty ground-truth CSV");
    std::size_t pos = 0;
    const std::vector<std::string> header = csv_fields(next_line(text, pos));
    const auto col = [&](const char* column) {
        const auto it = std::find(header.begin(), header.end(), column);
        return it == header.end() ? -1 : static_cast<int>(it - header.begin());
    };
    const int c_file = col("file"), c1001 = col("index_1001"), c1000 = col("index_1000"), c_wnid = col("wnid");
    const bool by_index = c1001 >= 0 || c1000 >= 0;
    if (c_file < 0 || (!by_index && c_wnid < 0))
    {
        std::string found;
        for (const auto& h : header) found += (found.empty() ? "" : ", ") + h;
        if (found.size() > 200) found = found.substr(0, 200) + "...";
        throw Error(name, "needs columns 'file' and 'index_1001', 'index_1000' or 'wnid' (header has: " + found + ")");
    }
    GroundTruthTable out;
    for (int lineno = 2; pos < text.size(); ++lineno) {
        const std::string line = next_line(text, pos);
        if (line.empty() || line == "\r") continue;
        const auto row_error = [&](const std::string& problem) {
            return Error(name, "line " + std::to_string(lineno) + ": " + problem);
        };
        const auto f = csv_fields(line);
        LabeledImage t;
        t.file = c_file < static_cast<int>(f.size()) ? f[static_cast<std::size_t>(c_file)] : "";
        if (t.file.empty()) throw row_error("no file name");
        if (by_index) {
            const int i1001 = parse_index(f, c1001), i1000 = parse_index(f, c1000);
            if (i1001 >= 0 && i1000 >= 0 && i1001 != i1000 + 1)
                throw row_error("index_1001 (" + std::to_string(i1001) + ") disagrees with index_1000 (" +
                                std::to_string(i1000) + "): index_1001 must be index_1000 + 1");
            if (num_classes == 1001) t.index = i1001 >= 0 ? i1001 : (i1000 >= 0 ? i1000 + 1 : -1);
            else t.index = i1000 >= 0 ? i1000 : (i1001 >= 1 ? i1001 - 1 : -1);
            if (t.index < 0 || t.index >= num_classes)
                throw row_error("bad row (file or class index, for a model of " + std::to_string(num_classes) +
                                " classes)");
        } else {
            const std::string wnid = c_wnid < static_cast<int>(f.size()) ? f[static_cast<std::size_t>(c_wnid)] : "";
            if (wnid.empty()) throw row_error("bad row (file or wnid)");
            t.index = wnid_class(wnid, num_classes);
            if (t.index < 0) {
                out.unknown_wnid.push_back(t.file);
                continue;
            }
        }
        out.rows.push_back(std::move(t));
    }
    return out;
}

}  // namespace mnv1::detail
