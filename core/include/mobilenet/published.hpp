// Published figures for MobileNet v1 and the paper's comparison models, parsed from the
// CSV tables the project ships (resources/reference/): the paper's Tables 6-9 (Howard et
// al. 2017) and the TF-slim release table. They are quoted as published and never mixed
// with measured numbers.
//
// Pure functions on strings: any thread. Errors are mnv1::Error naming `origin`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mnv1 {

enum class PublishedSource { Paper, Slim };
enum class PublishedPrecision { Float, Uint8 };
const char* to_string(PublishedSource source);        // "paper", "slim"
const char* to_string(PublishedPrecision precision);  // "float", "uint8"

// One MobileNet v1 row: source,alpha,resolution,precision,million_macs,million_params,top1,top5.
struct PublishedPoint {
    PublishedSource source = PublishedSource::Paper;
    double alpha = 1.0;
    int resolution = 224;
    PublishedPrecision precision = PublishedPrecision::Float;
    double million_macs = 0, million_params = 0;
    double top1 = 0;                 // ImageNet top-1, percent
    std::optional<double> top5;      // percent; the paper gives none
};

// One comparison model of the paper: model,million_macs,million_params,top1.
struct PublishedModel {
    std::string name;                // "GoogleNet", "VGG16", ...
    double million_macs = 0, million_params = 0;
    double top1 = 0;                 // percent
};

// Parse the CSV text (lines starting with '#' and blank lines are skipped). `origin`
// names the text in errors (a file or resource path). Throws mnv1::Error for a row
// with the wrong number of fields, an unknown source or precision, or a bad number.
std::vector<PublishedPoint> parse_published_mobilenet(const std::string& csv, const std::string& origin);
std::vector<PublishedModel> parse_published_models(const std::string& csv, const std::string& origin);

}  // namespace mnv1
