// SweepController: job numbering, coalescing, cancel, stale-result dropping.
#include "controllers/sweep_controller.h"

#include "formats/precision.h"
#include "graph/graph.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QtConcurrent>

namespace poq::ui {

SweepController::SweepController(QObject* parent) : QObject(parent), m_cache(std::make_shared<MappingCache>())
{
    qRegisterMetaType<poq::ui::SweepResult>();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SweepController::launch);
    connect(&m_watcher, &QFutureWatcher<SweepResult>::finished, this, [this] {
        const SweepResult r = m_watcher.result();
        if (r.job == m_job) // a newer request supersedes this one: drop it
            emit finished(r);
        if (m_pending && !m_timer.isActive())
            launch();
        else if (r.ok && r.job == m_job && !m_pending)
            warm();
    });
}

SweepController::~SweepController()
{
    if (m_cancel)
        m_cancel->cancel();
    stopWarming();
    m_warming.waitForFinished();
    m_watcher.waitForFinished();
}

void SweepController::warm()
{
    if (!m_current || m_warming.isRunning())
        return;
    m_warmCancel = std::make_shared<CancelToken>();
    const std::shared_ptr<MappingCache> cache = m_cache;
    const std::shared_ptr<CancelToken> cancel = m_warmCancel;
    const Hardware hw = m_current->hardware;
    m_warming = QtConcurrent::run([cache, cancel, hw] { cache->warm(hw, cancel.get()); });
}

void SweepController::stopWarming()
{
    if (m_warmCancel)
        m_warmCancel->cancel();
}

void SweepController::request(const SweepRequest& request, int delayMs)
{
    m_pending = request;
    ++m_job;
    stopWarming(); // the costing needs the cores; warming resumes after it
    if (m_cancel)
        m_cancel->cancel(); // the running job is stale now
    m_timer.start(delayMs);
}

void SweepController::cancel()
{
    m_timer.stop();
    m_pending.reset();
    if (m_cancel)
        m_cancel->cancel();
    ++m_job; // whatever comes back is stale
    SweepResult r;
    r.job = m_job;
    r.cancelled = true;
    emit finished(r);
}

void SweepController::launch()
{
    if (!m_pending)
        return;
    if (m_watcher.isRunning())
        return; // relaunched when the stale run returns (it has been cancelled)
    m_current = std::move(m_pending);
    m_pending.reset();
    const int job = m_job;
    m_cancel = std::make_shared<CancelToken>();
    emit started(job);
    const SweepRequest req = *m_current;
    const std::shared_ptr<MappingCache> cache = m_cache;
    const std::shared_ptr<CancelToken> cancel = m_cancel;
    QPointer<SweepController> self(this);
    m_watcher.setFuture(QtConcurrent::run([req, cache, cancel, job, self]() {
        SweepResult r;
        r.job = job;
        QElapsedTimer clock;
        clock.start();
        try {
            SweepOutcome outcome = runSweep(req, *cache, [&](double f) {
                if (self)
                    QMetaObject::invokeMethod(self.data(), [self, job, f] {
                        if (self && self->m_job == job)
                            emit self->progress(job, f);
                    }, Qt::QueuedConnection);
            }, cancel.get());
            if (outcome.cancelled) {
                r.cancelled = true;
                return r;
            }
            r.points = std::move(outcome.points);
            r.unmeasured = std::move(outcome.unmeasured);
            r.unmatched = std::move(outcome.unmatched);
            r.ok = true;
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        r.elapsedMs = double(clock.nsecsElapsed()) / 1e6;
        return r;
    }));
}

std::optional<NetworkCost> SweepController::costPoint(const DesignPoint& point) const
{
    if (!m_current)
        return std::nullopt;
    try {
        const Graph g = Graph::build(m_current->network, point.width);
        const NetworkPrecision prec = assignPrecision(g, QuantStrategy::parse(point.strategy));
        return costNetwork(g, prec, m_current->hardware, {m_current->objective}, m_cache.get());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::shared_ptr<const Graph> SweepController::graphOf(const DesignPoint& point) const
{
    if (!m_current)
        return nullptr;
    try {
        return std::make_shared<const Graph>(Graph::build(m_current->network, point.width));
    } catch (const std::exception&) {
        return nullptr;
    }
}

} // namespace poq::ui
