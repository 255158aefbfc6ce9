// queue.hh — an awaitable queue (asyncio.Queue, corobench's coro_queue_t) for
// sched.hh: bounded or unbounded (capacity 0), with task_done/join and close.
//
// Semantics kept from coro.h: a put on a non-full queue and a get on a
// non-empty one never suspend; a put wakes the first waiting getter and a get
// the first waiting putter, at the tail of the ready queue; a woken waiter
// re-checks when its turn comes and, if another task got there first, waits
// again at the back (Mesa). close() wakes everyone: putters fail at once,
// getters once the queue is empty.
#pragma once

#include <cstddef>
#include <vector>

#include "sched.hh"

namespace sl {

template <class T> class queue {
  public:
    explicit queue(size_t capacity) : cap_(capacity) { buf_.resize(capacity ? capacity : 16); }

    size_t size() const { return n_; }
    bool full() const { return cap_ && n_ == cap_; }

    struct put_awaiter : node {
        queue *q;
        T v;
        bool ok = true;
        bool await_ready() { return attempt(); }
        void await_suspend(std::coroutine_handle<> c) noexcept {
            h = c;
            recheck = &put_awaiter::again;
            q->putters_.push(this);
        }
        bool await_resume() const noexcept { return ok; } // false: the queue was closed
        bool attempt() {
            if (q->closed_) return !(ok = false);
            if (q->full()) return false;
            q->push(std::move(v));
            return true;
        }
        static bool again(node *n) {
            auto *a = static_cast<put_awaiter *>(n);
            if (a->attempt()) return true;
            a->q->putters_.push(a);
            return false;
        }
    };
    put_awaiter put(T v) { return put_awaiter{{}, this, std::move(v)}; }

    struct get_awaiter : node {
        queue *q;
        T *out;
        bool ok = true;
        bool await_ready() { return attempt(); }
        void await_suspend(std::coroutine_handle<> c) noexcept {
            h = c;
            recheck = &get_awaiter::again;
            q->getters_.push(this);
        }
        bool await_resume() const noexcept { return ok; } // false: closed and empty
        bool attempt() {
            if (q->n_) {
                *out = q->pop();
                return true;
            }
            if (q->closed_) return !(ok = false);
            return false;
        }
        static bool again(node *n) {
            auto *a = static_cast<get_awaiter *>(n);
            if (a->attempt()) return true;
            a->q->getters_.push(a);
            return false;
        }
    };
    get_awaiter get(T *out) { return get_awaiter{{}, this, out}; }

    // One item fetched by get is fully processed.
    void task_done() {
        if (unfinished_ && --unfinished_ == 0) wake_all(joiners_);
    }

    // Waits until every item put has been task_done'd (or the queue closed).
    struct join_awaiter : node {
        queue *q;
        bool await_ready() const noexcept { return q->unfinished_ == 0 || q->closed_; }
        void await_suspend(std::coroutine_handle<> c) noexcept {
            h = c;
            q->joiners_.push(this);
        }
        void await_resume() const noexcept {}
    };
    join_awaiter join() { return join_awaiter{{}, this}; }

    void close() {
        closed_ = true;
        wake_all(getters_);
        wake_all(putters_);
        wake_all(joiners_);
    }

  private:
    static void wake_all(fifo &f) {
        while (node *n = f.pop()) ready.push(n);
    }
    static void wake_one(fifo &f) {
        if (node *n = f.pop()) ready.push(n);
    }
    void push(T v) {
        if (n_ == buf_.size()) grow(); // only when unbounded
        size_t tail = head_ + n_;
        if (tail >= buf_.size()) tail -= buf_.size();
        buf_[tail] = std::move(v);
        n_++;
        unfinished_++;
        wake_one(getters_);
    }
    T pop() {
        T v = std::move(buf_[head_]);
        if (++head_ == buf_.size()) head_ = 0;
        n_--;
        wake_one(putters_);
        return v;
    }
    void grow() {
        std::vector<T> b(buf_.size() * 2);
        for (size_t i = 0; i < n_; i++) b[i] = std::move(buf_[(head_ + i) % buf_.size()]);
        buf_.swap(b);
        head_ = 0;
    }

    std::vector<T> buf_; // a ring of buf_.size() slots, n_ used from head_
    size_t cap_, head_ = 0, n_ = 0;
    uint64_t unfinished_ = 0;
    bool closed_ = false;
    fifo getters_, putters_, joiners_;
};

} // namespace sl
