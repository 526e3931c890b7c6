//! The helper threads that watch scripts, kept for the next script instead of ended.
//!
//! What it teaches: starting a thread is not free. The system call that creates it is the
//! small part; the new thread also gets a stack mapped into memory, a guard page, an
//! alternate signal stack, and all of it is unmapped again when the thread ends — and every
//! map and unmap takes a lock shared by all the threads of the process, and makes the other
//! processors flush their address caches. Each CGI script needs a helper thread
//! ([`super::process`]), and a short script runs in about a millisecond. Measured on two
//! cores with a two-line shell script, back when each script had four helpers, the server
//! spent about 550 µs of processor time per request when every script started and ended its
//! own, and about 270 µs once they were kept. So a helper that has done its job waits for the
//! next one, and only a helper that has waited [`IDLE_TIME`] for nothing ends.
//!
//! How it works: one queue of jobs, one lock, one condition variable. [`HelperPool::reserve`]
//! promises a thread *before* the job exists — an idle one when there is one, otherwise a new
//! one — because a script's helper must be there before the script starts: once a
//! child process exists, nothing may fail and leave it unwatched. [`Helper::run`] then posts
//! the job, and any waiting thread takes it (they are all the same). The lock guards one
//! number, `spare`: the waiting threads nobody has reserved. A thread may only end when it
//! is spare, so every reservation always has a thread waiting for its job.

use std::collections::VecDeque;
use std::io;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// How long a helper waits for a new job before it ends.
pub const IDLE_TIME: Duration = Duration::from_secs(10);
/// Stack size of the helper threads: they only copy bytes and wait.
const HELPER_STACK: usize = 128 * 1024;

/// One job for a helper thread.
type Job = Box<dyn FnOnce() + Send>;

/// The helper threads of every CGI host in this process.
pub static HELPERS: HelperPool = HelperPool::new("cgi-helper");

/// Threads that wait for jobs, and start when none is waiting.
pub struct HelperPool {
    /// The name of each thread (what `top -H` and the profiler show).
    name: &'static str,
    /// The jobs posted and the threads nobody reserved.
    state: Mutex<PoolState>,
    /// Signalled when a job is posted.
    posted: Condvar,
}

/// What the lock of a [`HelperPool`] guards.
struct PoolState {
    /// Jobs posted, not yet taken.
    jobs: VecDeque<Job>,
    /// Threads waiting for a job that no reservation has promised.
    spare: usize,
}

impl HelperPool {
    /// An empty pool; its threads will be called `name`.
    pub const fn new(name: &'static str) -> Self {
        HelperPool {
            name,
            state: Mutex::new(PoolState {
                jobs: VecDeque::new(),
                spare: 0,
            }),
            posted: Condvar::new(),
        }
    }

    /// Promises a thread for one job: a spare one, or a new one when none is spare. Fails only
    /// when no thread can be started.
    pub fn reserve(&'static self) -> io::Result<Helper> {
        {
            let mut state = self.lock();
            if state.spare > 0 {
                state.spare -= 1;
                return Ok(Helper {
                    pool: self,
                    used: false,
                });
            }
        }
        thread::Builder::new()
            .name(self.name.to_string())
            .stack_size(HELPER_STACK)
            .spawn(move || self.serve())?;
        Ok(Helper {
            pool: self,
            used: false,
        })
    }

    /// Threads waiting with no job promised to them (for tests and the curious).
    pub fn spare(&self) -> usize {
        self.lock().spare
    }

    /// The life of a helper thread: take a job, do it, wait for the next; end once it has
    /// waited [`IDLE_TIME`] for nothing while no reservation needs it.
    fn serve(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.jobs.pop_front() {
                drop(state);
                job();
                state = self.lock();
                state.spare += 1;
                continue;
            }
            let (next, waited) = self
                .posted
                .wait_timeout(state, IDLE_TIME)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if waited.timed_out() && state.jobs.is_empty() && state.spare > 0 {
                state.spare -= 1;
                return;
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // A job that panics ends its thread outside the lock: the state stays consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A thread promised to one job.
#[must_use = "a reserved helper waits until it gets its job"]
pub struct Helper {
    /// The pool the thread belongs to.
    pool: &'static HelperPool,
    /// Set once the job is posted: the thread is no longer ours to give back.
    used: bool,
}

impl Helper {
    /// Hands the job to the promised thread.
    pub fn run(mut self, job: impl FnOnce() + Send + 'static) {
        self.pool.lock().jobs.push_back(Box::new(job));
        self.pool.posted.notify_one();
        self.used = true;
    }
}

impl Drop for Helper {
    /// A reservation that was never used gives its thread back.
    fn drop(&mut self) {
        if !self.used {
            self.pool.lock().spare += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_helper_runs_its_job_and_stays_for_the_next() {
        static POOL: HelperPool = HelperPool::new("test-helper");
        let (done, finished) = mpsc::channel();
        let mut workers = Vec::new();
        for _ in 0..3 {
            let helper = POOL.reserve().unwrap();
            let done = done.clone();
            helper.run(move || done.send(thread::current().id()).unwrap());
            workers.push(finished.recv_timeout(Duration::from_secs(5)).unwrap());
            // The thread counts itself spare again just after its job.
            let back = (0..1000).any(|_| {
                thread::sleep(Duration::from_millis(1));
                POOL.spare() == 1
            });
            assert!(back, "the helper waits for the next job");
        }
        assert!(workers.iter().all(|id| *id == workers[0]), "{workers:?}");
    }

    #[test]
    fn an_unused_reservation_gives_its_thread_back() {
        static POOL: HelperPool = HelperPool::new("test-helper");
        let first = POOL.reserve().unwrap();
        let second = POOL.reserve().unwrap();
        drop(first);
        assert_eq!(POOL.spare(), 1);
        let third = POOL.reserve().unwrap();
        assert_eq!(POOL.spare(), 0);
        let (done, finished) = mpsc::channel();
        for helper in [second, third] {
            let done = done.clone();
            helper.run(move || done.send(()).unwrap());
        }
        for _ in 0..2 {
            finished.recv_timeout(Duration::from_secs(5)).unwrap();
        }
    }
}
