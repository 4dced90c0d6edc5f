//! The ledger (.xlsx) reader. Two ways in, chosen by the first byte: the raw bytes as a
//! workbook (zip and XML parsing), or a workbook written from the fuzzer's cells — headers
//! from the real layout or anything, texts, numbers (Excel date serials among them, NaN and
//! negatives too), booleans, date-formatted cells, at any position on the sheet — so the
//! reader's own logic (columns by header, dates, units) sees arbitrary sheets.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use rust_xlsxwriter::{Format, Workbook};
use xiaohao_import::ledger::{HEADERS, read_ledger};

fn workbook(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let name = if u.arbitrary()? { "台账" } else { "Sheet1" };
    let _ = sheet.set_name(name);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let (row0, col0) = (u32::from(u.arbitrary::<u8>()?), u16::from(u.arbitrary::<u8>()? % 16));
    let cols = u.int_in_range(1..=18)?;
    for c in 0..cols {
        let header: String = if u.ratio(4, 5)? {
            (*u.choose(&HEADERS)?).to_owned()
        } else {
            u.arbitrary()?
        };
        let _ = sheet.write_string(row0, col0 + c, header);
    }
    let rows = u.int_in_range(0..=24)?;
    for r in 1..=rows {
        for c in 0..cols {
            let (row, col) = (row0 + r, col0 + c);
            let _ = match u.int_in_range(0..=5)? {
                0 => continue,
                1 => sheet.write_string(row, col, u.arbitrary::<String>()?),
                2 => sheet.write_number(row, col, u.arbitrary::<f64>()?),
                3 => sheet.write_number_with_format(
                    row,
                    col,
                    f64::from(u.int_in_range(-800_000..=3_000_000)?) / 64.0,
                    &date,
                ),
                4 => sheet.write_boolean(row, col, u.arbitrary()?),
                _ => sheet.write_string(row, col, *u.choose(&["2026-03-31", "2026/3/31", "长期坚持", "0000-01-01", "-1", "NaN", "省工信厅、省发改委", "2026年3月底前"])?),
            };
        }
    }
    wb.save_to_buffer()
        .map_err(|_| libfuzzer_sys::arbitrary::Error::IncorrectFormat)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let _ = read_ledger(rest);
        return;
    }
    let mut u = Unstructured::new(rest);
    if let Ok(bytes) = workbook(&mut u) {
        let _ = read_ledger(&bytes);
    }
});
