// SettingsManager: the studio's persistent settings, typed, over one QSettings. Keys and
// defaults live here only; the keys are those of earlier versions, so existing settings
// files keep working. Setters write through to QSettings at once; save() flushes to disk
// (QSettings replaces the file atomically).
// Threading: GUI thread.
#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

#include "mobilenet/classify.hpp"
#include "mobilenet/quantize.hpp"

class QSettings;

namespace studio {

class SettingsManager {
public:
    // Empty `ini_file`: the user's settings (organization / application name); otherwise
    // that INI file (--settings FILE, tests).
    explicit SettingsManager(const QString& ini_file = {});
    ~SettingsManager();
    SettingsManager(const SettingsManager&) = delete;
    SettingsManager& operator=(const SettingsManager&) = delete;

    // The network tuning (dock).
    double alpha() const;
    void set_alpha(double alpha);
    int resolution() const;
    void set_resolution(int resolution);
    int threads() const;  // default: every hardware thread
    void set_threads(int threads);
    mnv1::CropMode crop_mode() const;
    void set_crop_mode(mnv1::CropMode mode);

    // Precision (fp32 / int8 / auto; default fp32) and the folder of images int8 was last
    // calibrated on (empty: never).
    mnv1::PrecisionChoice precision() const;
    void set_precision(mnv1::PrecisionChoice choice);
    QString calibration_dir() const;
    void set_calibration_dir(const QString& dir);

    // Models: the folder chosen in File → Models Folder…, and the model pinned in the Model
    // menu (empty: automatic).
    QString models_dir() const;
    void set_models_dir(const QString& dir);
    QString pinned_model() const;
    void set_pinned_model(const QString& path);

    bool show_activation() const;
    void set_show_activation(bool show);
    // Opacity of the activation map over the photo, 0..1 (default 1: the map's own alpha).
    double activation_opacity() const;
    void set_activation_opacity(double opacity);
    bool video_as_fast_as_classified() const;
    void set_video_as_fast_as_classified(bool fast);
    // Folder of the last file dialog.
    QString last_dir() const;
    void set_last_dir(const QString& dir);

    // The Trade-offs page's measured points, budget and shown layers (TradeoffPage's own
    // text); empty when never saved.
    QByteArray tradeoff_state() const;
    void set_tradeoff_state(const QByteArray& state);

    // Opaque Qt state blobs; empty when never saved.
    QByteArray window_geometry() const;
    void set_window_geometry(const QByteArray& geometry);
    QByteArray window_state() const;
    void set_window_state(const QByteArray& state);
    QByteArray splitter_state() const;
    void set_splitter_state(const QByteArray& state);

    // Writes everything to disk now.
    void save();

private:
    std::unique_ptr<QSettings> settings_;
};

}  // namespace studio
