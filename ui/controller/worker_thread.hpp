// One way to give a worker QObject its own thread, shared by every controller.
// Threading: GUI thread (the controller that owns the worker).
#pragma once

#include <QString>

class QObject;
class QThread;

namespace studio {

// Creates a QThread owned by `owner`, moves `worker` (which must have no parent) onto
// it, arranges for `worker` to be deleted on that thread when it finishes, and starts
// it. Connect the worker's signals afterwards: they are queued either way.
QThread* start_worker_thread(QObject* worker, QObject* owner, const QString& name);

// Stops the thread's event loop and waits for it: the worker is deleted on its thread.
void join_worker_thread(QThread* thread);

}  // namespace studio
