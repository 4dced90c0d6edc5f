//! The kinds of file an item may carry, told from their bytes (`infer`), never from the
//! name or the client's content type alone.

use serde::{Deserialize, Serialize};

/// A kind of evidence file the rules know. Which of them are allowed is configured
/// ([`super::FileRules`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Gif,
    Webp,
    Docx,
    Xlsx,
    Doc,
    Xls,
    /// WPS 文字 (Kingsoft), an OLE compound file like .doc.
    Wps,
    Zip,
}

impl FileKind {
    pub const ALL: [FileKind; 11] = [
        Self::Pdf,
        Self::Jpeg,
        Self::Png,
        Self::Gif,
        Self::Webp,
        Self::Docx,
        Self::Xlsx,
        Self::Doc,
        Self::Xls,
        Self::Wps,
        Self::Zip,
    ];

    /// The configuration name (`pdf`, `jpeg`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Docx => "docx",
            Self::Xlsx => "xlsx",
            Self::Doc => "doc",
            Self::Xls => "xls",
            Self::Wps => "wps",
            Self::Zip => "zip",
        }
    }

    /// The name extensions of the kind, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Png => &["png"],
            Self::Gif => &["gif"],
            Self::Webp => &["webp"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Doc => &["doc"],
            Self::Xls => &["xls"],
            Self::Wps => &["wps"],
            Self::Zip => &["zip"],
        }
    }

    /// The content type the file is served with (decided here, not by the uploader).
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Doc => "application/msword",
            Self::Xls => "application/vnd.ms-excel",
            Self::Wps => "application/wps-office.wps",
            Self::Zip => "application/zip",
        }
    }

    /// How people name the kind (in refusals and lists).
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
            Self::Docx => "DOCX",
            Self::Xlsx => "XLSX",
            Self::Doc => "DOC",
            Self::Xls => "XLS",
            Self::Wps => "WPS",
            Self::Zip => "ZIP",
        }
    }

    /// Shown in the browser (images and PDF); everything else is downloaded.
    pub fn inline(self) -> bool {
        matches!(
            self,
            Self::Pdf | Self::Jpeg | Self::Png | Self::Gif | Self::Webp
        )
    }

    /// The kind a name's extension claims (lower case, without the dot).
    pub fn by_extension(ext: &str) -> Option<FileKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.extensions().contains(&ext))
    }

    /// The kind served under a stored content type.
    pub fn by_mime(mime: &str) -> Option<FileKind> {
        Self::ALL.into_iter().find(|k| k.mime() == mime)
    }

    /// Whether bytes that look like `seen` may be a file of this kind: an Office Open XML
    /// document is a zip (and a zip may hold one); .doc, .xls and .wps are OLE compound
    /// files, which are not always told apart by their root entry.
    pub fn accepts(self, seen: Seen) -> bool {
        match self {
            Self::Pdf => seen == Seen::Pdf,
            Self::Jpeg => seen == Seen::Jpeg,
            Self::Png => seen == Seen::Png,
            Self::Gif => seen == Seen::Gif,
            Self::Webp => seen == Seen::Webp,
            Self::Docx => matches!(seen, Seen::Docx | Seen::Zip),
            Self::Xlsx => matches!(seen, Seen::Xlsx | Seen::Zip),
            Self::Zip => matches!(seen, Seen::Zip | Seen::Docx | Seen::Xlsx),
            Self::Doc => matches!(seen, Seen::Doc | Seen::Ole),
            Self::Xls => matches!(seen, Seen::Xls | Seen::Ole),
            Self::Wps => matches!(seen, Seen::Doc | Seen::Ole),
        }
    }

    /// The kind bytes are taken for when the name has no extension.
    pub fn of_seen(seen: Seen) -> Option<FileKind> {
        Some(match seen {
            Seen::Pdf => Self::Pdf,
            Seen::Jpeg => Self::Jpeg,
            Seen::Png => Self::Png,
            Seen::Gif => Self::Gif,
            Seen::Webp => Self::Webp,
            Seen::Docx => Self::Docx,
            Seen::Xlsx => Self::Xlsx,
            Seen::Doc => Self::Doc,
            Seen::Xls => Self::Xls,
            Seen::Zip => Self::Zip,
            Seen::Ole | Seen::Other(_) | Seen::Unknown => return None,
        })
    }
}

impl std::str::FromStr for FileKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.extensions().contains(&s.as_str()))
            .ok_or_else(|| {
                format!(
                    "unknown file type `{s}`; known: {}",
                    Self::ALL.map(FileKind::as_str).join(", ")
                )
            })
    }
}

/// What the bytes of a file look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Pdf,
    Jpeg,
    Png,
    Gif,
    Webp,
    Docx,
    Xlsx,
    Doc,
    Xls,
    /// An OLE compound file of no kind `infer` names (WPS, some .doc and .xls).
    Ole,
    Zip,
    /// A kind we do not take, described (`application/vnd.microsoft.portable-executable`).
    Other(&'static str),
    Unknown,
}

impl Seen {
    /// Look at the bytes.
    pub fn of(bytes: &[u8]) -> Seen {
        let Some(t) = infer::get(bytes) else {
            return Seen::Unknown;
        };
        match t.mime_type() {
            "application/pdf" => Seen::Pdf,
            "image/jpeg" => Seen::Jpeg,
            "image/png" => Seen::Png,
            "image/gif" => Seen::Gif,
            "image/webp" => Seen::Webp,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Seen::Docx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Seen::Xlsx,
            "application/msword" => Seen::Doc,
            "application/vnd.ms-excel" => Seen::Xls,
            "application/x-ole-storage" => Seen::Ole,
            "application/zip" => Seen::Zip,
            other => Seen::Other(other),
        }
    }

    /// In a refusal: what the content was taken for.
    pub fn describe(self) -> String {
        match self {
            Seen::Ole => "OLE 复合文档".to_owned(),
            Seen::Other("application/vnd.microsoft.portable-executable") => {
                "Windows 可执行程序".to_owned()
            }
            Seen::Other(mime) => mime.to_owned(),
            Seen::Unknown => "无法识别的内容".to_owned(),
            known => FileKind::of_seen(known)
                .map(|k| k.label().to_owned())
                .unwrap_or_default(),
        }
    }
}
