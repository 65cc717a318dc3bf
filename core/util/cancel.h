// Cancellation and progress for long core jobs. A job polls the token between small units of
// work (a design point, a batch) so that a cancel takes effect within a fraction of a second.
#pragma once

#include <atomic>
#include <functional>
#include <stdexcept>

namespace poq {

class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// Progress in 0..1; called from worker threads, so it must be thread-safe and cheap.
using ProgressFn = std::function<void(double)>;

} // namespace poq
