//! A progress bar on stderr while partitions are fetched, only when stderr is a terminal.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    shown: bool,
    /// The bar of the fetches under way; a new one when the next starts.
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    pub fn new() -> Progress {
        let shown =
            std::io::stderr().is_terminal() && std::env::var_os("POSTURE_NO_PROGRESS").is_none();
        Progress {
            shown,
            bar: Mutex::new(None),
        }
    }

    /// A partition of `table` starts.
    pub fn start(&self, table: &str) {
        if !self.shown {
            return;
        }
        let mut bar = self.bar.lock().expect("not poisoned");
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} fetching {msg}: {pos}/{len} (account, region) done, {elapsed}",
                )
                .expect("a valid template"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        bar.inc_length(1);
        bar.set_message(table.to_string());
    }

    /// A partition is done; the bar goes away when all are.
    pub fn done(&self) {
        let mut slot = self.bar.lock().expect("not poisoned");
        if let Some(bar) = slot.as_ref() {
            bar.inc(1);
            if Some(bar.position()) == bar.length() {
                bar.finish_and_clear();
                *slot = None;
            }
        }
    }
}
