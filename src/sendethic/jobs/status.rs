//! How a job's progress is read. Job status values are undocumented: a job counts as
//! **finished** when its link is set or its status reads like completion (`done`,
//! `finished`, `complete`, `success`, `terminé`), and as **failed** when it reads like an error
//! (`error`, `fail`, `cancel`, `abort`); anything else is still running.

use crate::http::{Progress, percent_decode};

/// The lenient reading of a job's status and link.
pub(crate) fn job_progress(status: Option<&str>, link: Option<&str>) -> Progress {
    let status = status.unwrap_or_default().to_owned();
    if link.is_some_and(|l| file_name_of(l).is_some()) {
        return Progress::Done;
    }
    if looks_failed(&status) {
        return Progress::Failed(status);
    }
    let s = status.to_lowercase();
    if ["done", "finish", "complete", "success", "termin"]
        .iter()
        .any(|w| s.contains(w))
    {
        Progress::Done
    } else {
        Progress::Pending(status)
    }
}

/// The last path segment of a link (URL or path), percent-decoded.
pub(crate) fn file_name_of(link: &str) -> Option<String> {
    let link = link.trim();
    let path = link.split(['?', '#']).next().unwrap_or(link);
    let last = path.rsplit('/').next()?.trim();
    (!last.is_empty()).then(|| percent_decode(last))
}

/// Whether a job status text reads like a failure (the value sets are undocumented).
pub(crate) fn looks_failed(status: &str) -> bool {
    let s = status.to_ascii_lowercase();
    ["error", "fail", "cancel", "abort"]
        .iter()
        .any(|w| s.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_progress_is_lenient() {
        assert_eq!(
            job_progress(Some("Pending"), None),
            Progress::Pending("Pending".into())
        );
        assert_eq!(job_progress(Some("Terminé"), None), Progress::Done);
        assert_eq!(
            job_progress(None, Some("https://x/file/a.zip")),
            Progress::Done
        );
        assert_eq!(
            job_progress(Some("Error"), None),
            Progress::Failed("Error".into())
        );
    }

    #[test]
    fn file_names_from_links() {
        assert_eq!(
            file_name_of(
                "https://services.example/api/rest/v4/emailing/export/file/act%2042.zip?x=1"
            )
            .as_deref(),
            Some("act 42.zip")
        );
        assert_eq!(
            file_name_of("activity.zip").as_deref(),
            Some("activity.zip")
        );
        assert_eq!(file_name_of("https://x.example/dir/"), None);
        assert_eq!(file_name_of(""), None);
    }

    #[test]
    fn failure_statuses() {
        assert!(looks_failed("Error"));
        assert!(looks_failed("FAILED"));
        assert!(!looks_failed("Pending"));
        assert!(!looks_failed(""));
    }
}
