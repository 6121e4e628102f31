// PrecisionPanel: the precision setting beside the other tuning controls — fp32, int8 or
// auto (one setting with Tools → Precision, persisted) — and what actually runs: "fp32",
// "int8 · released uint8", "int8 · calibrated on 100 images", what auto chose and the
// times that decided it, or why int8 is not available and how to get it. Its Calibrate
// int8… button (and the Tools action) opens the CalibrationDialog for float models.
//
// It composes itself: it reads and writes its settings, keeps the Tools → Precision
// actions and its selector in step and sets the controller's precision (before models are
// discovered, so the first configuration already carries it).
// Threading: GUI thread.
#pragma once

#include <QGroupBox>

#include "mobilenet/quantize.hpp"

class QComboBox;
class QLabel;
class QToolButton;

namespace studio {

class ActionManager;
class CalibrationDialog;
class InferenceController;
class SettingsManager;
struct ModelStatus;

class PrecisionPanel : public QGroupBox {
    Q_OBJECT
public:
    PrecisionPanel(InferenceController& controller, SettingsManager& settings, ActionManager& actions,
                   QWidget* parent = nullptr);

    mnv1::PrecisionChoice choice() const;
    void set_choice(mnv1::PrecisionChoice choice);
    QComboBox* selector() const { return selector_; }
    // "Running: int8 · released uint8" (and auto's decision), or why int8 is not available.
    QString running_text() const;
    // Opens (creating on first use) the calibration dialog; non-modal.
    CalibrationDialog* show_calibration_dialog();

private:
    void on_configured(const ModelStatus& status);

    InferenceController& controller_;
    SettingsManager& settings_;
    ActionManager& actions_;
    QComboBox* selector_ = nullptr;
    QLabel* running_ = nullptr;
    QToolButton* calibrate_ = nullptr;
    CalibrationDialog* dialog_ = nullptr;
};

}  // namespace studio
