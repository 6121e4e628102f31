// Video capture devices on this machine, for the camera picker.
// Threading: GUI thread (QMediaDevices is used for friendly names).
#pragma once

#include <QList>
#include <QString>

namespace studio {

struct CameraDevice {
    int index = 0;        // N of /dev/videoN: what cv::VideoCapture opens
    QString path;         // "/dev/video0"
    QString description;  // "Integrated Camera" (or the path when unknown)
};

// /dev/video* capture nodes, named from QMediaDevices or sysfs. Empty without cameras.
QList<CameraDevice> list_cameras();

}  // namespace studio
