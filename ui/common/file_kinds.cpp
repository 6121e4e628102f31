#include "file_kinds.hpp"

namespace studio {

const QStringList& video_suffixes() {
    static const QStringList s{"avi", "mp4", "mkv", "mov", "webm", "m4v", "mpg", "mpeg", "wmv", "flv", "ogv", "mjpeg"};
    return s;
}

const QStringList& image_name_filters() {
    static const QStringList s{"*.jpg", "*.jpeg", "*.jpe", "*.png", "*.bmp", "*.dib", "*.webp", "*.tif",
                               "*.tiff", "*.gif", "*.ppm", "*.pgm", "*.pbm", "*.pnm", "*.jp2", "*.ras", "*.sr"};
    return s;
}

bool is_video_file(const QFileInfo& file) { return video_suffixes().contains(file.suffix().toLower()); }

}  // namespace studio
