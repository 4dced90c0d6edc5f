//! The ledger page's download: the one 台账 layout of `xiaohao_import::ledger` (the same
//! workbook `xiaohao export ledger` writes and `xiaohao import ledger` reads), as `.xlsx`,
//! or as CSV with the same columns in UTF-8 with a BOM, so Excel on Chinese Windows opens it
//! without garbling. Both read the ledger page by page: the CSV streams to the client as it
//! is read, the workbook's rows go to a temporary file until it is assembled, so memory
//! stays flat however many rows are asked for.

use crate::ApiError;
use axum::body::{Body, Bytes};
use xiaohao_engine::ledger::LedgerCursor;
use xiaohao_import::ledger::{LedgerBook, LedgerCsv, LedgerError};

fn fail(e: LedgerError) -> ApiError {
    ApiError::internal(&format_args!("cannot write the ledger: {e}"))
}

/// The workbook of every row `cursor` reads.
///
/// # Errors
/// On store failure, or when the workbook cannot be written (a bug; reported as 500).
pub async fn xlsx(mut cursor: LedgerCursor) -> Result<Vec<u8>, ApiError> {
    let mut book = LedgerBook::new().map_err(fail)?;
    loop {
        let page = cursor.next_page().await?;
        if page.is_empty() {
            return book.finish().map_err(fail);
        }
        for entry in &page {
            book.push(&entry.row()).map_err(fail)?;
        }
    }
}

/// The CSV of every row `cursor` reads, as a body sent page by page. A failure after the
/// first bytes went out can only cut the download short; it is logged.
///
/// # Errors
/// When the header cannot be written (a bug; reported as 500).
pub fn csv(cursor: LedgerCursor) -> Result<Body, ApiError> {
    let writer = LedgerCsv::new().map_err(fail)?;
    let broken = |what: &dyn std::fmt::Display| {
        tracing::error!(error = %what, "ledger download cut short");
        std::io::Error::other("the ledger could not be read to the end")
    };
    let pages = futures_util::stream::unfold(Some((cursor, writer)), move |state| async move {
        let (mut cursor, mut writer) = state?;
        let page = match cursor.next_page().await {
            Ok(page) => page,
            Err(e) => return Some((Err(broken(&e)), None)),
        };
        let last = page.is_empty();
        for entry in &page {
            if let Err(e) = writer.push(&entry.row()) {
                return Some((Err(broken(&e)), None));
            }
        }
        let chunk = match writer.take() {
            Ok(bytes) => Ok(Bytes::from(bytes)),
            Err(e) => return Some((Err(broken(&e)), None)),
        };
        Some((chunk, (!last).then_some((cursor, writer))))
    });
    Ok(Body::from_stream(pages))
}
