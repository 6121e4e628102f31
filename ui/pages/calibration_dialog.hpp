// CalibrationDialog: Tools → Calibrate int8…: Picks a folder of images (remembered in the
// settings) and how many of them to use, runs the post-training calibration of the current
// float model on the inference worker (through the InferenceController, never on the GUI
// thread) with progress and Cancel, and says what came of it.
// Threading: GUI thread.
#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace studio {

class InferenceController;
class SettingsManager;
struct CalibrationResult;

class CalibrationDialog : public QDialog {
    Q_OBJECT
public:
    CalibrationDialog(InferenceController& controller, SettingsManager& settings, QWidget* parent = nullptr);

    void set_folder(const QString& folder);
    void set_max_images(int images);
    // Starts calibrating the folder shown (what the Calibrate button does); false when it
    // could not start (no folder, or one already runs).
    bool start();
    // What the dialog says now (the outcome of the last calibration, or the current step).
    QString message() const;

private:
    void on_finished(const CalibrationResult& result);
    void set_running(bool running);

    InferenceController& controller_;
    SettingsManager& settings_;
    QLineEdit* folder_ = nullptr;
    QSpinBox* max_images_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* message_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* browse_ = nullptr;
};

}  // namespace studio
