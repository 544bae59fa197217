// EventChannel: one kind of model event, published by its model and delivered to every
// subscriber in subscription order. Models publish what happened (a device went busy, the
// IOMMU issued an invalidation); the checker, the shim and the statistics subscribe. No model
// knows who listens, and nobody diffs another model's counters to find out.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace staleline {

template <typename Event>
class EventChannel {
public:
    using Listener = std::function<void(const Event&)>;

    // Returns a token for unsubscribe().
    uint64_t subscribe(Listener fn) {
        listeners_.emplace(++last_, std::move(fn));
        return last_;
    }
    void unsubscribe(uint64_t token) { listeners_.erase(token); }
    void publish(const Event& e) const {
        for (const auto& l : listeners_) l.second(e);
    }
    bool has_subscribers() const { return !listeners_.empty(); }

private:
    std::map<uint64_t, Listener> listeners_;  // in subscription order
    uint64_t last_ = 0;
};

// Subscribed for the lifetime of the object (a call that wants the events it causes).
template <typename Event>
class ScopedSubscription {
public:
    ScopedSubscription(EventChannel<Event>& channel, typename EventChannel<Event>::Listener fn)
        : channel_(channel), token_(channel.subscribe(std::move(fn))) {}
    ~ScopedSubscription() { channel_.unsubscribe(token_); }
    ScopedSubscription(const ScopedSubscription&) = delete;
    ScopedSubscription& operator=(const ScopedSubscription&) = delete;

private:
    EventChannel<Event>& channel_;
    uint64_t token_;
};

}  // namespace staleline
