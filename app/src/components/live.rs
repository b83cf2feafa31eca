//! A live check as the person types: the signup's and the console's subdomain answers,
//! the password hint.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};

/// How long typing must pause before a check goes out.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Runs `check` on the latest value only: a pause in typing sends it, and an answer that
/// arrives after a newer request went out is dropped.
#[derive(Clone, Copy)]
pub struct LiveCheck {
    latest: StoredValue<u64>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Default for LiveCheck {
    fn default() -> LiveCheck {
        LiveCheck::new()
    }
}

impl LiveCheck {
    pub fn new() -> LiveCheck {
        LiveCheck {
            latest: StoredValue::new(0),
            timer: StoredValue::new(None),
        }
    }

    pub fn run<T, F, Fut>(self, value: String, check: F, answer: RwSignal<Option<T>>)
    where
        T: Send + Sync + 'static,
        F: Fn(String) -> Fut + 'static,
        Fut: Future<Output = T> + 'static,
    {
        if let Some(timer) = self.timer.get_value() {
            timer.clear();
        }
        let ticket = self.latest.get_value() + 1;
        self.latest.set_value(ticket);
        if value.trim().is_empty() {
            answer.set(None);
            return;
        }
        let latest = self.latest;
        let timer = set_timeout_with_handle(
            move || {
                let pending = check(value);
                spawn_local(async move {
                    let result = pending.await;
                    if latest.get_value() == ticket {
                        answer.set(Some(result));
                    }
                });
            },
            DEBOUNCE,
        );
        self.timer.set_value(timer.ok());
    }
}
