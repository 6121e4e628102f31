#include "camera_devices.hpp"

#include <QCameraDevice>
#include <QDir>
#include <QFile>
#include <QMediaDevices>
#include <QRegularExpression>

#include <algorithm>

namespace studio {

QList<CameraDevice> list_cameras() {
    QList<CameraDevice> out;
    static const QRegularExpression node(QStringLiteral("^video(\\d+)$"));
    const QStringList entries = QDir(QStringLiteral("/dev")).entryList({QStringLiteral("video*")}, QDir::System);
    for (const QString& e : entries) {
        const auto m = node.match(e);
        if (!m.hasMatch()) continue;
        CameraDevice d;
        d.index = m.captured(1).toInt();
        d.path = QStringLiteral("/dev/") + e;
        QFile name(QStringLiteral("/sys/class/video4linux/%1/name").arg(e));
        if (name.open(QIODevice::ReadOnly)) d.description = QString::fromUtf8(name.readAll()).trimmed();
        out.push_back(d);
    }
    // Qt Multimedia knows friendlier names; its ids are the device paths on Linux.
    for (const QCameraDevice& cam : QMediaDevices::videoInputs()) {
        const QString id = QString::fromUtf8(cam.id());
        for (CameraDevice& d : out) {
            if (d.path == id && !cam.description().isEmpty()) d.description = cam.description();
        }
    }
    for (CameraDevice& d : out) {
        if (d.description.isEmpty()) d.description = d.path;
    }
    std::sort(out.begin(), out.end(), [](const CameraDevice& a, const CameraDevice& b) { return a.index < b.index; });
    return out;
}

}  // namespace studio
