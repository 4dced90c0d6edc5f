//! The ledger page's download: the one 台账 layout of `xiaohao_import::ledger` (the same
//! workbook `xiaohao export ledger` writes and `xiaohao import ledger` reads), as `.xlsx`,
//! or as CSV with the same columns in UTF-8 with a BOM, so Excel on Chinese Windows opens it
//! without garbling.

use crate::ApiError;
use xiaohao_engine::ledger::LedgerEntry;
use xiaohao_import::ledger::{LedgerError, LedgerRow, write_ledger, write_ledger_csv};

fn rows(entries: &[LedgerEntry]) -> Vec<LedgerRow> {
    entries.iter().map(LedgerEntry::row).collect()
}

fn fail(e: LedgerError) -> ApiError {
    ApiError::internal(&format_args!("cannot write the ledger: {e}"))
}

/// # Errors
/// When the workbook cannot be written (a bug; reported as 500).
pub fn xlsx(entries: &[LedgerEntry]) -> Result<Vec<u8>, ApiError> {
    write_ledger(&rows(entries)).map_err(fail)
}

/// # Errors
/// When the CSV cannot be written (a bug; reported as 500).
pub fn csv(entries: &[LedgerEntry]) -> Result<Vec<u8>, ApiError> {
    write_ledger_csv(&rows(entries)).map_err(fail)
}
