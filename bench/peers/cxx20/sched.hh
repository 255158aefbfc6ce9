// sched.hh — a minimal stackless runtime on C++20 coroutines, no library:
// a task type, one FIFO ready queue and an event. The semantics are those of
// corobench's coro/coro.h (and asyncio's): spawn, wake-up and yield append at
// the tail and never switch by themselves; waits are Mesa-style.
//
// Why intrusive nodes: every suspended coroutine is queued through a node that
// lives in its own frame (the promise, or the awaiter object, which the
// compiler keeps in the frame across the suspension), so queueing never
// allocates. The only allocation is the coroutine frame itself, which goes
// through promise_type::operator new and is counted (frame_bytes in results).
//
// One scheduler per process, on one thread: the peer measures M:1.
#pragma once

#include <coroutine>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <new>
#include <utility>

namespace sl {

// A coroutine waiting for its turn, in the ready queue or a wait list.
struct node {
    node *next = nullptr;
    std::coroutine_handle<> h;
    // Run when the node reaches the head of the ready queue, before resuming:
    // false means the awaited condition no longer holds and the waiter queued
    // itself again at the back of its wait list (asyncio's `while full: wait`).
    bool (*recheck)(node *) = nullptr;
};

struct fifo {
    node *head = nullptr, *tail = nullptr;
    void push(node *n) {
        n->next = nullptr;
        if (tail)
            tail->next = n;
        else
            head = n;
        tail = n;
    }
    node *pop() {
        node *n = head;
        if (n) {
            head = n->next;
            if (!head) tail = nullptr;
        }
        return n;
    }
    bool empty() const { return head == nullptr; }
};

inline fifo ready; // the one ready queue

// What operator new was asked for frames: the compiler's layout of a frame is
// only visible there.
struct frame_stats {
    uint64_t frames = 0, bytes = 0, last_bytes = 0;
    void *last = nullptr;
};
inline frame_stats frames;

// Resumes ready coroutines in FIFO order until none is ready.
inline void run_ready() {
    while (node *n = ready.pop()) {
        if (n->recheck && !n->recheck(n)) continue;
        n->h.resume();
    }
}

// co_await yield(): to the back of the ready queue (asyncio.sleep(0)).
struct yield_awaiter : node {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> c) noexcept {
        h = c;
        ready.push(this);
    }
    void await_resume() const noexcept {}
};
inline yield_awaiter yield() {
    return {};
}

// asyncio.Event: wait returns at once when set; set wakes every waiter.
class event {
    fifo waiters_;
    bool set_ = false;

  public:
    struct awaiter : node {
        event *e;
        bool await_ready() const noexcept { return e->set_; }
        void await_suspend(std::coroutine_handle<> c) noexcept {
            h = c;
            e->waiters_.push(this);
        }
        void await_resume() const noexcept {}
    };
    awaiter wait() { return awaiter{{}, this}; }
    void set() {
        set_ = true;
        while (node *n = waiters_.pop()) ready.push(n);
    }
};

struct promise_base : node {
    std::coroutine_handle<> cont; // awaited inline: who resumes when it returns
    node *joiner = nullptr;       // spawned: who waits in join
    bool spawned = false, done = false;
    std::exception_ptr err;

    // noexcept + get_return_object_on_allocation_failure: a frame that cannot
    // be allocated gives an empty task, which callers report (a limit is data).
    static void *operator new(std::size_t n) noexcept {
        void *p = std::malloc(n);
        if (p) {
            frames.frames++;
            frames.bytes += n;
            frames.last_bytes = n;
            frames.last = p;
        }
        return p;
    }
    static void operator delete(void *p) noexcept { std::free(p); }

    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
        bool await_ready() const noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> c) noexcept {
            promise_base &p = c.promise();
            p.done = true;
            if (p.cont) return p.cont;          // a plain call returns to its caller at once
            if (p.joiner) ready.push(p.joiner); // a task's joiner is woken at the tail
            return std::noop_coroutine();
        }
        void await_resume() const noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { err = std::current_exception(); }
};

template <class T> struct promise_value : promise_base {
    T value{};
    void return_value(T v) { value = std::move(v); }
    T take() { return std::move(value); }
};
template <> struct promise_value<void> : promise_base {
    void return_void() noexcept {}
    void take() {}
};

// A coroutine that starts suspended. `co_await t` on a task never spawned runs
// it inline, as awaiting a coroutine object does in asyncio; on a spawned one
// it joins (returns at once when it has ended). The task owns the frame.
template <class T = void> class task {
  public:
    struct promise_type : promise_value<T> {
        task get_return_object() noexcept { return task(handle::from_promise(*this)); }
        static task get_return_object_on_allocation_failure() noexcept { return task(); }
    };
    using handle = std::coroutine_handle<promise_type>;

    task() = default;
    explicit task(handle h) : h_(h) {}
    task(task &&o) noexcept : h_(std::exchange(o.h_, {})) {}
    task &operator=(task &&o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~task() { reset(); }
    explicit operator bool() const { return bool(h_); }
    bool done() const { return h_ && h_.promise().done; }
    void reset() {
        if (h_) h_.destroy();
        h_ = {};
    }

    struct awaiter : node {
        handle t;
        bool await_ready() const noexcept { return t.promise().done; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> me) noexcept {
            promise_type &p = t.promise();
            if (p.spawned) {
                h = me;
                p.joiner = this;
                return std::noop_coroutine();
            }
            p.cont = me;
            return t;
        }
        T await_resume() {
            promise_type &p = t.promise();
            if (p.err) std::rethrow_exception(p.err);
            return p.take();
        }
    };
    awaiter operator co_await() const noexcept { return awaiter{{}, h_}; }

    // Appends the task at the tail of the ready queue; false for an empty task
    // (its frame could not be allocated).
    bool spawn() {
        if (!h_) return false;
        promise_type &p = h_.promise();
        p.spawned = true;
        p.h = h_;
        ready.push(&p);
        return true;
    }

    // Runs this task as the main one until nothing is ready: true when it
    // ended, false when everything left waits forever (corobench's EDEADLK).
    // Rethrows what the task threw.
    bool run() {
        if (!spawn()) throw std::bad_alloc();
        run_ready();
        if (!done()) return false;
        if (h_.promise().err) std::rethrow_exception(h_.promise().err);
        return true;
    }

    // The value a task that ran to its end returned.
    T result() { return h_.promise().take(); }

  private:
    handle h_;
};

} // namespace sl
