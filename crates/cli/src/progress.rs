//! Progress bars for long commands, shown only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A spinner counting households; hidden when stderr is not a terminal (CI, pipes).
pub fn households(message: &str, total: Option<u64>) -> ProgressBar {
    let pb = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::no_length(),
    };
    if !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    let template = if total.is_some() {
        "{msg} [{bar:30}] {human_pos}/{human_len} hộ ({elapsed}, còn {eta})"
    } else {
        "{spinner} {msg}: {human_pos} hộ ({elapsed})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(message.to_string());
    pb
}
