// DownloadDialog: File → "Download the Official Models…". Lists the 32 models of the
// official TF-slim release with their approximate sizes and whether a checksum is pinned,
// downloads the ticked ones with a ModelDownloader (overall progress, the current file,
// Cancel), and shows the outcome plainly. Non-modal: the window stays usable meanwhile.
// modelsInstalled() tells the window to rescan the model folders.
// Threading: GUI thread.
#pragma once

#include <QDialog>

#include <functional>

#include "download/model_downloader.hpp"

class QDialogButtonBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace studio {

class DownloadDialog : public QDialog {
    Q_OBJECT
public:
    // Installs into `target_dir` (normally user_models_dir()) from `sources`.
    DownloadDialog(const QString& target_dir, DownloadSources sources, QWidget* parent = nullptr);

    // Ticks exactly `model_names` (the defaults: default_model_selection() minus installed ones).
    void select_models(const QStringList& model_names);
    QStringList selected_models() const;
    // Starts downloading the ticked models (what the Download button does).
    void start_download();
    // Cancels a running download (what the Cancel button does while downloading).
    void cancel_download();
    // Esc / Close: cancels a running download first.
    void reject() override;

    ModelDownloader* downloader() const { return downloader_; }
    int progress_permille() const;
    QString current_file_text() const;
    QString result_text() const;

signals:
    // Something was installed into target_dir: rescan the model folders.
    void modelsInstalled(const QString& target_dir);


private:
    void fill_model_list();
    void set_running(bool running);
    void on_progress(double overall, int file_index, int file_count, const QString& file_name, qint64 received,
                     qint64 total);
    void on_finished(const DownloadOutcome& outcome);
    void update_selection_summary();

    QString target_dir_;
    ChecksumTable sums_;
    ModelDownloader* downloader_ = nullptr;
    QTreeWidget* list_ = nullptr;
    QLabel* selection_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* current_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* result_ = nullptr;
    QPushButton* download_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

// Shows the window's download dialog (creating it on first use, a child of `window`,
// installing into user_models_dir() from official_sources()); `on_installed` runs after
// each download that installed something.
void show_download_dialog(QWidget* window, std::function<void()> on_installed);

}  // namespace studio
