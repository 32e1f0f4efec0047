//! Downloads of a list as the reader filtered it (`/perjanjian.csv`,
//! `/perjanjian.xlsx`; the obligations' in `obligations.rs`): every row the
//! filter matches that the visitor may see, not one page, with Indonesian
//! column names. The CSV is sent in slices as they are read, so 100,000
//! agreements start arriving at once and never sit in memory whole; the
//! XLSX (a zip, complete only at its end) is written row by row to a temp
//! file in rust_xlsxwriter's constant-memory mode and sent when done.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;

use super::agreements::Filters;
use crate::domain::catalog::Side;
use crate::http::db;
use crate::http::problem::ApiError;
use crate::store::agreements::{self as store, AgreementSummary, ListFilter};
use crate::web::session::{state, Visitor};
use crate::web::PageError;

/// Agreements read and sent per slice.
const SLICE: usize = 500;

pub(super) const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub(super) const XLSX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const AGREEMENT_COLUMNS: [&str; 9] = [
    "Judul",
    "Jenis",
    "Nomor PIHAK KESATU",
    "PIHAK KESATU",
    "Nomor PIHAK KEDUA",
    "PIHAK KEDUA",
    "Ditandatangani",
    "Berakhir",
    "Status",
];
const AGREEMENT_WIDTHS: [f64; 9] = [60.0, 14.0, 24.0, 45.0, 24.0, 45.0, 14.0, 14.0, 20.0];

/// One cell of an export: text, or a date (ISO in CSV, a date cell in XLSX).
pub(super) enum Cell {
    Text(String),
    Date(Option<NaiveDate>),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

fn agreement_row(a: &AgreementSummary) -> Vec<Cell> {
    let party = |side: Side| a.parties.iter().find(|p| p.side == side);
    let (first, second) = (party(Side::First), party(Side::Second));
    let number = |p: Option<&crate::store::agreements::PartySummary>| {
        Cell::Text(p.and_then(|p| p.number.clone()).unwrap_or_default())
    };
    let name = |p: Option<&crate::store::agreements::PartySummary>| {
        Cell::Text(p.map(|p| p.institution.clone()).unwrap_or_default())
    };
    vec![
        Cell::Text(a.title.clone()),
        Cell::Text(a.kind.label().to_string()),
        number(first),
        name(first),
        number(second),
        name(second),
        Cell::Date(a.signed_on),
        Cell::Date(a.expires_on),
        Cell::Text(a.status.label().to_string()),
    ]
}

/// `rows` as CSV lines (with the header line first when `header` is given).
pub(super) fn csv_bytes(header: Option<&[&str]>, rows: &[Vec<Cell>]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 200 + 200));
    let failed = |_| ApiError::internal();
    if let Some(h) = header {
        w.write_record(h).map_err(failed)?;
    }
    for r in rows {
        w.write_record(r.iter().map(Cell::csv)).map_err(failed)?;
    }
    w.into_inner().map_err(|_| ApiError::internal())
}

/// A spreadsheet of one sheet written row by row (constant memory): a bold,
/// frozen header row with a filter, dates as dates.
pub(super) struct Sheet {
    book: Workbook,
    date: Format,
    row: u32,
}

fn xlsx_failed(e: XlsxError) -> ApiError {
    tracing::error!(error = %e, "xlsx export failed");
    ApiError::internal()
}

impl Sheet {
    pub fn new(name: &str, columns: &[&str], widths: &[f64]) -> Result<Sheet, ApiError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = book
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_failed)?;
        ws.set_name(name).map_err(xlsx_failed)?;
        for (i, w) in widths.iter().enumerate() {
            ws.set_column_width(i as u16, *w).map_err(xlsx_failed)?;
        }
        for (i, c) in columns.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *c, &bold)
                .map_err(xlsx_failed)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_failed)?;
        ws.autofilter(0, 0, 0, columns.len().saturating_sub(1) as u16)
            .map_err(xlsx_failed)?;
        Ok(Sheet {
            book,
            date: Format::new().set_num_format("dd/mm/yyyy"),
            row: 0,
        })
    }

    fn sheet(&mut self) -> Result<&mut Worksheet, ApiError> {
        self.book.worksheet_from_index(0).map_err(xlsx_failed)
    }

    pub fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), ApiError> {
        let date = self.date.clone();
        let mut row = self.row;
        let ws = self.sheet()?;
        for r in rows {
            row += 1;
            for (i, c) in r.iter().enumerate() {
                let col = i as u16;
                match c {
                    Cell::Text(s) if s.is_empty() => {}
                    Cell::Text(s) => {
                        ws.write_string(row, col, s).map_err(xlsx_failed)?;
                    }
                    Cell::Date(Some(d)) => {
                        ws.write_date_with_format(row, col, d, &date)
                            .map_err(xlsx_failed)?;
                    }
                    Cell::Date(None) => {}
                }
            }
        }
        self.row = row;
        Ok(())
    }

    /// The finished file, zipped off the async workers.
    pub async fn finish(mut self) -> Result<Vec<u8>, ApiError> {
        web::block(move || self.book.save_to_buffer())
            .await
            .map_err(|_| ApiError::internal())?
            .map_err(xlsx_failed)
    }
}

/// A download named `{stem}-YYYY-MM-DD.{ext}`, never kept by a cache.
pub(super) fn download(
    content_type: &str,
    stem: &str,
    ext: &str,
) -> actix_web::HttpResponseBuilder {
    let name = format!("{stem}-{}.{ext}", crate::today_jakarta());
    let mut r = HttpResponse::Ok();
    r.insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    r
}

/// A body sent as its slices arrive; an error cuts the download short (a
/// reader then sees a failed download, never a silently shortened file).
struct Slices(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl MessageBody for Slices {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.get_mut().0.poll_recv(cx)
    }
}

/// The filter of the list's address for every match (no page).
fn all_of(req: &HttpRequest, visitor: &Visitor) -> Result<ListFilter, PageError> {
    let q = web::Query::<Filters>::from_query(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("parameter alamat tidak valid: {e}")))?;
    q.to_filter(visitor)
}

/// The ids the filter matches, read once for the whole download.
async fn matching(
    state: &web::Data<crate::http::AppState>,
    f: &ListFilter,
) -> Result<Arc<Vec<i64>>, ApiError> {
    let f = f.clone();
    Ok(Arc::new(
        db(state, move |c| store::matching_ids(c, &f)).await?,
    ))
}

/// One slice of the matches as export rows.
async fn slice_of(
    state: &web::Data<crate::http::AppState>,
    f: &ListFilter,
    ids: &Arc<Vec<i64>>,
    at: usize,
) -> Result<Vec<Vec<Cell>>, ApiError> {
    let f = ListFilter {
        offset: at as i64,
        limit: SLICE as i64,
        ..f.clone()
    };
    let ids = ids.clone();
    let (_, items) = db(state, move |c| store::page_of(c, &f, &ids)).await?;
    Ok(items.iter().map(agreement_row).collect())
}

async fn agreements_csv(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let state = state(&req)?;
    let f = all_of(&req, &visitor)?;
    let ids = matching(&state, &f).await?;
    let (tx, rx) = mpsc::channel(4);
    actix_web::rt::spawn(async move {
        // A byte-order mark, so that Excel reads the file as UTF-8.
        let mut first = "\u{feff}".as_bytes().to_vec();
        match csv_bytes(Some(&AGREEMENT_COLUMNS[..]), &[]) {
            Ok(h) => first.extend(h),
            Err(_) => return,
        }
        if tx.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        for at in (0..ids.len()).step_by(SLICE) {
            let slice = slice_of(&state, &f, &ids, at)
                .await
                .and_then(|rows| csv_bytes(None, &rows));
            let sent = match slice {
                Ok(bytes) => tx.send(Ok(Bytes::from(bytes))).await,
                Err(e) => {
                    tracing::error!(error = %e, "csv export cut short");
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            if sent.is_err() {
                // The reader went away.
                return;
            }
        }
    });
    Ok(download(CSV_TYPE, "perjanjian", "csv").body(Slices(rx)))
}

async fn agreements_xlsx(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let state = state(&req)?;
    let f = all_of(&req, &visitor)?;
    let ids = matching(&state, &f).await?;
    let mut sheet = Sheet::new("Perjanjian", &AGREEMENT_COLUMNS, &AGREEMENT_WIDTHS)?;
    for at in (0..ids.len()).step_by(SLICE) {
        let rows = slice_of(&state, &f, &ids, at).await?;
        sheet.rows(&rows)?;
    }
    let bytes = sheet.finish().await?;
    Ok(download(XLSX_TYPE, "perjanjian", "xlsx").body(bytes))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/perjanjian.csv", web::get().to(agreements_csv))
        .route("/perjanjian.xlsx", web::get().to(agreements_xlsx));
}
