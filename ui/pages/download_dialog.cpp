#include "download_dialog.hpp"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "common/display_format.hpp"

namespace studio {

namespace {

constexpr int kNameRole = Qt::UserRole;
constexpr int kBytesRole = Qt::UserRole + 1;

QString size_text(qint64 bytes) {
    return bytes >= 1000000 ? QObject::tr("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1)
                            : QObject::tr("%1 KB").arg(double(bytes) / 1e3, 0, 'f', 0);
}

}  // namespace

DownloadDialog::DownloadDialog(const QString& target_dir, DownloadSources sources, QWidget* parent)
    : QDialog(parent), target_dir_(target_dir), sums_(sources.sums) {
    setWindowTitle(tr("Download the Official Models"));
    setObjectName(QStringLiteral("downloadDialog"));
    const QUrl release = sources.release_base;
    downloader_ = new ModelDownloader(target_dir, std::move(sources), this);
    connect(downloader_, &ModelDownloader::progressChanged, this, &DownloadDialog::on_progress);
    connect(downloader_, &ModelDownloader::statusChanged, this, [this](const QString& s) { status_->setText(s); });
    connect(downloader_, &ModelDownloader::finished, this, &DownloadDialog::on_finished);

    const int em = fontMetrics().height();
    auto* lay = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("The pretrained MobileNet v1 models of the TF-slim release <i>mobilenet_v1_2018_08_02</i>, from "
           "<b>%1</b>, into <b>%2</b> (a folder the app searches). Each model file's SHA-256 is checked against "
           "the sums pinned in the app; a file that fails is not installed, and nothing half-downloaded is ever "
           "put in place.")
            .arg(release.host().isEmpty() ? release.toDisplayString().toHtmlEscaped() : release.host().toHtmlEscaped(),
                 target_dir.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    intro->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(intro);

    list_ = new QTreeWidget(this);
    list_->setObjectName(QStringLiteral("downloadModelList"));
    list_->setRootIsDecorated(false);
    list_->setHeaderLabels({tr("Model"), tr("Weights"), tr("Model file"), tr("Checksum")});
    list_->setMinimumHeight(em * 14);
    lay->addWidget(list_, 1);
    selection_ = new QLabel(this);
    lay->addWidget(selection_);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setFormat(QStringLiteral("%p %"));
    lay->addWidget(progress_);
    current_ = new QLabel(this);
    current_->setObjectName(QStringLiteral("downloadCurrentFile"));
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    lay->addWidget(current_);
    lay->addWidget(status_);
    result_ = new QLabel(this);
    result_->setObjectName(QStringLiteral("downloadResult"));
    result_->setWordWrap(true);
    result_->setTextFormat(Qt::PlainText);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(result_);

    buttons_ = new QDialogButtonBox(this);
    download_ = buttons_->addButton(tr("&Download"), QDialogButtonBox::AcceptRole);
    cancel_ = buttons_->addButton(tr("&Cancel Download"), QDialogButtonBox::ActionRole);
    buttons_->addButton(QDialogButtonBox::Close);
    lay->addWidget(buttons_);
    connect(download_, &QPushButton::clicked, this, &DownloadDialog::start_download);
    connect(cancel_, &QPushButton::clicked, this, &DownloadDialog::cancel_download);
    connect(buttons_, &QDialogButtonBox::rejected, this, &DownloadDialog::reject);

    fill_model_list();
    connect(list_, &QTreeWidget::itemChanged, this, &DownloadDialog::update_selection_summary);
    set_running(false);
    resize(em * 44, em * 34);
}

void DownloadDialog::fill_model_list() {
    QStringList defaults;
    list_->clear();
    for (const ReleaseModel& m : official_release_models()) {
        const QString file = m.name + QStringLiteral(".tflite");
        const bool installed = QFileInfo::exists(target_dir_ + QStringLiteral("/tflite/") + file);
        const qint64 bytes = approximate_model_bytes(m);
        auto* item = new QTreeWidgetItem(list_);
        item->setText(0, tr("α %1 · %2 px").arg(format_alpha(m.alpha)).arg(m.resolution));
        item->setText(1, m.quantized ? tr("uint8") : tr("float32"));
        item->setText(2, tr("≈ %1").arg(size_text(bytes)) + (installed ? tr(" · installed") : QString()));
        item->setText(3, sums_.contains(file) ? tr("pinned") : tr("not pinned"));
        item->setToolTip(0, file);
        item->setToolTip(2, tr("Computed: weights × %1 byte(s) plus 32-bit biases; the download (.tgz) is larger: it also "
                                   "holds the TF checkpoint")
                                .arg(m.quantized ? 1 : 4));
        item->setToolTip(3, sums_.contains(file) ? tr("SHA-256 pinned in SHA256SUMS: a different file is refused")
                                                 : tr("No SHA-256 pinned for this file: it is installed as downloaded "
                                                      "over HTTPS, and its sum is reported"));
        item->setData(0, kNameRole, m.name);
        item->setData(0, kBytesRole, bytes);
        item->setCheckState(0, Qt::Unchecked);
        if (!installed && default_model_selection().contains(m.name)) defaults << m.name;
    }
    for (int c = 0; c < list_->columnCount(); ++c) list_->resizeColumnToContents(c);
    select_models(defaults);
}

void DownloadDialog::select_models(const QStringList& model_names) {
    QTreeWidgetItem* first = nullptr;
    for (int i = 0; i < list_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = list_->topLevelItem(i);
        const bool wanted = model_names.contains(item->data(0, kNameRole).toString());
        item->setCheckState(0, wanted ? Qt::Checked : Qt::Unchecked);
        if (wanted && !first) first = item;
    }
    if (first) list_->scrollToItem(first);
    update_selection_summary();
}

QStringList DownloadDialog::selected_models() const {
    QStringList names;
    for (int i = 0; i < list_->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = list_->topLevelItem(i);
        if (item->checkState(0) == Qt::Checked) names << item->data(0, kNameRole).toString();
    }
    return names;
}

void DownloadDialog::update_selection_summary() {
    qint64 bytes = 0;
    int n = 0;
    for (int i = 0; i < list_->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = list_->topLevelItem(i);
        if (item->checkState(0) != Qt::Checked) continue;
        ++n;
        bytes += item->data(0, kBytesRole).toLongLong();
    }
    selection_->setText(n == 0 ? tr("Nothing selected.")
                               : tr("%1 model(s) selected: ≈ %2 of model files.").arg(n).arg(size_text(bytes)));
    if (!downloader_->is_running()) download_->setEnabled(n > 0);
}

void DownloadDialog::set_running(bool running) {
    download_->setEnabled(!running && !selected_models().isEmpty());
    cancel_->setVisible(running);
    list_->setEnabled(!running);
}

void DownloadDialog::start_download() {
    const QStringList names = selected_models();
    if (names.isEmpty() || downloader_->is_running()) return;
    result_->clear();
    progress_->setValue(0);
    current_->clear();
    set_running(true);
    downloader_->start(names);  // may finish at once (e.g. an unwritable folder)
}

void DownloadDialog::cancel_download() { downloader_->cancel(); }

void DownloadDialog::reject() {
    downloader_->cancel();
    QDialog::reject();
}

int DownloadDialog::progress_permille() const { return progress_->value(); }
QString DownloadDialog::current_file_text() const { return current_->text(); }
QString DownloadDialog::result_text() const { return result_->text(); }

void DownloadDialog::on_progress(double overall, int file_index, int file_count, const QString& file_name,
                                 qint64 received, qint64 total) {
    progress_->setValue(static_cast<int>(overall * 1000.0 + 0.5));
    const QString bytes = total > 0 ? tr("%1 of %2").arg(size_text(received), size_text(total)) : size_text(received);
    current_->setText(tr("File %1 of %2: %3 — %4").arg(file_index + 1).arg(file_count).arg(file_name, bytes));
}

void DownloadDialog::on_finished(const DownloadOutcome& outcome) {
    set_running(false);
    status_->clear();
    if (outcome.ok()) progress_->setValue(progress_->maximum());
    result_->setText(outcome.summary());
    result_->setStyleSheet(outcome.ok() ? QString() : QStringLiteral("color: #8a1c1c;"));
    if (!outcome.installed.isEmpty()) {
        fill_model_list();  // marks what is now installed
        emit modelsInstalled(outcome.target_dir);
    }
}

void show_download_dialog(QWidget* window, std::function<void()> on_installed) {
    auto* dialog = window->findChild<DownloadDialog*>();
    if (!dialog) {
        dialog = new DownloadDialog(user_models_dir(), official_sources(), window);
        QObject::connect(dialog, &DownloadDialog::modelsInstalled, window, [on_installed] { on_installed(); });
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

}  // namespace studio
