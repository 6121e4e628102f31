#include "mobilenet/published.hpp"

#include <charconv>
#include <sstream>

#include "mobilenet/errors.hpp"

namespace mnv1 {

const char* to_string(PublishedSource source) { return source == PublishedSource::Paper ? "paper" : "slim"; }
const char* to_string(PublishedPrecision precision) {
    return precision == PublishedPrecision::Float ? "float" : "uint8";
}

namespace {

// The data rows of a published CSV, split into fields, with their line numbers for errors.
struct Row {
    int line = 0;
    std::vector<std::string> fields;
};

std::vector<Row> data_rows(const std::string& csv, const std::string& origin, std::size_t expected_fields) {
    std::vector<Row> rows;
    std::istringstream in(csv);
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (text.empty() || text.front() == '#') continue;
        Row row{line, {}};
        std::istringstream fields(text);
        for (std::string cell; std::getline(fields, cell, ',');) row.fields.push_back(cell);
        if (text.back() == ',') row.fields.emplace_back();  // getline drops a trailing empty field
        if (row.fields.size() != expected_fields) {
            throw Error(origin, "line " + std::to_string(line) + ": expected " + std::to_string(expected_fields) +
                                    " fields, found " + std::to_string(row.fields.size()));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

template <typename T>
T number(const Row& row, std::size_t field, const std::string& origin) {
    const std::string& s = row.fields[field];
    T value{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        throw Error(origin, "line " + std::to_string(row.line) + ": field " + std::to_string(field + 1) +
                                " is not a number: '" + s + "'");
    }
    return value;
}

}  // namespace

std::vector<PublishedPoint> parse_published_mobilenet(const std::string& csv, const std::string& origin) {
    std::vector<PublishedPoint> points;
    for (const Row& row : data_rows(csv, origin, 8)) {
        PublishedPoint p;
        const std::string& source = row.fields[0];
        const std::string& precision = row.fields[3];
        if (source != "paper" && source != "slim") {
            throw Error(origin, "line " + std::to_string(row.line) + ": unknown source '" + source + "'");
        }
        if (precision != "float" && precision != "uint8") {
            throw Error(origin, "line " + std::to_string(row.line) + ": unknown precision '" + precision + "'");
        }
        p.source = source == "paper" ? PublishedSource::Paper : PublishedSource::Slim;
        p.alpha = number<double>(row, 1, origin);
        p.resolution = number<int>(row, 2, origin);
        p.precision = precision == "float" ? PublishedPrecision::Float : PublishedPrecision::Uint8;
        p.million_macs = number<double>(row, 4, origin);
        p.million_params = number<double>(row, 5, origin);
        p.top1 = number<double>(row, 6, origin);
        if (!row.fields[7].empty()) p.top5 = number<double>(row, 7, origin);
        points.push_back(p);
    }
    return points;
}

std::vector<PublishedModel> parse_published_models(const std::string& csv, const std::string& origin) {
    std::vector<PublishedModel> models;
    for (const Row& row : data_rows(csv, origin, 4)) {
        if (row.fields[0].empty()) throw Error(origin, "line " + std::to_string(row.line) + ": empty model name");
        models.push_back({row.fields[0], number<double>(row, 1, origin), number<double>(row, 2, origin),
                          number<double>(row, 3, origin)});
    }
    return models;
}

}  // namespace mnv1
