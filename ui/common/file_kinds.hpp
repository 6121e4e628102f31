// Which files the studio opens as what: images (by the decoder, the filters only guide
// dialogs and folder scans) and video files (by suffix).
// Pure functions: any thread.
#pragma once

#include <QFileInfo>
#include <QStringList>

namespace studio {

// "*.jpg", "*.png", ...: what a folder scan picks up and the Open Images dialog offers.
const QStringList& image_name_filters();
// "avi", "mp4", ...: lower-case suffixes opened as a live video source.
const QStringList& video_suffixes();
bool is_video_file(const QFileInfo& file);

}  // namespace studio
