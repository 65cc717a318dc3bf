// Runs sweeps off the GUI thread (QtConcurrent). Every request gets a job number; results of a
// superseded job are dropped and its run is cancelled. Requests are coalesced by a short timer so
// a dragged slider starts one re-cost per ~40 ms, not one per pixel. Signals carry whole results.
// After a costing, idle time warms the mapping cache for capacity drags (MappingCache::warm).
// GUI thread only (the worker touches only its own copies and the thread-safe MappingCache).
#pragma once

#include "explore/sweep.h"
#include "explore/sweep_run.h"
#include "hw/hardware.h"
#include "hw/mapper.h"
#include "util/cancel.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace poq::ui {

// The window's sweep is core's one sweep specification (explore/sweep_run.h), as `poq sweep`'s is.
using SweepRequest = SweepSpec;

struct SweepResult {
    int job = 0;
    bool ok = false;
    bool cancelled = false;
    QString error;
    std::vector<DesignPoint> points;
    std::vector<std::string> unmeasured; // points without a trained model
    std::vector<std::string> unmatched;  // imported accuracy rows that match no point ("FILE:LINE: ...")
    double elapsedMs = 0;
};

class SweepController : public QObject {
    Q_OBJECT
public:
    explicit SweepController(QObject* parent = nullptr);
    ~SweepController() override;

    // Schedules a run of `request` after the coalescing delay (0 runs at the next event loop turn).
    void request(const SweepRequest& request, int delayMs = 40);
    void cancel();
    bool busy() const { return m_watcher.isRunning() || m_timer.isActive(); }
    int latestJob() const { return m_job; }

    // The full per-layer cost of one point of the last request, with the cached mapping spaces.
    std::optional<NetworkCost> costPoint(const DesignPoint& point) const;
    std::shared_ptr<const Graph> graphOf(const DesignPoint& point) const; // null before a sweep or on error
    const SweepRequest* current() const { return m_current ? &*m_current : nullptr; }

signals:
    void started(int job);
    void progress(int job, double fraction);
    void finished(const poq::ui::SweepResult& result);

private:
    void launch();
    void warm(); // idle time after a costing: MappingCache::warm, cancelled by the next request
    void stopWarming();

    QTimer m_timer;
    QFutureWatcher<SweepResult> m_watcher;
    std::optional<SweepRequest> m_pending;
    std::optional<SweepRequest> m_current;
    std::shared_ptr<MappingCache> m_cache;
    std::shared_ptr<CancelToken> m_cancel;
    std::shared_ptr<CancelToken> m_warmCancel;
    QFuture<void> m_warming;
    int m_job = 0;
};

} // namespace poq::ui

Q_DECLARE_METATYPE(poq::ui::SweepResult)
