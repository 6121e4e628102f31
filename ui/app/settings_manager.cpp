#include "settings_manager.hpp"

#include <QSettings>

#include <algorithm>
#include <cmath>

#include "common/tuning_grid.hpp"

namespace studio {

namespace {

// Every key the studio stores. Renaming one orphans what users saved under it.
namespace key {
constexpr auto alpha = "tuning/alpha";
constexpr auto resolution = "tuning/resolution";
constexpr auto threads = "tuning/threads";
constexpr auto crop = "tuning/crop";
constexpr auto precision = "tuning/precision";
constexpr auto calibration_dir = "paths/calibrationDir";
constexpr auto models_dir = "models/dir";
constexpr auto pinned_model = "models/pinned";
constexpr auto show_activation = "view/showActivation";
constexpr auto activation_opacity = "view/activationOpacity";
constexpr auto video_fast = "video/asFastAsClassified";
constexpr auto last_dir = "paths/lastDir";
constexpr auto geometry = "window/geometry";
constexpr auto tradeoffs = "tradeoffs/state";
constexpr auto state = "window/state";
constexpr auto splitter = "window/splitter";
}  // namespace key

// Defaults of the settings that have one other than "empty".
constexpr double kDefaultAlpha = 1.0;
constexpr int kDefaultResolution = 224;
constexpr bool kDefaultShowActivation = true;
constexpr double kDefaultActivationOpacity = 1.0;
constexpr bool kDefaultVideoFast = false;
int default_threads() { return 0; }  // automatic (mobilenet/threading.hpp)

// The crop mode is stored as a word, so the file stays readable.
constexpr auto kCentral = "central";
constexpr auto kWhole = "whole";

}  // namespace

SettingsManager::SettingsManager(const QString& ini_file)
    : settings_(ini_file.isEmpty() ? std::make_unique<QSettings>()
                                   : std::make_unique<QSettings>(ini_file, QSettings::IniFormat)) {}

SettingsManager::~SettingsManager() = default;

// A settings file edited by hand (or by an older build) may hold anything: a value that is
// not a finite number within the sliders' range reads as the default.
double SettingsManager::alpha() const {
    bool ok = false;
    const double a = settings_->value(key::alpha, kDefaultAlpha).toDouble(&ok);
    return ok && std::isfinite(a) && a >= tuning_grid::kAlphaMin && a <= tuning_grid::kAlphaMax ? a : kDefaultAlpha;
}
void SettingsManager::set_alpha(double alpha) { settings_->setValue(key::alpha, alpha); }

int SettingsManager::resolution() const {
    bool ok = false;
    const int r = settings_->value(key::resolution, kDefaultResolution).toInt(&ok);
    return ok && r >= tuning_grid::kResolutionMin && r <= tuning_grid::kResolutionMax ? r : kDefaultResolution;
}
void SettingsManager::set_resolution(int resolution) { settings_->setValue(key::resolution, resolution); }

int SettingsManager::threads() const {
    bool ok = false;
    const int t = settings_->value(key::threads, default_threads()).toInt(&ok);
    return ok && t >= 0 ? t : default_threads();
}
void SettingsManager::set_threads(int threads) { settings_->setValue(key::threads, threads); }

mnv1::CropMode SettingsManager::crop_mode() const {
    return settings_->value(key::crop).toString() == QLatin1String(kCentral) ? mnv1::CropMode::Central
                                                                             : mnv1::CropMode::Whole;
}
void SettingsManager::set_crop_mode(mnv1::CropMode mode) {
    settings_->setValue(key::crop, mode == mnv1::CropMode::Central ? kCentral : kWhole);
}

// Stored as the word the CLI takes ("fp32", "int8", "auto"); anything else reads as fp32.
mnv1::PrecisionChoice SettingsManager::precision() const {
    return mnv1::parse_precision_choice(settings_->value(key::precision).toString().toStdString())
        .value_or(mnv1::PrecisionChoice::F32);
}
void SettingsManager::set_precision(mnv1::PrecisionChoice choice) {
    settings_->setValue(key::precision, QString::fromLatin1(mnv1::to_string(choice)));
}

QString SettingsManager::calibration_dir() const { return settings_->value(key::calibration_dir).toString(); }
void SettingsManager::set_calibration_dir(const QString& dir) { settings_->setValue(key::calibration_dir, dir); }

QString SettingsManager::models_dir() const { return settings_->value(key::models_dir).toString(); }
void SettingsManager::set_models_dir(const QString& dir) { settings_->setValue(key::models_dir, dir); }

QString SettingsManager::pinned_model() const { return settings_->value(key::pinned_model).toString(); }
void SettingsManager::set_pinned_model(const QString& path) { settings_->setValue(key::pinned_model, path); }

bool SettingsManager::show_activation() const {
    return settings_->value(key::show_activation, kDefaultShowActivation).toBool();
}
void SettingsManager::set_show_activation(bool show) { settings_->setValue(key::show_activation, show); }

double SettingsManager::activation_opacity() const {
    bool ok = false;
    const double o = settings_->value(key::activation_opacity, kDefaultActivationOpacity).toDouble(&ok);
    return ok && std::isfinite(o) && o >= 0.0 && o <= 1.0 ? o : kDefaultActivationOpacity;
}
void SettingsManager::set_activation_opacity(double opacity) {
    settings_->setValue(key::activation_opacity, std::isfinite(opacity) ? std::clamp(opacity, 0.0, 1.0)
                                                                        : kDefaultActivationOpacity);
}

bool SettingsManager::video_as_fast_as_classified() const {
    return settings_->value(key::video_fast, kDefaultVideoFast).toBool();
}
void SettingsManager::set_video_as_fast_as_classified(bool fast) { settings_->setValue(key::video_fast, fast); }

QString SettingsManager::last_dir() const { return settings_->value(key::last_dir).toString(); }
void SettingsManager::set_last_dir(const QString& dir) { settings_->setValue(key::last_dir, dir); }

QByteArray SettingsManager::tradeoff_state() const { return settings_->value(key::tradeoffs).toByteArray(); }
void SettingsManager::set_tradeoff_state(const QByteArray& state) { settings_->setValue(key::tradeoffs, state); }

QByteArray SettingsManager::window_geometry() const { return settings_->value(key::geometry).toByteArray(); }
void SettingsManager::set_window_geometry(const QByteArray& geometry) { settings_->setValue(key::geometry, geometry); }

QByteArray SettingsManager::window_state() const { return settings_->value(key::state).toByteArray(); }
void SettingsManager::set_window_state(const QByteArray& state) { settings_->setValue(key::state, state); }

QByteArray SettingsManager::splitter_state() const { return settings_->value(key::splitter).toByteArray(); }
void SettingsManager::set_splitter_state(const QByteArray& state) { settings_->setValue(key::splitter, state); }

void SettingsManager::save() { settings_->sync(); }

}  // namespace studio
