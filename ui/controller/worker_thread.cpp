#include "worker_thread.hpp"

#include <QThread>

namespace studio {

QThread* start_worker_thread(QObject* worker, QObject* owner, const QString& name) {
    auto* thread = new QThread(owner);
    thread->setObjectName(name);
    worker->moveToThread(thread);
    QObject::connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    thread->start();
    return thread;
}

void join_worker_thread(QThread* thread) {
    thread->quit();
    thread->wait();
}

}  // namespace studio
