//! 通报 on the web: the pages (list, draft, preview, edit, issue), the A4 print view, and
//! the downloads — the document as .docx ([`docx`]) and the figures sheet as .xlsx
//! ([`figures`]). The CLI writes the same files through this module.

pub mod docx;
pub mod figures;
mod pages;

pub(crate) use pages::routes;
