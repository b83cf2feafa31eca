//! Work that would hold up other requests if it ran on the async threads (password hashes,
//! the common-password check, image decoding) runs on the blocking pool, each kind behind a
//! semaphore sized to the cores. The permit moves into the blocking task, so a request that
//! is cancelled while it waits does not free the slot while its work still runs.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::Error;

/// How many jobs of one kind run at once.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs `job` on the blocking pool once one of `slots` is free. The slot moves into the
/// job, so it is held until the job ends, even if the caller stops waiting.
pub(crate) async fn on_blocking_pool<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let slot = slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Error::Internal)?;
    tokio::task::spawn_blocking(move || {
        let result = job();
        drop(slot);
        result
    })
    .await
    .map_err(|e| match e.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(_) => Error::Internal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancelled_caller_leaves_its_slot_taken_until_the_work_is_done() {
        let slots = Arc::new(Semaphore::new(1));
        let (started, on_start) = tokio::sync::oneshot::channel();
        let (release, on_release) = std::sync::mpsc::channel::<()>();
        let held = slots.clone();
        let caller = tokio::spawn(async move {
            on_blocking_pool(&held, move || {
                let _ = started.send(());
                let _ = on_release.recv();
            })
            .await
        });
        on_start.await.unwrap();
        caller.abort();
        let _ = caller.await;
        assert_eq!(
            slots.available_permits(),
            0,
            "the job still runs and holds its slot"
        );
        release.send(()).unwrap();
        let freed = tokio::time::timeout(std::time::Duration::from_secs(10), slots.acquire())
            .await
            .expect("the slot comes back once the job ends");
        assert!(freed.is_ok());
    }
}
