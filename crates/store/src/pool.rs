//! A tiny blocking pool of connections: a mutex-guarded stack and a condition variable.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A fixed set of connections handed out one at a time; `get` waits while all are in use.
pub(crate) struct Pool<C> {
    idle: Mutex<Vec<C>>,
    returned: Condvar,
}

impl<C> Pool<C> {
    pub(crate) fn new(conns: Vec<C>) -> Self {
        Self { idle: Mutex::new(conns), returned: Condvar::new() }
    }

    /// Takes a connection, waiting until one is returned if all are in use.
    pub(crate) fn get(&self) -> Pooled<'_, C> {
        let mut idle = lock(&self.idle);
        loop {
            if let Some(conn) = idle.pop() {
                return Pooled { pool: self, conn: Some(conn) };
            }
            idle = self.returned.wait(idle).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A connection on loan; goes back to the pool on drop (also while unwinding).
pub(crate) struct Pooled<'a, C> {
    pool: &'a Pool<C>,
    conn: Option<C>,
}

impl<C> std::ops::Deref for Pooled<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn.as_ref().expect("invariant: a loaned connection is present until drop")
    }
}

impl<C> std::ops::DerefMut for Pooled<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().expect("invariant: a loaned connection is present until drop")
    }
}

impl<C> Drop for Pooled<'_, C> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            lock(&self.pool.idle).push(conn);
            self.pool.returned.notify_one();
        }
    }
}

/// Locks a mutex, recovering from poisoning. Safe here because every database transaction rolls
/// back when its guard is dropped during unwinding, so a connection is never left mid-write.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loans_are_exclusive_and_return_on_drop() {
        let pool = Pool::new(vec![1, 2]);
        let a = pool.get();
        let b = pool.get();
        assert_ne!(*a, *b);
        drop(a);
        let c = pool.get();
        assert!(*c == 1 || *c == 2);
        drop((b, c));
        assert_eq!(lock(&pool.idle).len(), 2);
    }

    #[test]
    fn get_waits_for_a_return() {
        let pool = Pool::new(vec![7]);
        let held = pool.get();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| *pool.get());
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(held);
            assert_eq!(waiter.join().expect("waiter thread"), 7);
        });
    }
}
